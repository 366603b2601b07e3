import type { Duplex } from 'node:stream';
import { Writable } from 'node:stream';
import type Docker from 'dockerode';
import type { Logger } from '@faas/common';
import { dockerStatus } from '../docker-errors.js';
import { AnswerDecoder, ProtocolError, encodeRequest, type RunAnswer, type RunRequest } from './supervisor-protocol.js';

/** The container went away, or broke the protocol, before answering. */
export class ContainerLostError extends Error {}
/** No answer within the run's timeout plus the grace: the supervisor could not confirm the kill. */
export class NoAnswerError extends Error {}

/** Supervisor diagnostics kept for the log, at most this much. */
const DIAGNOSTICS_CAP = 4096;

interface Waiter {
  readonly nonce: Buffer;
  resolve(answer: RunAnswer): void;
  reject(err: Error): void;
}

/** One running container whose PID 1 is faas-supervisor, reached over its attached stdio. */
export class WarmContainer {
  private waiter: Waiter | undefined;
  private lostWith: Error | undefined;
  private diagnostics = '';
  readonly createdAt = Date.now();
  runs = 0;

  private constructor(
    readonly container: Docker.Container,
    private readonly stream: Duplex,
    private readonly logger: Logger,
  ) {}

  /** Creates, attaches (before start, so no byte is missed) and starts. */
  static async start(docker: Docker, spec: Docker.ContainerCreateOptions, logger: Logger): Promise<WarmContainer> {
    const container = await docker.createContainer(spec);
    try {
      const stream = (await container.attach({ stream: true, hijack: true, stdin: true, stdout: true, stderr: true })) as unknown as Duplex;
      const warm = new WarmContainer(container, stream, logger.child({ containerId: container.id.slice(0, 12) }));
      warm.listen(docker);
      await container.start();
      return warm;
    } catch (err) {
      await container.remove({ force: true, v: true }).catch(() => undefined);
      throw err;
    }
  }

  get lost(): boolean {
    return this.lostWith !== undefined;
  }

  private listen(docker: Docker): void {
    const decoder = new AnswerDecoder();
    const answers = new Writable({
      write: (chunk: Buffer, _enc, done) => {
        try {
          for (const answer of decoder.push(chunk)) this.settle(answer);
        } catch (err) {
          this.lose(err instanceof ProtocolError ? new ContainerLostError(`supervisor protocol broken: ${err.message}`) : (err as Error));
        }
        done();
      },
    });
    const diagnostics = new Writable({
      write: (chunk: Buffer, _enc, done) => {
        if (this.diagnostics.length < DIAGNOSTICS_CAP) this.diagnostics += chunk.toString('utf8').slice(0, DIAGNOSTICS_CAP);
        done();
      },
    });
    docker.modem.demuxStream(this.stream, answers, diagnostics);
    const gone = (): void => this.lose(new ContainerLostError(`container ended${this.diagnostics ? `: ${this.diagnostics.trim()}` : ''}`));
    this.stream.on('end', gone);
    this.stream.on('close', gone);
    this.stream.on('error', (err) => this.lose(new ContainerLostError(`attach stream failed: ${err.message}`)));
  }

  private settle(answer: RunAnswer): void {
    const waiter = this.waiter;
    if (!waiter || !answer.nonce.equals(waiter.nonce)) {
      this.lose(new ContainerLostError('an answer without a matching request'));
      return;
    }
    this.waiter = undefined;
    waiter.resolve(answer);
  }

  private lose(err: Error): void {
    if (this.lostWith) return;
    this.lostWith = err;
    this.logger.debug({ reason: err.message }, 'warm container lost');
    this.waiter?.reject(err);
    this.waiter = undefined;
  }

  /** One run; rejects with ContainerLostError or NoAnswerError. One run at a time. */
  run(request: RunRequest, answerWithinMs: number): Promise<RunAnswer> {
    if (this.lostWith) return Promise.reject(this.lostWith);
    if (this.waiter) return Promise.reject(new Error('warm container already running'));
    const { nonce, frame } = encodeRequest(request);
    this.runs += 1;
    return new Promise<RunAnswer>((resolve, reject) => {
      // Losing the container rejects the waiter below with this error.
      const timer = setTimeout(() => this.lose(new NoAnswerError(`no answer within ${answerWithinMs} ms`)), answerWithinMs);
      const done = <T>(fn: (v: T) => void) => (v: T) => {
        clearTimeout(timer);
        fn(v);
      };
      this.waiter = { nonce, resolve: done(resolve), reject: done(reject) };
      this.stream.write(frame);
    });
  }

  /** Removes the container with its anonymous volumes; never throws. */
  async dispose(): Promise<void> {
    this.lose(new ContainerLostError('disposed'));
    this.stream.destroy();
    await this.container.remove({ force: true, v: true }).catch((err: unknown) => {
      if (dockerStatus(err) !== 404 && dockerStatus(err) !== 409) this.logger.warn({ err }, 'warm container removal failed');
    });
  }
}

import { randomBytes } from 'node:crypto';

/**
 * The frames between the spawner and faas-supervisor (spawner-service/supervisor/), over the
 * container's attached stdin and stdout. Length-prefixed, so any bytes survive; each answer
 * repeats its request's nonce, so bytes a run forges cannot pass for a later run's answer.
 */
export interface RunRequest {
  readonly timeoutMs: number;
  readonly stdoutCapBytes: number;
  readonly stderrCapBytes: number;
  readonly argument: string;
  /** `KEY=VALUE` pairs for this run only. */
  readonly env: Readonly<Record<string, string>>;
}

export type AnswerKind = 'exited' | 'signaled' | 'timed_out' | 'not_started';

export interface RunAnswer {
  readonly nonce: Buffer;
  readonly kind: AnswerKind;
  /** Exit status, signal number, or errno (not_started). */
  readonly code: number;
  readonly stdoutTruncated: boolean;
  readonly stderrTruncated: boolean;
  readonly oomKilled: boolean;
  /** Something of the run could not be killed or wiped: the container must not be reused. */
  readonly dirty: boolean;
  readonly durationMs: number;
  readonly stdout: Buffer;
  readonly stderr: Buffer;
}

const REQUEST_MAGIC = Buffer.from('FQ01');
const ANSWER_MAGIC = Buffer.from('FR01');
const NONCE_BYTES = 16;
const KINDS: readonly AnswerKind[] = ['exited', 'signaled', 'timed_out', 'not_started'];
const FLAGS = { outTruncated: 1, errTruncated: 2, oom: 4, dirty: 8 } as const;
/** Far above two 64 MiB caps: anything longer is not an answer of ours. */
const MAX_ANSWER_BYTES = 160 * 1024 * 1024;

const u32 = (value: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(value >>> 0);
  return b;
};
const field = (bytes: Buffer): Buffer[] => [u32(bytes.length), bytes];

export function encodeRequest(request: RunRequest): { nonce: Buffer; frame: Buffer } {
  const nonce = randomBytes(NONCE_BYTES);
  const env = Object.entries(request.env).map(([k, v]) => Buffer.from(`${k}=${v}`));
  const payload = Buffer.concat([
    nonce,
    u32(Math.min(request.timeoutMs, 0xffffffff)),
    u32(request.stdoutCapBytes),
    u32(request.stderrCapBytes),
    ...field(Buffer.from(request.argument)),
    u32(env.length),
    ...env.flatMap(field),
  ]);
  return { nonce, frame: Buffer.concat([REQUEST_MAGIC, u32(payload.length), payload]) };
}

export class ProtocolError extends Error {}

function parseAnswer(body: Buffer): RunAnswer {
  if (body.length < NONCE_BYTES + 20) throw new ProtocolError('answer too short');
  let at = NONCE_BYTES;
  const kind = KINDS[body.readUInt8(at)];
  const flags = body.readUInt8(at + 1);
  const code = body.readInt32LE(at + 4);
  const durationUs = body.readUInt32LE(at + 8);
  at += 12;
  const outLen = body.readUInt32LE(at);
  const stdout = body.subarray(at + 4, at + 4 + outLen);
  at += 4 + outLen;
  if (kind === undefined || at + 4 > body.length) throw new ProtocolError('malformed answer');
  const errLen = body.readUInt32LE(at);
  if (at + 4 + errLen !== body.length) throw new ProtocolError('answer length mismatch');
  return {
    nonce: body.subarray(0, NONCE_BYTES),
    kind,
    code,
    stdoutTruncated: (flags & FLAGS.outTruncated) !== 0,
    stderrTruncated: (flags & FLAGS.errTruncated) !== 0,
    oomKilled: (flags & FLAGS.oom) !== 0,
    dirty: (flags & FLAGS.dirty) !== 0,
    durationMs: Math.round(durationUs / 1000),
    stdout,
    stderr: body.subarray(at + 4),
  };
}

/** Reassembles answers from the supervisor's stdout chunks; throws ProtocolError on anything else. */
export class AnswerDecoder {
  private pending: Buffer[] = [];
  private size = 0;

  push(chunk: Buffer): RunAnswer[] {
    this.pending.push(chunk);
    this.size += chunk.length;
    const answers: RunAnswer[] = [];
    for (;;) {
      if (this.size < 8) return answers;
      const head = this.peek(8);
      if (!head.subarray(0, 4).equals(ANSWER_MAGIC)) throw new ProtocolError('not an answer frame');
      const length = head.readUInt32LE(4);
      if (length > MAX_ANSWER_BYTES) throw new ProtocolError('answer frame too long');
      if (this.size < 8 + length) return answers;
      const all = this.peek(this.size);
      answers.push(parseAnswer(Buffer.from(all.subarray(8, 8 + length))));
      const rest = all.subarray(8 + length);
      this.pending = rest.length > 0 ? [rest] : [];
      this.size = rest.length;
    }
  }

  private peek(bytes: number): Buffer {
    if (this.pending.length > 1) this.pending = [Buffer.concat(this.pending)];
    return (this.pending[0] ?? Buffer.alloc(0)).subarray(0, bytes);
  }
}

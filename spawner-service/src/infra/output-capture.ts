import { Writable } from 'node:stream';

/**
 * Keeps the first `capBytes` of a stream and drains the rest, so a flooding function never
 * blocks on a full pipe nor grows the spawner's memory.
 */
export class OutputCapture extends Writable {
  private readonly chunks: Buffer[] = [];
  private size = 0;
  private dropped = false;

  constructor(private readonly capBytes: number) {
    super();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    const room = this.capBytes - this.size;
    if (chunk.length > room) this.dropped = true;
    if (room > 0) {
      const kept = chunk.length > room ? chunk.subarray(0, room) : chunk;
      this.chunks.push(Buffer.from(kept));
      this.size += kept.length;
    }
    done();
  }

  get truncated(): boolean {
    return this.dropped;
  }

  text(): string {
    return Buffer.concat(this.chunks, this.size).toString('utf8');
  }
}

/** Reads exactly the bytes asked for from a stream of chunks. */
class ByteReader {
  private buffered: Buffer[] = [];
  private size = 0;
  constructor(private readonly source: AsyncIterator<Uint8Array>) {}

  /** Up to n bytes (fewer only at the end of the stream), as chunks; `max` bounds one chunk. */
  async *chunks(n: number): AsyncGenerator<Buffer> {
    let left = n;
    while (left > 0) {
      if (this.size === 0) {
        const next = await this.source.next();
        if (next.done) return;
        this.buffered.push(Buffer.from(next.value));
        this.size += next.value.length;
      }
      const head = this.buffered[0] as Buffer;
      const take = Math.min(left, head.length);
      yield head.subarray(0, take);
      if (take === head.length) this.buffered.shift();
      else this.buffered[0] = head.subarray(take);
      this.size -= take;
      left -= take;
    }
  }

  async exactly(n: number): Promise<Buffer | undefined> {
    const parts: Buffer[] = [];
    for await (const part of this.chunks(n)) parts.push(part);
    const all = Buffer.concat(parts);
    return all.length === n ? all : undefined;
  }

  async skip(n: number): Promise<void> {
    for await (const _part of this.chunks(n)) void _part;
  }
}

export interface TarEntryHead {
  readonly name: string;
  /** tar type flag: '0' file, '5' directory, '1' hard link, '2' symlink, '3'/'4' devices, '6' fifo. */
  readonly type: string;
  readonly size: number;
}

const BLOCK = 512;
const text = (b: Buffer, start: number, length: number): string => b.toString('utf8', start, start + length).replace(/\0.*$/s, '');
const octal = (b: Buffer, start: number, length: number): number => parseInt(text(b, start, length).trim() || '0', 8);
const padded = (size: number): number => Math.ceil(size / BLOCK) * BLOCK;

/** PAX `path=` (Go's archive/tar writes it for long names). */
function paxPath(records: Buffer): string | undefined {
  for (const line of records.toString('utf8').split('\n')) {
    const match = /^\d+ path=(.*)$/s.exec(line);
    if (match) return match[1];
  }
  return undefined;
}

/**
 * Walks a tar stream entry by entry without holding it: `body` yields the entry's content and
 * must be drained before the next entry (skipped entries are drained here).
 */
export async function* readTar(source: AsyncIterable<Uint8Array>): AsyncGenerator<TarEntryHead & { body: AsyncIterable<Buffer> }> {
  const reader = new ByteReader(source[Symbol.asyncIterator]());
  let longName: string | undefined;
  for (;;) {
    const header = await reader.exactly(BLOCK);
    if (!header || header.every((b) => b === 0)) return;
    const size = octal(header, 124, 12);
    const type = text(header, 156, 1) || '0';
    if (type === 'x' || type === 'L') {
      const extra = await reader.exactly(padded(size));
      if (!extra) return;
      longName = type === 'x' ? paxPath(extra.subarray(0, size)) : text(extra, 0, size);
      continue;
    }
    const prefix = text(header, 345, 155);
    const name = longName ?? (prefix ? `${prefix}/${text(header, 0, 100)}` : text(header, 0, 100));
    longName = undefined;
    let consumed = 0;
    const body = (async function* () {
      for await (const part of reader.chunks(size)) {
        consumed += part.length;
        yield part;
      }
    })();
    yield { name, type, size, body };
    await reader.skip(size - consumed + (padded(size) - size));
  }
}

/** One regular file in a tar archive (ustar), enough for the engine's archive API. */
export interface TarEntry {
  readonly name: string;
  readonly mode: number;
  readonly data: Buffer;
}

export const BLOCK = 512;

function octal(value: number, width: number): string {
  return value.toString(8).padStart(width - 1, '0') + '\0';
}

const header = (entry: TarEntry): Buffer => tarHeader({ name: entry.name, mode: entry.mode, size: entry.data.length });

/** A ustar header; `type` '0' is a file, '5' a directory, 'x' a PAX record. Names over 100 bytes need a PAX record first. */
export function tarHeader(entry: { name: string; mode: number; size: number; type?: string }): Buffer {
  const h = Buffer.alloc(BLOCK);
  h.write(entry.name, 0, 100, 'utf8');
  h.write(octal(entry.mode, 8), 100, 'ascii');
  h.write(octal(0, 8), 108, 'ascii');
  h.write(octal(0, 8), 116, 'ascii');
  h.write(octal(entry.size, 12), 124, 'ascii');
  h.write(octal(Math.floor(Date.now() / 1000), 12), 136, 'ascii');
  h.write('        ', 148, 'ascii');
  h.write(entry.type ?? '0', 156, 'ascii');
  h.write('ustar\u000000', 257, 'ascii');
  let sum = 0;
  for (const byte of h) sum += byte;
  h.write(octal(sum, 7) + ' ', 148, 'ascii');
  return h;
}

export function tarOf(entries: readonly TarEntry[]): Buffer {
  const parts = entries.flatMap((e) => [header(e), e.data, Buffer.alloc((BLOCK - (e.data.length % BLOCK)) % BLOCK)]);
  return Buffer.concat([...parts, Buffer.alloc(BLOCK * 2)]);
}

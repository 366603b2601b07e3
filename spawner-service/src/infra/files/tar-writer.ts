import { BLOCK, tarHeader } from '../warm/tar.js';

export interface StreamedFile {
  readonly name: string;
  readonly size: number;
  open(): AsyncIterable<Uint8Array>;
}

/** A PAX record carrying a long path (ustar's name field holds 100 bytes). */
function paxPath(name: string): Buffer[] {
  const body = ` path=${name}\n`;
  // The length counts its own digits.
  let length = Buffer.byteLength(body) + 1;
  while (String(length).length + Buffer.byteLength(body) !== length) length = String(length).length + Buffer.byteLength(body);
  const record = Buffer.from(`${length}${body}`);
  return [tarHeader({ name: 'PaxHeader', mode: 0o644, size: record.length, type: 'x' }), record, Buffer.alloc(padding(record.length))];
}

const padding = (size: number): number => (BLOCK - (size % BLOCK)) % BLOCK;

/**
 * A tar stream of directories and files, each file read from its source only as the archive is
 * consumed. A source that yields another size than announced is an error (the archive would lie).
 */
export async function* tarStream(dirs: readonly { name: string; mode: number }[], files: readonly StreamedFile[], mode: number): AsyncGenerator<Buffer> {
  for (const dir of dirs) yield tarHeader({ name: `${dir.name}/`, mode: dir.mode, size: 0, type: '5' });
  for (const file of files) {
    if (Buffer.byteLength(file.name) > 100) yield* paxPath(file.name);
    yield tarHeader({ name: file.name.slice(0, 100), mode, size: file.size });
    let sent = 0;
    for await (const chunk of file.open()) {
      sent += chunk.length;
      if (sent > file.size) throw new Error(`input ${file.name} is larger than announced`);
      yield Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
    }
    if (sent !== file.size) throw new Error(`input ${file.name} is smaller than announced`);
    yield Buffer.alloc(padding(file.size));
  }
  yield Buffer.alloc(BLOCK * 2);
}

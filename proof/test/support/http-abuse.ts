import { connect } from 'node:net';

/** What a raw-socket abuse case got back: the status line's code, or 0 when the server only closed. */
export interface RawOutcome {
  readonly label: string;
  readonly status: number;
}

/** Writes `chunks` to the server one after another, `gapMs` apart, and reads the status line of the answer. */
function raw(target: string, label: string, chunks: readonly (string | Buffer)[], options: { gapMs?: number; closeAfterWrite?: boolean } = {}): Promise<RawOutcome> {
  const url = new URL(target);
  return new Promise((resolve) => {
    const socket = connect(Number(url.port), url.hostname);
    let answer = '';
    const done = (): void => {
      socket.destroy();
      resolve({ label, status: Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1] ?? 0) });
    };
    socket.setTimeout(60_000, done);
    socket.on('data', (c: Buffer) => {
      answer += c.toString('latin1');
      if (/\r\n\r\n/.test(answer)) done();
    });
    socket.on('error', done);
    socket.on('close', done);
    socket.on('connect', async () => {
      for (const chunk of chunks) {
        if (socket.destroyed) return;
        socket.write(chunk);
        if (options.gapMs) await new Promise((r) => setTimeout(r, options.gapMs));
      }
      if (options.closeAfterWrite) socket.end();
    });
  });
}

/**
 * Abuse of an HTTP function's route that fetch cannot send: headers past Node's 16 KiB, methods
 * nobody should pass on (TRACE, CONNECT, WebDAV, garbage), a body sent a few bytes at a time, and
 * one whose client leaves halfway (no answer expected: the server must just not fall over).
 */
export function httpFunctionAbuse(base: string, path: string): Promise<RawOutcome>[] {
  const host = `Host: ${new URL(base).host}\r\n`;
  const head = (method: string, extra = ''): string => `${method} ${path} HTTP/1.1\r\n${host}${extra}`;
  const body = '{"slow":"body, a few bytes at a time"}';
  return [
    raw(base, 'huge header (64 KiB)', [`${head('GET', `x-big: ${'a'.repeat(65_536)}\r\n`)}\r\n`]),
    raw(base, '300 headers of 100 bytes', [`${head('GET', Array.from({ length: 300 }, (_, i) => `x-h${i}: ${'b'.repeat(100)}\r\n`).join(''))}\r\n`]),
    ...['TRACE', 'CONNECT', 'PROPFIND', 'MKCOL', 'FOO', 'G ET'].map((method) => raw(base, `method ${method}`, [`${head(method)}Content-Length: 0\r\n\r\n`])),
    raw(base, 'slow body (2 bytes every 50 ms)', [`${head('POST', `Content-Type: application/json\r\nContent-Length: ${body.length}\r\n`)}\r\n`, ...(body.match(/.{1,2}/g) ?? [])], { gapMs: 50 }),
    raw(base, 'body shorter than its Content-Length, then gone', [`${head('POST', 'Content-Length: 1000\r\n')}\r\nonly a little`], { closeAfterWrite: true }),
    raw(base, 'chunked body with a bad chunk size', [`${head('POST', 'Transfer-Encoding: chunked\r\n')}\r\nZZ\r\nabc\r\n0\r\n\r\n`]),
    raw(base, 'Content-Length and Transfer-Encoding both', [`${head('POST', 'Content-Length: 3\r\nTransfer-Encoding: chunked\r\n')}\r\n3\r\nabc\r\n0\r\n\r\n`]),
  ];
}

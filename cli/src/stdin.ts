/** All of stdin as text (for `--password-stdin` and an invocation argument from a pipe). */
export async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

/** One trailing line break, as `echo` and here-strings add, is not part of a password. */
export function withoutFinalNewline(text: string): string {
  return text.replace(/\r?\n$/, '');
}

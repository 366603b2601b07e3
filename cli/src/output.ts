import yoctoSpinner from 'yocto-spinner';
import { ApiError, CliError, GatewayUnreachableError } from './api.js';

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function printLine(text = ''): void {
  process.stdout.write(`${text}\n`);
}

export function warn(text: string): void {
  process.stderr.write(`${text}\n`);
}

/** Columns padded to their widest cell; the last column is never padded. */
export function printTable(headers: readonly string[], rows: readonly (readonly string[])[]): void {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  printLine(line(headers));
  for (const row of rows) printLine(line(row));
}

/**
 * A spinner on stderr while `work` runs, only when stderr is a terminal and the output is not
 * JSON: pipes and scripts never see control characters.
 */
export async function withSpinner<T>(options: { json: boolean }, text: string, work: (update: (t: string) => void) => Promise<T>): Promise<T> {
  if (options.json || !process.stderr.isTTY) return work(() => undefined);
  const spinner = yoctoSpinner({ text, stream: process.stderr }).start();
  try {
    return await work((t) => {
      spinner.text = t;
    });
  } finally {
    spinner.stop();
    spinner.clear();
  }
}

/** The server's message and request id on stderr (JSON with --json); the exit code to use. */
export function reportError(err: unknown, json: boolean): number {
  if (err instanceof ApiError) {
    if (json) warn(JSON.stringify({ error: { status: err.status, code: err.code, message: err.message, requestId: err.requestId ?? null } }));
    else warn(`faas: ${err.message} (HTTP ${err.status} ${err.code}${err.requestId ? `, request id ${err.requestId}` : ''})${hint(err)}`);
    return 1;
  }
  const known = err instanceof CliError || err instanceof GatewayUnreachableError;
  const message = err instanceof Error ? (known ? err.message : (err.stack ?? err.message)) : String(err);
  if (json) warn(JSON.stringify({ error: { code: err instanceof GatewayUnreachableError ? 'GATEWAY_UNREACHABLE' : err instanceof CliError ? 'CLI_ERROR' : 'INTERNAL', message: err instanceof Error ? err.message : message } }));
  else warn(`faas: ${message}`);
  return err instanceof CliError ? err.exitCode : 1;
}

function hint(err: ApiError): string {
  return err.status === 401 && err.code === 'UNAUTHENTICATED' ? '\nfaas: log in again with `faas login`' : '';
}

import { NotFoundError, UnavailableError } from '@faas/common';

const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ENOENT', 'EACCES', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN']);

export function dockerStatus(err: unknown): number | undefined {
  const status = (err as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === 'number' ? status : undefined;
}

export function dockerMessage(err: unknown): string {
  const json = (err as { json?: { message?: unknown } } | null)?.json;
  if (json && typeof json.message === 'string') return json.message;
  return err instanceof Error ? err.message : String(err);
}

/** Engine unreachable or overloaded: a passing fault, worth a retry elsewhere or later. */
export function isEngineUnavailable(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return (typeof code === 'string' && CONNECTION_CODES.has(code)) || dockerStatus(err) === 503;
}

/** Translates dockerode failures at the edge: 404 -> not found, unreachable -> unavailable. */
export function translateDockerError(err: unknown, what: string): Error {
  if (isEngineUnavailable(err)) return new UnavailableError(`docker engine unavailable (${what}): ${dockerMessage(err)}`, { cause: err });
  if (dockerStatus(err) === 404) return new NotFoundError(`${what}: ${dockerMessage(err)}`, { cause: err });
  return new Error(`${what}: ${dockerMessage(err)}`, { cause: err });
}

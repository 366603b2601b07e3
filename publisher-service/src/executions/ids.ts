import { createHash, randomBytes } from 'node:crypto';

/**
 * UUIDv7 (RFC 9562): the first 48 bits are the creation time in ms, so ids sort by age and
 * a user's executions list newest-first from their keys alone.
 */
export function newExecutionId(now = Date.now()): string {
  return uuidV7(randomBytes(16), now);
}

/**
 * The id of the execution a chain trigger starts from a source execution: the same for every
 * publisher and every redelivery of the source's final record, so it is created once. Shaped as a
 * UUIDv7 at the source's end (it still sorts by age), the rest a hash of (source, trigger).
 */
export function chainedExecutionId(sourceId: string, triggerId: string, sourceEndMs: number): string {
  return uuidV7(createHash('sha256').update(`${sourceId}\n${triggerId}`).digest().subarray(0, 16), sourceEndMs);
}

function uuidV7(bytes: Buffer, now: number): string {
  bytes.writeUIntBE(now, 0, 6);
  bytes[6] = 0x70 | ((bytes[6] ?? 0) & 0x0f);
  bytes[8] = 0x80 | ((bytes[8] ?? 0) & 0x3f);
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export const EXECUTION_ID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

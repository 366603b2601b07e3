import type { ExecutionRecord } from '@faas/common';

const sizeOf = (record: ExecutionRecord): number => Buffer.byteLength(JSON.stringify(record));

/**
 * Shrinks result and logs until the encoded record fits one NATS message (the KV value and
 * the result message): the longer of the two is cut first, and the record says truncated.
 */
export function fitRecord(record: ExecutionRecord, maxBytes: number): ExecutionRecord {
  let fitted = record;
  for (let over = sizeOf(fitted) - maxBytes; over > 0; over = sizeOf(fitted) - maxBytes) {
    const result = fitted.result ?? '';
    const logs = fitted.logs ?? '';
    if (result.length === 0 && logs.length === 0) break;
    // Each character removed takes at least one byte of JSON with it.
    if (logs.length >= result.length) fitted = { ...fitted, logs: logs.slice(0, Math.max(0, logs.length - over)), truncated: true };
    else fitted = { ...fitted, result: result.slice(0, Math.max(0, result.length - over)), truncated: true };
  }
  return fitted;
}

import { createHmac, timingSafeEqual } from 'node:crypto';

/** `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`, keyed by the user's callback key. */
export const SIGNATURE_HEADER = 'x-faas-signature';

const mac = (key: string, seconds: number, body: string): string => createHmac('sha256', key).update(`${seconds}.${body}`).digest('hex');

export function signCallback(key: string, body: string, nowMs = Date.now()): string {
  const seconds = Math.floor(nowMs / 1000);
  return `t=${seconds},v1=${mac(key, seconds, body)}`;
}

/**
 * What a receiver does (docs/callbacks.md has it as a snippet): recompute the HMAC over the raw
 * body and the signed time, compare in constant time, and refuse a time too far from now (replay).
 */
export function verifyCallbackSignature(key: string, header: string, body: string, options: { toleranceSeconds?: number; nowMs?: number } = {}): boolean {
  const fields = new Map(header.split(',').map((part) => part.split('=', 2) as [string, string]));
  const seconds = Number(fields.get('t'));
  const given = Buffer.from(fields.get('v1') ?? '', 'hex');
  if (!Number.isInteger(seconds) || given.length !== 32) return false;
  if (Math.abs((options.nowMs ?? Date.now()) / 1000 - seconds) > (options.toleranceSeconds ?? 300)) return false;
  return timingSafeEqual(given, Buffer.from(mac(key, seconds, body), 'hex'));
}

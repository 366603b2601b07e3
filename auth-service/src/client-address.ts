import type { Request } from 'express';

/**
 * The client's address as the nearest trusted proxy saw it. With `trustedHops` 0 (standalone,
 * or reached directly) it is the socket's peer and X-Forwarded-For is ignored, so a client
 * cannot pick its own address; behind APISIX (1 hop) it is the entry APISIX appended.
 */
export function clientAddress(req: Request, trustedHops: number): string {
  const peer = req.socket.remoteAddress ?? 'unknown';
  if (trustedHops === 0) return peer;
  const forwarded = (req.get('x-forwarded-for') ?? '').split(',').map((a) => a.trim()).filter(Boolean);
  return forwarded[forwarded.length - trustedHops] ?? forwarded[0] ?? peer;
}

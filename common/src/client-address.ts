import type { Request } from 'express';
import { isIP } from 'node:net';

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

/**
 * The key address limits count under: an IPv4 address as it is (also when IPv4-mapped), an IPv6
 * address by its /64, the smallest block one subscriber is usually given: keyed by the whole
 * address, one client would have 2^64 fresh addresses to try from.
 */
export function addressKey(address: string): string {
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address);
  if (mapped?.[1]) return mapped[1];
  if (isIP(address) !== 6) return address;
  const [head = '', tail = ''] = address.toLowerCase().split('::');
  const front = head ? head.split(':') : [];
  const back = address.includes('::') ? (tail ? tail.split(':') : []) : [];
  const groups = [...front, ...Array<string>(Math.max(0, 8 - front.length - back.length)).fill('0'), ...back];
  return `${groups.slice(0, 4).map((g) => g.replace(/^0+(?=.)/, '')).join(':')}::/64`;
}

import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import { ValidationError, type ExecutionRecord } from '@faas/common';
import axios from 'axios';

export interface CallbackOptions {
  readonly allowPrivate: boolean;
  readonly maxAttempts: number;
  readonly timeoutMs: number;
  readonly backoffMs: number;
}

/** Loopback, private, link-local, CGNAT, multicast and reserved ranges: never a callback target. */
const blocked = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) blocked.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of [['::', 128], ['::1', 128], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8]] as const) {
  blocked.addSubnet(net, prefix, 'ipv6');
}

function isBlockedAddress(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  if (mapped) return blocked.check(mapped, 'ipv4');
  return blocked.check(address, isIP(address) === 6 ? 'ipv6' : 'ipv4');
}

/**
 * Refuses callback URLs that point into the platform or the operator's network (SSRF): every
 * address the host resolves to must be public, and single-label names (Swarm service names
 * such as `registry-service`) are refused outright. Checked at submission and again at delivery.
 */
export async function checkCallbackUrl(raw: string, options: Pick<CallbackOptions, 'allowPrivate'>): Promise<URL> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ValidationError('callbackUrl must be an absolute http(s) URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ValidationError('callbackUrl must use http or https');
  if (url.username || url.password) throw new ValidationError('callbackUrl must not carry credentials');
  if (options.allowPrivate) return url;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (!isIP(host) && (!host.includes('.') || /(^|\.)(localhost|local|internal)$/i.test(host))) {
    throw new ValidationError('callbackUrl must point to a public host');
  }
  let addresses: { address: string }[];
  try {
    addresses = isIP(host) ? [{ address: host }] : await lookup(host, { all: true, verbatim: true });
  } catch {
    throw new ValidationError(`callbackUrl host ${host} does not resolve`);
  }
  if (addresses.length === 0 || addresses.some((a) => isBlockedAddress(a.address))) {
    throw new ValidationError('callbackUrl resolves to a loopback, private or link-local address, which is refused');
  }
  return url;
}

/**
 * One delivery attempt: checks the target again (SSRF), POSTs the final record. Throws
 * ValidationError when the target is refused (no later attempt can succeed), another Error
 * when this attempt failed.
 */
export async function postCallback(raw: string, record: ExecutionRecord, options: CallbackOptions): Promise<void> {
  const url = await checkCallbackUrl(raw, options);
  const res = await axios.post(url.toString(), record, {
    timeout: options.timeoutMs,
    maxRedirects: 0,
    validateStatus: () => true,
    headers: { 'x-faas-execution-id': record.id },
  });
  if (res.status < 200 || res.status >= 300) throw new Error(`receiver answered ${res.status}`);
}

import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import { ValidationError } from '@faas/common';

/** Resolves a host name to all its addresses (the default is the system resolver). */
export type Resolver = (host: string) => Promise<readonly LookupAddress[]>;

const systemResolver: Resolver = (host) =>
  new Promise((resolve, reject) => dnsLookup(host, { all: true, verbatim: true }, (err, addresses) => (err ? reject(err) : resolve(addresses))));

/**
 * Loopback, private, link-local, CGNAT, multicast and reserved ranges: never a callback target.
 * IPv6 ranges that carry an IPv4 address (mapped, compatible, NAT64, 6to4, Teredo) are refused
 * whole: a receiver has no reason to be reached through them, and refusing the range needs no
 * judgement of the IPv4 address inside (which a NAT64 gateway may turn into a private one).
 */
const blockedV4 = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) blockedV4.addSubnet(net, prefix, 'ipv4');
// A list of its own: Node matches an IPv4 address against IPv6 rules too (as ::ffff:a.b.c.d).
const blockedV6 = new BlockList();
for (const [net, prefix] of [
  ['::', 96], ['::ffff:0:0', 96], ['64:ff9b::', 96], ['64:ff9b:1::', 48], ['2002::', 16], ['2001::', 32],
  ['fc00::', 7], ['fe80::', 10], ['ff00::', 8],
] as const) blockedV6.addSubnet(net, prefix, 'ipv6');

export function isBlockedAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return blockedV4.check(address, 'ipv4');
  return family !== 6 || blockedV6.check(address, 'ipv6');
}

/** A checked callback target: the URL and the only addresses a request to it may connect to. */
export interface CallbackTarget {
  readonly url: URL;
  readonly addresses: readonly LookupAddress[];
}

function parseCallbackUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ValidationError('callbackUrl must be an absolute http(s) URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ValidationError('callbackUrl must use http or https');
  if (url.username || url.password) throw new ValidationError('callbackUrl must not carry credentials');
  return url;
}

/**
 * Refuses callback URLs that point into the platform or the operator's network (SSRF): every
 * address the host resolves to must be public, and single-label names (Swarm service names
 * such as `registry-service`) are refused outright. The host is resolved once: a request made
 * with `pinnedLookup(target)` connects to these addresses and never asks DNS again, so a name
 * that answers a public address now and 127.0.0.1 a moment later (DNS rebinding) gains nothing.
 */
export async function resolveCallbackTarget(raw: string, options: { allowPrivate: boolean; resolve?: Resolver }): Promise<CallbackTarget> {
  const url = parseCallbackUrl(raw);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (!options.allowPrivate && !isIP(host) && (!host.includes('.') || /(^|\.)(localhost|local|internal)$/i.test(host))) {
    throw new ValidationError('callbackUrl must point to a public host');
  }
  let addresses: readonly LookupAddress[];
  try {
    const family = isIP(host);
    addresses = family ? [{ address: host, family }] : await (options.resolve ?? systemResolver)(host);
  } catch {
    throw new ValidationError(`callbackUrl host ${host} does not resolve`);
  }
  if (addresses.length === 0) throw new ValidationError(`callbackUrl host ${host} does not resolve`);
  if (!options.allowPrivate && addresses.some((a) => isBlockedAddress(a.address))) {
    throw new ValidationError('callbackUrl resolves to a loopback, private, link-local or IPv4-translating address, which is refused');
  }
  return { url, addresses };
}

/** A socket `lookup` that answers only the target's checked addresses, whatever name it is asked. */
export function pinnedLookup(target: CallbackTarget): LookupFunction {
  const [first] = target.addresses;
  return (_host, options, callback) => {
    const done = callback as (err: Error | null, address: string | LookupAddress[], family?: number) => void;
    if (!first) return done(new Error('no checked address'), '', 4);
    if (options.all) return done(null, [...target.addresses]);
    done(null, first.address, first.family);
  };
}

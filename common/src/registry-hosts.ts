import { BlockList, isIP } from 'node:net';

/**
 * Loopback, private, link-local, CGNAT, multicast and reserved ranges (and their IPv6 kin,
 * including IPv4-mapped, NAT64 and 6to4, which can wrap any IPv4 address): an image reference naming a
 * registry there makes the Docker daemon reach into the host's own network.
 */
const blocked = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) blocked.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of [
  ['::', 128], ['::1', 128], ['::ffff:0:0', 96], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8], ['64:ff9b::', 96], ['2002::', 16],
] as const) {
  blocked.addSubnet(net, prefix, 'ipv6');
}

/** Whether an IP address is loopback, private, link-local or otherwise not a public host. */
export function isNonPublicAddress(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  if (mapped) return blocked.check(mapped, 'ipv4');
  const family = isIP(address);
  return family === 0 ? false : blocked.check(address, family === 6 ? 'ipv6' : 'ipv4');
}

/**
 * The registry host an image reference names (without port or IPv6 brackets), as Docker
 * decides: the first component when it has a `.` or `:` or is `localhost`; undefined for
 * Docker Hub.
 */
export function registryHostOf(image: string): string | undefined {
  const slash = image.indexOf('/');
  if (slash < 0) return undefined;
  const first = image.slice(0, slash);
  if (!first.includes('.') && !first.includes(':') && first !== 'localhost') return undefined;
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(first);
  if (bracketed) return bracketed[1]?.toLowerCase();
  return first.replace(/:\d+$/, '').toLowerCase();
}

/**
 * Why an image's registry host is refused by its name alone (no DNS): an address that is not
 * public, `localhost` or `*.localhost`, or a single-label name (`registry:5000`, a Swarm service
 * name). Undefined: a public-looking host, or Docker Hub.
 */
export function nonPublicRegistryProblem(image: string): string | undefined {
  const host = registryHostOf(image);
  if (host === undefined) return undefined;
  if (isIP(host)) return isNonPublicAddress(host) ? `registry host ${host} is a loopback, private or link-local address` : undefined;
  if (host === 'localhost' || host.endsWith('.localhost')) return `registry host ${host} is the local machine`;
  if (!host.includes('.')) return `registry host ${host} is a single-label (internal) name`;
  return undefined;
}

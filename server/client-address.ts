/**
 * The client address that per-address limits key on, computed in one place for every transport
 * (node:http, Strapi's Koa, WebSocket upgrades) from the socket peer and the `trustProxy`
 * setting. `X-Forwarded-For` is written by whoever sends the request, so it is read only as far
 * as the setting trusts the hops that appended to it:
 *
 *   false          the socket peer (default; behind a proxy, every visitor then shares its address)
 *   N (integer)    N proxies in front: the Nth address from the right of `X-Forwarded-For`
 *                  (with fewer entries, the leftmost one)
 *   [CIDR, ...]    the proxies' addresses: from the socket peer leftwards through
 *                  `X-Forwarded-For`, the first address not in a trusted range
 *
 * The key is the IPv4 address (an IPv4-mapped IPv6 address counts as IPv4) or the /64 of an IPv6
 * address: one host or one home router is routinely given a whole /64, so keying whole addresses
 * would hand a single host 2^64 buckets.
 */
import type { IncomingHttpHeaders } from 'node:http';
import ipaddr from 'ipaddr.js';

export type TrustProxy = false | number | readonly string[];

/** The key of a caller whose address is unknown (a socket already closed). */
export const UNKNOWN_ADDRESS = 'unknown';

type Ip = ipaddr.IPv4 | ipaddr.IPv6;

/** Checks a `trustProxy` setting; throws naming the problem (a typo must not trust every header). */
export function resolveTrustProxy(value: unknown = false): TrustProxy {
  if (value === false) return false;
  if (typeof value === 'number') {
    if (!Number.isInteger(value) || value < 1)
      throw new TypeError(
        `trustProxy must be false, a hop count of 1 or more, or a list of CIDRs, got ${value}`,
      );
    return value;
  }
  if (Array.isArray(value) && value.length > 0) {
    for (const entry of value as unknown[])
      if (typeof entry !== 'string' || (!ipaddr.isValidCIDR(entry) && parseStrict(entry) === null))
        throw new TypeError(`trustProxy: ${JSON.stringify(entry)} is not an IP address or a CIDR range`);
    return Object.freeze([...(value as string[])]);
  }
  throw new TypeError(
    `trustProxy must be false, a hop count of 1 or more, or a non-empty list of CIDRs, got ${JSON.stringify(value)}`,
  );
}

/** An address as a socket or a proxy writes it (dotted IPv4 or IPv6, maybe with a port), or null. */
function parseStrict(text: string): Ip | null {
  let address = text.trim();
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(address);
  if (bracketed) address = bracketed[1]!;
  else if (/^[\d.]+:\d+$/.test(address)) address = address.slice(0, address.indexOf(':'));
  if (ipaddr.IPv4.isValidFourPartDecimal(address)) return ipaddr.IPv4.parse(address);
  if (address.includes(':') && ipaddr.IPv6.isValid(address)) {
    const ip = ipaddr.IPv6.parse(address);
    return ip.isIPv4MappedAddress() ? ip.toIPv4Address() : ip;
  }
  return null;
}

/** The key of `ip`: the IPv4 address, or the IPv6 /64 (`2001:db8:1:2::/64`). */
function keyOf(ip: Ip): string {
  if (ip.kind() === 'ipv4') return ip.toString();
  const parts = (ip as ipaddr.IPv6).parts.slice(0, 4);
  return `${new ipaddr.IPv6([...parts, 0, 0, 0, 0]).toString()}/64`;
}

/** The limit key of an address as text (`unknown` for one that does not parse). */
export function addressKey(address: string | undefined): string {
  const ip = address === undefined ? null : parseStrict(address);
  return ip ? keyOf(ip) : UNKNOWN_ADDRESS;
}

/** Computes callers' address keys under one `trustProxy` setting. */
export type ClientAddress = (
  socketAddress: string | undefined,
  headers: IncomingHttpHeaders | Record<string, string | string[] | undefined>,
) => string;

/** The address function of `trustProxy` (validated here). */
export function clientAddress(trustProxy: unknown = false): ClientAddress {
  const trust = resolveTrustProxy(trustProxy);
  if (trust === false) return (socketAddress) => addressKey(socketAddress);
  const ranges = typeof trust === 'number' ? [] : trust.map(toRange);
  const trusted = (ip: Ip): boolean =>
    ranges.some(([range, bits]) => range.kind() === ip.kind() && ip.match(range, bits));
  return (socketAddress, headers) => {
    const peer = socketAddress === undefined ? null : parseStrict(socketAddress);
    if (!peer) return UNKNOWN_ADDRESS;
    // Nearest hop first: the socket peer, then X-Forwarded-For from the right.
    const hops = forwardedFor(headers['x-forwarded-for']);
    let client = peer;
    for (let index = 0; index < hops.length; index++) {
      if (typeof trust === 'number' ? index >= trust : !trusted(client)) break;
      const next = parseStrict(hops[index]!);
      // Garbage where a trusted proxy writes an address: keep the last address we could trust.
      if (!next) break;
      client = next;
    }
    return keyOf(client);
  };
}

/** X-Forwarded-For entries, nearest first (repeated headers are joined in order by Node). */
function forwardedFor(header: string | string[] | undefined): string[] {
  if (header === undefined) return [];
  const text = Array.isArray(header) ? header.join(',') : header;
  return text
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0)
    .reverse();
}

function toRange(entry: string): [Ip, number] {
  if (ipaddr.isValidCIDR(entry)) {
    const [ip, bits] = ipaddr.parseCIDR(entry);
    if (ip.kind() === 'ipv6' && (ip as ipaddr.IPv6).isIPv4MappedAddress() && bits >= 96)
      return [(ip as ipaddr.IPv6).toIPv4Address(), bits - 96];
    return [ip, bits];
  }
  const ip = parseStrict(entry)!;
  return [ip, ip.kind() === 'ipv4' ? 32 : 128];
}

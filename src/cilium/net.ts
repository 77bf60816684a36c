/**
 * IP addresses and CIDR prefixes as Go's `net.ParseIP` / `net.ParseCIDR` read them (the parsers
 * behind the CRD's `format: cidr` and the agent's CIDR checks, semantics reference §6).
 *
 * Addresses are bigints, so IPv4 and IPv6 share one containment test.
 */

/** An IPv4 or IPv6 address. */
export interface IpAddr {
  readonly family: 4 | 6;
  readonly value: bigint;
}

/** A prefix: its address with the host bits cleared, and its length. */
export interface Cidr {
  readonly family: 4 | 6;
  /** The address with the host bits cleared. */
  readonly value: bigint;
  /** Prefix length. */
  readonly bits: number;
  /** As written. */
  readonly text: string;
}

function parseIpv4(s: string): bigint | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  let v = 0n;
  for (const p of parts) {
    // Go rejects leading zeros (since 1.17) rather than reading them as octal
    if (!/^(0|[1-9][0-9]{0,2})$/.test(p)) return undefined;
    const n = Number(p);
    if (n > 255) return undefined;
    v = (v << 8n) | BigInt(n);
  }
  return v;
}

function parseIpv6(s: string): bigint | undefined {
  if (s.length === 0 || !/^[0-9a-fA-F:.]+$/.test(s)) return undefined;
  let head = s;
  let tailV4: bigint | undefined;
  // embedded IPv4 in the last 32 bits
  const lastColon = s.lastIndexOf(':');
  if (lastColon >= 0 && s.slice(lastColon + 1).includes('.')) {
    tailV4 = parseIpv4(s.slice(lastColon + 1));
    if (tailV4 === undefined) return undefined;
    head = s.slice(0, lastColon + 1) + '0:0';
  }
  const dbl = head.indexOf('::');
  if (dbl !== head.lastIndexOf('::')) return undefined;
  let groups: string[];
  if (dbl >= 0) {
    const left = head.slice(0, dbl) === '' ? [] : head.slice(0, dbl).split(':');
    const right = head.slice(dbl + 2) === '' ? [] : head.slice(dbl + 2).split(':');
    const missing = 8 - left.length - right.length;
    if (missing < 1) return undefined;
    groups = [...left, ...new Array(missing).fill('0'), ...right];
  } else {
    groups = head.split(':');
  }
  if (groups.length !== 8) return undefined;
  let v = 0n;
  for (const g of groups) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
    v = (v << 16n) | BigInt(parseInt(g, 16));
  }
  if (tailV4 !== undefined) {
    v = (v & ~0xffffffffn) | tailV4;
  }
  return v;
}

/** Parses an IPv4 or IPv6 address; undefined when it is not one. */
export function parseIp(s: string): IpAddr | undefined {
  const t = String(s);
  if (t.includes(':')) {
    const v = parseIpv6(t);
    return v === undefined ? undefined : { family: 6, value: v };
  }
  const v = parseIpv4(t);
  return v === undefined ? undefined : { family: 4, value: v };
}

/** Whether the text is an IPv4 or IPv6 address. */
export function isIp(s: string): boolean {
  return parseIp(s) !== undefined;
}

function prefixOf(ip: IpAddr, bits: number, text: string): Cidr {
  const total = BigInt(ip.family === 4 ? 32 : 128);
  const mask = bits === 0 ? 0n : ((1n << BigInt(bits)) - 1n) << (total - BigInt(bits));
  return { family: ip.family, value: ip.value & mask, bits, text };
}

/**
 * Parses `a.b.c.d/len` or `x::/len` like Go's `net.ParseCIDR` (host bits may be set; the
 * length is required). Undefined when the text is not a prefix.
 */
export function parseCidr(s: string): Cidr | undefined {
  if (typeof s !== 'string') return undefined;
  const slash = s.indexOf('/');
  if (slash < 0) return undefined;
  const ip = parseIp(s.slice(0, slash));
  const len = s.slice(slash + 1);
  if (!ip || !/^(0|[1-9][0-9]{0,2})$/.test(len)) return undefined;
  const bits = Number(len);
  if (bits > (ip.family === 4 ? 32 : 128)) return undefined;
  return prefixOf(ip, bits, s);
}

/**
 * Parses a prefix, or a bare address as its host prefix (the agent's `(CIDR).sanitize` accepts
 * both; the CRD only prefixes).
 */
export function parseCidrOrHost(s: string): Cidr | undefined {
  const t = String(s);
  if (t.includes('/')) return parseCidr(t);
  const ip = parseIp(t);
  return ip ? prefixOf(ip, ip.family === 4 ? 32 : 128, t) : undefined;
}

/** True when `ip` lies inside `cidr`. */
export function cidrContains(cidr: Cidr, ip: IpAddr): boolean {
  if (cidr.family !== ip.family) return false;
  if (cidr.bits === 0) return true;
  const shift = BigInt(cidr.family === 4 ? 32 : 128) - BigInt(cidr.bits);
  return (ip.value >> shift) === (cidr.value >> shift);
}

/** True when prefix `inner` lies inside prefix `outer`. */
export function cidrContainsCidr(outer: Cidr, inner: Cidr): boolean {
  if (outer.family !== inner.family || inner.bits < outer.bits) return false;
  return cidrContains(outer, { family: inner.family, value: inner.value });
}

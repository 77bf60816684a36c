/**
 * IP addresses and CIDR prefixes for the verifier (semantics reference §6).
 *
 * Addresses are held as bigints so that IPv4 and IPv6 share one containment test.
 */

export interface IpAddr {
  readonly family: 4 | 6;
  readonly value: bigint;
}

export interface Cidr {
  readonly family: 4 | 6;
  readonly value: bigint;
  readonly bits: number;
  readonly text: string;
}

function parseIpv4(s: string): bigint | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  let v = 0n;
  for (const p of parts) {
    if (!/^[0-9]{1,3}$/.test(p)) return undefined;
    const n = Number(p);
    if (n > 255) return undefined;
    v = (v << 8n) | BigInt(n);
  }
  return v;
}

function parseIpv6(s: string): bigint | undefined {
  if (s.length === 0) return undefined;
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
  const t = String(s).trim();
  if (t.includes(':')) {
    const v = parseIpv6(t);
    return v === undefined ? undefined : { family: 6, value: v };
  }
  const v = parseIpv4(t);
  return v === undefined ? undefined : { family: 4, value: v };
}

/** Parses `a.b.c.d/len`, `x::/len` or a bare address (taken as a host prefix). */
export function parseCidr(s: string): Cidr | undefined {
  const t = String(s).trim();
  const slash = t.indexOf('/');
  const ipPart = slash >= 0 ? t.slice(0, slash) : t;
  const ip = parseIp(ipPart);
  if (!ip) return undefined;
  const max = ip.family === 4 ? 32 : 128;
  let bits = max;
  if (slash >= 0) {
    const b = t.slice(slash + 1);
    if (!/^[0-9]{1,3}$/.test(b)) return undefined;
    bits = Number(b);
    if (bits > max) return undefined;
  }
  const total = BigInt(max);
  const mask = bits === 0 ? 0n : ((1n << BigInt(bits)) - 1n) << (total - BigInt(bits));
  return { family: ip.family, value: ip.value & mask, bits, text: t };
}

/** True when `ip` lies inside `cidr`. */
export function cidrContains(cidr: Cidr, ip: IpAddr): boolean {
  if (cidr.family !== ip.family) return false;
  const max = BigInt(cidr.family === 4 ? 32 : 128);
  if (cidr.bits === 0) return true;
  const shift = max - BigInt(cidr.bits);
  return (ip.value >> shift) === (cidr.value >> shift);
}

/** True when prefix `inner` lies inside prefix `outer`. */
export function cidrContainsCidr(outer: Cidr, inner: Cidr): boolean {
  if (outer.family !== inner.family || inner.bits < outer.bits) return false;
  return cidrContains(outer, { family: inner.family, value: inner.value });
}

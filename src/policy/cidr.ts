/** Parsed IPv4/IPv6 CIDR. @internal */
export interface _Cidr {
  readonly family: 4 | 6;
  readonly bits: bigint;
  readonly prefix: number;
  readonly text: string;
}

function parseV4(ip: string): bigint | undefined {
  const parts = ip.split('.');
  if (parts.length !== 4) {
    return undefined;
  }
  let v = 0n;
  for (const p of parts) {
    if (!/^(0|[1-9][0-9]{0,2})$/.test(p) || Number(p) > 255) {
      return undefined;
    }
    v = (v << 8n) | BigInt(Number(p));
  }
  return v;
}

function parseV6(ip: string): bigint | undefined {
  if (!/^[0-9a-fA-F:.]+$/.test(ip)) {
    return undefined;
  }
  let head = ip;
  let tailV4: bigint | undefined;
  const lastColon = ip.lastIndexOf(':');
  if (ip.includes('.')) {
    tailV4 = parseV4(ip.slice(lastColon + 1));
    if (tailV4 === undefined) {
      return undefined;
    }
    head = ip.slice(0, lastColon + 1) + '0:0';
  }
  const dbl = head.split('::');
  if (dbl.length > 2) {
    return undefined;
  }
  const left = dbl[0] ? dbl[0].split(':') : [];
  const right = dbl.length === 2 && dbl[1] ? dbl[1].split(':') : [];
  const groups = dbl.length === 2 ? [...left, ...Array(8 - left.length - right.length).fill('0'), ...right] : left;
  if (groups.length !== 8 || (dbl.length === 2 && left.length + right.length > 7)) {
    return undefined;
  }
  let v = 0n;
  for (const g of groups) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) {
      return undefined;
    }
    v = (v << 16n) | BigInt(parseInt(g, 16));
  }
  if (tailV4 !== undefined) {
    v = (v & ~0xffffffffn) | tailV4;
  }
  return v;
}

/**
 * Parses `a.b.c.d/n` or an IPv6 prefix the way Go's net.ParseCIDR does (host bits may be
 * set). Returns undefined when the text is not a prefix.
 *
 * @internal
 */
export function _parseCidr(text: string): _Cidr | undefined {
  if (typeof text !== 'string') {
    return undefined;
  }
  const slash = text.indexOf('/');
  if (slash < 0) {
    return undefined;
  }
  const ip = text.slice(0, slash);
  const len = text.slice(slash + 1);
  if (!/^(0|[1-9][0-9]{0,2})$/.test(len)) {
    return undefined;
  }
  const prefix = Number(len);
  const v4 = parseV4(ip);
  if (v4 !== undefined) {
    return prefix <= 32 ? { family: 4, bits: v4, prefix, text } : undefined;
  }
  const v6 = parseV6(ip);
  if (v6 !== undefined) {
    return prefix <= 128 ? { family: 6, bits: v6, prefix, text } : undefined;
  }
  return undefined;
}

/** @internal */
export function _isIp(text: string): boolean {
  return parseV4(text) !== undefined || (text.includes(':') && parseV6(text) !== undefined);
}

/** Whether `inner` lies within `outer`. @internal */
export function _cidrContains(outer: _Cidr, inner: _Cidr): boolean {
  if (outer.family !== inner.family || inner.prefix < outer.prefix) {
    return false;
  }
  const width = outer.family === 4 ? 32 : 128;
  const shift = BigInt(width - outer.prefix);
  return (outer.bits >> shift) === (inner.bits >> shift);
}

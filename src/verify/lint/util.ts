/**
 * Small readers of policy objects that the lint checks share.
 */
import { isIdentityLabel } from '../../cilium/labels';

export function bareKey(k: string): string {
  const i = k.indexOf(':');
  return i > 0 && ['k8s', 'any', 'reserved', 'container', 'cidr', 'fqdn'].includes(k.slice(0, i)) ? k.slice(i + 1) : k;
}

/** Whether the agent's default label filter drops the key from identities (a selector on it never matches). */
export function filteredKey(k: string): boolean {
  return !isIdentityLabel({ source: 'k8s', key: bareKey(k) });
}

export function selectorKeys(sel: any): string[] {
  return [...Object.keys(sel?.matchLabels ?? {}), ...(sel?.matchExpressions ?? []).map((e: any) => String(e?.key ?? ''))];
}

export function objName(o: any): string {
  const ns = o?.metadata?.namespace;
  return `${o?.kind ?? '?'} ${ns ? `${ns}/` : ''}${o?.metadata?.name ?? '?'}`;
}

export function rulesOf(o: any): { rule: any; path: string }[] {
  const out: { rule: any; path: string }[] = [];
  if (o?.spec && typeof o.spec === 'object') {
    out.push({ rule: o.spec, path: 'spec' });
  }
  (Array.isArray(o?.specs) ? o.specs : []).forEach((r: any, i: number) => out.push({ rule: r, path: `specs[${i}]` }));
  return out;
}

/** The value at a path such as `spec.ingress[0].toPorts` (undefined when absent). */
export function valueAt(obj: any, path: string): any {
  let cur = obj;
  for (const part of path.split('.')) {
    const m = /^([^[]*)((?:\[\d+\])*)$/.exec(part);
    if (!m) {
      return undefined;
    }
    if (m[1]) {
      cur = cur?.[m[1]];
    }
    for (const idx of m[2].match(/\d+/g) ?? []) {
      cur = cur?.[Number(idx)];
    }
  }
  return cur;
}


export function peerOf(item: any): any {
  for (const k of ['fromEndpoints', 'toEndpoints', 'fromEntities', 'toEntities', 'fromCIDR', 'toCIDR', 'fromCIDRSet', 'toCIDRSet', 'toFQDNs', 'toServices', 'fromNodes', 'toNodes', 'fromGroups', 'toGroups']) {
    if (Array.isArray(item?.[k])) {
      return k.endsWith('Entities') ? { entities: item[k] } : { [k.replace(/^(from|to)/, '')]: item[k] };
    }
  }
  return undefined;
}

export function covers(broad: { port: string; protocol: string; endPort?: number }, narrow: { port: string; protocol: string }): boolean {
  if (broad.protocol !== 'ANY' && broad.protocol !== narrow.protocol) {
    return false;
  }
  if (broad.port === '0') {
    return true;
  }
  const lo = Number(broad.port);
  const hi = broad.endPort && broad.endPort > lo ? broad.endPort : lo;
  const n = Number(narrow.port);
  return Number.isFinite(n) ? lo <= n && n <= hi : broad.port === narrow.port;
}

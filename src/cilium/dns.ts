/**
 * DNS names and patterns as the agent matches them (semantics reference §9.3 and §10,
 * `pkg/fqdn/matchpattern`): `matchName` is exact and case-insensitive, `*` in `matchPattern`
 * matches within one label, `*` alone matches every name, and from 1.19 a leading `**.` matches
 * one or more labels.
 */

/** Lower-cases and adds the trailing dot. */
export function fqdn(name: string): string {
  const t = String(name).trim().toLowerCase();
  return t.endsWith('.') ? t : `${t}.`;
}

const DNS_CHARS = '[-a-z0-9_]';

/** Regexp of a `matchPattern` for Cilium minor version `minor`. */
export function matchPatternRegex(pattern: string, minor: number): RegExp {
  let re: RegExp;
  let p = String(pattern).trim().toLowerCase();
  if (p === '*') {
    re = new RegExp(`^(?:(${DNS_CHARS}+[.])+|[.])$`);
  } else {
    p = fqdn(p);
    let prefix = '';
    if (minor >= 19 && p.startsWith('**.')) {
      prefix = `(?:${DNS_CHARS}+[.])+`;
      p = p.slice(3);
    }
    const body = [...p]
      .map((c) => (c === '*' ? `${DNS_CHARS}*` : c === '.' ? '[.]' : c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
      .join('');
    re = new RegExp(`^${prefix}${body}$`);
  }
  return re;
}

/** Whether a `{matchName}` / `{matchPattern}` selector admits the name. */
export function dnsSelectorMatches(sel: any, name: string, minor: number): boolean {
  if (!sel || typeof sel !== 'object') return false;
  const n = fqdn(name);
  if (typeof sel.matchName === 'string' && sel.matchName !== '') {
    if (fqdn(sel.matchName) === n) return true;
  }
  if (typeof sel.matchPattern === 'string' && sel.matchPattern !== '') {
    if (matchPatternRegex(sel.matchPattern, minor).test(n)) return true;
  }
  return false;
}

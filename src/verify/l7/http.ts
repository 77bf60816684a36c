/**
 * HTTP rules as Envoy applies them to a request (semantics reference §9.2): method, path, host
 * and headers, each a full RE2 match; all fields of a rule must match.
 */
import { HttpRequestSpec } from '../model';
import { re2FullMatch } from './re2';

/** Removes `.` and `..` segments from the path part (Envoy normalises paths by default in Cilium). */
export function normalizePath(path: string): string {
  const q = path.indexOf('?');
  const p = q >= 0 ? path.slice(0, q) : path;
  const rest = q >= 0 ? path.slice(q) : '';
  if (!p.includes('/.')) return path;
  const segs = p.split('/');
  const outSegs: string[] = [];
  for (let idx = 0; idx < segs.length; idx++) {
    const s = segs[idx];
    if (s === '.') {
      if (idx === segs.length - 1) outSegs.push('');
      continue;
    }
    if (s === '..') {
      if (outSegs.length > 1) outSegs.pop();
      if (idx === segs.length - 1) outSegs.push('');
      continue;
    }
    outSegs.push(s);
  }
  let r = outSegs.join('/');
  if (!r.startsWith('/')) r = '/' + r;
  return r + rest;
}

function headerValue(req: HttpRequestSpec, name: string): string | undefined {
  const want = name.toLowerCase();
  if (want === ':authority' || want === 'host') {
    if (req.host !== undefined) return req.host;
  }
  if (want === ':method') return req.method ?? 'GET';
  if (want === ':path') return req.path ?? '/';
  const h = req.headers ?? {};
  for (const k of Object.keys(h)) {
    if (k.toLowerCase() === want || (want === ':authority' && k.toLowerCase() === 'host')) return String(h[k]);
  }
  return undefined;
}

/** Why an HTTP rule did not match, or undefined when it matched. */
export function httpRuleMismatch(rule: any, req: HttpRequestSpec): string | undefined {
  if (!rule || typeof rule !== 'object') return undefined;
  const method = req.method ?? 'GET';
  const path = normalizePath(req.path ?? '/');
  if (typeof rule.method === 'string' && rule.method !== '') {
    if (!re2FullMatch(rule.method, method)) return `method ${method} does not match ${JSON.stringify(rule.method)}`;
  }
  if (typeof rule.path === 'string' && rule.path !== '') {
    if (!re2FullMatch(rule.path, path)) return `path ${path} does not match ${JSON.stringify(rule.path)}`;
  }
  if (typeof rule.host === 'string' && rule.host !== '') {
    const host = headerValue(req, ':authority') ?? '';
    if (!re2FullMatch(rule.host, host)) return `host ${JSON.stringify(host)} does not match ${JSON.stringify(rule.host)}`;
  }
  if (Array.isArray(rule.headers)) {
    for (const h of rule.headers) {
      const s = String(h);
      const sp = s.indexOf(' ');
      if (sp >= 0) {
        const name = s.slice(0, sp).replace(/:+$/, '');
        const value = s.slice(sp + 1);
        const got = headerValue(req, name);
        if (got !== value) return `header ${name} is not ${JSON.stringify(value)}`;
      } else {
        if (headerValue(req, s) === undefined) return `header ${s} is missing`;
      }
    }
  }
  if (Array.isArray(rule.headerMatches)) {
    for (const hm of rule.headerMatches) {
      if (!hm || typeof hm !== 'object') continue;
      const name = String(hm.name ?? '');
      if (hm.secret) return `header ${name} is matched against a Secret the verifier cannot read`;
      const mismatch = hm.mismatch ?? '';
      if (mismatch !== '') continue; // LOG/ADD/DELETE/REPLACE never refuse the request
      const got = headerValue(req, name);
      const want = hm.value === undefined || hm.value === null ? '' : String(hm.value);
      if (want === '') {
        if (got === undefined) return `header ${name} is missing`;
      } else if (got !== want) {
        return `header ${name} is not ${JSON.stringify(want)}`;
      }
    }
  }
  return undefined;
}

/**
 * A structural-schema validator and pruner for the CRD schemas this project meets: what the
 * kube-apiserver does with a custom resource (prune unknown fields, then validate).
 */
import { Cidr, parseCidr } from '../../cilium/net';

/** Result of taking an object through a structural schema. */
export interface SchemaResult {
  /** The object with unknown fields removed. */
  readonly value: any;
  /** Paths of removed fields. */
  readonly pruned: string[];
  /** Validation errors ("path: message"). */
  readonly errors: string[];
}

// The CRD's patterns are checked on every field of every policy: each compiles once (admitting
// 9,000 policies of the `npm run bench` estate: 0.67 s CPU with it, 0.75 s without).
const regexCache = new Map<string, RegExp | undefined>();

/**
 * Translates a Go RE2 pattern (as written in CRD `pattern`s) into a JavaScript one: single-letter
 * Unicode classes `\pC` / `\PC` become `\p{C}` / `\P{C}`, `\A` / `\z` become `^` / `$`, leading
 * flag groups such as `(?i)` become flags and `(?P<name>` becomes `(?<name>`. RE2's `$` without
 * the `m` flag matches at the end of the text only, as in JavaScript.
 */
export function goPatternToRegExp(pattern: string): RegExp | undefined {
  let src = pattern;
  let flags = 'u';
  const lead = /^\(\?([imsU]+)\)/.exec(src);
  if (lead) {
    src = src.slice(lead[0].length);
    for (const f of lead[1]) {
      if ((f === 'i' || f === 's' || f === 'm') && !flags.includes(f)) {
        flags += f;
      }
    }
  }
  let out = '';
  for (let i = 0; i < src.length; i++) {
    const c = src[i];
    if (c === '\\' && i + 1 < src.length) {
      const n = src[i + 1];
      if ((n === 'p' || n === 'P') && src[i + 2] !== '{' && /[A-Za-z]/.test(src[i + 2] ?? '')) {
        out += `\\${n}{${src[i + 2]}}`;
        i += 2;
        continue;
      }
      if (n === 'A') {
        out += '^';
        i += 1;
        continue;
      }
      if (n === 'z') {
        out += '$';
        i += 1;
        continue;
      }
      out += c + n;
      i += 1;
      continue;
    }
    out += c;
  }
  out = out.replace(/\(\?P</g, '(?<');
  try {
    return new RegExp(out, flags);
  } catch {
    try {
      return new RegExp(out, flags.replace('u', ''));
    } catch {
      return undefined;
    }
  }
}

/**
 * The API server's `format: cidr` check: kube-openapi's `netutils.ParseCIDRSloppy`, i.e. Go's
 * net.ParseCIDR but tolerating leading zeros in IPv4 octets and in the prefix length (read as
 * decimal). The Cilium agent parses with netip.ParsePrefix, which refuses them.
 */
export function isCidrSloppy(text: string): boolean {
  return parseCidrSloppy(text) !== undefined;
}

/**
 * Parses a prefix as `netutils.ParseCIDRSloppy` does (see {@link isCidrSloppy}); the result's
 * family is the one written (an IPv4-mapped IPv6 prefix is family 6) and its `text` the form
 * without leading zeros. Undefined when the text is not a prefix.
 */
export function parseCidrSloppy(text: string): Cidr | undefined {
  if (typeof text !== 'string') {
    return undefined;
  }
  const slash = text.indexOf('/');
  if (slash < 0) {
    return undefined;
  }
  let ip = text.slice(0, slash);
  let len = text.slice(slash + 1);
  if (!/^[0-9]+$/.test(len)) {
    return undefined;
  }
  len = String(Number(len));
  const v4 = /^(.*?)([0-9]+)\.([0-9]+)\.([0-9]+)\.([0-9]+)$/.exec(ip);
  if (v4 && (v4[1] === '' || v4[1].endsWith(':'))) {
    const octets = v4.slice(2).map(Number);
    if (octets.some((o) => o > 255)) {
      return undefined;
    }
    ip = v4[1] + octets.join('.');
  }
  return parseCidr(`${ip}/${len}`);
}

function goRegex(pattern: string): RegExp | undefined {
  if (!regexCache.has(pattern)) {
    regexCache.set(pattern, goPatternToRegExp(pattern));
  }
  return regexCache.get(pattern);
}

function typeOf(v: any): string {
  if (v === null) {
    return 'null';
  }
  if (Array.isArray(v)) {
    return 'array';
  }
  if (typeof v === 'number') {
    return Number.isInteger(v) ? 'integer' : 'number';
  }
  return typeof v;
}

function join(path: string, key: string | number): string {
  if (typeof key === 'number') {
    return `${path}[${key}]`;
  }
  return path ? `${path}.${key}` : key;
}

/**
 * Prunes unknown fields (or, with `strict`, reports them as errors) and validates `value`
 * against `schema`.
 */
export function applySchema(value: any, schema: any, options: SchemaOptions = {}): SchemaResult {
  const pruned: string[] = [];
  const errors: string[] = [];
  const out = walk(value, schema, options.rootPath ?? '', pruned, errors, !!options.strict, true, !!options.builtin);
  return { value: out, pruned, errors };
}

/** How {@link applySchema} takes an object. */
export interface SchemaOptions {
  /** Report unknown fields as errors instead of pruning them (and do not default). */
  readonly strict?: boolean;
  /** Path prefix of the reported paths. */
  readonly rootPath?: string;
  /**
   * The object is a built-in kind, which the API server decodes into Go structs rather than
   * validating against a CRD schema: an integer must fit an `int32` (`format: int32`, and the
   * integer of an int-or-string), and a null list item becomes the item's zero value (the schema's
   * item `default`).
   */
  readonly builtin?: boolean;
}

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

function walk(v: any, s: any, path: string, pruned: string[], errors: string[], strict: boolean, root: boolean, builtin = false): any {
  if (!s) {
    return v;
  }
  if (v === null || v === undefined) {
    if (v === null && !s.nullable) {
      // the API server drops nulls for non-nullable fields of structural schemas
      return undefined;
    }
    return v;
  }
  const actual = typeOf(v);
  if (s['x-kubernetes-int-or-string']) {
    if (actual !== 'string' && actual !== 'integer') {
      errors.push(`${path}: must be an integer or a string, got ${actual}`);
      return v;
    }
    // string keywords (pattern, maxLength) apply to strings only, numeric ones to integers
  }
  const t = s['x-kubernetes-int-or-string'] ? undefined : s.type;
  if (t && !(t === actual || (t === 'number' && actual === 'integer'))) {
    errors.push(`${path}: must be of type ${t}, got ${actual} ${JSON.stringify(v)}`);
    return v;
  }
  let result = v;
  if (actual === 'object') {
    const props = s.properties;
    const preserve = s['x-kubernetes-preserve-unknown-fields'];
    const addl = s.additionalProperties;
    const o: any = {};
    for (const k of Object.keys(v)) {
      const p = join(path, k);
      if (props && Object.prototype.hasOwnProperty.call(props, k)) {
        const w = walk(v[k], props[k], p, pruned, errors, strict, false, builtin);
        if (w !== undefined) {
          o[k] = w;
        }
      } else if (addl && typeof addl === 'object') {
        const w = walk(v[k], addl, p, pruned, errors, strict, false, builtin);
        if (w !== undefined) {
          o[k] = w;
        }
      } else if (preserve || addl === true || (!props && !addl) || (root && (k === 'apiVersion' || k === 'kind'))) {
        o[k] = v[k];
      } else if (strict) {
        errors.push(`${p}: unknown field "${k}" (not in the CRD schema; the API server would prune it)`);
      } else {
        pruned.push(p);
      }
    }
    if (props && !strict) {
      // the API server defaults missing fields after pruning (e.g. icmps[].fields[].family: IPv4)
      for (const k of Object.keys(props)) {
        if (!(k in o) && props[k] && props[k].default !== undefined) {
          // a default is itself defaulted (an object default takes its fields' defaults)
          o[k] = walk(JSON.parse(JSON.stringify(props[k].default)), props[k], join(path, k), pruned, errors, strict, false, builtin);
        }
      }
    }
    result = o;
    for (const r of s.required ?? []) {
      if (!(r in o)) {
        errors.push(`${join(path, r)}: required field missing`);
      }
    }
    if (s.maxProperties !== undefined && Object.keys(o).length > s.maxProperties) {
      errors.push(`${path}: more than ${s.maxProperties} properties`);
    }
    checkBranches(o, s, path, errors);
  } else if (actual === 'array') {
    result = v.map((x: any, i: number) => {
      const item = builtin && x === null && s.items?.default !== undefined ? JSON.parse(JSON.stringify(s.items.default)) : x;
      return walk(item, s.items, join(path, i), pruned, errors, strict, false, builtin);
    });
    if (s.maxItems !== undefined && v.length > s.maxItems) {
      errors.push(`${path}: must have at most ${s.maxItems} items, has ${v.length}`);
    }
    if (s.minItems !== undefined && v.length < s.minItems) {
      errors.push(`${path}: must have at least ${s.minItems} items, has ${v.length}`);
    }
    const mapKeys: string[] | undefined = s['x-kubernetes-list-map-keys'];
    if (s['x-kubernetes-list-type'] === 'map' && mapKeys) {
      const seen = new Set<string>();
      v.forEach((x: any, i: number) => {
        const key = JSON.stringify(mapKeys.map((k) => (x && typeof x === 'object' ? x[k] : undefined)));
        if (seen.has(key)) {
          errors.push(`${join(path, i)}: duplicate entry for key ${mapKeys.join('+')} ${key}`);
        }
        seen.add(key);
      });
    }
    if (s['x-kubernetes-list-type'] === 'set') {
      const seen = new Set(v.map((x: any) => JSON.stringify(x)));
      if (seen.size !== v.length) {
        errors.push(`${path}: duplicate items in a set`);
      }
    }
  } else {
    if (s.enum && !s.enum.includes(v)) {
      errors.push(`${path}: ${JSON.stringify(v)} is not one of ${s.enum.map((e: any) => JSON.stringify(e)).join(', ')}`);
    }
    if (actual === 'string') {
      if (s.maxLength !== undefined && [...v].length > s.maxLength) {
        errors.push(`${path}: longer than ${s.maxLength} characters`);
      }
      if (s.minLength !== undefined && [...v].length < s.minLength) {
        errors.push(`${path}: shorter than ${s.minLength} characters`);
      }
      if (s.pattern) {
        const re = goRegex(s.pattern);
        if (re && !re.test(v)) {
          errors.push(`${path}: ${JSON.stringify(v)} does not match the pattern ${s.pattern}`);
        }
      }
      if (s.format === 'cidr' && !isCidrSloppy(v)) {
        errors.push(`${path}: ${JSON.stringify(v)} is not a CIDR (write a prefix length, e.g. "10.0.0.1/32")`);
      }
    }
    const int32 = s['x-kubernetes-int-or-string'] || s.format === 'int32';
    if (builtin && actual === 'integer' && int32 && (v < INT32_MIN || v > INT32_MAX)) {
      errors.push(`${path}: ${v} does not fit in an int32 (the API server cannot decode it)`);
    }
    if (actual === 'integer' || actual === 'number') {
      if (s.minimum !== undefined && v < s.minimum) {
        errors.push(`${path}: ${v} is below the minimum ${s.minimum}`);
      }
      if (s.maximum !== undefined && v > s.maximum) {
        errors.push(`${path}: ${v} is above the maximum ${s.maximum}`);
      }
    }
  }
  return result;
}

function branchOk(o: any, b: any): boolean {
  const errs: string[] = [];
  for (const r of b.required ?? []) {
    if (!(r in o)) {
      return false;
    }
  }
  if (b.properties) {
    for (const k of Object.keys(b.properties)) {
      if (k in o && Object.keys(b.properties[k]).length > 0) {
        walk(o[k], b.properties[k], k, [], errs, false, false);
      }
    }
  }
  if (b.not) {
    return !branchOk(o, b.not) && errs.length === 0;
  }
  return errs.length === 0;
}

function checkBranches(o: any, s: any, path: string, errors: string[]): void {
  if (s.oneOf) {
    const n = s.oneOf.filter((b: any) => branchOk(o, b)).length;
    if (n !== 1) {
      const names = s.oneOf.map((b: any) => (b.required ?? []).join('+')).join(', ');
      errors.push(`${path || '(root)'}: must have exactly one of ${names} (has ${n})`);
    }
  }
  if (s.anyOf) {
    if (!s.anyOf.some((b: any) => branchOk(o, b))) {
      const names = s.anyOf.map((b: any) => (b.required ?? []).join('+')).join(', ');
      errors.push(`${path || '(root)'}: must have at least one of ${names}`);
    }
  }
}

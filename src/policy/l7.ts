import { dnsSelectorMatches } from '../cilium/dns';
import { _CheckedOnce, _Problem } from './errors';

const JS_ONLY = [
  { re: /\(\?<?[=!]/, what: 'lookaround assertions' },
  { re: /\\[1-9]/, what: 'backreferences' },
  { re: /\\k</, what: 'named backreferences' },
  { re: /\(\?<(?![=!])/, what: 'JavaScript-style named groups "(?<name>" (write "(?P<name>")' },
  { re: /[*+?}]\+/, what: 'possessive quantifiers' },
  { re: /\\[cu]/, what: 'JavaScript escapes \\c and \\u' },
];

/**
 * Checks that a regular expression is valid RE2 (what Envoy and the agent use) and does not
 * rely on JavaScript-only syntax.
 *
 * @internal
 */
export function _checkRe2(field: string, value: string): _Problem[] {
  return RE2.problems(field, value);
}

function checkRe2(field: string, value: string): _Problem[] {
  for (const j of JS_ONLY) {
    if (j.re.test(value)) {
      return [{ field, problem: `regular expression "${value}" uses ${j.what}, which RE2 does not support, so the agent rejects the policy`, fix: 'write an RE2 regular expression (no lookaround, no backreferences)' }];
    }
  }
  try {
    new RegExp(`^(?:${value.replace(/\(\?P</g, '(?<')})$`, 'u');
  } catch (e) {
    return [{ field, problem: `"${value}" is not a valid regular expression (${(e as Error).message})`, fix: 'HTTP paths, methods and hosts are full-match RE2 regular expressions, e.g. "/api/.*"' }];
  }
  return [];
}

/** HTTP rules repeat across grants: each distinct expression is checked once (one of the construction fixes, bench/RESULTS.md §4). */
const RE2 = new _CheckedOnce(checkRe2);

const RE2_SPECIAL = /[\\^$.|?*+()[\]{}]/g;

/** Regular expressions for HTTP paths, which Cilium matches against the whole `:path`. */
export class HttpPath {
  /** Exactly this path (special characters escaped), e.g. `/api/login`. */
  public static exact(path: string): string {
    return path.replace(RE2_SPECIAL, '\\$&');
  }

  /**
   * This path and everything below it: `/api` matches `/api`, `/api/` and `/api/users`
   * (not `/apix`).
   */
  public static prefix(path: string): string {
    const p = path.endsWith('/') ? path.slice(0, -1) : path;
    return `${HttpPath.exact(p)}(/.*)?`;
  }

  /** Exactly this path, with or without a query string. */
  public static exactWithQuery(path: string): string {
    return `${HttpPath.exact(path)}(\\?.*)?`;
  }

  private constructor() {}
}

/** A header condition of an HTTP rule. */
export class HttpHeader {
  /** The header must be present, with any value. */
  public static present(name: string): HttpHeader {
    return new HttpHeader(name);
  }
  /** The header must have exactly this value. */
  public static withValue(name: string, value: string): HttpHeader {
    return new HttpHeader(name, value);
  }

  private constructor(public readonly name: string, public readonly value?: string) {}

  /** @internal */
  public _problems(field: string): _Problem[] {
    if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(this.name ?? '')) {
      return [{ field, problem: `"${this.name}" is not an HTTP header name`, fix: 'use a token such as "X-Api-Key"' }];
    }
    if (this.value !== undefined && /[\r\n]/.test(this.value)) {
      return [{ field, problem: `the value of header "${this.name}" contains a line break`, fix: 'use a single-line value' }];
    }
    return [];
  }

  /** @internal */
  public _render(): string {
    return this.value === undefined ? this.name : `${this.name}: ${this.value}`;
  }
}

/** Fields of an HTTP rule. Empty fields match anything. */
export interface HttpRuleProps {
  /**
   * Method, a full-match regular expression (`GET`, `GET|HEAD`).
   * @default - any method
   */
  readonly method?: string;
  /**
   * Path, a full-match regular expression; see `HttpPath.exact()` and `HttpPath.prefix()`.
   * @default - any path
   */
  readonly path?: string;
  /**
   * Host (`:authority`), a full-match regular expression.
   * @default - any host
   */
  readonly host?: string;
  /**
   * Headers the request must carry.
   * @default - no header condition
   */
  readonly headers?: HttpHeader[];
}

/**
 * An HTTP request pattern allowed by an L7 rule. Requests matching none of a port's HTTP
 * rules are refused with 403 by Cilium's proxy.
 */
export class HttpRule {
  /** `GET` requests to `path` (a full-match regular expression). */
  public static get(path: string): HttpRule {
    return new HttpRule({ method: 'GET', path });
  }
  /** `POST` requests to `path`. */
  public static post(path: string): HttpRule {
    return new HttpRule({ method: 'POST', path });
  }
  /** `PUT` requests to `path`. */
  public static put(path: string): HttpRule {
    return new HttpRule({ method: 'PUT', path });
  }
  /** `PATCH` requests to `path`. */
  public static patch(path: string): HttpRule {
    return new HttpRule({ method: 'PATCH', path });
  }
  /** `DELETE` requests to `path`. */
  public static delete(path: string): HttpRule {
    return new HttpRule({ method: 'DELETE', path });
  }
  /** `HEAD` requests to `path`. */
  public static head(path: string): HttpRule {
    return new HttpRule({ method: 'HEAD', path });
  }
  /** A rule from its fields. */
  public static of(props: HttpRuleProps): HttpRule {
    return new HttpRule(props);
  }

  /** The fields. */
  public readonly props: HttpRuleProps;

  private constructor(props: HttpRuleProps) {
    this.props = props;
  }

  /** @internal */
  public _problems(field: string): _Problem[] {
    const problems: _Problem[] = [];
    const { method, path, host, headers } = this.props;
    if (method !== undefined) {
      problems.push(..._checkRe2(`${field} method`, method));
    }
    if (path !== undefined) {
      problems.push(..._checkRe2(`${field} path`, path));
      if (!path.startsWith('/') && !path.startsWith('(') && !path.startsWith('.')) {
        problems.push({ field: `${field} path`, problem: `path "${path}" does not start with "/" and can never match a request path`, fix: 'paths are full-match regular expressions starting with "/", e.g. "/api/.*"' });
      }
    }
    if (host !== undefined) {
      problems.push(..._checkRe2(`${field} host`, host));
    }
    for (const h of headers ?? []) {
      problems.push(...h._problems(`${field} header`));
    }
    return problems;
  }

  /** @internal */
  public _render(): any {
    const out: any = {};
    const headers = [...new Set((this.props.headers ?? []).map((h) => h._render()))].sort();
    if (headers.length > 0) {
      out.headers = headers;
    }
    if (this.props.host !== undefined) {
      out.host = this.props.host;
    }
    if (this.props.method !== undefined) {
      out.method = this.props.method;
    }
    if (this.props.path !== undefined) {
      out.path = this.props.path;
    }
    return out;
  }

  /** Whether `_problems()` finds nothing, checked once. @internal */
  public get _valid(): boolean {
    this.valid ??= this._problems('').length === 0;
    return this.valid;
  }

  /** Memo of `_valid`: one rule object is checked by every rule and grant it is given to (bench/RESULTS.md §4). */
  private valid?: boolean;

  /** `JSON.stringify(_render())` (its keys are in sorted order), made once. @internal */
  public get _json(): string {
    this.json ??= JSON.stringify(this._render());
    return this.json;
  }

  /** Memo of `_json`: merging and item order read it on every render of every policy with this rule. */
  private json?: string;

  /** @internal */
  public _describe(): string {
    const p = this.props;
    const s = `${p.method ?? 'any method'} ${p.path ?? '(any path)'}`;
    return p.host ? `${s} on ${p.host}` : s;
  }
}

const DNS_NAME_RE = /^([-a-zA-Z0-9_]+[.]?)+$/;
const DNS_PATTERN_RE = /^([-a-zA-Z0-9_*]+[.]?)+$/;

/**
 * A DNS query name allowed through Cilium's DNS proxy (egress towards a DNS server only).
 * Names learned this way feed `toFQDNs` rules.
 */
export class DnsRule {
  /** Exactly this name. */
  public static name(name: string): DnsRule {
    return new DnsRule(name, undefined);
  }
  /** Names matching a pattern: `*` within one label, `*` alone every name, `**.` several labels (1.19+). */
  public static pattern(pattern: string): DnsRule {
    return new DnsRule(undefined, pattern);
  }
  /** Every name (the proxy then only observes, for `toFQDNs`). */
  public static anyName(): DnsRule {
    return new DnsRule(undefined, '*');
  }

  private constructor(public readonly matchName?: string, public readonly matchPattern?: string) {}

  /** @internal */
  public _problems(field: string): _Problem[] {
    if (this.matchName !== undefined && (this.matchName.length > 255 || !DNS_NAME_RE.test(this.matchName))) {
      return [{ field, problem: `DNS name "${this.matchName}" is not accepted by Cilium`, fix: 'use letters, digits, "-", "_" and "."; use DnsRule.pattern() for wildcards' }];
    }
    if (this.matchPattern !== undefined && (this.matchPattern.length > 255 || !DNS_PATTERN_RE.test(this.matchPattern))) {
      return [{ field, problem: `DNS pattern "${this.matchPattern}" is not accepted by Cilium`, fix: 'use letters, digits, "-", "_", "." and "*"' }];
    }
    return [];
  }

  /** @internal */
  public _render(): any {
    return this.matchName !== undefined ? { matchName: this.matchName } : { matchPattern: this.matchPattern };
  }

  /** `JSON.stringify(_render())`. @internal */
  public get _json(): string {
    return JSON.stringify(this._render());
  }

  /** Whether this rule admits the name (Cilium's matchpattern semantics). @internal */
  public _admits(name: string): boolean {
    return _dnsMatches(this._render(), name);
  }
}

/** Cilium's matchName / matchPattern semantics (1.19). @internal */
export function _dnsMatches(rule: { matchName?: string; matchPattern?: string }, name: string): boolean {
  return dnsSelectorMatches(rule, name, 19);
}

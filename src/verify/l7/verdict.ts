/**
 * The L7 step of a direction, once L3/L4 lets a flow through on some allow entries (semantics
 * reference §9.5): an entry without L7 rules allows everything on the port and shadows the L7
 * rules of the others; outside default deny (1.18+) L7 rules get an allow-all wildcard; a
 * connection is allowed and each request is judged by the rules of its protocol (HTTP 403, DNS
 * REFUSED when no rule admits it).
 */
import { dnsSelectorMatches, fqdn } from '../../cilium/dns';
import { L7Spec, NormItem, NormRule } from '../intake/rules';
import { formatPolicyRef, HttpRequestSpec, PolicyRefData, VerdictName } from '../model';
import { httpRuleMismatch } from './http';

/** An allow entry that covers the flow at L3/L4, with the port rule that covers it. */
export interface AllowMatch {
  readonly rule: NormRule;
  readonly item: NormItem;
  /** Path of the covering port rule (or of the item when it has no ports). */
  readonly path: string;
  readonly l7?: L7Spec;
}

/** The request a flow carries, if any. */
export interface L7Request {
  readonly http?: HttpRequestSpec;
  readonly dns?: string;
}

/** The outcome of the L7 step. */
export interface L7Decision {
  readonly verdict: Exclude<VerdictName, 'DROP'>;
  readonly policy?: PolicyRefData;
  readonly rule?: string;
  readonly reason: string;
}

/** Decides a flow that L3/L4 allows on `entries` (non-empty). */
export function decideL7(entries: readonly AllowMatch[], req: L7Request, who: string, dir: string, defaultDeny: boolean, minor: number): L7Decision {
  const plain = entries.find((e) => !e.l7);
  if (plain) {
    const shadow = entries.some((e) => e.l7) ? ' (L7 rules for this peer and port are shadowed by it)' : '';
    return { verdict: 'ALLOW', policy: plain.rule.policy, rule: plain.item.path, reason: `allowed by ${formatPolicyRef(plain.rule.policy)} ${plain.item.path}${shadow}` };
  }
  const first = entries[0];
  const at = (e: AllowMatch) => `${formatPolicyRef(e.rule.policy)} ${e.path}`;
  if (!defaultDeny && minor >= 18) {
    return {
      verdict: 'ALLOW', policy: first.rule.policy, rule: first.path,
      reason: `${who} is not in ${dir} default deny, so the L7 rules of ${at(first)} get an allow-all wildcard (v1.18+)`,
    };
  }
  const kind = req.http ? 'http' : req.dns !== undefined ? 'dns' : undefined;
  if (!kind) {
    return {
      verdict: 'ALLOW', policy: first.rule.policy, rule: first.path,
      reason: `connection allowed by ${at(first)}; its L7 rules (${first.l7!.path}) apply to each request`,
    };
  }
  const relevant = entries.filter((e) => e.l7!.kind === kind);
  if (relevant.length === 0) {
    return { verdict: 'ALLOW', policy: first.rule.policy, rule: first.path, reason: `allowed by ${at(first)} (no ${kind.toUpperCase()} rules on this port)` };
  }
  const mismatches: string[] = [];
  for (const e of relevant) {
    const l7 = e.l7!;
    for (let i = 0; i < l7.rules.length; i++) {
      const rule = l7.rules[i];
      const where = `${formatPolicyRef(e.rule.policy)} ${l7.path}[${i}]`;
      if (kind === 'http') {
        const why = httpRuleMismatch(rule, req.http!);
        if (why === undefined) return { verdict: 'ALLOW', policy: e.rule.policy, rule: `${l7.path}[${i}]`, reason: `allowed by ${where}` };
        if (mismatches.length < 3) mismatches.push(`${l7.path}[${i}]: ${why}`);
      } else if (dnsSelectorMatches(rule, req.dns!, minor)) {
        return { verdict: 'ALLOW', policy: e.rule.policy, rule: `${l7.path}[${i}]`, reason: `DNS query ${fqdn(req.dns!)} allowed by ${where}` };
      }
    }
  }
  const what = kind === 'http' ? `HTTP ${req.http!.method ?? 'GET'} ${req.http!.path ?? '/'}` : `DNS query ${fqdn(req.dns!)}`;
  return {
    verdict: 'L7_DENY',
    policy: first.rule.policy,
    rule: relevant[0].l7!.path,
    reason:
      `${what} is refused (${kind === 'http' ? '403' : 'REFUSED'}): no L7 rule of ${relevant.map((e) => `${formatPolicyRef(e.rule.policy)} ${e.l7!.path}`).join(', ')} admits it` +
      (mismatches.length ? ` (${mismatches.join('; ')})` : ''),
  };
}

/**
 * The text a policy writes to `spec.description` when it is given none: its subject, then one
 * line per rule (`allow ingress from <peers> on <ports> (HTTP ...)`), then its isolation.
 */
import { AllowRule, DenyRule } from './rule';
import { _RuleSet } from './rule-set';

/**
 * The default description of a policy with these rule sets and isolation options.
 *
 * @internal
 */
export function _describePolicy(subject: string, ingress: _RuleSet, egress: _RuleSet, isolateIngress?: boolean, isolateEgress?: boolean): string {
  const parts: string[] = [];
  describeRules(ingress.allowRulesView, 'allow ingress from', parts);
  describeRules(egress.allowRulesView, 'allow egress to', parts);
  describeRules(ingress.denyRulesView, 'deny ingress from', parts);
  describeRules(egress.denyRulesView, 'deny egress to', parts);
  if (isolateIngress && isolateEgress) {
    parts.push('default deny for ingress and egress');
  } else if (isolateIngress) {
    parts.push('default deny for ingress');
  } else if (isolateEgress) {
    parts.push('default deny for egress');
  }
  return `${subject}: ${parts.join('; ')}`;
}

/**
 * One line per rule (`<verb> <peers> on <ports> (HTTP ...)`), without duplicates, sorted, appended
 * to `parts`. Concatenated without intermediate arrays: every policy given no description builds one
 * (one of the fixes listed in README "Performance").
 */
function describeRules(rules: readonly (AllowRule | DenyRule)[], verb: string, parts: string[]): void {
  if (rules.length === 0) {
    return;
  }
  const lines: string[] = [];
  for (const r of rules as readonly AllowRule[]) {
    let s = `${verb} ${r.peers.length === 1 ? r.peers[0].description : r.peers.map((p) => p.description).join(' or ')}`;
    const ports = r.ports ?? [];
    const icmps = r.icmps ?? [];
    if (ports.length === 0 && icmps.length === 0) {
      s += ' on every port';
    } else {
      let l4 = '';
      for (const p of ports) {
        l4 += (l4 ? ', ' : '') + p._key;
      }
      for (const i of icmps) {
        l4 += `${l4 ? ', ' : ''}ICMP ${i.name ?? i.type}`;
      }
      s += ` on ${l4}`;
    }
    if (r.http && r.http.length > 0) {
      s += ` (HTTP ${r.http.map((h) => h._describe()).join('; ')})`;
    }
    if (r.dns && r.dns.length > 0) {
      s += ` (DNS ${r.dns.map((d) => d.matchName ?? d.matchPattern).join(', ')})`;
    }
    lines.push(s);
  }
  // One rule (the common case): nothing to de-duplicate or sort.
  if (lines.length === 1) {
    parts.push(lines[0]);
    return;
  }
  parts.push(...[...new Set(lines)].sort());
}

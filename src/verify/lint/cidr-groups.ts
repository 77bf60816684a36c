/**
 * CiliumCIDRGroup references in `fromCIDRSet` / `toCIDRSet` items of Cilium policies: a
 * `cidrGroupRef` naming no group, a `cidrGroupSelector` matching none. The agent treats a missing
 * group as an empty one, so the item selects nothing (`pkg/policy/k8s/cilium_cidr_group.go`,
 * research notes on NetworkPolicy §D; resolution in src/verify/intake/cidr-group.ts).
 */
import { CidrGroup, unresolvedCidrGroups } from '../intake/cidr-group';
import { compileSelector, selectorMatches } from '../identity/labels';
import { Label } from '../model';
import type { Issue } from './finding';
import { rulesOf } from './util';

const list = (v: unknown): any[] => (Array.isArray(v) ? v : []);

function isDeny(path: string): boolean {
  return /(ingressDeny|egressDeny)\[\d+\]/.test(path);
}

/** Findings for the CIDR-group references of one admitted Cilium policy. */
export function cidrGroupFindings(stored: any, groups: readonly CidrGroup[]): Issue[] {
  const out: Issue[] = [];
  const known = groups.length === 0 ? 'no CiliumCIDRGroup is among the linted objects' : `the linted groups are ${groups.map((g) => `"${g.name}"`).join(', ')}`;
  for (const u of unresolvedCidrGroups(stored, groups)) {
    out.push({
      path: u.path,
      severity: 'error',
      rule: 'unresolved-cidr-group',
      message: `cidrGroupRef "${u.name}" names no CiliumCIDRGroup (${known}): the agent treats a missing group as empty, so this item selects nothing${isDeny(u.path) ? ': the deny denies nothing, and the addresses meant stay reachable' : ': the allow admits none of the addresses meant'}`,
      fix: `create the CiliumCIDRGroup "${u.name}" (spec.externalCIDRs) and lint it together with the policy, or correct the name`,
    });
  }
  for (const { rule, path } of rulesOf(stored)) {
    for (const sec of ['ingress', 'ingressDeny', 'egress', 'egressDeny']) {
      list(rule?.[sec]).forEach((item: any, i: number) => {
        for (const f of ['fromCIDRSet', 'toCIDRSet']) {
          list(item?.[f]).forEach((c: any, j: number) => {
            if (!c || typeof c.cidrGroupSelector !== 'object' || c.cidrGroupSelector === null) {
              return;
            }
            const sel = compileSelector(c.cidrGroupSelector);
            const hit = groups.some((g) => selectorMatches(sel, Object.entries(g.labels).map(([key, value]): Label => ({ source: 'cidrgroup', key, value }))));
            if (hit) {
              return;
            }
            const p = `${path}.${sec}[${i}].${f}[${j}].cidrGroupSelector`;
            out.push({
              path: p,
              severity: 'warning',
              rule: 'cidr-group-selector-unmatched',
              message: `this cidrGroupSelector matches none of the linted CiliumCIDRGroups (${groups.length === 0 ? 'there are none' : `by their labels: ${groups.map((g) => g.name).join(', ')}`}): unless a group with those labels exists in the cluster, the item selects nothing${isDeny(p) ? ' and the deny denies nothing' : ''}`,
              fix: 'label the CiliumCIDRGroup objects meant (metadata.labels) to match the selector and lint them together with the policy, or correct the selector',
            });
          });
        }
      });
    }
  }
  return out;
}

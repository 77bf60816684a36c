/**
 * CiliumCIDRGroup: named sets of external prefixes that `fromCIDRSet` / `toCIDRSet` items
 * reference by name (`cidrGroupRef`) or by the groups' labels (`cidrGroupSelector`, v1.17+).
 * The agent gives every prefix of a referenced group a CIDR identity with the world label; a
 * group that does not exist behaves as an empty group (`pkg/policy/k8s/cilium_cidr_group.go`,
 * cited in test/verify/cidr-group.test.ts).
 */
import { Cidr, parseCidr } from '../../cilium/net';
import { compileSelector, selectorMatches } from '../identity/labels';
import { Label } from '../model';

/** A CiliumCIDRGroup of the estate. */
export interface CidrGroup {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  /** `spec.externalCIDRs`, the valid ones (the agent skips the others with a warning). */
  readonly cidrs: readonly Cidr[];
}

/** The CiliumCIDRGroup objects among manifests. */
export function cidrGroupsOf(objects: readonly any[]): CidrGroup[] {
  const out: CidrGroup[] = [];
  for (const o of objects) {
    if (!o || typeof o !== 'object' || o.kind !== 'CiliumCIDRGroup' || typeof o.apiVersion !== 'string' || !o.apiVersion.startsWith('cilium.io/')) continue;
    const name = o.metadata?.name;
    if (typeof name !== 'string' || name === '') continue;
    const labels: Record<string, string> = {};
    for (const [k, v] of Object.entries(o.metadata?.labels ?? {})) labels[k] = String(v);
    const cidrs = (Array.isArray(o.spec?.externalCIDRs) ? o.spec.externalCIDRs : []).map((c: any) => parseCidr(String(c))).filter((c: Cidr | undefined): c is Cidr => !!c);
    out.push({ name, labels, cidrs });
  }
  return out;
}

function groupsOfItem(item: any, groups: readonly CidrGroup[]): CidrGroup[] {
  if (typeof item.cidrGroupRef === 'string') return groups.filter((g) => g.name === item.cidrGroupRef);
  if (item.cidrGroupSelector && typeof item.cidrGroupSelector === 'object') {
    const sel = compileSelector(item.cidrGroupSelector);
    return groups.filter((g) => selectorMatches(sel, Object.entries(g.labels).map(([key, value]): Label => ({ source: 'cidrgroup', key, value }))));
  }
  return [];
}

/** The prefixes a `cidrGroupRef` / `cidrGroupSelector` item stands for. */
export function cidrGroupPrefixes(item: any, groups: readonly CidrGroup[]): Cidr[] {
  return groupsOfItem(item, groups).flatMap((g) => g.cidrs);
}

/** Every `cidrGroupRef` of a policy object that names no group, with its path. */
export function unresolvedCidrGroups(obj: any, groups: readonly CidrGroup[]): { path: string; name: string }[] {
  const out: { path: string; name: string }[] = [];
  const specs: { spec: any; path: string }[] = [];
  if (obj?.spec && typeof obj.spec === 'object') specs.push({ spec: obj.spec, path: 'spec' });
  (Array.isArray(obj?.specs) ? obj.specs : []).forEach((s: any, i: number) => specs.push({ spec: s, path: `specs[${i}]` }));
  for (const { spec, path } of specs) {
    for (const sec of ['ingress', 'ingressDeny', 'egress', 'egressDeny']) {
      (Array.isArray(spec?.[sec]) ? spec[sec] : []).forEach((item: any, i: number) => {
        for (const f of ['fromCIDRSet', 'toCIDRSet']) {
          (Array.isArray(item?.[f]) ? item[f] : []).forEach((c: any, j: number) => {
            if (c && typeof c.cidrGroupRef === 'string' && !groups.some((g) => g.name === c.cidrGroupRef)) {
              out.push({ path: `${path}.${sec}[${i}].${f}[${j}].cidrGroupRef`, name: c.cidrGroupRef });
            }
          });
        }
      });
    }
  }
  return out;
}

/**
 * The CiliumNetworkPolicy / CiliumClusterwideNetworkPolicy front-end: admits a manifest
 * (`admit.ts`: CRD schema, pruning, agent Sanitize) and normalises its rules the way the agent's
 * `ParseToCiliumRule` does (semantics reference §4: subject and peer namespace injection; §5–§8:
 * entities, CIDRs, services, ports).
 */
import { parseCidrOrHost } from '../../cilium/net';
import { isIanaSvcName, parseGoUint16 } from '../../cilium/ports';
import {
  ANY,
  compileSelector,
  K8S,
  NAMESPACE_LABELS_PREFIX,
  POD_NAMESPACE,
  POLICY_CLUSTER,
  RESERVED,
  Selector,
  selectorAddExpression,
  selectorAddMatch,
  selectorHasKey,
  selectorHasKeyPrefix,
  selectorMatches,
  WILDCARD_SELECTOR,
} from '../identity/labels';
import { formatPolicyRef, Label, PolicyRefData, ServiceDef } from '../model';
import type { AdmissionCache } from './admission-cache';
import { admitPolicy } from './admit';
import { CidrGroup, cidrGroupPrefixes, unresolvedCidrGroups } from './cidr-group';
import { ICMP4_NAMES, ICMP6_NAMES } from './icmp';
import { Dir, DirSections, FrontEndResult, InertPolicy, L4Spec, L7Spec, NormItem, NormRule, PeerMatcher, PeerSet, PortRuleSpec, PortSpec } from './rules';

/** The Cilium policy kinds, and whether each is cluster-wide. */
export const CILIUM_POLICY_KINDS: Readonly<Record<string, boolean>> = {
  CiliumNetworkPolicy: false,
  CiliumClusterwideNetworkPolicy: true,
};

/** What the front-end needs to know of the cluster and the agent. */
export interface CiliumFrontEndContext {
  /** Cilium minor version, 16..19. */
  readonly minor: number;
  readonly enableL7Proxy: boolean;
  readonly enableNonDefaultDenyPolicies: boolean;
  /** Services, for `toServices`. */
  readonly services: readonly ServiceDef[];
  /** The cluster name peer selectors are scoped to (`policy-default-local-cluster`, v1.18+), or undefined. */
  readonly localCluster?: string;
  /** The CiliumCIDRGroups of the estate, for `cidrGroupRef` / `cidrGroupSelector`. */
  readonly cidrGroups: readonly CidrGroup[];
  /** Admissions shared with other readers of the same objects. */
  readonly admissions?: AdmissionCache;
}

const INGRESS_L3 = ['fromEndpoints', 'fromRequires', 'fromCIDR', 'fromCIDRSet', 'fromEntities', 'fromGroups', 'fromNodes'];
const EGRESS_L3 = ['toEndpoints', 'toRequires', 'toCIDR', 'toCIDRSet', 'toEntities', 'toServices', 'toFQDNs', 'toGroups', 'toNodes'];

interface PeerBuildCtx extends PeerScope {
  readonly requirements: Selector;
}

/** How peer selectors are scoped (§4.2). */
export interface PeerScope {
  /** '' for a cluster-wide policy. */
  readonly policyNs: string;
  readonly subjectMatchesInit: boolean;
  readonly localCluster?: string;
}

/** Parses a `toPorts[].ports[]` entry like the agent (§8.1). */
function parsePortSpec(pp: any): PortSpec {
  const proto = pp && typeof pp.protocol === 'string' && pp.protocol !== '' ? pp.protocol.toUpperCase() : 'ANY';
  const raw = pp ? pp.port : undefined;
  if (raw === undefined || raw === null || raw === '') {
    return { proto, port: 0 };
  }
  const s = String(raw);
  if (isIanaSvcName(s)) return { proto, name: s.toLowerCase() };
  const n = parseGoUint16(s);
  if (n === undefined) return { proto, invalid: true };
  const end = pp && typeof pp.endPort === 'number' ? pp.endPort : undefined;
  return { proto, port: n, endPort: end !== undefined && end > n ? end : undefined };
}

function parseIcmpField(f: any): PortSpec {
  const family: 4 | 6 = f && f.family === 'IPv6' ? 6 : 4;
  const t = f ? f.type : undefined;
  let type: number | undefined;
  if (typeof t === 'number') type = t;
  else if (typeof t === 'string') {
    if (/^[0-9]+$/.test(t)) type = Number(t);
    else type = (family === 6 ? ICMP6_NAMES : ICMP4_NAMES)[t];
  }
  if (type === undefined || type < 0 || type > 255) return { proto: 'ICMP', invalid: true };
  return { proto: 'ICMP', icmp: { family, type } };
}

function isNonEmptyList(v: any): boolean {
  return Array.isArray(v) && v.length > 0;
}

function l7Of(rules: any, path: string): L7Spec | undefined {
  if (!rules || typeof rules !== 'object') return undefined;
  if (isNonEmptyList(rules.http)) return { kind: 'http', rules: rules.http, path: `${path}.rules.http` };
  if (isNonEmptyList(rules.dns)) return { kind: 'dns', rules: rules.dns, path: `${path}.rules.dns` };
  if (isNonEmptyList(rules.kafka)) return { kind: 'kafka', rules: rules.kafka, path: `${path}.rules.kafka` };
  if (isNonEmptyList(rules.l7)) return { kind: 'l7', rules: rules.l7, path: `${path}.rules.l7` };
  return undefined;
}

function hasL7Rules(spec: any): boolean {
  for (const s of ['ingress', 'egress']) {
    const items = spec ? spec[s] : undefined;
    if (!Array.isArray(items)) continue;
    for (const it of items) {
      const tps = it && Array.isArray(it.toPorts) ? it.toPorts : [];
      for (const tp of tps) if (tp && l7Of(tp.rules, '')) return true;
    }
  }
  return false;
}

function specsOf(obj: any): any[] {
  const out: any[] = [];
  if (obj.spec && typeof obj.spec === 'object') out.push(obj.spec);
  if (Array.isArray(obj.specs)) for (const s of obj.specs) if (s && typeof s === 'object') out.push(s);
  return out;
}

/** §4.1: a CNP always adds `k8s:io.kubernetes.pod.namespace=<ns>`, overwriting the same key. */
function subjectSelector(sel: Selector, policyNs: string): Selector {
  return policyNs ? selectorAddMatch(sel, K8S, POD_NAMESPACE, policyNs) : sel;
}

/** The subjects of each rule as written (for inert policies, to tell which flows they concern). */
function rawSubjects(obj: any, namespace: string): (Selector | undefined)[] {
  const out: (Selector | undefined)[] = [];
  try {
    for (const spec of specsOf(obj)) {
      if (spec.endpointSelector !== undefined && spec.endpointSelector !== null) {
        out.push(subjectSelector(compileSelector(spec.endpointSelector), namespace));
      } else {
        out.push(undefined);
      }
    }
  } catch {
    out.push(undefined);
  }
  return out;
}

/**
 * §4.2 scoping of peer selectors (`getEndpointSelector`): reserved selectors stay as they are;
 * a selector without a namespace key gets the policy's namespace (CNP, unless it selects by
 * namespace labels) or `Exists` (CCNP); then, with `policy-default-local-cluster`, the local
 * cluster unless it names a cluster (`addClusterFilterByDefault`, v1.18+).
 */
export function injectPeerNamespace(sel: Selector, ctx: PeerScope): Selector {
  if (selectorHasKeyPrefix(sel, `${RESERVED}.`)) return sel;
  let out = sel;
  if (!selectorHasKey(sel, K8S, POD_NAMESPACE) && !selectorHasKey(sel, ANY, POD_NAMESPACE)) {
    if (ctx.policyNs === '') {
      if (!ctx.subjectMatchesInit) out = selectorAddExpression(sel, K8S, POD_NAMESPACE, 'Exists');
    } else if (
      !selectorHasKeyPrefix(sel, `${K8S}.${NAMESPACE_LABELS_PREFIX}`) &&
      !selectorHasKeyPrefix(sel, `${ANY}.${NAMESPACE_LABELS_PREFIX}`)
    ) {
      out = selectorAddMatch(sel, K8S, POD_NAMESPACE, ctx.policyNs);
    }
  }
  if (ctx.localCluster !== undefined && !selectorHasKey(out, K8S, POLICY_CLUSTER) && !selectorHasKey(out, ANY, POLICY_CLUSTER)) {
    out = selectorAddMatch(out, K8S, POLICY_CLUSTER, ctx.localCluster);
  }
  return out;
}

/** §7: `toServices` → the service's pod selector in its namespace, or its endpoint IPs as CIDRs. */
function serviceMatchers(ref: any, services: readonly ServiceDef[]): PeerMatcher[] {
  const out: PeerMatcher[] = [];
  if (!ref || typeof ref !== 'object') return out;
  const matchesRef = (svc: ServiceDef): boolean => {
    if (ref.k8sService && typeof ref.k8sService === 'object') {
      const r = ref.k8sService;
      if (r.serviceName !== svc.name) return false;
      return !r.namespace || r.namespace === svc.namespace;
    }
    if (ref.k8sServiceSelector && typeof ref.k8sServiceSelector === 'object') {
      const r = ref.k8sServiceSelector;
      if (r.namespace && r.namespace !== svc.namespace) return false;
      const sel = compileSelector(r.selector ?? {});
      const labels: Label[] = Object.keys(svc.labels ?? {}).map((k) => ({ source: K8S, key: k, value: String(svc.labels![k]) }));
      return selectorMatches(sel, labels);
    }
    return false;
  };
  for (const svc of services) {
    if (!matchesRef(svc)) continue;
    if (svc.selector && Object.keys(svc.selector).length > 0) {
      let sel: Selector = { reqs: [] };
      for (const k of Object.keys(svc.selector)) sel = selectorAddMatch(sel, K8S, k, String(svc.selector[k]));
      sel = selectorAddMatch(sel, K8S, POD_NAMESPACE, svc.namespace);
      out.push({ kind: 'selector', sel });
    } else {
      for (const ip of svc.endpoints ?? []) {
        const cidr = parseCidrOrHost(ip);
        if (cidr) out.push({ kind: 'cidr', cidr, except: [] });
      }
    }
  }
  return out;
}

function peersOfItem(item: any, dir: Dir, ctx: PeerBuildCtx, deny: boolean, services: readonly ServiceDef[], groups: readonly CidrGroup[]): PeerSet {
  const present = (dir === 'ingress' ? INGRESS_L3 : EGRESS_L3).filter((f) => item[f] !== undefined && item[f] !== null);
  const peerFields = present.filter((f) => f !== 'fromRequires' && f !== 'toRequires');
  // requirements alone narrow nothing that is modelled: fromRequires only folds into fromEndpoints
  if (peerFields.length === 0) return { kind: 'any' };
  if (present.some((f) => Array.isArray(item[f]) && item[f].length === 0)) return { kind: 'list', matchers: [] }; // an explicit empty list selects nothing
  const matchers: PeerMatcher[] = [];
  for (const f of peerFields) {
    const v = item[f];
    const list = Array.isArray(v) ? v : [v];
    switch (f) {
      case 'fromEndpoints':
      case 'toEndpoints':
        for (const s of list) {
          let sel = injectPeerNamespace(compileSelector(s), ctx);
          if (ctx.requirements.reqs.length > 0) sel = { reqs: [...sel.reqs, ...ctx.requirements.reqs] };
          matchers.push({ kind: 'selector', sel });
        }
        break;
      case 'fromEntities':
      case 'toEntities':
        for (const e of list) matchers.push({ kind: 'entity', name: String(e) });
        break;
      case 'fromCIDR':
      case 'toCIDR':
        for (const c of list) {
          const cidr = parseCidrOrHost(String(c));
          matchers.push(cidr ? { kind: 'cidr', cidr, except: [] } : { kind: 'none' });
        }
        break;
      case 'fromCIDRSet':
      case 'toCIDRSet':
        for (const c of list) {
          const except = (c && Array.isArray(c.except) ? c.except : []).map((x: any) => parseCidrOrHost(String(x))).filter((x: any) => x);
          if (c && (c.cidrGroupRef !== undefined || c.cidrGroupSelector !== undefined)) {
            // the groups' prefixes, each a CIDR identity with the world label; none when no group matches
            const cidrs = cidrGroupPrefixes(c, groups);
            if (cidrs.length === 0) matchers.push({ kind: 'none' });
            for (const cidr of cidrs) matchers.push({ kind: 'cidr', cidr, except });
            continue;
          }
          const cidr = c && typeof c.cidr === 'string' ? parseCidrOrHost(c.cidr) : undefined;
          matchers.push(cidr ? { kind: 'cidr', cidr, except } : { kind: 'none' });
        }
        break;
      case 'toFQDNs':
        if (!deny) for (const s of list) matchers.push({ kind: 'fqdn', sel: s });
        break;
      case 'toServices':
        for (const s of list) matchers.push(...serviceMatchers(s, services));
        break;
      case 'fromNodes':
      case 'toNodes':
        for (const s of list) matchers.push({ kind: 'nodes', sel: compileSelector(s) });
        break;
      default:
        matchers.push({ kind: 'none' }); // groups: cloud provider integrations
    }
  }
  return { kind: 'list', matchers };
}

function normalizeItem(it: any, dir: Dir, path: string, ctx: PeerBuildCtx, deny: boolean, fc: CiliumFrontEndContext): NormItem {
  const item = it && typeof it === 'object' ? it : {};
  let peers = peersOfItem(item, dir, ctx, deny, fc.services, fc.cidrGroups);
  let l4: L4Spec = { kind: 'all' };
  const toPorts: any[] = Array.isArray(item.toPorts) ? item.toPorts : [];
  const icmps: any[] = Array.isArray(item.icmps) ? item.icmps : [];
  if (toPorts.length > 0 || icmps.length > 0) {
    const rules: PortRuleSpec[] = [];
    toPorts.forEach((tp: any, i: number) => {
      const ports = (tp && Array.isArray(tp.ports) ? tp.ports : []).map((pp: any) => parsePortSpec(pp));
      rules.push({ path: `${path}.toPorts[${i}]`, ports, l7: deny ? undefined : l7Of(tp ? tp.rules : undefined, `${path}.toPorts[${i}]`) });
    });
    icmps.forEach((ic: any, i: number) => {
      const ports = (ic && Array.isArray(ic.fields) ? ic.fields : []).map((f: any) => parseIcmpField(f));
      rules.push({ path: `${path}.icmps[${i}]`, ports });
    });
    l4 = { kind: 'ports', rules };
  }
  if (peers.kind === 'any' && l4.kind === 'all') {
    // `{}`: no L3 and no L4 — allows (denies) nothing, but counts as a section
    peers = { kind: 'list', matchers: [] };
  }
  return { path, peers, l4 };
}

function normalizeRule(spec: any, ref: PolicyRefData, path: string, clusterwide: boolean, ns: string, fc: CiliumFrontEndContext): NormRule {
  let subject: Selector | undefined;
  if (spec.endpointSelector !== undefined && spec.endpointSelector !== null) {
    subject = subjectSelector(compileSelector(spec.endpointSelector), clusterwide ? '' : ns);
  }
  const subjectMatchesInit = subject ? selectorHasKey(subject, RESERVED, 'init') : false;
  const edd = spec.enableDefaultDeny && typeof spec.enableDefaultDeny === 'object' ? spec.enableDefaultDeny : {};
  const mk = (dir: Dir): DirSections => {
    const denyKey = `${dir}Deny`;
    const allowRaw: any[] = Array.isArray(spec[dir]) ? spec[dir] : [];
    const denyRaw: any[] = Array.isArray(spec[denyKey]) ? spec[denyKey] : [];
    // §2.1: a direction is enforced by a rule with a non-empty allow or deny list
    const hasSection = allowRaw.length > 0 || denyRaw.length > 0;
    const flag = edd[dir];
    let defaultDeny = hasSection;
    if (hasSection && typeof flag === 'boolean') defaultDeny = flag;
    if (hasSection && !fc.enableNonDefaultDenyPolicies && fc.minor >= 17) defaultDeny = true;
    const reqs = (list: any[]): Selector => {
      let acc: Selector = WILDCARD_SELECTOR;
      for (const it of list) {
        const r = it ? it[dir === 'ingress' ? 'fromRequires' : 'toRequires'] : undefined;
        if (!Array.isArray(r)) continue;
        for (const s of r) acc = { reqs: [...acc.reqs, ...injectPeerNamespace(compileSelector(s), { policyNs: ns, subjectMatchesInit, localCluster: fc.localCluster }).reqs] };
      }
      return acc;
    };
    const allowCtx = { policyNs: ns, subjectMatchesInit, localCluster: fc.localCluster, requirements: reqs(allowRaw) };
    const denyCtx = { policyNs: ns, subjectMatchesInit, localCluster: fc.localCluster, requirements: reqs(denyRaw) };
    const allow = allowRaw.map((it, i) => normalizeItem(it, dir, `${path}.${dir}[${i}]`, allowCtx, false, fc));
    const deny = denyRaw.map((it, i) => normalizeItem(it, dir, `${path}.${denyKey}[${i}]`, denyCtx, true, fc));
    return { allow, deny, hasSection, defaultDeny };
  };
  return { policy: ref, path, clusterwide, namespace: ns, subject, ingress: mk('ingress'), egress: mk('egress') };
}

/** Admits and normalises one CiliumNetworkPolicy or CiliumClusterwideNetworkPolicy manifest. */
export function ciliumPolicyRules(obj: any, fc: CiliumFrontEndContext): FrontEndResult {
  const clusterwide = CILIUM_POLICY_KINDS[obj.kind];
  const meta = obj.metadata && typeof obj.metadata === 'object' ? obj.metadata : {};
  const name = typeof meta.name === 'string' ? meta.name : '';
  const namespace = clusterwide ? undefined : typeof meta.namespace === 'string' && meta.namespace !== '' ? meta.namespace : 'default';
  const ref: PolicyRefData = { kind: obj.kind, namespace, name: name || '<unnamed>' };
  const subjects = rawSubjects(obj, namespace ?? '');
  const inert = (message: string): FrontEndResult => ({ rules: [], inert: { policy: ref, message, subjects }, notes: [] });
  let res;
  try {
    res = fc.admissions ? fc.admissions.policy(obj, `1.${fc.minor}`, { enableL7Proxy: fc.enableL7Proxy }) : admitPolicy(obj, `1.${fc.minor}`, { enableL7Proxy: fc.enableL7Proxy });
  } catch {
    // a defect in the admission checks must not make a policy disappear: evaluate it as written
    res = { object: obj, schemaErrors: [], pruned: [], agentErrors: [] };
  }
  if (res.schemaErrors.length > 0 || res.object === undefined) {
    return inert(`${formatPolicyRef(ref)} is not created: the CRD schema rejects it: ${res.schemaErrors.join('; ') || 'invalid'}`);
  }
  const admitted = res.object;
  const agentErrors = [...res.agentErrors];
  const specs = specsOf(admitted);
  if (specs.length === 0 && agentErrors.length === 0) agentErrors.push('empty policy: neither spec nor specs is set');
  if (agentErrors.length === 0 && !fc.enableL7Proxy && specs.some((s) => hasL7Rules(s))) {
    agentErrors.push('L7 policy is not supported since L7 proxy is not enabled');
  }
  if (agentErrors.length > 0) {
    return inert(`${formatPolicyRef(ref)} is rejected by the agent: ${agentErrors.join('; ')}; it has no effect`);
  }
  const notes: InertPolicy[] = [];
  for (const u of unresolvedCidrGroups(admitted, fc.cidrGroups)) {
    notes.push({ policy: ref, message: `${formatPolicyRef(ref)} ${u.path}: cidrGroupRef ${JSON.stringify(u.name)} names no CiliumCIDRGroup among the manifests, so it selects nothing`, subjects });
  }
  if (res.pruned.length > 0) {
    const n = res.pruned.length;
    notes.push({
      policy: ref,
      message: `${formatPolicyRef(ref)}: field${n > 1 ? 's' : ''} ${res.pruned.join(', ')} not in the CRD schema ${n > 1 ? 'were' : 'was'} pruned`,
      subjects,
    });
  }
  const rules = specs.map((spec, idx) => {
    const path = Array.isArray(admitted.specs) && admitted.spec ? (idx === 0 ? 'spec' : `specs[${idx - 1}]`) : admitted.spec ? 'spec' : `specs[${idx}]`;
    return normalizeRule(spec, ref, path, clusterwide, namespace ?? '', fc);
  });
  return { rules, notes };
}

/**
 * The offline evaluator of CiliumNetworkPolicy / CiliumClusterwideNetworkPolicy
 * (semantics reference §12 and the sections it builds on).
 *
 * Policies go through admission first (`admitPolicy`: CRD schema, pruning, agent Sanitize),
 * are normalised into rules with namespace-injected selectors, and flows are evaluated per
 * direction: egress at the source endpoint, ingress at the destination endpoint.
 */
import { admitPolicy } from './admit';
import { dnsSelectorMatches, fqdn } from '../cilium/dns';
import { Cidr, cidrContains, parseCidrOrHost, parseIp } from '../cilium/net';
import { isIanaSvcName, parseGoUint16 } from '../cilium/ports';
import { httpRuleMismatch } from './l7';
import {
  ANY,
  compileSelector,
  identityKey,
  K8S,
  NAMESPACE_LABELS_PREFIX,
  podIdentityLabels,
  POD_NAMESPACE,
  POLICY_CLUSTER,
  RESERVED,
  reservedLabels,
  Selector,
  selectorAddExpression,
  selectorAddMatch,
  selectorHasKey,
  selectorHasKeyPrefix,
  selectorMatches,
  selectorText,
  WILDCARD_SELECTOR,
} from './labels';
import {
  DEFAULT_ENV,
  DirectionResult,
  EndpointDef,
  FlowInput,
  FlowResult,
  formatPolicyRef,
  HttpRequestSpec,
  InputError,
  Label,
  NamespaceDef,
  Peer,
  PolicyManifest,
  PolicyRefData,
  ServiceDef,
  VerifyEnv,
  versionMinor,
} from './model';

type Dir = 'ingress' | 'egress';
export type L4Proto = 'TCP' | 'UDP' | 'SCTP' | 'ICMP';

// ---------------------------------------------------------------------------------------------
// Normalised policy model

/** One peer of a rule item (read-only view for `matrix.ts`). */
export type PeerMatcher =
  | { readonly kind: 'selector'; readonly sel: Selector }
  | { readonly kind: 'entity'; readonly name: string }
  | { readonly kind: 'cidr'; readonly cidr: Cidr; readonly except: readonly Cidr[] }
  | { readonly kind: 'fqdn'; readonly sel: any }
  | { readonly kind: 'nodes'; readonly sel: Selector }
  | { readonly kind: 'none' };

/** The peers of a rule item: any peer, or a list of matchers (an empty list selects nothing). */
export type PeerSet = { readonly kind: 'any' } | { readonly kind: 'list'; readonly matchers: readonly PeerMatcher[] };

export interface PortSpec {
  /** ANY = TCP/UDP/SCTP. */
  readonly proto: string;
  readonly port?: number;
  readonly endPort?: number;
  readonly name?: string;
  readonly invalid?: boolean;
  readonly icmp?: { readonly family: 4 | 6; readonly type: number };
}

export interface L7Spec {
  readonly kind: 'http' | 'dns' | 'kafka' | 'l7';
  readonly rules: readonly any[];
  readonly path: string;
}

export interface PortRuleSpec {
  readonly path: string;
  readonly ports: readonly PortSpec[];
  readonly l7?: L7Spec;
}

export type L4Spec = { readonly kind: 'all' } | { readonly kind: 'ports'; readonly rules: readonly PortRuleSpec[] };

/** One normalised allow or deny item of a rule. */
export interface NormItem {
  readonly path: string;
  readonly peers: PeerSet;
  readonly l4: L4Spec;
}

/** The allow and deny items of one direction of a rule. */
export interface DirSections {
  readonly allow: readonly NormItem[];
  readonly deny: readonly NormItem[];
  readonly hasSection: boolean;
  readonly defaultDeny: boolean;
}

/** An admitted rule (one spec of a policy), normalised: namespace-injected selectors, parsed peers and ports. */
export interface NormRule {
  readonly policy: PolicyRefData;
  readonly path: string;
  readonly clusterwide: boolean;
  readonly namespace: string;
  /** Undefined for host policies (nodeSelector). */
  readonly subject?: Selector;
  readonly ingress: DirSections;
  readonly egress: DirSections;
}

/** A policy that exists in the input but has no effect, and why. */
export interface InertPolicy {
  readonly policy: PolicyRefData;
  readonly message: string;
  readonly subjects: readonly (Selector | undefined)[];
}

export interface EngineOptions {
  readonly env?: Partial<VerifyEnv>;
  readonly namespaces?: Readonly<Record<string, NamespaceDef>>;
  readonly endpoints?: readonly EndpointDef[];
  readonly services?: readonly ServiceDef[];
  readonly dns?: Readonly<Record<string, readonly string[]>>;
}

interface MatchedEntry {
  readonly rule: NormRule;
  readonly item: NormItem;
  readonly path: string;
  readonly l7?: L7Spec;
}

interface DirEval extends DirectionResult {
  /** Some allow entry that covers the flow carries DNS rules: the DNS proxy sees the traffic. */
  readonly dnsProxied?: boolean;
}

/** The L4 part of a flow as the evaluator sees it. */
export interface L4Flow {
  readonly proto: L4Proto;
  readonly port: number;
  readonly family: 4 | 6;
}

const POLICY_KINDS: Record<string, boolean> = {
  CiliumNetworkPolicy: false,
  CiliumClusterwideNetworkPolicy: true,
};

const ICMP4_NAMES: Record<string, number> = {
  EchoReply: 0,
  DestinationUnreachable: 3,
  Redirect: 5,
  Echo: 8,
  EchoRequest: 8,
  RouterAdvertisement: 9,
  RouterSelection: 10,
  TimeExceeded: 11,
  ParameterProblem: 12,
  Timestamp: 13,
  TimestampReply: 14,
  Photuris: 40,
  ExtendedEchoRequest: 42,
  ExtendedEchoReply: 43,
};

const ICMP6_NAMES: Record<string, number> = {
  DestinationUnreachable: 1,
  PacketTooBig: 2,
  TimeExceeded: 3,
  ParameterProblem: 4,
  EchoRequest: 128,
  EchoReply: 129,
  MulticastListenerQuery: 130,
  MulticastListenerReport: 131,
  MulticastListenerDone: 132,
  RouterSolicitation: 133,
  RouterAdvertisement: 134,
  NeighborSolicitation: 135,
  NeighborAdvertisement: 136,
  RedirectMessage: 137,
  RouterRenumbering: 138,
  ICMPNodeInformationQuery: 139,
  ICMPNodeInformationResponse: 140,
  InverseNeighborDiscoverySolicitation: 141,
  InverseNeighborDiscoveryAdvertisement: 142,
  HomeAgentAddressDiscoveryRequest: 144,
  HomeAgentAddressDiscoveryReply: 145,
  MobilePrefixSolicitation: 146,
  MobilePrefixAdvertisement: 147,
  DuplicateAddressRequestCodeSuffix: 157,
  DuplicateAddressConfirmationCodeSuffix: 158,
  ExtendedEchoRequest: 160,
  ExtendedEchoReply: 161,
};

/** Parses a `toPorts[].ports[]` entry like the agent (§8.1). */
function parsePortSpec(pp: any, minor: number): PortSpec {
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
  void minor;
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
  const sections = ['ingress', 'egress'];
  for (const s of sections) {
    const items = spec ? spec[s] : undefined;
    if (!Array.isArray(items)) continue;
    for (const it of items) {
      const tps = it && Array.isArray(it.toPorts) ? it.toPorts : [];
      for (const tp of tps) if (tp && l7Of(tp.rules, '')) return true;
    }
  }
  return false;
}

const INGRESS_L3 = ['fromEndpoints', 'fromRequires', 'fromCIDR', 'fromCIDRSet', 'fromEntities', 'fromGroups', 'fromNodes'];
const EGRESS_L3 = [
  'toEndpoints',
  'toRequires',
  'toCIDR',
  'toCIDRSet',
  'toEntities',
  'toServices',
  'toFQDNs',
  'toGroups',
  'toNodes',
];

interface PeerBuildCtx {
  readonly policyNs: string; // '' for CCNP
  readonly subjectMatchesInit: boolean;
  readonly requirements: Selector;
}

// ---------------------------------------------------------------------------------------------

/** The evaluator. Construct it once per set of policies and scenario workloads. */
export class PolicyEngine {
  public readonly env: VerifyEnv;
  public readonly minor: number;
  public readonly endpoints: readonly EndpointDef[];
  public readonly inert: InertPolicy[] = [];
  /** Notes about admitted policies (pruned fields). */
  public readonly admissionNotes: { policy: PolicyRefData; message: string; subjects: (Selector | undefined)[] }[] = [];

  private readonly rules: NormRule[] = [];
  private readonly namespaces: Readonly<Record<string, NamespaceDef>>;
  private readonly services: readonly ServiceDef[];
  private readonly dnsByIp = new Map<string, string[]>();
  private readonly endpointByName = new Map<string, EndpointDef>();
  private readonly peerCache = new Map<string, Peer>();
  private readonly rulesForCache = new Map<string, NormRule[]>();
  private readonly selMatchCache = new WeakMap<Selector, Map<string, boolean>>();
  private readonly fqdnLearnCache = new Map<string, boolean>();
  private dnsServers?: Peer[];
  private learning = new Set<string>();

  constructor(policies: readonly (PolicyManifest | any)[], options: EngineOptions = {}) {
    const env: VerifyEnv = { ...DEFAULT_ENV, ...(options.env ?? {}) } as VerifyEnv;
    this.env = env;
    const minor = versionMinor(env.version);
    if (minor === undefined) throw new InputError('env', 'version', `not a Cilium version: ${JSON.stringify(env.version)}`);
    this.minor = Math.min(19, Math.max(16, minor));
    this.namespaces = options.namespaces ?? {};
    this.endpoints = options.endpoints ?? [];
    this.services = options.services ?? [];
    for (const ep of this.endpoints) this.endpointByName.set(ep.name, ep);
    const dns = options.dns ?? {};
    for (const name of Object.keys(dns)) {
      for (const ip of dns[name] ?? []) {
        const parsed = parseIp(ip);
        const key = parsed ? `${parsed.family}:${parsed.value}` : String(ip);
        const list = this.dnsByIp.get(key) ?? [];
        list.push(name);
        this.dnsByIp.set(key, list);
      }
    }
    for (const p of policies) {
      const pm: PolicyManifest = p && typeof p === 'object' && 'object' in p && Object.keys(p).length <= 2 ? p : { object: p };
      this.addPolicy(pm);
    }
  }

  // -------------------------------------------------------------------------------------------
  // Policy admission and normalisation

  private addPolicy(pm: PolicyManifest): void {
    const obj = pm.object;
    if (!obj || typeof obj !== 'object') return;
    const kind = obj.kind;
    if (!(kind in POLICY_KINDS)) return; // other kinds are not policies
    const clusterwide = POLICY_KINDS[kind];
    const meta = obj.metadata && typeof obj.metadata === 'object' ? obj.metadata : {};
    const name = typeof meta.name === 'string' ? meta.name : '';
    const namespace = clusterwide ? undefined : typeof meta.namespace === 'string' && meta.namespace !== '' ? meta.namespace : 'default';
    const ref: PolicyRefData = { kind, namespace, name: name || '<unnamed>' };
    const rawSubjects = this.rawSubjects(obj, namespace);
    let res;
    try {
      res = admitPolicy(obj, `1.${this.minor}`, { enableL7Proxy: this.env.enableL7Proxy });
    } catch (e: any) {
      res = { object: obj, schemaErrors: [], pruned: [], agentErrors: [], note: `admission check failed: ${e && e.message ? e.message : e}` };
    }
    if (res.schemaErrors.length > 0 || res.object === undefined) {
      this.inert.push({
        policy: ref,
        message: `${formatPolicyRef(ref)} is not created: the CRD schema rejects it: ${res.schemaErrors.join('; ') || 'invalid'}`,
        subjects: rawSubjects,
      });
      return;
    }
    const admitted = res.object;
    const agentErrors = [...res.agentErrors];
    const specs = this.specsOf(admitted);
    if (specs.length === 0 && agentErrors.length === 0) agentErrors.push('empty policy: neither spec nor specs is set');
    if (agentErrors.length === 0 && !this.env.enableL7Proxy && specs.some((s) => hasL7Rules(s))) {
      agentErrors.push('L7 policy is not supported since L7 proxy is not enabled');
    }
    if (agentErrors.length > 0) {
      this.inert.push({
        policy: ref,
        message: `${formatPolicyRef(ref)} is rejected by the agent: ${agentErrors.join('; ')}; it has no effect`,
        subjects: rawSubjects,
      });
      return;
    }
    if (res.pruned.length > 0) {
      this.admissionNotes.push({
        policy: ref,
        message: `${formatPolicyRef(ref)}: field${res.pruned.length > 1 ? 's' : ''} ${res.pruned.join(', ')} not in the CRD schema ${res.pruned.length > 1 ? 'were' : 'was'} pruned`,
        subjects: rawSubjects,
      });
    }
    specs.forEach((spec, idx) => {
      const path = Array.isArray(admitted.specs) && admitted.spec ? (idx === 0 ? 'spec' : `specs[${idx - 1}]`) : admitted.spec ? 'spec' : `specs[${idx}]`;
      this.rules.push(this.normalizeRule(spec, ref, path, clusterwide, namespace ?? ''));
    });
  }

  private specsOf(obj: any): any[] {
    const out: any[] = [];
    if (obj.spec && typeof obj.spec === 'object') out.push(obj.spec);
    if (Array.isArray(obj.specs)) for (const s of obj.specs) if (s && typeof s === 'object') out.push(s);
    return out;
  }

  private rawSubjects(obj: any, namespace: string | undefined): (Selector | undefined)[] {
    const out: (Selector | undefined)[] = [];
    try {
      for (const spec of this.specsOf(obj)) {
        if (spec.endpointSelector !== undefined && spec.endpointSelector !== null) {
          out.push(this.subjectSelector(compileSelector(spec.endpointSelector), namespace ?? ''));
        } else {
          out.push(undefined);
        }
      }
    } catch {
      out.push(undefined);
    }
    return out;
  }

  private subjectSelector(sel: Selector, policyNs: string): Selector {
    // §4.1: a CNP always adds k8s:io.kubernetes.pod.namespace=<ns>, overwriting the same key
    return policyNs ? selectorAddMatch(sel, K8S, POD_NAMESPACE, policyNs) : sel;
  }

  private normalizeRule(spec: any, ref: PolicyRefData, path: string, clusterwide: boolean, ns: string): NormRule {
    let subject: Selector | undefined;
    if (spec.endpointSelector !== undefined && spec.endpointSelector !== null) {
      subject = this.subjectSelector(compileSelector(spec.endpointSelector), clusterwide ? '' : ns);
    }
    const subjectMatchesInit = subject ? selectorHasKey(subject, RESERVED, 'init') : false;
    const edd = spec.enableDefaultDeny && typeof spec.enableDefaultDeny === 'object' ? spec.enableDefaultDeny : {};
    const mk = (dir: Dir): DirSections => {
      const allowKey = dir;
      const denyKey = `${dir}Deny`;
      const allowRaw: any[] = Array.isArray(spec[allowKey]) ? spec[allowKey] : [];
      const denyRaw: any[] = Array.isArray(spec[denyKey]) ? spec[denyKey] : [];
      const hasSection = allowRaw.length > 0 || denyRaw.length > 0;
      const flag = edd[dir];
      let defaultDeny = hasSection;
      if (hasSection && typeof flag === 'boolean') defaultDeny = flag;
      if (hasSection && !this.env.enableNonDefaultDenyPolicies && this.minor >= 17) defaultDeny = true;
      const reqs = (list: any[], field: string): Selector => {
        let acc: Selector = WILDCARD_SELECTOR;
        for (const it of list) {
          const r = it ? it[field] : undefined;
          if (!Array.isArray(r)) continue;
          for (const s of r) {
            const injected = this.peerSelector(compileSelector(s), { policyNs: ns, subjectMatchesInit, requirements: WILDCARD_SELECTOR });
            acc = { reqs: [...acc.reqs, ...injected.reqs] };
          }
        }
        return acc;
      };
      const allowReq = reqs(allowRaw, dir === 'ingress' ? 'fromRequires' : 'toRequires');
      const denyReq = reqs(denyRaw, dir === 'ingress' ? 'fromRequires' : 'toRequires');
      const allow = allowRaw.map((it, i) =>
        this.normalizeItem(it, dir, `${path}.${allowKey}[${i}]`, { policyNs: ns, subjectMatchesInit, requirements: allowReq }, false),
      );
      const deny = denyRaw.map((it, i) =>
        this.normalizeItem(it, dir, `${path}.${denyKey}[${i}]`, { policyNs: ns, subjectMatchesInit, requirements: denyReq }, true),
      );
      return { allow, deny, hasSection, defaultDeny };
    };
    return { policy: ref, path, clusterwide, namespace: ns, subject, ingress: mk('ingress'), egress: mk('egress') };
  }

  /** §4.2 namespace injection for peer selectors. */
  private peerSelector(sel: Selector, ctx: PeerBuildCtx): Selector {
    if (selectorHasKeyPrefix(sel, `${RESERVED}.`)) return sel;
    if (!selectorHasKey(sel, K8S, POD_NAMESPACE) && !selectorHasKey(sel, ANY, POD_NAMESPACE)) {
      if (ctx.policyNs === '') {
        if (!ctx.subjectMatchesInit) return selectorAddExpression(sel, K8S, POD_NAMESPACE, 'Exists');
      } else if (
        !selectorHasKeyPrefix(sel, `${K8S}.${NAMESPACE_LABELS_PREFIX}`) &&
        !selectorHasKeyPrefix(sel, `${ANY}.${NAMESPACE_LABELS_PREFIX}`)
      ) {
        return selectorAddMatch(sel, K8S, POD_NAMESPACE, ctx.policyNs);
      }
    }
    return sel;
  }

  private normalizeItem(it: any, dir: Dir, path: string, ctx: PeerBuildCtx, deny: boolean): NormItem {
    const item = it && typeof it === 'object' ? it : {};
    const l3Fields = dir === 'ingress' ? INGRESS_L3 : EGRESS_L3;
    const present = l3Fields.filter((f) => item[f] !== undefined && item[f] !== null);
    let peers: PeerSet;
    const peerFields = present.filter((f) => f !== 'fromRequires' && f !== 'toRequires');
    if (peerFields.length === 0) {
      peers = { kind: 'any' };
      // requirements alone narrow nothing that we model: fromRequires only folds into fromEndpoints
    } else if (present.some((f) => Array.isArray(item[f]) && item[f].length === 0)) {
      peers = { kind: 'list', matchers: [] }; // explicit empty list selects nothing
    } else {
      const matchers: PeerMatcher[] = [];
      for (const f of peerFields) {
        const v = item[f];
        const list = Array.isArray(v) ? v : [v];
        switch (f) {
          case 'fromEndpoints':
          case 'toEndpoints':
            for (const s of list) {
              let sel = this.peerSelector(compileSelector(s), ctx);
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
              const cidr = c && typeof c.cidr === 'string' ? parseCidrOrHost(c.cidr) : undefined;
              const except = (c && Array.isArray(c.except) ? c.except : []).map((x: any) => parseCidrOrHost(String(x))).filter((x: any) => x) as Cidr[];
              matchers.push(cidr ? { kind: 'cidr', cidr, except } : { kind: 'none' });
            }
            break;
          case 'toFQDNs':
            if (!deny) for (const s of list) matchers.push({ kind: 'fqdn', sel: s });
            break;
          case 'toServices':
            for (const s of list) matchers.push(...this.serviceMatchers(s));
            break;
          case 'fromNodes':
          case 'toNodes':
            for (const s of list) matchers.push({ kind: 'nodes', sel: compileSelector(s) });
            break;
          default:
            matchers.push({ kind: 'none' }); // groups: cloud provider integrations
        }
      }
      peers = { kind: 'list', matchers };
    }

    let l4: L4Spec = { kind: 'all' };
    const toPorts: any[] = Array.isArray(item.toPorts) ? item.toPorts : [];
    const icmps: any[] = Array.isArray(item.icmps) ? item.icmps : [];
    if (toPorts.length > 0 || icmps.length > 0) {
      const rules: PortRuleSpec[] = [];
      toPorts.forEach((tp: any, i: number) => {
        const ports = (tp && Array.isArray(tp.ports) ? tp.ports : []).map((pp: any) => parsePortSpec(pp, this.minor));
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

  /** §7: toServices → the service's pod selector in its namespace, or its endpoint IPs as CIDRs. */
  private serviceMatchers(ref: any): PeerMatcher[] {
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
    for (const svc of this.services) {
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

  // -------------------------------------------------------------------------------------------
  // Peers

  /** Resolves a scenario name (endpoint or non-pod peer notation) to a peer; undefined when unknown. */
  public resolvePeer(name: string): Peer | undefined {
    const cached = this.peerCache.get(name);
    if (cached) return cached;
    const p = this.buildPeer(name);
    if (p) this.peerCache.set(name, p);
    return p;
  }

  private makePeer(kind: Peer['kind'], name: string, labels: Label[], extra: Partial<Peer> = {}): Peer {
    return {
      kind,
      name,
      labels,
      identityKey: identityKey(labels),
      hasPolicy: false,
      cidrSelectable: false,
      ...extra,
    };
  }

  private podPeer(ep: EndpointDef, name: string): Peer {
    const labels = podIdentityLabels(ep, this.namespaces[ep.namespace], this.env.clusterName);
    return this.makePeer('pod', name, labels, { endpoint: ep, ip: ep.ip, hasPolicy: true });
  }

  private buildPeer(name: string): Peer | undefined {
    const ep = this.endpointByName.get(name);
    if (ep) return this.podPeer(ep, name);
    const nodesMode = this.env.policyCidrMatchMode === 'nodes';
    const colon = name.indexOf(':');
    const head = colon >= 0 ? name.slice(0, colon) : name;
    const arg = colon >= 0 ? name.slice(colon + 1) : undefined;
    switch (head) {
      case 'world': {
        if (arg !== undefined && !parseIp(arg)) return undefined;
        return this.makePeer('world', name, reservedLabels('world'), { ip: arg, cidrSelectable: arg !== undefined });
      }
      case 'unmanaged': {
        if (arg !== undefined && !parseIp(arg)) return undefined;
        return this.makePeer('unmanaged', name, reservedLabels('unmanaged'), { ip: arg, cidrSelectable: arg !== undefined });
      }
      case 'host':
        if (arg !== undefined) return undefined;
        return this.makePeer('host', name, reservedLabels('host'), { ip: this.env.nodes.host, cidrSelectable: nodesMode && !!this.env.nodes.host });
      case 'remote-node':
        if (arg !== undefined) return undefined;
        return this.makePeer('remote-node', name, reservedLabels('remote-node'), {
          ip: this.env.nodes['remote-node'],
          cidrSelectable: nodesMode && !!this.env.nodes['remote-node'],
        });
      case 'kube-apiserver':
        if (arg !== undefined) return undefined;
        // identity 7: a node that runs the API server carries both labels (§12 table)
        return this.makePeer('kube-apiserver', name, reservedLabels('kube-apiserver', 'remote-node'), {
          ip: this.env.nodes['kube-apiserver'],
          cidrSelectable: nodesMode && !!this.env.nodes['kube-apiserver'],
        });
      case 'health':
        if (arg !== undefined) return undefined;
        return this.makePeer('health', name, reservedLabels('health'), { hasPolicy: true });
      case 'ingress':
        if (arg !== undefined) return undefined;
        return this.makePeer('ingress', name, reservedLabels('ingress'));
      case 'init':
        if (arg !== undefined) return undefined;
        return this.makePeer('init', name, reservedLabels('init'), { hasPolicy: true });
      default: {
        // namespace/name
        const slash = name.indexOf('/');
        if (slash > 0) {
          const ns = name.slice(0, slash);
          const n = name.slice(slash + 1);
          const found = this.endpoints.find((e) => e.namespace === ns && e.name === n);
          if (found) return this.podPeer(found, name);
        }
        return undefined;
      }
    }
  }

  /** Identity peer for a synthetic endpoint (used for the DNS server when the scenario has none). */
  private synthPod(ep: EndpointDef): Peer {
    return this.podPeer(ep, ep.name);
  }

  /**
   * Where pods send DNS queries: endpoints that look like DNS servers (k8s-app kube-dns/coredns,
   * or "dns" in the name) and the cluster's kube-dns (kube-system, `k8s-app: kube-dns`), which
   * every cluster has even when the scenario does not list it.
   */
  private getDnsServers(): Peer[] {
    if (this.dnsServers) return this.dnsServers;
    const found: Peer[] = [];
    for (const ep of this.endpoints) {
      const l = ep.labels ?? {};
      const k8sApp = l['k8s-app'] ?? l['k8s:k8s-app'];
      if (k8sApp === 'kube-dns' || k8sApp === 'coredns' || l['app.kubernetes.io/name'] === 'coredns' || /dns/i.test(ep.name)) {
        found.push(this.podPeer(ep, ep.name));
      }
    }
    found.push(
      this.synthPod({ name: 'kube-dns (implicit)', namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' }, serviceAccount: 'coredns' }),
    );
    this.dnsServers = found;
    return found;
  }

  // -------------------------------------------------------------------------------------------
  // Matching

  private selMatch(sel: Selector, peer: Peer): boolean {
    let m = this.selMatchCache.get(sel);
    if (!m) {
      m = new Map();
      this.selMatchCache.set(sel, m);
    }
    let r = m.get(peer.identityKey);
    if (r === undefined) {
      r = selectorMatches(sel, peer.labels);
      m.set(peer.identityKey, r);
    }
    return r;
  }

  private hasReserved(peer: Peer, name: string): boolean {
    return peer.labels.some((l) => l.source === RESERVED && l.key === name);
  }

  /** §5 entities. */
  public entityMatches(entity: string, peer: Peer): boolean {
    switch (entity) {
      case 'all':
        return true;
      case 'world':
        return this.hasReserved(peer, 'world') || this.hasReserved(peer, 'world-ipv4') || this.hasReserved(peer, 'world-ipv6');
      case 'cluster':
        return (
          ['host', 'remote-node', 'init', 'ingress', 'health', 'unmanaged', 'kube-apiserver'].some((n) => this.hasReserved(peer, n)) ||
          peer.labels.some((l) => l.source === K8S && l.key === POLICY_CLUSTER && l.value === this.env.clusterName)
        );
      case 'none':
        return false;
      default:
        return this.hasReserved(peer, entity);
    }
  }

  private cidrMatches(m: { cidr: Cidr; except: readonly Cidr[] }, peer: Peer): boolean {
    if (m.cidr.bits === 0 && this.entityMatches('world', peer)) {
      if (!peer.ip) return m.except.length === 0;
    }
    if (!peer.cidrSelectable || !peer.ip) {
      return m.cidr.bits === 0 && this.entityMatches('world', peer) && m.except.length === 0;
    }
    const ip = parseIp(peer.ip);
    if (!ip) return false;
    if (!cidrContains(m.cidr, ip)) {
      // /0 selects reserved:world for either family
      if (!(m.cidr.bits === 0 && this.entityMatches('world', peer))) return false;
    }
    for (const e of m.except) if (cidrContains(e, ip)) return false;
    return true;
  }

  private peerMatches(set: PeerSet, peer: Peer, subject: Peer, dir: Dir): boolean {
    if (set.kind === 'any') return true;
    for (const m of set.matchers) {
      switch (m.kind) {
        case 'selector':
          if (this.selMatch(m.sel, peer)) return true;
          break;
        case 'entity':
          if (this.entityMatches(m.name, peer)) return true;
          break;
        case 'cidr':
          if (this.cidrMatches(m, peer)) return true;
          break;
        case 'fqdn':
          if (dir === 'egress' && this.fqdnMatches(m.sel, peer, subject)) return true;
          break;
        case 'nodes':
          if ((peer.kind === 'host' || peer.kind === 'remote-node' || peer.kind === 'kube-apiserver') && selectorMatches(m.sel, [])) return true;
          break;
        default:
          break;
      }
    }
    return false;
  }

  /** The names `dns` maps to this peer's address. */
  private namesOf(peer: Peer): string[] {
    if (!peer.ip) return [];
    const ip = parseIp(peer.ip);
    const key = ip ? `${ip.family}:${ip.value}` : peer.ip;
    return this.dnsByIp.get(key) ?? [];
  }

  /** §10: an FQDN selector matches a world address when a name it admits resolves to it and the source learned that name through the DNS proxy. */
  private fqdnMatches(sel: any, peer: Peer, src: Peer): boolean {
    if (peer.kind !== 'world') return false;
    for (const name of this.namesOf(peer)) {
      if (dnsSelectorMatches(sel, name, this.minor) && this.fqdnLearned(src, name)) return true;
    }
    return false;
  }

  /** Whether `src`'s DNS lookups of `name` pass the DNS proxy (an egress DNS rule towards a DNS server admits it). */
  public fqdnLearned(src: Peer, name: string): boolean {
    const key = `${src.identityKey}|${fqdn(name)}`;
    const cached = this.fqdnLearnCache.get(key);
    if (cached !== undefined) return cached;
    if (this.learning.has(key)) return false;
    this.learning.add(key);
    let ok = false;
    try {
      if (this.env.enableL7Proxy) {
        for (const server of this.getDnsServers()) {
          for (const proto of ['UDP', 'TCP'] as L4Proto[]) {
            const r = this.evalDirection(src, 'egress', server, { proto, port: 53, family: 4 }, { dns: name });
            if (r.verdict === 'ALLOW' && r.dnsProxied) ok = true;
          }
          if (ok) break;
        }
      }
    } finally {
      this.learning.delete(key);
    }
    this.fqdnLearnCache.set(key, ok);
    return ok;
  }

  private resolveNamedPort(name: string, proto: L4Proto, dir: Dir, subject: Peer): number | undefined {
    const parse = (v: string): { port: number; proto: string } | undefined => {
      const m = /^\s*([0-9]+)\s*(?:\/\s*([A-Za-z]+))?\s*$/.exec(String(v));
      if (!m) return undefined;
      return { port: Number(m[1]), proto: (m[2] ?? 'TCP').toUpperCase() };
    };
    const lookup = (ep: EndpointDef): { port: number; proto: string } | undefined => {
      const np = ep.namedPorts ?? {};
      for (const k of Object.keys(np)) if (k.toLowerCase() === name) return parse(np[k]);
      return undefined;
    };
    if (dir === 'ingress') {
      if (!subject.endpoint) return undefined;
      const pp = lookup(subject.endpoint);
      if (!pp || pp.proto !== proto || pp.port === 0) return undefined;
      return pp.port;
    }
    // egress: all endpoints' named ports; different numbers for one name → no allow (§8.3)
    let port: number | undefined;
    for (const ep of this.endpoints) {
      const pp = lookup(ep);
      if (!pp || pp.proto !== proto || pp.port === 0) continue;
      if (port !== undefined && pp.port !== port) return undefined;
      port = pp.port;
    }
    return port;
  }

  private portMatches(ps: PortSpec, flow: L4Flow, dir: Dir, subject: Peer): boolean {
    if (ps.invalid) return false;
    if (ps.icmp) {
      return flow.proto === 'ICMP' && ps.icmp.family === flow.family && ps.icmp.type === flow.port;
    }
    if (flow.proto === 'ICMP') return false;
    if (ps.proto !== 'ANY' && ps.proto !== flow.proto) return false;
    if (ps.name !== undefined) {
      const n = this.resolveNamedPort(ps.name, flow.proto, dir, subject);
      return n !== undefined && n === flow.port;
    }
    const p = ps.port ?? 0;
    if (p === 0) return true;
    if (ps.endPort !== undefined) return flow.port >= p && flow.port <= ps.endPort;
    return flow.port === p;
  }

  /** Port rules of an item that cover the flow; [] when none. */
  private l4Matches(item: NormItem, flow: L4Flow, dir: Dir, subject: Peer): { path: string; l7?: L7Spec }[] {
    if (item.l4.kind === 'all') return [{ path: item.path }];
    const out: { path: string; l7?: L7Spec }[] = [];
    for (const pr of item.l4.rules) {
      if (pr.ports.some((ps) => this.portMatches(ps, flow, dir, subject))) out.push({ path: pr.path, l7: pr.l7 });
    }
    return out;
  }

  /** Rules whose subject selects the endpoint (CNPs of its namespace and CCNPs). */
  private rulesFor(subject: Peer): NormRule[] {
    const cached = this.rulesForCache.get(subject.identityKey);
    if (cached) return cached;
    const out = this.rules.filter((r) => r.subject !== undefined && this.selMatch(r.subject, subject));
    this.rulesForCache.set(subject.identityKey, out);
    return out;
  }

  // -------------------------------------------------------------------------------------------
  // Evaluation

  private describeL4(flow: L4Flow): string {
    if (flow.proto === 'ICMP') return `${flow.family === 6 ? 'ICMPv6' : 'ICMP'} type ${flow.port}`;
    return `${flow.proto}/${flow.port}`;
  }

  /** One direction of a flow at `subject` (§12 `verdict_dir`). */
  private evalDirection(subject: Peer, dir: Dir, peer: Peer, flow: L4Flow, req: { http?: HttpRequestSpec; dns?: string }): DirEval {
    const who = subject.name;
    const other = peer.name;
    const toFrom = dir === 'ingress' ? 'from' : 'to';
    const base = { direction: dir };
    if (this.env.policyEnforcementMode === 'never') {
      return { ...base, verdict: 'ALLOW', enforced: false, defaultDeny: false, reason: 'policy enforcement is disabled (policyEnforcementMode never)' };
    }
    const rules = this.rulesFor(subject).filter((r) => r[dir].hasSection);
    const forced = this.env.policyEnforcementMode === 'always' ? 'policyEnforcementMode always' : subject.kind === 'init' ? 'the init identity' : undefined;
    if (!forced && rules.length === 0) {
      return { ...base, verdict: 'ALLOW', enforced: false, defaultDeny: false, reason: `no policy selects ${who} for ${dir}: not enforced` };
    }
    const ddRule = rules.find((r) => r[dir].defaultDeny);
    const defaultDeny = forced !== undefined || ddRule !== undefined;
    const ddWhy = forced ?? (ddRule ? formatPolicyRef(ddRule.policy) : '');

    // deny wins (§11)
    for (const r of rules) {
      for (const item of r[dir].deny) {
        if (!this.peerMatches(item.peers, peer, subject, dir)) continue;
        const l4 = this.l4Matches(item, flow, dir, subject);
        if (l4.length === 0) continue;
        return {
          ...base,
          verdict: 'DROP',
          enforced: true,
          defaultDeny,
          policy: r.policy,
          rule: item.path,
          reason: `denied by ${formatPolicyRef(r.policy)} ${item.path}`,
        };
      }
    }

    // allow-localhost (§15.2): the local host always reaches local endpoints, L7 included
    if (dir === 'ingress' && peer.kind === 'host' && this.env.allowLocalhost === 'always') {
      return {
        ...base,
        verdict: 'ALLOW',
        enforced: true,
        defaultDeny,
        reason: 'traffic from the local host is always allowed (allowLocalhost always)',
      };
    }

    const entries: MatchedEntry[] = [];
    for (const r of rules) {
      for (const item of r[dir].allow) {
        if (!this.peerMatches(item.peers, peer, subject, dir)) continue;
        for (const m of this.l4Matches(item, flow, dir, subject)) entries.push({ rule: r, item, path: m.path, l7: m.l7 });
      }
    }
    const dnsProxied = entries.some((e) => e.l7 && e.l7.kind === 'dns');
    const plain = entries.find((e) => !e.l7);
    if (plain) {
      const shadow = entries.some((e) => e.l7) ? ' (L7 rules for this peer and port are shadowed by it)' : '';
      return {
        ...base,
        verdict: 'ALLOW',
        enforced: true,
        defaultDeny,
        policy: plain.rule.policy,
        rule: plain.item.path,
        reason: `allowed by ${formatPolicyRef(plain.rule.policy)} ${plain.item.path}${shadow}`,
        dnsProxied,
      };
    }
    const l7entries = entries.filter((e) => e.l7);
    if (l7entries.length === 0) {
      if (!defaultDeny) {
        return {
          ...base,
          verdict: 'ALLOW',
          enforced: true,
          defaultDeny,
          reason: `${who} is not in ${dir} default deny (every selecting policy has enableDefaultDeny.${dir}: false)`,
        };
      }
      return {
        ...base,
        verdict: 'DROP',
        enforced: true,
        defaultDeny,
        policy: ddRule ? ddRule.policy : undefined,
        reason: `${who} is in ${dir} default deny (${ddWhy}) and no rule allows ${this.describeL4(flow)} ${toFrom} ${other}${this.fqdnHint(rules, dir, peer, subject)}`,
      };
    }
    const first = l7entries[0];
    if (!defaultDeny && this.minor >= 18) {
      return {
        ...base,
        verdict: 'ALLOW',
        enforced: true,
        defaultDeny,
        policy: first.rule.policy,
        rule: first.path,
        reason: `${who} is not in ${dir} default deny, so the L7 rules of ${formatPolicyRef(first.rule.policy)} ${first.path} get an allow-all wildcard (v1.18+)`,
        dnsProxied,
      };
    }
    const kind = req.http ? 'http' : req.dns !== undefined ? 'dns' : undefined;
    if (!kind) {
      return {
        ...base,
        verdict: 'ALLOW',
        enforced: true,
        defaultDeny,
        policy: first.rule.policy,
        rule: first.path,
        reason: `connection allowed by ${formatPolicyRef(first.rule.policy)} ${first.path}; its L7 rules (${first.l7!.path}) apply to each request`,
        dnsProxied,
      };
    }
    const relevant = l7entries.filter((e) => e.l7!.kind === kind);
    if (relevant.length === 0) {
      return {
        ...base,
        verdict: 'ALLOW',
        enforced: true,
        defaultDeny,
        policy: first.rule.policy,
        rule: first.path,
        reason: `allowed by ${formatPolicyRef(first.rule.policy)} ${first.path} (no ${kind.toUpperCase()} rules on this port)`,
        dnsProxied,
      };
    }
    const mismatches: string[] = [];
    for (const e of relevant) {
      const l7 = e.l7!;
      for (let i = 0; i < l7.rules.length; i++) {
        const rule = l7.rules[i];
        if (kind === 'http') {
          const why = httpRuleMismatch(rule, req.http!);
          if (why === undefined) {
            return {
              ...base,
              verdict: 'ALLOW',
              enforced: true,
              defaultDeny,
              policy: e.rule.policy,
              rule: `${l7.path}[${i}]`,
              reason: `allowed by ${formatPolicyRef(e.rule.policy)} ${l7.path}[${i}]`,
              dnsProxied,
            };
          }
          if (mismatches.length < 3) mismatches.push(`${l7.path}[${i}]: ${why}`);
        } else if (dnsSelectorMatches(rule, req.dns!, this.minor)) {
          return {
            ...base,
            verdict: 'ALLOW',
            enforced: true,
            defaultDeny,
            policy: e.rule.policy,
            rule: `${l7.path}[${i}]`,
            reason: `DNS query ${fqdn(req.dns!)} allowed by ${formatPolicyRef(e.rule.policy)} ${l7.path}[${i}]`,
            dnsProxied,
          };
        }
      }
    }
    const what = kind === 'http' ? `HTTP ${req.http!.method ?? 'GET'} ${req.http!.path ?? '/'}` : `DNS query ${fqdn(req.dns!)}`;
    return {
      ...base,
      verdict: 'L7_DENY',
      enforced: true,
      defaultDeny,
      policy: first.rule.policy,
      rule: relevant[0].l7!.path,
      reason:
        `${what} is refused (${kind === 'http' ? '403' : 'REFUSED'}): no L7 rule of ${relevant.map((e) => `${formatPolicyRef(e.rule.policy)} ${e.l7!.path}`).join(', ')} admits it` +
        (mismatches.length ? ` (${mismatches.join('; ')})` : ''),
      dnsProxied,
    };
  }

  /** Why a toFQDNs rule naming the peer's address did not apply (the name was not learned through the DNS proxy). */
  private fqdnHint(rules: NormRule[], dir: Dir, peer: Peer, subject: Peer): string {
    if (dir !== 'egress' || peer.kind !== 'world') return '';
    for (const r of rules) {
      for (const item of r.egress.allow) {
        if (item.peers.kind !== 'list') continue;
        for (const m of item.peers.matchers) {
          if (m.kind !== 'fqdn') continue;
          const name = this.namesOf(peer).find((n) => dnsSelectorMatches(m.sel, n, this.minor));
          if (name && !this.fqdnLearned(subject, name)) {
            return ` (${formatPolicyRef(r.policy)} ${item.path} names ${fqdn(name)}, but no egress rule with rules.dns towards the DNS server admits that name, so the DNS proxy never learns its addresses)`;
          }
        }
      }
    }
    return '';
  }

  /** Evaluates one flow. Throws InputError when an end is unknown. */
  public explain(flow: FlowInput): FlowResult {
    const src = this.resolvePeer(flow.src);
    if (!src) throw new InputError('flow', 'src', `unknown endpoint or peer ${JSON.stringify(flow.src)}`);
    const dst = this.resolvePeer(flow.dst);
    if (!dst) throw new InputError('flow', 'dst', `unknown endpoint or peer ${JSON.stringify(flow.dst)}`);
    const isIcmp = flow.proto === 'ICMP' || flow.proto === 'ICMPV6';
    let family: 4 | 6 = flow.proto === 'ICMPV6' ? 6 : 4;
    for (const p of [src, dst]) {
      const ip = p.ip ? parseIp(p.ip) : undefined;
      if (ip && ip.family === 6 && (p.kind === 'world' || p.kind === 'unmanaged' || p.kind === 'pod')) family = 6;
    }
    const l4: L4Flow = {
      proto: isIcmp ? 'ICMP' : (flow.proto as L4Proto),
      port: flow.port !== undefined ? flow.port : isIcmp ? (family === 6 ? 128 : 8) : flow.dns !== undefined ? 53 : 0,
      family,
    };
    const req = { http: flow.http, dns: flow.dns };
    const notes = this.notesFor(src, dst);

    if (src.kind === 'pod' && dst.kind === 'pod' && src.endpoint === dst.endpoint) {
      return { verdict: 'ALLOW', reason: `${src.name} talks to itself: the traffic does not leave the pod`, notes };
    }
    const egress = src.hasPolicy ? this.evalDirection(src, 'egress', dst, l4, req) : undefined;
    const ingress = dst.hasPolicy ? this.evalDirection(dst, 'ingress', src, l4, req) : undefined;
    const strip = (d?: DirEval): DirectionResult | undefined => {
      if (!d) return undefined;
      const { dnsProxied: _ignored, ...rest } = d;
      void _ignored;
      return rest;
    };
    const eg = strip(egress);
    const ing = strip(ingress);
    const withNotes = (reason: string): string => (notes.length ? `${reason}; note: ${notes.join('; note: ')}` : reason);
    const decide = (d: DirectionResult, side: string): FlowResult => ({
      verdict: d.verdict,
      reason: withNotes(`${side}: ${d.reason}`),
      decidedBy: d.direction,
      policy: d.policy,
      rule: d.rule,
      egress: eg,
      ingress: ing,
      notes,
    });
    if (eg && eg.verdict === 'DROP') return decide(eg, `egress of ${src.name}`);
    if (ing && ing.verdict === 'DROP') return decide(ing, `ingress of ${dst.name}`);
    if (eg && eg.verdict === 'L7_DENY') return decide(eg, `egress of ${src.name}`);
    if (ing && ing.verdict === 'L7_DENY') return decide(ing, `ingress of ${dst.name}`);
    const parts: string[] = [];
    if (eg) parts.push(`egress of ${src.name}: ${eg.reason}`);
    if (ing) parts.push(`ingress of ${dst.name}: ${ing.reason}`);
    if (parts.length === 0) parts.push(`neither ${src.name} nor ${dst.name} is a Cilium endpoint with a policy: nothing applies`);
    const decider = ing && ing.enforced ? ing : eg && eg.enforced ? eg : ing ?? eg;
    return {
      verdict: 'ALLOW',
      reason: withNotes(parts.join('; ')),
      decidedBy: decider?.direction,
      policy: decider?.policy,
      rule: decider?.rule,
      egress: eg,
      ingress: ing,
      notes,
    };
  }

  private notesFor(src: Peer, dst: Peer): string[] {
    const out: string[] = [];
    const touches = (subjects: readonly (Selector | undefined)[]): boolean => {
      if (subjects.length === 0) return true;
      return subjects.some((s) => s === undefined || (src.hasPolicy && this.selMatch(s, src)) || (dst.hasPolicy && this.selMatch(s, dst)));
    };
    for (const p of this.inert) if (touches(p.subjects)) out.push(p.message);
    for (const p of this.admissionNotes) if (touches(p.subjects)) out.push(p.message);
    return out;
  }

  // -------------------------------------------------------------------------------------------
  // Read-only views for the per-identity policy map (`matrix.ts`). They evaluate exactly what
  // `explain` evaluates, one piece at a time.

  /** The admitted rules, in admission order. Do not modify. */
  public get admittedRules(): readonly NormRule[] {
    return this.rules;
  }

  /** Whether one peer matcher of a rule item selects `peer`, for `subject` in direction `dir` (as `explain` decides it). */
  public matcherSelects(m: PeerMatcher, peer: Peer, subject: Peer, dir: Dir): boolean {
    return this.peerMatches({ kind: 'list', matchers: [m] }, peer, subject, dir);
  }

  /** Whether the L4 part of a rule item covers the flow at `subject` in direction `dir` (as `explain` decides it). */
  public itemCoversL4(item: NormItem, flow: L4Flow, dir: Dir, subject: Peer): boolean {
    return this.l4Matches(item, flow, dir, subject).length > 0;
  }

  /** All rule paths of admitted policies, for diagnostics. */
  public describeRules(): string[] {
    return this.rules.map((r) => `${formatPolicyRef(r.policy)} ${r.path}: subject ${r.subject ? selectorText(r.subject) : '<nodeSelector: host policy, not evaluated>'}`);
  }

  /** Policies that select the peer, with the rule paths (for `explain`-style output). */
  public policiesSelecting(name: string): PolicyRefData[] {
    const p = this.resolvePeer(name);
    if (!p || !p.hasPolicy) return [];
    const seen = new Set<string>();
    const out: PolicyRefData[] = [];
    for (const r of this.rulesFor(p)) {
      const k = formatPolicyRef(r.policy);
      if (!seen.has(k)) {
        seen.add(k);
        out.push(r.policy);
      }
    }
    return out;
  }
}

export type { Dir as Direction };

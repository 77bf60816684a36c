/**
 * The offline evaluator of Cilium policy: one object that holds an estate's policies and
 * workloads and answers for flows. It wires the stages, each in its own file:
 *
 * 1. intake (`intake/`): manifests are admitted like a cluster does and each policy kind's
 *    front-end turns them into normalised rules (`intake/rules.ts`);
 * 2. identities (`identity/`): flow ends become peers with the agent's identity labels;
 * 3. resolution (`resolve/`): the rules that select an identity (`subject-index.ts`) make its
 *    per-direction policy (`direction-policy.ts`); peers and ports are matched against it;
 * 4. L7 (`l7/`): HTTP and DNS rules, and what the DNS proxy learns for FQDN rules;
 * 5. explanation (`explain.ts`): the verdict of a flow with the deciding policy and rule.
 *
 * The connectivity matrix (`matrix.ts`) reads the same per-direction policies.
 */
import { Selector, selectorText } from './identity/labels';
import { PeerResolver } from './identity/peers';
import { CILIUM_POLICY_KINDS, ciliumPolicyRules } from './intake/cilium-policy';
import type { AdmissionCache } from './intake/admission-cache';
import { cidrGroupsOf } from './intake/cidr-group';
import { networkPolicyRules } from './intake/network-policy';
import { hostPolicyNotice, Unevaluated, unevaluated } from './intake/unevaluated';
import { Dir, FrontEndResult, InertPolicy, NormItem, NormRule, PeerMatcher } from './intake/rules';
import { explainFlow, ExplainContext, evalDirection } from './explain';
import { DnsProxy } from './l7/dns-proxy';
import {
  DEFAULT_ENV, EndpointDef, FlowInput, FlowResult, formatPolicyRef, InputError, NamespaceDef, Peer, PolicyManifest, PolicyRefData, ServiceDef, VerifyEnv, versionMinor,
} from './model';
import { DirectionPolicy, resolveDirectionPolicy } from './resolve/direction-policy';
import { L4Flow, PortMatcher } from './resolve/l4';
import { PeerMatching } from './resolve/peer-match';
import { SubjectIndex } from './resolve/subject-index';

export type { Dir as Direction, InertPolicy, NormItem, NormRule, PeerMatcher, Unevaluated };
export type { L4Flow, L4Proto } from './resolve/l4';

/** The cluster around the policies: agent settings and the workloads flows name. */
export interface EngineOptions {
  readonly env?: Partial<VerifyEnv>;
  readonly namespaces?: Readonly<Record<string, NamespaceDef>>;
  readonly endpoints?: readonly EndpointDef[];
  readonly services?: readonly ServiceDef[];
  readonly dns?: Readonly<Record<string, readonly string[]>>;
  /** Admissions shared with other readers of the same objects (the validation plugin's linter). */
  readonly admissions?: AdmissionCache;
}

/** The evaluator. Construct it once per set of policies and scenario workloads. */
export class PolicyEngine {
  public readonly env: VerifyEnv;
  /** Cilium minor version the verdicts are for, 16..19. */
  public readonly minor: number;
  public readonly endpoints: readonly EndpointDef[];
  /** Policies that have no effect (rejected by the API server or the agent), and why. */
  public readonly inert: InertPolicy[] = [];
  /** Notes about admitted policies (pruned fields). */
  public readonly admissionNotes: InertPolicy[] = [];
  /** Objects that change enforcement but are not evaluated (host policies, egress gateways, ...): one warning each. */
  public readonly unevaluated: Unevaluated[] = [];

  private readonly rules: NormRule[] = [];
  private readonly peerResolver: PeerResolver;
  private readonly peerMatching: PeerMatching;
  private readonly portMatcher: PortMatcher;
  private readonly dnsProxy: DnsProxy;
  private subjectIndex?: SubjectIndex;
  // explain asks for the same identity and direction for every flow: resolved once (45,000 explains
  // over 150 identities of the `npm run bench` estate: 0.85 s with it, 1.2 s without).
  private readonly directionPolicies = new Map<string, DirectionPolicy>();
  private readonly ctx: ExplainContext;

  constructor(policies: readonly (PolicyManifest | any)[], options: EngineOptions = {}) {
    const env: VerifyEnv = { ...DEFAULT_ENV, ...(options.env ?? {}) } as VerifyEnv;
    this.env = env;
    const minor = versionMinor(env.version);
    if (minor === undefined) throw new InputError('env', 'version', `not a Cilium version: ${JSON.stringify(env.version)}`);
    this.minor = Math.min(19, Math.max(16, minor));
    this.endpoints = options.endpoints ?? [];
    const services = options.services ?? [];
    this.peerResolver = new PeerResolver(env, options.namespaces ?? {}, this.endpoints);
    this.portMatcher = new PortMatcher(this.endpoints);
    this.peerMatching = new PeerMatching(env.clusterName, this.minor, options.dns ?? {}, (src, name) => this.dnsProxy.learned(src, name));
    this.dnsProxy = new DnsProxy(env.enableL7Proxy, this.endpoints, (ep) => this.peerResolver.podPeer(ep), (src, server, proto, name) => {
      const r = evalDirection(this.ctx, src, 'egress', server, { proto, port: 53, family: 4 }, { dns: name });
      return { verdict: r.verdict, dnsProxied: !!r.dnsProxied };
    });
    this.ctx = {
      env,
      minor: this.minor,
      ports: this.portMatcher,
      peers: this.peerMatching,
      resolve: (name) => this.resolvePeer(name),
      policyFor: (subject, dir) => this.directionPolicy(subject, dir),
      learned: (src, name) => this.dnsProxy.learned(src, name),
      notices: [],
    };
    // `policy-default-local-cluster`: default off in 1.18, on from 1.19 (semantics reference §4.2)
    const localCluster = (env.policyDefaultLocalCluster ?? this.minor >= 19) && this.minor >= 18 ? env.clusterName : undefined;
    const objects = policies.map((p) => (p && typeof p === 'object' && 'object' in p && Object.keys(p).length <= 2 ? (p as PolicyManifest).object : p));
    const cidrGroups = cidrGroupsOf(objects);
    const fc = { minor: this.minor, enableL7Proxy: env.enableL7Proxy, enableNonDefaultDenyPolicies: env.enableNonDefaultDenyPolicies, services, localCluster, cidrGroups, admissions: options.admissions };
    for (const obj of objects) {
      if (!obj || typeof obj !== 'object') continue;
      if (obj.kind in CILIUM_POLICY_KINDS) {
        this.take(ciliumPolicyRules(obj, fc));
      } else if (obj.kind === 'NetworkPolicy' && typeof obj.apiVersion === 'string' && /^(networking\.k8s\.io|extensions)\//.test(obj.apiVersion)) {
        this.take(networkPolicyRules(obj, { minor: this.minor, localCluster, admissions: options.admissions }));
      } else {
        const u = unevaluated(obj);
        if (u) this.unevaluated.push(u);
      }
    }
    for (const r of this.rules) if (!r.subject) this.unevaluated.push(hostPolicyNotice(formatPolicyRef(r.policy), r.path));
    (this.ctx as { notices: readonly InertPolicy[] }).notices = [...this.inert, ...this.admissionNotes];
  }

  private take(r: FrontEndResult): void {
    if (r.inert) this.inert.push(r.inert);
    this.admissionNotes.push(...r.notes);
    this.rules.push(...r.rules);
  }

  /** Evaluates one flow. Throws InputError when an end is unknown. */
  public explain(flow: FlowInput): FlowResult {
    return explainFlow(this.ctx, flow);
  }

  /** Resolves a scenario name (endpoint or non-pod peer notation) to a peer; undefined when unknown. */
  public resolvePeer(name: string): Peer | undefined {
    return this.peerResolver.resolve(name);
  }

  /** The admitted rules, in admission order. Do not modify. */
  public get admittedRules(): readonly NormRule[] {
    return this.rules;
  }

  /** The rules whose subject selects the peer, in admission order. */
  public rulesSelecting(peer: Peer): readonly NormRule[] {
    if (!this.subjectIndex) this.subjectIndex = new SubjectIndex(this.rules);
    return this.subjectIndex.rulesSelecting(peer);
  }

  /** What one direction of the peer's identity is subject to (the per-identity policy explain and the matrix read). */
  public directionPolicy(subject: Peer, dir: Dir): DirectionPolicy {
    const key = `${dir}|${subject.kind}|${subject.identityKey}`;
    let p = this.directionPolicies.get(key);
    if (!p) {
      p = resolveDirectionPolicy(this.env, subject, dir, this.rulesSelecting(subject));
      this.directionPolicies.set(key, p);
    }
    return p;
  }

  /** Whether one peer matcher of a rule item selects `peer`, for `subject` in direction `dir`. */
  public matcherSelects(m: PeerMatcher, peer: Peer, subject: Peer, dir: Dir): boolean {
    return this.peerMatching.matcherSelects(m, peer, subject, dir);
  }

  /** Whether an endpoint selector selects the peer's identity. */
  public selects(sel: Selector, peer: Peer): boolean {
    return this.peerMatching.selects(sel, peer);
  }

  /** Whether the L4 part of a rule item covers the flow at `subject` in direction `dir`. */
  public itemCoversL4(item: NormItem, flow: L4Flow, dir: Dir, subject: Peer): boolean {
    return this.portMatcher.covers(item, flow, dir, subject);
  }

  /** §5 entities. */
  public entityMatches(entity: string, peer: Peer): boolean {
    return this.peerMatching.entityMatches(entity, peer);
  }

  /** Whether `src`'s DNS lookups of `name` pass the DNS proxy. */
  public fqdnLearned(src: Peer, name: string): boolean {
    return this.dnsProxy.learned(src, name);
  }

  /** All rule paths of admitted policies, for diagnostics. */
  public describeRules(): string[] {
    return this.rules.map((r) => `${formatPolicyRef(r.policy)} ${r.path}: subject ${r.subject ? selectorText(r.subject) : '<nodeSelector: host policy, not evaluated>'}`);
  }

  /** Policies that select the peer (each once, in admission order). */
  public policiesSelecting(name: string): PolicyRefData[] {
    const p = this.resolvePeer(name);
    if (!p || !p.hasPolicy) return [];
    const seen = new Set<string>();
    const out: PolicyRefData[] = [];
    for (const r of this.rulesSelecting(p)) {
      const k = formatPolicyRef(r.policy);
      if (!seen.has(k)) {
        seen.add(k);
        out.push(r.policy);
      }
    }
    return out;
  }
}

/**
 * Turns a random estate (estate-arb.ts) into a connectivity scenario for the verifier and
 * into an independent model of what the estate promises: which flows the constructs must
 * allow (grants, every flow CNPG needs, DNS, baselines) and, by omission, which they must
 * refuse.
 *
 * The model is written from the constructs' documented contracts, not from the policies they
 * render: a pod is isolated in a direction when a construct says so (clusters, poolers, Jobs,
 * grant clients and targets, baselines), and a flow passes a side when that side is not
 * isolated or some promised rule covers it. A flow is allowed when both sides pass (the local
 * host always reaches pods: `allowLocalhost: always`). An HTTP request to a pod target whose
 * every admitting rule carries the grant's HTTP rules is allowed when it matches them and
 * L7_DENY otherwise; an admitting rule without HTTP rules lets every request through.
 */
import * as fc from 'fast-check';
import { EndpointDef, FlowInput, Scenario, VerdictName, DEFAULT_ENV } from '../../src/verify';
import { ClientSpec, ClusterSpec, Estate, GrantSpec, NAMESPACES, TargetSpec, clusterName, estateArb } from './estate-arb';

/** The namespace of the CNPG operator (`OperatorLocation.yamlManifest()`, the default). */
export const OPERATOR_NS = 'cnpg-system';
/** A namespace no estate names: no grant, no baseline, no label. */
export const OTHER_NS = 'omega';

/** Namespace labels the estate's `namespacesLabelled` clients may select. */
const TEAMS = ['a', 'b', 'c', 'web', 'api'];

/** Addresses outside the cluster, and the names `dns` maps to some of them. */
export const WORLD = {
  /** In 192.0.2.0/24 (a CIDR client). */
  cidrClientA: '192.0.2.7',
  /** In 198.51.100.0/24 (a CIDR client). */
  cidrClientB: '198.51.100.7',
  /** In 203.0.113.0/24 (a CIDR target). */
  cidrTargetA: '203.0.113.7',
  /** In 10.200.0.0/16 (a CIDR target). */
  cidrTargetB: '10.200.3.4',
  /** api.example.com. */
  apiExample: '198.18.0.10',
  /** db.example.org. */
  dbExample: '198.18.0.20',
  /** In no CIDR of any estate, no name. */
  elsewhere: '100.64.0.9',
};
export const DNS_NAMES: Record<string, string[]> = {
  'api.example.com': [WORLD.apiExample],
  'db.example.org': [WORLD.dbExample],
};
const WORLD_IPS = Object.values(WORLD);

/** What a scenario pod stands for. */
export type PodRole =
  | 'instance' | 'job' | 'pooler' | 'operator' | 'dns'
  | 'client' | 'client-elsewhere' | 'client-partial' | 'outsider' | 'any-ns' | 'team-member'
  | 'target' | 'target-elsewhere';

/** A pod of the scenario. */
export interface ScenarioPod {
  readonly name: string;
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly role: PodRole;
  /** For instances, Jobs and poolers: the cluster index. */
  readonly cluster?: number;
}

/** An end of a flow, as the model sees it. */
export type ModelPeer =
  | { readonly kind: 'pod'; readonly pod: ScenarioPod }
  | { readonly kind: 'world'; readonly ip: string }
  | { readonly kind: 'ingress' | 'kube-apiserver' | 'host' | 'remote-node' };

/** A port a rule opens: TCP or any protocol (`Port.anyProtocol`). */
interface PortMatch { readonly proto: 'TCP' | 'ANY'; readonly port: number }

/** A rule the constructs promise, for the model. */
interface ModelRule {
  readonly dir: 'ingress' | 'egress';
  readonly subject: (p: ScenarioPod) => boolean;
  readonly peer: (x: ModelPeer) => boolean;
  readonly ports: readonly PortMatch[];
  /** HTTP rules (HTTP_RULES of estate-arb) on this rule. */
  readonly http: boolean;
  readonly why: string;
}

/** Something that puts pods into default deny for a direction. */
interface Isolation {
  readonly dir: 'ingress' | 'egress';
  readonly subject: (p: ScenarioPod) => boolean;
  readonly why: string;
}

/** An estate plus the labels of its namespaces (for `namespacesLabelled` clients). */
export interface World {
  readonly estate: Estate;
  /** `team` label of each of NAMESPACES (same order), or undefined for none. */
  readonly teams: readonly (string | undefined)[];
}

export const worldArb: fc.Arbitrary<World> = fc.record({
  estate: estateArb,
  teams: fc.array(fc.option(fc.constantFrom(...TEAMS), { nil: undefined }), { minLength: NAMESPACES.length, maxLength: NAMESPACES.length }),
});

/** One flow to check with what the model expects. */
export interface CheckedFlow {
  readonly flow: FlowInput;
  readonly expect: VerdictName;
  /** Why the model expects it. */
  readonly why: string;
  /** Which part of the property produced it. */
  readonly category: 'granted' | 'cnpg' | 'baseline' | 'refused-sample' | 'random';
}

const has = (labels: Readonly<Record<string, string>>, want: Readonly<Record<string, string>>): boolean =>
  Object.keys(want).every((k) => labels[k] === want[k]);

function ipInCidr(ip: string, cidr: string): boolean {
  const [base, bitsText] = cidr.split('/');
  const bits = Number(bitsText);
  const num = (s: string) => s.split('.').reduce((a, o) => a * 256 + Number(o), 0);
  const block = 2 ** (32 - bits);
  return Math.floor(num(ip) / block) === Math.floor(num(base) / block);
}

/** The peer name the scenario uses for a model peer. */
export function peerName(p: ModelPeer): string {
  switch (p.kind) {
    case 'pod': return p.pod.name;
    case 'world': return `world:${p.ip}`;
    default: return p.kind;
  }
}

function kebabLabels(l: Record<string, string>): string {
  return Object.keys(l).sort().map((k) => `${k}-${l[k]}`).join('-');
}

function nextNamespace(ns: string): string {
  return NAMESPACES[(NAMESPACES.indexOf(ns) + 1) % NAMESPACES.length];
}

/**
 * The scenario of an estate (namespaces, endpoints, DNS names; no flows) and the model of
 * what its constructs promise.
 */
export class EstateScenario {
  public readonly scenario: Scenario;
  public readonly pods: ScenarioPod[] = [];
  public readonly peers: ModelPeer[] = [];
  private readonly rules: ModelRule[] = [];
  private readonly isolations: Isolation[] = [];
  private readonly nsLabels: Record<string, Record<string, string>> = {};
  private readonly byName = new Map<string, ModelPeer>();

  constructor(public readonly world: World) {
    const e = world.estate;
    NAMESPACES.forEach((ns, i) => this.nsLabels[ns] = world.teams[i] ? { team: world.teams[i]! } : {});
    this.nsLabels[OTHER_NS] = {};
    this.nsLabels[OPERATOR_NS] = { 'app.kubernetes.io/name': 'cloudnative-pg' };
    this.nsLabels['kube-system'] = {};
    this.buildPods(e);
    this.buildModel(e);
    const endpoints: EndpointDef[] = this.pods.map((p, i) => ({
      name: p.name, namespace: p.namespace, labels: p.labels, ip: `10.1.${Math.floor(i / 200)}.${(i % 200) + 10}`,
    }));
    const namespaces: Record<string, { labels: Record<string, string> }> = {};
    for (const ns of Object.keys(this.nsLabels)) {
      namespaces[ns] = { labels: this.nsLabels[ns] };
    }
    this.scenario = {
      env: DEFAULT_ENV,
      policies: [],
      namespaces,
      endpoints,
      services: [],
      dns: DNS_NAMES,
      flows: [],
    };
    for (const p of this.pods) {
      this.peers.push({ kind: 'pod', pod: p });
    }
    for (const ip of WORLD_IPS) {
      this.peers.push({ kind: 'world', ip });
    }
    for (const kind of ['ingress', 'kube-apiserver', 'host', 'remote-node'] as const) {
      this.peers.push({ kind });
    }
    for (const p of this.peers) {
      this.byName.set(peerName(p), p);
    }
  }

  /** A peer by scenario name. */
  public peer(name: string): ModelPeer {
    const p = this.byName.get(name);
    if (!p) {
      throw new Error(`no peer ${name} in the scenario`);
    }
    return p;
  }

  private addPod(p: ScenarioPod): ScenarioPod {
    if (this.pods.some((q) => q.name === p.name)) {
      return this.pods.find((q) => q.name === p.name)!;
    }
    this.pods.push(p);
    return p;
  }

  /** Pods of the scenario in namespace `ns`. */
  public podsIn(ns: string): ScenarioPod[] {
    return this.pods.filter((p) => p.namespace === ns);
  }

  /** The pods of a role (and cluster). */
  public podsOf(role: PodRole, cluster?: number): ScenarioPod[] {
    return this.pods.filter((p) => p.role === role && (cluster === undefined || p.cluster === cluster));
  }

  private buildPods(e: Estate): void {
    this.addPod({ name: 'operator', namespace: OPERATOR_NS, labels: { 'app.kubernetes.io/name': 'cloudnative-pg' }, role: 'operator' });
    this.addPod({ name: 'kube-dns', namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' }, role: 'dns' });
    e.clusters.forEach((c, i) => {
      const name = clusterName(i);
      const common = {
        'cnpg.io/cluster': name,
        'app.kubernetes.io/name': 'postgresql',
        'app.kubernetes.io/instance': name,
        'app.kubernetes.io/managed-by': 'cloudnative-pg',
      };
      for (const [n, r] of [[1, 'primary'], [2, 'replica']] as const) {
        this.addPod({
          name: `${name}-${n}`, namespace: c.ns, role: 'instance', cluster: i,
          labels: { ...common, 'cnpg.io/podRole': 'instance', 'cnpg.io/instanceName': `${name}-${n}`, 'cnpg.io/instanceRole': r, 'role': r, 'app.kubernetes.io/component': 'database' },
        });
      }
      for (const [n, jobRole] of [[1, 'initdb'], [3, 'join']] as const) {
        this.addPod({
          name: `${name}-${n}-${jobRole}`, namespace: c.ns, role: 'job', cluster: i,
          labels: { ...common, 'cnpg.io/jobRole': jobRole, 'cnpg.io/instanceName': `${name}-${n}`, 'app.kubernetes.io/component': 'database' },
        });
      }
      if (c.pooler) {
        this.addPod({
          name: `${name}-pooler-rw-1`, namespace: c.ns, role: 'pooler', cluster: i,
          labels: { 'cnpg.io/poolerName': `${name}-pooler-rw`, 'cnpg.io/cluster': name, 'cnpg.io/podRole': 'pooler', 'app.kubernetes.io/component': 'pooler' },
        });
      }
    });
    for (const ns of [...NAMESPACES, OTHER_NS]) {
      this.addPod({ name: `out-${ns}`, namespace: ns, labels: { app: 'outsider' }, role: 'outsider' });
    }
    for (const g of e.grants) {
      const c = g.client;
      if (c.kind === 'pods') {
        const k = `${c.ns}-${kebabLabels(c.labels)}`;
        this.addPod({ name: `cli-${k}`, namespace: c.ns, labels: c.labels, role: 'client' });
        this.addPod({ name: `cli-${k}-elsewhere`, namespace: nextNamespace(c.ns), labels: c.labels, role: 'client-elsewhere' });
        if (Object.keys(c.labels).length > 1) {
          this.addPod({ name: `cli-${c.ns}-role-${c.labels.role}-only`, namespace: c.ns, labels: { role: c.labels.role }, role: 'client-partial' });
        }
      } else if (c.kind === 'anyNs') {
        this.addPod({ name: `any-${kebabLabels(c.labels)}`, namespace: OTHER_NS, labels: c.labels, role: 'any-ns' });
      } else if (c.kind === 'labelledNs') {
        const ns = `team-${c.labels.team}`;
        this.nsLabels[ns] = { team: c.labels.team };
        this.addPod({ name: `member-${ns}`, namespace: ns, labels: { app: 'member' }, role: 'team-member' });
      }
      const t = g.target;
      if (t.kind === 'pods') {
        const k = `${t.ns}-${kebabLabels(t.labels)}`;
        this.addPod({ name: `tgt-${k}`, namespace: t.ns, labels: t.labels, role: 'target' });
        this.addPod({ name: `tgt-${k}-elsewhere`, namespace: nextNamespace(t.ns), labels: t.labels, role: 'target-elsewhere' });
      }
    }
  }

  // -------------------------------------------------------------------------------------------
  // The model

  /** The instances of cluster `i`. */
  private instances(i: number, c: ClusterSpec): (p: ScenarioPod) => boolean {
    const name = clusterName(i);
    return (p) => p.namespace === c.ns && p.labels['cnpg.io/cluster'] === name && p.labels['cnpg.io/podRole'] === 'instance';
  }

  private jobs(i: number, c: ClusterSpec): (p: ScenarioPod) => boolean {
    const name = clusterName(i);
    return (p) => p.namespace === c.ns && p.labels['cnpg.io/cluster'] === name && p.labels['cnpg.io/jobRole'] !== undefined && p.labels['cnpg.io/podRole'] === undefined;
  }

  private pooler(i: number, c: ClusterSpec): (p: ScenarioPod) => boolean {
    const name = `${clusterName(i)}-pooler-rw`;
    return (p) => p.namespace === c.ns && p.labels['cnpg.io/poolerName'] === name;
  }

  private static pod(sel: (p: ScenarioPod) => boolean): (x: ModelPeer) => boolean {
    return (x) => x.kind === 'pod' && sel(x.pod);
  }

  private static readonly operator = (p: ScenarioPod) => p.namespace === OPERATOR_NS && p.labels['app.kubernetes.io/name'] === 'cloudnative-pg';
  private static readonly kubeDns = (p: ScenarioPod) => p.namespace === 'kube-system' && p.labels['k8s-app'] === 'kube-dns';
  private static readonly apiServer = (x: ModelPeer) => x.kind === 'kube-apiserver';

  /** Whether a grant's client covers a peer (the target's ingress rule admits it). */
  public clientCovers(c: ClientSpec, x: ModelPeer): boolean {
    switch (c.kind) {
      case 'pods': return x.kind === 'pod' && x.pod.namespace === c.ns && has(x.pod.labels, c.labels);
      case 'namespace': return x.kind === 'pod' && x.pod.namespace === c.ns;
      case 'anyone': return true;
      case 'ingress': return x.kind === 'ingress';
      case 'cidr': return x.kind === 'world' && ipInCidr(x.ip, c.cidr);
      case 'labelledNs': return x.kind === 'pod' && has(this.nsLabels[x.pod.namespace] ?? {}, c.labels);
      case 'anyNs': return x.kind === 'pod' && has(x.pod.labels, c.labels);
    }
  }

  /** The client pods a grant renders egress for (pods and whole-namespace clients). */
  public static clientPods(c: ClientSpec): ((p: ScenarioPod) => boolean) | undefined {
    switch (c.kind) {
      case 'pods': return (p) => p.namespace === c.ns && has(p.labels, c.labels);
      case 'namespace': return (p) => p.namespace === c.ns;
      default: return undefined;
    }
  }

  /** The target as estate-arb declares it: a pooler target of a cluster without pooler is the cluster. */
  public resolvedTarget(t: TargetSpec): TargetSpec {
    if (t.kind === 'pooler' && !this.world.estate.clusters[t.cluster].pooler) {
      return { kind: 'db', cluster: t.cluster };
    }
    return t;
  }

  /** The target pods of a pod target. */
  public targetPods(t: TargetSpec): ((p: ScenarioPod) => boolean) | undefined {
    const r = this.resolvedTarget(t);
    const clusters = this.world.estate.clusters;
    switch (r.kind) {
      case 'db': return this.instances(r.cluster, clusters[r.cluster]);
      case 'pooler': return this.pooler(r.cluster, clusters[r.cluster]);
      case 'pods': return (p) => p.namespace === r.ns && has(p.labels, r.labels);
      default: return undefined;
    }
  }

  /** Whether a target covers a peer (the client's egress rule admits it). */
  public targetCovers(t: TargetSpec, x: ModelPeer): boolean {
    switch (t.kind) {
      case 'fqdn': return x.kind === 'world' && (DNS_NAMES[t.name] ?? []).includes(x.ip);
      case 'cidrTarget': return x.kind === 'world' && ipInCidr(x.ip, t.cidr);
      case 'world': return x.kind === 'world';
      default: return x.kind === 'pod' && this.targetPods(t)!(x.pod);
    }
  }

  /** The target port of a grant. */
  public static targetPort(t: TargetSpec): number {
    return t.kind === 'db' || t.kind === 'pooler' ? 5432 : t.port;
  }

  private buildModel(e: Estate): void {
    const tcp = (...ports: number[]): PortMatch[] => ports.map((port) => ({ proto: 'TCP' as const, port }));
    const dns: PortMatch[] = [{ proto: 'ANY', port: 53 }];
    const P = EstateScenario.pod;
    const rule = (dir: 'ingress' | 'egress', subject: (p: ScenarioPod) => boolean, peer: (x: ModelPeer) => boolean, ports: PortMatch[], why: string, http = false) =>
      this.rules.push({ dir, subject, peer, ports, why, http });
    e.clusters.forEach((c, i) => {
      const name = clusterName(i);
      const inst = this.instances(i, c);
      const jobs = this.jobs(i, c);
      const pooler = this.pooler(i, c);
      for (const dir of ['ingress', 'egress'] as const) {
        this.isolations.push({ dir, subject: inst, why: `${name} instances` });
        this.isolations.push({ dir, subject: jobs, why: `${name} Jobs` });
        if (c.pooler) {
          this.isolations.push({ dir, subject: pooler, why: `${name} pooler` });
        }
      }
      rule('ingress', inst, P(EstateScenario.operator), tcp(8000), `${name}: operator -> instances 8000`);
      rule('ingress', inst, P(inst), tcp(5432, 8000), `${name}: instances <-> instances 5432, 8000`);
      rule('ingress', inst, P(jobs), tcp(5432), `${name}: Jobs -> instances 5432`);
      rule('ingress', inst, EstateScenario.apiServer, tcp(8000), `${name}: kube-apiserver -> instances 8000 (kubectl cnpg status)`);
      const platform: [(p: ScenarioPod) => boolean, string][] = [[inst, 'instances'], [jobs, 'Jobs'], ...(c.pooler ? [[pooler, 'pooler'] as [(p: ScenarioPod) => boolean, string]] : [])];
      for (const [subject, what] of platform) {
        rule('egress', subject, EstateScenario.apiServer, tcp(443, 6443), `${name}: ${what} -> kube-apiserver 443, 6443`);
        rule('egress', subject, P(EstateScenario.kubeDns), dns, `${name}: ${what} -> kube-dns 53`);
      }
      rule('egress', inst, P(inst), tcp(5432, 8000), `${name}: instances <-> instances 5432, 8000`);
      rule('egress', jobs, P(inst), tcp(5432), `${name}: Jobs -> instances 5432`);
      if (c.pooler) {
        rule('ingress', inst, P(pooler), tcp(5432), `${name}: pooler -> instances 5432`);
        rule('egress', pooler, P(inst), tcp(5432), `${name}: pooler -> instances 5432`);
      }
    });
    e.grants.forEach((g, gi) => this.grantModel(g, gi, rule));
    for (const b of e.baselines) {
      const inNs = (p: ScenarioPod) => p.namespace === b;
      this.isolations.push({ dir: 'ingress', subject: inNs, why: `baseline of ${b}` });
      this.isolations.push({ dir: 'egress', subject: inNs, why: `baseline of ${b}` });
      rule('egress', inNs, P(EstateScenario.kubeDns), dns, `baseline of ${b}: DNS`);
    }
  }

  private grantModel(g: GrantSpec, gi: number,
    rule: (dir: 'ingress' | 'egress', subject: (p: ScenarioPod) => boolean, peer: (x: ModelPeer) => boolean, ports: PortMatch[], why: string, http?: boolean) => void): void {
    const t = g.target;
    const port = EstateScenario.targetPort(t);
    const ports: PortMatch[] = [{ proto: 'TCP', port }];
    const label = `grant ${gi} (${JSON.stringify(g.client)} -> ${JSON.stringify(t)})`;
    const targetPods = this.targetPods(t);
    if (targetPods) {
      this.isolations.push({ dir: 'ingress', subject: targetPods, why: `target of ${label}` });
      rule('ingress', targetPods, (x) => this.clientCovers(g.client, x), ports, label, t.kind === 'pods' && t.http);
    }
    const clientPods = EstateScenario.clientPods(g.client);
    if (clientPods) {
      if (g.client.kind === 'pods') {
        this.isolations.push({ dir: 'egress', subject: clientPods, why: `client of ${label}` });
      }
      rule('egress', clientPods, (x) => this.targetCovers(t, x), ports, label);
      rule('egress', clientPods, EstateScenario.pod(EstateScenario.kubeDns), [{ proto: 'ANY', port: 53 }], `${label}: client DNS`);
    }
  }

  private side(dir: 'ingress' | 'egress', subject: ModelPeer, other: ModelPeer, proto: string, port: number): { ok: boolean; rules: ModelRule[]; why: string } {
    if (subject.kind !== 'pod') {
      return { ok: true, rules: [], why: `${peerName(subject)} has no ${dir} policy` };
    }
    if (dir === 'ingress' && other.kind === 'host') {
      return { ok: true, rules: [], why: 'the local host is always admitted (allowLocalhost: always)' };
    }
    const iso = this.isolations.filter((i) => i.dir === dir && i.subject(subject.pod));
    if (iso.length === 0) {
      return { ok: true, rules: [], why: `${subject.pod.name} is not isolated at ${dir}` };
    }
    const rules = this.rules.filter((r) => r.dir === dir && r.subject(subject.pod) && r.peer(other)
      && r.ports.some((p) => p.port === port && (p.proto === 'ANY' || p.proto === proto)));
    if (rules.length === 0) {
      return { ok: false, rules, why: `${subject.pod.name} is isolated at ${dir} (${iso.map((i) => i.why).join('; ')}) and nothing promised admits ${peerName(other)} on ${proto}/${port}` };
    }
    return { ok: true, rules, why: `${dir} of ${subject.pod.name}: ${rules.map((r) => r.why).join('; ')}` };
  }

  /** What the estate promises for a flow. */
  public expected(flow: FlowInput): { verdict: VerdictName; why: string } {
    const src = this.peer(flow.src);
    const dst = this.peer(flow.dst);
    const port = flow.port ?? 0;
    const eg = this.side('egress', src, dst, flow.proto, port);
    if (!eg.ok) {
      return { verdict: 'DROP', why: eg.why };
    }
    const ing = this.side('ingress', dst, src, flow.proto, port);
    if (!ing.ok) {
      return { verdict: 'DROP', why: ing.why };
    }
    const why = `${eg.why}; ${ing.why}`;
    if (flow.http && ing.rules.length > 0 && ing.rules.every((r) => r.http)) {
      // Every rule admitting this client carries the grant's HTTP rules (estate-arb HTTP_RULES).
      const ok = (flow.http.method === 'GET' && /^\/api(\/.*)?$/.test(flow.http.path ?? ''))
        || (flow.http.method === 'POST' && flow.http.path === '/login');
      return ok ? { verdict: 'ALLOW', why: `${why}; the request matches an HTTP rule` } : { verdict: 'L7_DENY', why: `${why}; the request matches no HTTP rule` };
    }
    return { verdict: 'ALLOW', why };
  }

  /** Whether the model isolates a pod in a direction. */
  public isolated(dir: 'ingress' | 'egress', p: ScenarioPod): boolean {
    return this.isolations.some((i) => i.dir === dir && i.subject(p));
  }
}

/** A short, readable account of an estate (what `declare` builds from it). */
export function describeWorld(w: World): string {
  const e = w.estate;
  const lines: string[] = [];
  e.clusters.forEach((c, i) => lines.push(`  new SecuredPostgres(chart, 'Cluster${i}', { name: '${clusterName(i)}', namespace: '${c.ns}' })${c.pooler ? `.addPooler('Rw')` : ''}`));
  e.grants.forEach((g, i) => lines.push(`  Grant${i}: client ${JSON.stringify(g.client)} -> target ${JSON.stringify(g.target)}`));
  e.baselines.forEach((b) => lines.push(`  new NamespaceBaseline(chart, 'Baseline-${b}', { namespace: '${b}' })`));
  const teams = NAMESPACES.map((ns, i) => (w.teams[i] ? `${ns}: team=${w.teams[i]}` : '')).filter(Boolean);
  lines.push(`  namespace labels: ${teams.length ? teams.join(', ') : 'none'}`);
  return `${lines.join('\n')}\n  estate JSON: ${JSON.stringify(w)}`;
}

/** Ports the random samples probe. */
export const SAMPLE_PORTS: readonly { proto: 'TCP' | 'UDP'; port: number }[] = [
  { proto: 'TCP', port: 5432 }, { proto: 'TCP', port: 8000 }, { proto: 'TCP', port: 9187 }, { proto: 'TCP', port: 9127 },
  { proto: 'TCP', port: 80 }, { proto: 'TCP', port: 443 }, { proto: 'TCP', port: 8080 }, { proto: 'TCP', port: 9000 },
  { proto: 'TCP', port: 6443 }, { proto: 'TCP', port: 5433 }, { proto: 'UDP', port: 53 }, { proto: 'TCP', port: 53 },
];

/** Random flows: indexes into the scenario's peers and SAMPLE_PORTS. */
export const samplesArb = fc.array(fc.tuple(fc.nat(), fc.nat(), fc.nat(SAMPLE_PORTS.length - 1)), { minLength: 10, maxLength: 60 });

/**
 * The flows checked for an estate, each with the model's verdict. Flows the constructs promise
 * (`granted` with a client whose egress the grant renders or leaves open, `cnpg`, `baseline`)
 * are marked `must`: the model itself has to allow them, or the model is wrong.
 */
export function flowsFor(es: EstateScenario, samples: readonly (readonly [number, number, number])[] = []): (CheckedFlow & { must: boolean })[] {
  const e = es.world.estate;
  const out: (CheckedFlow & { must: boolean })[] = [];
  const seen = new Map<string, number>();
  const add = (category: CheckedFlow['category'], src: ModelPeer | string, dst: ModelPeer | string, proto: 'TCP' | 'UDP', port: number,
    opts: { http?: { method: string; path: string }; must?: boolean } = {}) => {
    const s = typeof src === 'string' ? src : peerName(src);
    const d = typeof dst === 'string' ? dst : peerName(dst);
    if (s === d) {
      return;
    }
    const sp = es.peer(s);
    const dp = es.peer(d);
    if (sp.kind !== 'pod' && dp.kind !== 'pod') {
      return;
    }
    const flow: FlowInput = { src: s, dst: d, proto, port, ...(opts.http ? { http: opts.http } : {}) };
    const key = JSON.stringify(flow);
    const before = seen.get(key);
    if (before !== undefined) {
      // A promised flow stays promised when a sample happened to list it first.
      if (opts.must && !out[before].must) {
        out[before] = { ...out[before], category, must: true };
      }
      return;
    }
    seen.set(key, out.length);
    const m = es.expected(flow);
    out.push({ flow, expect: m.verdict, why: m.why, category, must: !!opts.must });
  };
  const pod = (p: ScenarioPod): ModelPeer => ({ kind: 'pod', pod: p });
  const world = (ip: string): string => `world:${ip}`;

  // Every flow CNPG needs, for each cluster (cnpg-network.md section 9.1, P1-P7 and P12, and kubelet probes).
  e.clusters.forEach((c, i) => {
    const [p1, p2] = es.podsOf('instance', i);
    const jobs = es.podsOf('job', i);
    const poolers = es.podsOf('pooler', i);
    const must = { must: true };
    for (const p of [p1, p2]) {
      add('cnpg', 'operator', pod(p), 'TCP', 8000, must);
      add('cnpg', pod(p), 'kube-apiserver', 'TCP', 443, must);
      add('cnpg', pod(p), 'kube-apiserver', 'TCP', 6443, must);
      add('cnpg', pod(p), 'kube-dns', 'UDP', 53, must);
      add('cnpg', pod(p), 'kube-dns', 'TCP', 53, must);
      add('cnpg', 'kube-apiserver', pod(p), 'TCP', 8000, must);
      add('cnpg', 'host', pod(p), 'TCP', 8000, must);
      for (const j of jobs) {
        add('cnpg', pod(j), pod(p), 'TCP', 5432, must);
      }
      for (const pl of poolers) {
        add('cnpg', pod(pl), pod(p), 'TCP', 5432, must);
      }
    }
    for (const [a, b] of [[p1, p2], [p2, p1]]) {
      add('cnpg', pod(a), pod(b), 'TCP', 5432, must);
      add('cnpg', pod(a), pod(b), 'TCP', 8000, must);
    }
    for (const x of [...jobs, ...poolers]) {
      add('cnpg', pod(x), 'kube-apiserver', 'TCP', 443, must);
      add('cnpg', pod(x), 'kube-apiserver', 'TCP', 6443, must);
      add('cnpg', pod(x), 'kube-dns', 'UDP', 53, must);
      add('cnpg', pod(x), 'kube-dns', 'TCP', 53, must);
    }
    for (const pl of poolers) {
      add('cnpg', 'host', pod(pl), 'TCP', 5432, must);
    }

    // What nothing grants: the world, other nodes, other ports, other pods, other clusters.
    const r = 'refused-sample';
    for (const src of [world(WORLD.elsewhere), world(WORLD.cidrClientA), 'ingress', 'remote-node']) {
      add(r, src, pod(p1), 'TCP', 5432);
    }
    add(r, 'remote-node', pod(p1), 'TCP', 8000);
    add(r, 'kube-apiserver', pod(p1), 'TCP', 5432);
    add(r, 'operator', pod(p1), 'TCP', 5432);
    add(r, 'operator', pod(p1), 'TCP', 9187);
    add(r, pod(p1), pod(p2), 'TCP', 9187);
    add(r, pod(p1), world(WORLD.elsewhere), 'TCP', 443);
    add(r, pod(p1), world(WORLD.apiExample), 'TCP', 443);
    add(r, pod(p1), `out-${c.ns}`, 'TCP', 80);
    add(r, pod(p1), 'operator', 'TCP', 9443);
    add(r, pod(p1), 'kube-apiserver', 'TCP', 8080);
    add(r, pod(p1), 'kube-dns', 'TCP', 9153);
    add(r, `out-${c.ns}`, pod(p1), 'TCP', 5432);
    add(r, `out-${c.ns}`, pod(p2), 'TCP', 8000);
    for (const j of jobs) {
      add(r, pod(j), pod(p1), 'TCP', 8000);
      add(r, pod(p1), pod(j), 'TCP', 5432);
      add(r, 'operator', pod(j), 'TCP', 8000);
      add(r, pod(j), world(WORLD.elsewhere), 'TCP', 443);
    }
    for (const pl of poolers) {
      add(r, pod(pl), pod(p1), 'TCP', 8000);
      add(r, pod(p1), pod(pl), 'TCP', 5432);
      add(r, 'operator', pod(pl), 'TCP', 5432);
      add(r, pod(pl), world(WORLD.elsewhere), 'TCP', 443);
      add(r, pod(pl), pod(jobs[0]), 'TCP', 5432);
      add(r, `out-${c.ns}`, pod(pl), 'TCP', 5432);
      add(r, world(WORLD.elsewhere), pod(pl), 'TCP', 5432);
    }
    // No replication, status or Job traffic across clusters.
    e.clusters.forEach((_, j) => {
      if (j !== i) {
        const [q1] = es.podsOf('instance', j);
        add(r, pod(p1), pod(q1), 'TCP', 5432);
        add(r, pod(p1), pod(q1), 'TCP', 8000);
        add(r, pod(jobs[0]), pod(q1), 'TCP', 5432);
        for (const pl of poolers) {
          add(r, pod(pl), pod(q1), 'TCP', 5432);
        }
      }
    });
  });

  // Baselines: DNS stays open, everything else is closed.
  for (const b of e.baselines) {
    add('baseline', `out-${b}`, 'kube-dns', 'UDP', 53, { must: true });
    add('baseline', `out-${b}`, 'kube-dns', 'TCP', 53, { must: true });
    add('refused-sample', `out-${b}`, world(WORLD.elsewhere), 'TCP', 443);
    add('refused-sample', world(WORLD.elsewhere), `out-${b}`, 'TCP', 80);
    add('refused-sample', `out-${OTHER_NS}`, `out-${b}`, 'TCP', 8080);
    add('refused-sample', `out-${b}`, 'kube-dns', 'TCP', 9153);
  }

  // Grants: each client (representatives of who it covers) to each target pod or address.
  e.grants.forEach((g) => {
    const t = es.resolvedTarget(g.target);
    const port = EstateScenario.targetPort(t);
    const clientPods = EstateScenario.clientPods(g.client);
    const reps = es.peers.filter((x) => es.clientCovers(g.client, x));
    // Whole namespaces and namespace labels cover many pods: a few of each kind is enough.
    const firstOfRole = new Map<string, ModelPeer>();
    for (const x of reps) {
      const k = x.kind === 'pod' ? `${x.pod.namespace}/${x.pod.role}` : x.kind;
      if (!firstOfRole.has(k)) {
        firstOfRole.set(k, x);
      }
    }
    const clients = [...firstOfRole.values()];
    const targets = es.peers.filter((x) => es.targetCovers(t, x));
    for (const src of clients) {
      // The grant itself renders the client's egress, or the client has none to render.
      const must = src.kind !== 'pod' || (clientPods?.(src.pod) ?? false) || !es.isolated('egress', src.pod);
      for (const dst of targets) {
        add('granted', src, dst, 'TCP', port, { must });
        if (t.kind === 'pods' && t.http) {
          add('granted', src, dst, 'TCP', port, { must, http: { method: 'GET', path: '/api/items' } });
          add('granted', src, dst, 'TCP', port, { must, http: { method: 'POST', path: '/login' } });
          add('granted', src, dst, 'TCP', port, { http: { method: 'DELETE', path: '/api/items' } });
          add('granted', src, dst, 'TCP', port, { http: { method: 'GET', path: '/admin' } });
        }
      }
      if (targets.length === 0) {
        continue;
      }
      // Same client and target, other ports and protocols.
      const dst = targets[0];
      const others = t.kind === 'db' || t.kind === 'pooler' ? [5433, 8000, 9187, 9127] : [80, 443, 8080, 9000, 5432].filter((p) => p !== port).slice(0, 3);
      for (const p of others) {
        add('refused-sample', src, dst, 'TCP', p);
      }
      add('refused-sample', src, dst, 'UDP', port);
      // Same client, neighbouring targets.
      for (const x of es.peers) {
        if (x.kind === 'pod' && (x.pod.role === 'target-elsewhere' || x.pod.role === 'instance' || x.pod.role === 'pooler' || x.pod.role === 'job')) {
          add('refused-sample', src, x, 'TCP', port);
        } else if (x.kind === 'world' || x.kind === 'kube-apiserver') {
          add('refused-sample', src, x, 'TCP', port);
        }
      }
      add('refused-sample', src, world(WORLD.elsewhere), 'TCP', 443);
    }
    // Pods and peers next to the client, towards the target.
    const near = es.peers.filter((x) => !es.clientCovers(g.client, x) && (x.kind !== 'pod'
      || ['outsider', 'client', 'client-elsewhere', 'client-partial', 'any-ns', 'team-member', 'operator'].includes(x.pod.role)));
    for (const src of near) {
      for (const dst of targets.slice(0, 2)) {
        add('refused-sample', src, dst, 'TCP', port);
      }
    }
  });

  // Random flows between any two ends.
  for (const [a, b, k] of samples) {
    const src = es.peers[a % es.peers.length];
    const dst = es.peers[b % es.peers.length];
    const p = SAMPLE_PORTS[k];
    add('random', src, dst, p.proto, p.port);
  }
  return out;
}

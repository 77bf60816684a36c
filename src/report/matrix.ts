/**
 * The connectivity matrix behind the report: every party (pods, stand-ins for the pods the
 * policies name, probes, and the non-pod peers) against every other, on every port the
 * policies mention, evaluated by the verifier's engine with Cilium's semantics.
 */
import { PolicyEngine } from '../verify/engine';
import type { AdmissionCache } from '../verify/intake/admission-cache';
import { CidrGroup, cidrGroupPrefixes, cidrGroupsOf } from '../verify/intake/cidr-group';
import { workloadObjects } from '../verify/intake/workloads';
import {
  DirectionResult, EndpointDef, FlowInput, FlowProto, FlowResult, NamespaceDef, PolicyRefData, ServiceDef, VerifyEnv, formatPolicyRef,
} from '../verify/model';
import { ReportPod, dedupePods, isNetworkPolicy, podsFromManifests, probePods, standInsFromPolicies, subjectsFromPolicies } from './workloads';

/** A non-pod peer of the report. */
export interface ReportPeer {
  /** The engine's notation: `world:203.0.113.10`, `kube-apiserver`, ... */
  readonly ref: string;
  /** How the report names it. */
  readonly name: string;
}

/** A port the matrix probes. */
export interface ProbePort {
  readonly proto: FlowProto;
  readonly port: number;
}

/** One evaluated flow of the matrix. */
export interface MatrixFlow {
  /** Report name of the source. */
  readonly src: string;
  /** Report name of the destination. */
  readonly dst: string;
  readonly srcNamespace?: string;
  readonly dstNamespace?: string;
  readonly proto: FlowProto;
  readonly port: number;
  readonly result: FlowResult;
  /** L7 rules of the allowing rule: HTTP routes (`GET /api`) and DNS names (`DNS *`). */
  readonly http: readonly string[];
  /** Whether a policy took part (some side enforced); false for traffic nothing restricts. */
  readonly enforced: boolean;
}

/** Input of the matrix: the manifests, and optionally the workloads of a scenario. */
export interface MatrixInput {
  /** Every manifest object (policies and workloads; other kinds are ignored). */
  readonly objects: readonly any[];
  /** Scenario endpoints; when given they are the declared pods (manifest workloads are added too). */
  readonly endpoints?: readonly EndpointDef[];
  readonly namespaces?: Readonly<Record<string, NamespaceDef>>;
  readonly services?: readonly ServiceDef[];
  readonly dns?: Readonly<Record<string, readonly string[]>>;
  readonly env?: Partial<VerifyEnv>;
  /** Admissions shared with other readers of the same objects (the validation plugin's linter). */
  readonly admissions?: AdmissionCache;
}

/** The evaluated matrix. */
export interface Matrix {
  readonly pods: readonly ReportPod[];
  readonly peers: readonly ReportPeer[];
  readonly ports: readonly ProbePort[];
  readonly flows: readonly MatrixFlow[];
  /** Policies that have no effect, and why (from the engine). */
  readonly inert: readonly string[];
  /** Objects that change enforcement but that the verdicts do not include, and what they leave out. */
  readonly unevaluated: readonly string[];
  /** Policy references (formatted) selecting each pod, by pod name. */
  readonly selecting: Readonly<Record<string, readonly string[]>>;
  /** Made-up DNS answers used for `toFQDNs` names the input did not resolve. */
  readonly dns: Readonly<Record<string, readonly string[]>>;
  readonly engine: PolicyEngine;
}

const POLICY_KINDS = ['CiliumNetworkPolicy', 'CiliumClusterwideNetworkPolicy'];

/** Cilium policies and Kubernetes NetworkPolicies: the objects whose rules the report shows. */
function isPolicy(o: any): boolean {
  return (!!o && typeof o === 'object' && POLICY_KINDS.includes(o.kind)) || isNetworkPolicy(o);
}

/** A NetworkPolicy's rules in the shape the helpers below read (`fromCIDRSet`/`toCIDRSet`, `toPorts`). */
function networkPolicySpec(o: any): any {
  const item = (r: any, peers: string, cidrs: string) => ({
    [cidrs]: (Array.isArray(r?.[peers]) ? r[peers] : []).filter((p: any) => p?.ipBlock?.cidr).map((p: any) => ({ cidr: p.ipBlock.cidr })),
    toPorts: [{ ports: (Array.isArray(r?.ports) ? r.ports : []).map((p: any) => ({ port: p?.port === undefined ? undefined : String(p.port), protocol: p?.protocol ?? 'TCP', endPort: p?.endPort })) }],
  });
  return {
    ingress: (Array.isArray(o.spec?.ingress) ? o.spec.ingress : []).map((r: any) => item(r, 'from', 'fromCIDRSet')),
    egress: (Array.isArray(o.spec?.egress) ? o.spec.egress : []).map((r: any) => item(r, 'to', 'toCIDRSet')),
  };
}

function specsOf(o: any): any[] {
  if (isNetworkPolicy(o)) return [networkPolicySpec(o)];
  const out: any[] = [];
  if (o.spec && typeof o.spec === 'object') out.push(o.spec);
  if (Array.isArray(o.specs)) out.push(...o.specs.filter((s: any) => s && typeof s === 'object'));
  return out;
}

function rulesOf(spec: any): any[] {
  return ['ingress', 'ingressDeny', 'egress', 'egressDeny'].flatMap((k) => (Array.isArray(spec[k]) ? spec[k] : []));
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A deterministic address inside an IPv4 CIDR (the first host), or undefined. */
function hostIn(cidr: string): string | undefined {
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/.exec(cidr);
  if (!m) return undefined;
  const parts = m.slice(1, 5).map(Number);
  const bits = Number(m[5]);
  if (parts.some((p) => p > 255) || bits > 32) return undefined;
  let v = ((parts[0] << 24) >>> 0) + (parts[1] << 16) + (parts[2] << 8) + parts[3];
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  v = (v & mask) >>> 0;
  if (bits < 31) v += 1;
  return [v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255].join('.');
}

/** The non-pod peers worth showing: the internet, the cluster's own entities, and every CIDR and FQDN a policy names. */
function peersOf(policies: readonly any[], dns: Record<string, readonly string[]>, groups: readonly CidrGroup[]): ReportPeer[] {
  const out: ReportPeer[] = [
    { ref: 'world:203.0.113.10', name: 'the internet (world)' },
    { ref: 'kube-apiserver', name: 'kube-apiserver' },
    { ref: 'host', name: 'host (node)' },
    { ref: 'remote-node', name: 'remote-node' },
    { ref: 'ingress', name: 'ingress (Cilium Gateway/Ingress proxy)' },
  ];
  const cidrs = new Set<string>();
  for (const o of policies) {
    for (const spec of specsOf(o)) {
      for (const r of rulesOf(spec)) {
        for (const c of [...(r.fromCIDR ?? []), ...(r.toCIDR ?? [])]) if (typeof c === 'string') cidrs.add(c);
        for (const c of [...(r.fromCIDRSet ?? []), ...(r.toCIDRSet ?? [])]) {
          if (c && typeof c.cidr === 'string') cidrs.add(c.cidr);
          else if (c && (c.cidrGroupRef !== undefined || c.cidrGroupSelector !== undefined)) for (const p of cidrGroupPrefixes(c, groups)) cidrs.add(p.text);
        }
      }
    }
  }
  for (const c of [...cidrs].sort()) {
    const ip = hostIn(c);
    if (ip && c !== '0.0.0.0/0') out.push({ ref: `world:${ip}`, name: `${c} (${ip})` });
  }
  for (const name of Object.keys(dns).sort()) {
    const ip = dns[name][0];
    if (ip) out.push({ ref: `world:${ip}`, name: `${name} (${ip})` });
  }
  const seen = new Set<string>();
  return out.filter((p) => (seen.has(p.ref) ? false : (seen.add(p.ref), true)));
}

/** `toFQDNs` names without an answer in `dns` get one from 198.51.100.0/24 (TEST-NET-2). */
function fqdnAnswers(policies: readonly any[], given: Readonly<Record<string, readonly string[]>>): Record<string, readonly string[]> {
  const names = new Set<string>();
  for (const o of policies) {
    for (const spec of specsOf(o)) {
      for (const r of Array.isArray(spec.egress) ? spec.egress : []) {
        for (const f of r?.toFQDNs ?? []) if (f && typeof f.matchName === 'string') names.add(f.matchName.replace(/\.$/, ''));
      }
    }
  }
  const out: Record<string, readonly string[]> = { ...given };
  let next = 20;
  for (const n of [...names].sort()) {
    if (!out[n]) out[n] = [`198.51.100.${next++}`];
  }
  return out;
}

function addPort(set: Map<string, ProbePort>, proto: string, port: number): void {
  if (!Number.isInteger(port) || port <= 0 || port > 65535) return;
  const protos: FlowProto[] = proto === 'ANY' || proto === '' ? ['TCP', 'UDP'] : proto === 'TCP' || proto === 'UDP' || proto === 'SCTP' ? [proto] : [];
  for (const p of protos) set.set(`${p}/${port}`, { proto: p, port });
}

/** The ports to probe: every port of the policies (named ports resolved through the pods) and every named pod port. */
function portsOf(policies: readonly any[], pods: readonly ReportPod[]): ProbePort[] {
  const set = new Map<string, ProbePort>();
  const named = new Map<string, string[]>();
  for (const p of pods) {
    for (const [n, v] of Object.entries(p.namedPorts ?? {})) {
      const list = named.get(n);
      if (list) list.push(v);
      else named.set(n, [v]);
      const [num, proto] = v.split('/');
      if (p.declared) addPort(set, (proto ?? 'TCP').toUpperCase(), Number(num));
    }
  }
  for (const o of policies) {
    for (const spec of specsOf(o)) {
      for (const r of rulesOf(spec)) {
        for (const tp of r?.toPorts ?? []) {
          for (const pp of tp?.ports ?? []) {
            if (!pp) continue;
            const proto = typeof pp.protocol === 'string' ? pp.protocol.toUpperCase() : 'ANY';
            const raw = pp.port === undefined ? '' : String(pp.port);
            if (/^[0-9]+$/.test(raw)) addPort(set, proto, Number(raw));
            else if (raw) for (const v of named.get(raw) ?? []) addPort(set, proto === 'ANY' ? (v.split('/')[1] ?? 'TCP').toUpperCase() : proto, Number(v.split('/')[0]));
          }
        }
      }
    }
  }
  return [...set.values()].sort((a, b) => a.port - b.port || cmp(a.proto, b.proto));
}

/** Follows a rule path such as `spec.ingress[1].toPorts[0]` into a policy object. */
function at(obj: any, path: string): any {
  let cur = obj;
  for (const part of path.match(/[^.[\]]+/g) ?? []) {
    if (cur === undefined || cur === null) return undefined;
    cur = cur[/^[0-9]+$/.test(part) ? Number(part) : part];
  }
  return cur;
}

function httpText(h: any): string {
  const parts = [h.method ? String(h.method) : 'any method', h.path ? String(h.path) : 'any path'];
  if (h.host) parts.push(`host ${h.host}`);
  for (const hd of h.headers ?? []) parts.push(`header ${hd}`);
  for (const hm of h.headerMatches ?? []) if (hm?.name) parts.push(`header ${hm.name}${hm.value ? `: ${hm.value}` : ''}`);
  return parts.join(' ');
}

function portMatches(pp: any, port: ProbePort): boolean {
  const proto = typeof pp?.protocol === 'string' ? pp.protocol.toUpperCase() : 'ANY';
  if (proto !== 'ANY' && proto !== port.proto) return false;
  const raw = pp?.port === undefined ? '0' : String(pp.port);
  if (!/^[0-9]+$/.test(raw)) return true; // named port: the engine already matched it
  const lo = Number(raw);
  const hi = typeof pp.endPort === 'number' ? pp.endPort : lo;
  return lo === 0 || (port.port >= lo && port.port <= hi);
}

/** HTTP routes of the deciding rule of an allowed direction. */
function httpRoutes(d: DirectionResult | undefined, policies: Map<string, any>, port: ProbePort): string[] {
  if (!d || !d.enforced || d.verdict !== 'ALLOW' || !d.policy || !d.rule) return [];
  const obj = policies.get(formatPolicyRef(d.policy));
  if (!obj) return [];
  const node = at(obj, d.rule);
  if (!node || typeof node !== 'object') return [];
  const portRules: any[] = node.rules ? [node] : (node.toPorts ?? []).filter((tp: any) => (tp?.ports ?? [{}]).some((pp: any) => portMatches(pp, port)));
  const out: string[] = [];
  for (const tp of portRules) {
    for (const h of tp?.rules?.http ?? []) out.push(httpText(h));
    for (const d of tp?.rules?.dns ?? []) out.push(`DNS ${d?.matchName ?? d?.matchPattern ?? '?'}`);
  }
  return [...new Set(out)].sort();
}

function refOf(o: any): string {
  const p: PolicyRefData = o.kind === 'CiliumClusterwideNetworkPolicy'
    ? { kind: o.kind, name: o.metadata?.name ?? '<unnamed>' }
    : { kind: o.kind, namespace: o.metadata?.namespace || 'default', name: o.metadata?.name ?? '<unnamed>' };
  return formatPolicyRef(p);
}

/** The parties and ports of a matrix, found in its input before anything is evaluated. */
export interface MatrixParties {
  /** Declared pods, stand-ins and probes, sorted by namespace, then name. */
  readonly pods: readonly ReportPod[];
  readonly peers: readonly ReportPeer[];
  readonly ports: readonly ProbePort[];
  /** DNS answers of the FQDN peers: the input's, and made-up ones for the other `toFQDNs` names. */
  readonly dns: Readonly<Record<string, readonly string[]>>;
}

/** The DNS answers a matrix of these objects uses: `given`, and one from 198.51.100.0/24 per other `toFQDNs` name. */
export function matrixDns(objects: readonly any[], given: Readonly<Record<string, readonly string[]>> = {}): Record<string, readonly string[]> {
  return fqdnAnswers(objects.filter(isPolicy), given);
}

/** Finds the parties (pods, stand-ins, probes, non-pod peers) and the ports of a matrix. */
export function matrixParties(input: MatrixInput): MatrixParties {
  const policies = input.objects.filter(isPolicy);
  const dns = fqdnAnswers(policies, input.dns ?? {});
  const declared: ReportPod[] = [
    ...(input.endpoints ?? []).map((e) => ({ ...e, origin: 'scenario endpoint', declared: true })),
    // the scenario's endpoints replace the pods derived from the manifests
    ...(input.endpoints && input.endpoints.length > 0 ? [] : podsFromManifests(input.objects)),
  ];
  // a stand-in is dropped when a declared pod of its namespace already carries its labels
  const declaredIn = new Map<string, ReportPod[]>();
  for (const d of declared) {
    const list = declaredIn.get(d.namespace);
    if (list) list.push(d);
    else declaredIn.set(d.namespace, [d]);
  }
  const standIns = [...subjectsFromPolicies(policies), ...standInsFromPolicies(policies)].filter((s) => s.namespaceLabels
    || !(declaredIn.get(s.namespace) ?? []).some((d) => Object.entries(s.labels).every(([k, v]) => d.labels[k] === v || (v === 'any' && k in d.labels))));
  const namespaceNames = [...new Set([...declared, ...standIns].map((p) => p.namespace))].sort();
  const pods = dedupePods([...declared, ...standIns, ...probePods(namespaceNames)]);
  const peers = peersOf(policies, dns, cidrGroupsOf(input.objects));
  const ports = portsOf(policies, pods);
  return { pods, peers, ports, dns };
}

/** Evaluates the matrix. Deterministic: the same input gives the same flows in the same order. */
export function connectivityMatrix(input: MatrixInput): Matrix {
  return evaluateMatrix(matrixParties(input), input);
}

/**
 * Evaluates every pair of the given parties on every given port against the objects of the
 * input (its policies, Namespace and Service objects, and its scenario's namespaces, services
 * and Cilium settings). The parties may come from another input, or from several.
 */
export function evaluateMatrix(parties: MatrixParties, input: MatrixInput): Matrix {
  const policies = input.objects.filter(isPolicy);
  const { pods, peers, ports } = parties;
  const { engine, twins } = matrixEngine(parties, input);

  const byRef = new Map<string, any>();
  for (const o of policies) byRef.set(refOf(o), o);

  const ends: { name: string; ref: string; namespace?: string; pod: boolean }[] = [
    ...pods.map((p) => ({ name: p.name, ref: p.name, namespace: p.namespace, pod: true })),
    ...peers.map((p) => ({ name: p.name, ref: p.ref, pod: false })),
  ];
  const flows: MatrixFlow[] = [];
  for (const src of ends) {
    for (const dst of ends) {
      if (!src.pod && !dst.pod) continue;
      const dstRef = src === dst ? twins.get(dst.ref) : dst.ref;
      if (dstRef === undefined) continue;
      for (const port of ports) {
        const flow: FlowInput = { src: src.ref, dst: dstRef, proto: port.proto, port: port.port };
        const result = engine.explain(flow);
        const enforced = !!(result.egress?.enforced || result.ingress?.enforced);
        const http = [...new Set([...httpRoutes(result.egress, byRef, port), ...httpRoutes(result.ingress, byRef, port)])].sort();
        flows.push({
          src: src.name, dst: dst.name, srcNamespace: src.namespace, dstNamespace: dst.namespace,
          proto: port.proto, port: port.port, result, http, enforced,
        });
      }
    }
  }
  return { ...matrixFacts(parties, engine), flows };
}

/** The matrix of the parties without its flows: pods, peers, ports, which policies select each pod, what has no effect. */
export function matrixFacts(parties: MatrixParties, engine: PolicyEngine): Omit<Matrix, 'flows'> {
  const { pods, peers, ports, dns } = parties;
  const selecting: Record<string, string[]> = {};
  for (const p of pods) selecting[p.name] = engine.policiesSelecting(p.name).map(formatPolicyRef).sort();
  const inert = [...new Set(engine.inert.map((i) => i.message))].sort();
  const unevaluated = [...new Set(engine.unevaluated.map((u) => u.message))].sort();
  return { pods, peers, ports, inert, unevaluated, selecting, dns, engine };
}

/** The engine a matrix evaluates with: the parties as endpoints (with a second replica of each workload). */
export function matrixEngine(parties: MatrixParties, input: MatrixInput): { engine: PolicyEngine; twins: Map<string, string> } {
  const { pods, dns } = parties;
  // namespace labels: stand-ins selected by namespace labels, Namespace objects, then the scenario
  const derived = workloadObjects(input.objects.map((object) => ({ object })));
  const namespaces: Record<string, NamespaceDef> = {};
  for (const p of pods) if (p.namespaceLabels) namespaces[p.namespace] = { labels: { ...p.namespaceLabels } };
  Object.assign(namespaces, derived.namespaces, input.namespaces ?? {});
  const services = [...(input.services ?? []), ...derived.services.filter((d) => !(input.services ?? []).some((s) => s.name === d.name && s.namespace === d.namespace))];

  // a second pod of each declared workload, so that traffic between its replicas is evaluated too
  const twins = new Map<string, string>();
  for (const p of pods) if (p.group) twins.set(p.name, `${p.name} (another replica)`);
  // every object: the engine takes the policies, CIDR groups, and names what it does not evaluate
  const engine = new PolicyEngine(input.objects, {
    env: input.env,
    namespaces,
    endpoints: [...pods, ...pods.filter((p) => p.group).map((p) => ({ ...p, name: twins.get(p.name)! }))],
    services,
    dns,
    admissions: input.admissions,
  });

  return { engine, twins };
}

/**
 * Library API of the offline Cilium policy verifier.
 *
 * ```ts
 * const scenario = loadScenario('app.connectivity.yaml');
 * const engine = createEngine(scenario, loadManifests(['dist/']));
 * engine.explain({ src: 'frontend', dst: 'backend', proto: 'TCP', port: 80 });
 * ```
 */
import { PolicyEngine } from './engine';
import { workloadObjects } from './manifests';
import { EndpointDef, FlowInput, FlowResult, PolicyManifest, Scenario, VerdictName } from './model';

export * from './model';
export { PolicyEngine, EngineOptions, InertPolicy } from './engine';
export { loadScenario, parseScenario, parseScenarioObject } from './scenario';
export { loadManifests, parseManifests, parseYamlDocuments } from './manifests';

/** Anything that can stand for a manifest: a parsed object or a `{object, source}` pair. */
export type ManifestLike = PolicyManifest | Record<string, any>;

function asManifest(m: ManifestLike): PolicyManifest {
  const o = m as any;
  if (o && typeof o === 'object' && 'object' in o && Object.keys(o).every((k) => k === 'object' || k === 'source')) return o as PolicyManifest;
  return { object: o };
}

/**
 * Builds an engine for a scenario (its inline `policies`, endpoints, services, dns, env) plus
 * extra manifests (e.g. from `--manifests`). Services and Namespaces among the manifests are
 * used for `toServices` and namespace labels unless the scenario defines them.
 */
export function createEngine(scenario?: Scenario, manifests: readonly ManifestLike[] = []): PolicyEngine {
  const extra = manifests.map(asManifest);
  const all = [...(scenario?.policies ?? []), ...extra];
  const derived = workloadObjects(all);
  const namespaces = { ...derived.namespaces, ...(scenario?.namespaces ?? {}) };
  const services = [...(scenario?.services ?? []), ...derived.services.filter((d) => !(scenario?.services ?? []).some((s) => s.name === d.name && s.namespace === d.namespace))];
  return new PolicyEngine(all, {
    env: scenario?.env,
    namespaces,
    endpoints: scenario?.endpoints ?? [],
    services,
    dns: scenario?.dns ?? {},
  });
}

/** Result of one scenario flow. */
export interface FlowOutcome {
  readonly index: number;
  readonly flow: FlowInput;
  readonly result: FlowResult;
  /** Present when the flow has `expect`. */
  readonly ok?: boolean;
}

export interface ScenarioReport {
  readonly outcomes: readonly FlowOutcome[];
  readonly expected: number;
  readonly unexpected: number;
  readonly unchecked: number;
}

/** Evaluates every flow of a scenario. */
export function runScenario(scenario: Scenario, manifests: readonly ManifestLike[] = [], engine?: PolicyEngine): ScenarioReport {
  const e = engine ?? createEngine(scenario, manifests);
  let expected = 0;
  let unexpected = 0;
  let unchecked = 0;
  const outcomes = scenario.flows.map((flow, index) => {
    const result = e.explain(flow);
    let ok: boolean | undefined;
    if (flow.expect) {
      ok = result.verdict === flow.expect;
      if (ok) expected++;
      else unexpected++;
    } else {
      unchecked++;
    }
    return { index, flow, result, ok };
  });
  return { outcomes, expected, unexpected, unchecked };
}

/** A port (and protocol) probed in a connectivity matrix. */
export interface MatrixPort {
  readonly proto: 'TCP' | 'UDP' | 'SCTP' | 'ICMP';
  readonly port?: number;
}

/** Endpoints with the same identity (and named ports) behave the same; the matrix evaluates one of each. */
export interface IdentityGroup {
  readonly key: string;
  readonly members: readonly string[];
}

export interface ConnectivityMatrix {
  readonly groups: readonly IdentityGroup[];
  readonly ports: readonly MatrixPort[];
  /** verdicts[srcGroup][dstGroup][port] */
  readonly verdicts: readonly (readonly (readonly VerdictName[])[])[];
  /** Same shape as verdicts. */
  readonly reasons: readonly (readonly (readonly string[])[])[];
  /** Verdict between two endpoint (or peer) names. */
  verdict(src: string, dst: string, port: MatrixPort): VerdictName | undefined;
}

/**
 * Connectivity between every pair of the given endpoints (default: all scenario endpoints)
 * on every port. Endpoints are grouped by identity labels and named ports, so the cost grows
 * with the number of distinct identities, not pods.
 */
export function connectivityMatrix(engine: PolicyEngine, ports: readonly MatrixPort[], names?: readonly string[]): ConnectivityMatrix {
  const list = names ?? engine.endpoints.map((e: EndpointDef) => e.name);
  const groupsByKey = new Map<string, string[]>();
  const keyOf = new Map<string, string>();
  for (const n of list) {
    const p = engine.resolvePeer(n);
    if (!p) throw new Error(`unknown endpoint or peer ${JSON.stringify(n)}`);
    const np = p.endpoint?.namedPorts ?? {};
    const sig = Object.keys(np)
      .map((k) => `${k.toLowerCase()}=${np[k]}`)
      .sort()
      .join(',');
    const key = `${p.kind}|${p.identityKey}|${sig}|${p.kind === 'pod' ? '' : p.ip ?? ''}`;
    keyOf.set(n, key);
    const g = groupsByKey.get(key) ?? [];
    g.push(n);
    groupsByKey.set(key, g);
  }
  const groups: IdentityGroup[] = [...groupsByKey.entries()].map(([key, members]) => ({ key, members }));
  const verdicts: VerdictName[][][] = [];
  const reasons: string[][][] = [];
  for (const sg of groups) {
    const vrow: VerdictName[][] = [];
    const rrow: string[][] = [];
    for (const dg of groups) {
      const vs: VerdictName[] = [];
      const rs: string[] = [];
      for (const port of ports) {
        // a pod to itself never leaves the pod; use another member as destination when possible
        const src = sg.members[0];
        const dst = sg === dg && dg.members.length > 1 ? dg.members[1] : dg.members[0];
        const r = engine.explain({ src, dst, proto: port.proto, port: port.port });
        vs.push(r.verdict);
        rs.push(r.reason);
      }
      vrow.push(vs);
      rrow.push(rs);
    }
    verdicts.push(vrow);
    reasons.push(rrow);
  }
  const index = new Map<string, number>();
  groups.forEach((g, i) => g.members.forEach((m) => index.set(m, i)));
  return {
    groups,
    ports,
    verdicts,
    reasons,
    verdict(src: string, dst: string, port: MatrixPort): VerdictName | undefined {
      const si = index.get(src);
      const di = index.get(dst);
      const pi = ports.findIndex((p) => p.proto === port.proto && p.port === port.port);
      if (si === undefined || di === undefined || pi < 0) return undefined;
      return verdicts[si][di][pi];
    },
  };
}

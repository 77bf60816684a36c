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
import { cellMembers, matrixVerdictCodes, VERDICT_CODES } from './matrix';
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
  /** verdicts[srcGroup][dstGroup][port]. Cells with the same verdicts share one (frozen) array. */
  readonly verdicts: readonly (readonly (readonly VerdictName[])[])[];
  /**
   * Same shape as verdicts. Computed with `explain` on first access, one call per cell: on large
   * matrices prefer `reason()` / `reasonAt()`.
   */
  readonly reasons: readonly (readonly (readonly string[])[])[];
  /** Verdict between two endpoint (or peer) names. */
  verdict(src: string, dst: string, port: MatrixPort): VerdictName | undefined;
  /** Verdict of a cell by group and port indexes. */
  verdictAt(srcGroup: number, dstGroup: number, port: number): VerdictName;
  /** Why `verdict(src, dst, port)` is what it is (computed on demand with `explain`). */
  reason(src: string, dst: string, port: MatrixPort): string | undefined;
  /** Why a cell has its verdict, by group and port indexes (computed on demand with `explain`). */
  reasonAt(srcGroup: number, dstGroup: number, port: number): string;
}

/**
 * Connectivity between every pair of the given endpoints (default: all scenario endpoints)
 * on every port, for connections without HTTP or DNS payload. Endpoints are grouped by
 * identity labels and named ports, so the cost grows with the number of distinct identities,
 * not pods. Verdicts come from a per-identity policy map (`matrix.ts`) and equal
 * `engine.explain()` for the cell's members; reasons are computed with `explain` when asked.
 */
export function connectivityMatrix(engine: PolicyEngine, ports: readonly MatrixPort[], names?: readonly string[]): ConnectivityMatrix {
  const list = names ?? engine.endpoints.map((e: EndpointDef) => e.name);
  const groupsByKey = new Map<string, string[]>();
  for (const n of list) {
    const p = engine.resolvePeer(n);
    if (!p) throw new Error(`unknown endpoint or peer ${JSON.stringify(n)}`);
    const np = p.endpoint?.namedPorts ?? {};
    const sig = Object.keys(np)
      .map((k) => `${k.toLowerCase()}=${np[k]}`)
      .sort()
      .join(',');
    const key = `${p.kind}|${p.identityKey}|${sig}|${p.kind === 'pod' ? '' : p.ip ?? ''}`;
    const g = groupsByKey.get(key);
    if (g) g.push(n);
    else groupsByKey.set(key, [n]);
  }
  const groups: IdentityGroup[] = [...groupsByKey.entries()].map(([key, members]) => ({ key, members }));
  const n = groups.length;
  const np = ports.length;
  const { codes } = matrixVerdictCodes(engine, groups, ports);

  // cells share one frozen array per combination of verdicts
  const shared = new Map<number | string, readonly VerdictName[]>();
  const small = np <= 16; // a number keys the combination
  const cellOf = (at: number): readonly VerdictName[] => {
    let key: number | string;
    if (small) {
      key = 0;
      for (let p = 0; p < np; p++) key = key * 3 + codes[at + p];
    } else {
      key = codes.subarray(at, at + np).join('');
    }
    let cell = shared.get(key);
    if (!cell) {
      cell = Object.freeze(Array.from(codes.subarray(at, at + np), (c) => VERDICT_CODES[c]));
      shared.set(key, cell);
    }
    return cell;
  };
  const verdicts: (readonly VerdictName[])[][] = [];
  for (let s = 0; s < n; s++) {
    const row: (readonly VerdictName[])[] = new Array(n);
    for (let d = 0; d < n; d++) row[d] = cellOf((s * n + d) * np);
    verdicts.push(row);
  }

  const index = new Map<string, number>();
  groups.forEach((g, i) => g.members.forEach((m) => index.set(m, i)));
  const portIndex = (port: MatrixPort) => ports.findIndex((p) => p.proto === port.proto && p.port === port.port);
  const reasonAt = (si: number, di: number, pi: number): string => {
    const cell = cellMembers(groups, si, di);
    return engine.explain({ src: cell.src, dst: cell.dst, proto: ports[pi].proto, port: ports[pi].port }).reason;
  };
  let reasons: string[][][] | undefined;
  return {
    groups,
    ports,
    verdicts,
    get reasons(): readonly (readonly (readonly string[])[])[] {
      if (!reasons) reasons = groups.map((_s, si) => groups.map((_d, di) => ports.map((_p, pi) => reasonAt(si, di, pi))));
      return reasons;
    },
    verdict(src: string, dst: string, port: MatrixPort): VerdictName | undefined {
      const si = index.get(src);
      const di = index.get(dst);
      const pi = portIndex(port);
      if (si === undefined || di === undefined || pi < 0) return undefined;
      return VERDICT_CODES[codes[(si * n + di) * np + pi]];
    },
    verdictAt(si: number, di: number, pi: number): VerdictName {
      return VERDICT_CODES[codes[(si * n + di) * np + pi]];
    },
    reason(src: string, dst: string, port: MatrixPort): string | undefined {
      const si = index.get(src);
      const di = index.get(dst);
      const pi = portIndex(port);
      if (si === undefined || di === undefined || pi < 0) return undefined;
      return reasonAt(si, di, pi);
    },
    reasonAt,
  };
}

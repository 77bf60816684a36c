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
import type { AdmissionCache } from './intake/admission-cache';
import { workloadObjects } from './intake/workloads';
import { FlowInput, FlowResult, PolicyManifest, Scenario } from './model';

export * from './model';
export { PolicyEngine, EngineOptions, InertPolicy } from './engine';
export { connectivityMatrix, ConnectivityMatrix, IdentityGroup } from './matrix';
export { loadScenario, parseScenario, parseScenarioObject } from './scenario';
export { loadManifests, parseManifests, parseYamlDocuments } from './intake/manifests';

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
export function createEngine(scenario?: Scenario, manifests: readonly ManifestLike[] = [], options: CreateEngineOptions = {}): PolicyEngine {
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
    admissions: options.admissions,
  });
}

/** Options of `createEngine`. */
export interface CreateEngineOptions {
  /** Admissions shared with other readers of the same manifest objects (see `AdmissionCache`). */
  readonly admissions?: AdmissionCache;
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

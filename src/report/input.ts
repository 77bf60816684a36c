/**
 * Reading the report's inputs with the verifier's loaders: manifest files and folders
 * (multi-document YAML, read as kubectl reads them) and connectivity scenario files
 * (scenario-format.md; unknown keys are ignored).
 */
import { loadManifests } from '../verify/intake/manifests';
import { Scenario } from '../verify/model';
import { loadScenario } from '../verify/scenario';
import { MatrixInput } from './matrix';

/** A manifest object and the file it came from. */
export interface SourcedObject {
  readonly object: any;
  readonly file: string;
}

/** A validated scenario (the verifier's `Scenario`). */
export type ScenarioInput = Scenario;

/** Reads every object of the given files and folders (folders: `*.yaml`, `*.yml`, `*.json`, recursively, sorted). */
export function readManifests(paths: readonly string[]): SourcedObject[] {
  return loadManifests(paths).map((m) => ({ object: m.object, file: String(m.source ?? '').replace(/#\d+$/, '') }));
}

/** Reads and validates a connectivity scenario file; throws `InputError` naming the file and the key. */
export function readScenario(file: string): ScenarioInput {
  return loadScenario(file);
}

/**
 * The matrix input of manifest objects with scenarios: the scenarios' endpoints stand for the
 * workloads (the first of a name wins), their namespaces, DNS answers, services and Cilium
 * settings apply, and their own `policies` join the objects.
 */
export function scenarioMatrixInput(objects: readonly any[], scenarios: readonly ScenarioInput[]): MatrixInput {
  const endpoints = new Map<string, any>();
  const namespaces: Record<string, any> = {};
  const dns: Record<string, string[]> = {};
  let env = {};
  for (const s of scenarios) {
    for (const e of s.endpoints) if (!endpoints.has(e.name)) endpoints.set(e.name, e);
    Object.assign(namespaces, s.namespaces);
    Object.assign(dns, s.dns);
    env = { ...s.env, ...env };
  }
  return {
    objects: [...objects, ...scenarios.flatMap((s) => s.policies.map((p) => p.object))],
    endpoints: endpoints.size ? [...endpoints.values()] : undefined,
    namespaces,
    services: scenarios.flatMap((s) => s.services),
    dns,
    env,
  };
}

/**
 * Reading the report's inputs with the verifier's loaders: manifest files and folders
 * (multi-document YAML, read as kubectl reads them) and connectivity scenario files
 * (scenario-format.md; unknown keys are ignored).
 */
import { loadManifests } from '../verify/intake/manifests';
import { Scenario } from '../verify/model';
import { loadScenario } from '../verify/scenario';

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

/**
 * Reading the manifests cdk8s synthesized, once. cdk8s-cli's `context.parseManifest` composes a
 * full YAML document model first (12 s for the 23 MB of the 1,000-cluster `npm run bench` estate);
 * js-yaml with the YAML 1.2 core schema — what cdk8s writes and what `parseManifest` reads — takes
 * a fifth of that. Any file js-yaml cannot read goes through `parseManifest`, so the plugin never
 * reads less than cdk8s-cli would.
 */
import * as fs from 'fs';
import type { ValidationContext } from 'cdk8s-cli/plugins';
import * as jsyaml from 'js-yaml';

/** The objects of a synthesized manifest file, as cdk8s-cli's `parseManifest` gives them. */
export function readSynthesized(context: ValidationContext, manifestPath: string): any[] {
  try {
    return jsyaml.loadAll(fs.readFileSync(manifestPath, 'utf8'), null, { schema: jsyaml.CORE_SCHEMA }) as any[];
  } catch {
    return context.parseManifest(manifestPath);
  }
}

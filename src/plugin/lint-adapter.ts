/**
 * The plugin's view of the verifier's lint findings (`src/verify/lint.ts`): per resource, with
 * the manifest file and the location inside the object.
 */
import type { AdmissionCache } from '../verify/intake/admission-cache';
import { lintManifests } from '../verify/lint/lint';

/** One finding about one resource. */
export interface LintFinding {
  readonly severity: 'error' | 'warning';
  /** Rule id, e.g. `empty-section`. */
  readonly rule: string;
  readonly message: string;
  readonly fix: string;
  /** `metadata.name` of the resource (cdk8s-cli maps it to the construct path). */
  readonly resourceName: string;
  /** Field paths inside the resource. */
  readonly locations: string[];
  readonly manifestPath: string;
}

interface Located {
  readonly object: any;
  readonly manifestPath: string;
}

/** `Kind namespace/name`, as the linter names objects. */
function objName(o: any): string {
  const ns = o?.metadata?.namespace;
  return `${o?.kind ?? '?'} ${ns ? `${ns}/` : ''}${o?.metadata?.name ?? '?'}`;
}

/** Lints every object (some checks look across policies), at the given Cilium version. */
export function lintObjects(located: readonly Located[], version?: string, admissions?: AdmissionCache): LintFinding[] {
  const findings = lintManifests(located.map((l) => ({ file: l.manifestPath, object: l.object })), { version, admissions });
  const byKey = new Map<string, Located>();
  for (const l of located) byKey.set(`${l.manifestPath}\u0000${objName(l.object)}`, l);
  return findings.map((f) => {
    const l = byKey.get(`${f.file}\u0000${f.object}`);
    const name = l && typeof l.object?.metadata?.name === 'string' ? l.object.metadata.name : f.object.replace(/^\S+ (?:[^/]+\/)?/, '');
    return {
      severity: f.severity,
      rule: f.rule,
      message: `${f.object}: ${f.message}`,
      fix: f.fix,
      resourceName: name,
      locations: [f.path || '/'],
      manifestPath: f.file,
    };
  });
}

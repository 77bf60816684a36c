/**
 * The connectivity reports of the examples, made as the tools make them:
 * - as the cdk8s validation plugin writes them on `npm run synth`: one per chart of
 *   examples/main.ts, with the scenario files that cdk8s.yaml binds to that chart's manifest,
 *   the title `Connectivity report: <chart>` and the same "Made from" line;
 * - as `cilium-verify report <chart>.k8s.yaml` writes them without a scenario (the workloads of
 *   the manifests, named `namespace/name ...`, and stand-ins for the pods the policies name).
 */
import * as fs from 'fs';
import * as path from 'path';
import { App, Chart, Testing } from 'cdk8s';
import * as YAML from 'yaml';
import { CnpgCiliumExample } from '../../examples/cnpg-cilium';
import { FlaskPostgresExample } from '../../examples/flask-postgres';
import { FrontendBackendExample } from '../../examples/frontend-backend';
import { GatewayDemoExample } from '../../examples/gateway-demo';
import { PolicyLayerExample } from '../../examples/policy-layer';
import { connectivityReport, readScenario } from '../../src/report';

export const ROOT = path.join(__dirname, '..', '..');

/** The charts of examples/main.ts, by chart id. */
export const EXAMPLE_CHARTS: Readonly<Record<string, (app: App, id: string) => Chart>> = {
  'policy-layer': (a, id) => new PolicyLayerExample(a, id),
  'cnpg-cilium': (a, id) => new CnpgCiliumExample(a, id),
  'flask-postgres': (a, id) => new FlaskPostgresExample(a, id),
  'gateway-demo': (a, id) => new GatewayDemoExample(a, id),
  'frontend-backend': (a, id) => new FrontendBackendExample(a, id),
};

/** The scenario files (relative to the project) that cdk8s.yaml binds to each chart's manifest. */
export function scenarioBindings(): Record<string, string[]> {
  const project = YAML.parse(fs.readFileSync(path.join(ROOT, 'cdk8s.yaml'), 'utf8'));
  const out: Record<string, string[]> = {};
  for (const v of project.validations ?? []) {
    for (const s of v.properties?.scenarios ?? []) {
      const file: string = typeof s === 'string' ? s : s.file;
      const manifests: string[] = typeof s === 'string' ? Object.keys(EXAMPLE_CHARTS).map((c) => `${c}.k8s.yaml`) : s.manifests;
      for (const m of manifests) {
        const chart = m.replace(/\.k8s\.yaml$/, '');
        out[chart] = [...(out[chart] ?? []), file];
      }
    }
  }
  return out;
}

/** One report of one example. */
export interface ExampleReport {
  readonly chart: string;
  /** `plugin`: with the chart's scenarios, as `npm run synth` writes it; `manifests`: without a scenario. */
  readonly variant: 'plugin' | 'manifests';
  readonly markdown: string;
}

/** The synthesized objects of a chart, as `npm run synth` writes them (same chart id). */
export function synthExample(chart: string): any[] {
  const make = EXAMPLE_CHARTS[chart];
  if (!make) throw new Error(`no example chart ${chart}`);
  return Testing.synth(make(Testing.app(), chart));
}

/** The report of one example chart. */
export function exampleReport(chart: string, variant: ExampleReport['variant'] = 'plugin'): ExampleReport {
  const objects = synthExample(chart);
  if (variant === 'manifests') {
    return { chart, variant, markdown: connectivityReport({ objects, sources: [`${chart}.k8s.yaml`] }).markdown };
  }
  const files = scenarioBindings()[chart] ?? [];
  const report = connectivityReport({
    objects,
    // named as cdk8s.yaml names them (relative to the project, where `npm run synth` runs)
    scenarios: files.map((f) => ({ ...readScenario(path.join(ROOT, f)), file: f })),
    title: `Connectivity report: ${chart}`,
    sources: [`${chart}.k8s.yaml`, ...files],
  });
  return { chart, variant, markdown: report.markdown };
}

/** Both reports of every example chart. */
export function exampleReports(): ExampleReport[] {
  return Object.keys(EXAMPLE_CHARTS).flatMap((c) => [exampleReport(c, 'plugin'), exampleReport(c, 'manifests')]);
}

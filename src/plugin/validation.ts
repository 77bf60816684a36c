/**
 * cdk8s validation plugin: on every `cdk8s synth`, lints the synthesized Cilium policies, checks
 * the connectivity scenarios named in its properties, and writes the connectivity report
 * (Markdown with a Mermaid diagram) beside the YAML, and, with `baseline:`, the connectivity
 * diff against earlier manifests (src/plugin/baseline.ts). Violations are reported per resource, with
 * the construct path (cdk8s-cli maps resource names through construct-metadata.json); errors
 * fail the synth, warnings too with `failOnWarnings`.
 *
 * ```yaml
 * # cdk8s.yaml
 * validations:
 *   - package: ./node_modules/cdk8s-secured-postgres/plugin
 *     version: 0.1.0
 *     class: CiliumPolicyValidation
 *     properties: { scenarios: [my.connectivity.yaml], report: dist/connectivity.md }
 * ```
 *
 * Not part of the jsii API: cdk8s-cli is a Node tool. Its types are imported with `import type`,
 * so the CLI is not needed at run time.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { Validation, ValidationContext, ValidationViolation } from 'cdk8s-cli/plugins';
import { CheckedFlow, checkScenarios, connectivityReport, displayPath, readScenario, ScenarioInput } from '../report';
import { InputError, formatPolicyRef } from '../verify/model';
import { baselineDiff } from './baseline';
import { AdmissionCache } from '../verify/intake/admission-cache';
import { LintFinding, lintObjects } from './lint-adapter';
import { readSynthesized } from './manifests';

/** A scenario file, optionally checked against some of the synthesized manifests only. */
export interface ScenarioRef {
  /** The scenario file (relative to the directory `cdk8s synth` runs in). */
  readonly file: string;
  /**
   * File names of the synthesized manifests (e.g. `cnpg-cilium.k8s.yaml`) the scenario is
   * checked against.
   * @default - every synthesized manifest
   */
  readonly manifests?: string[];
}

/** Properties of the plugin (`properties:` in cdk8s.yaml). */
export interface CiliumPolicyValidationProps {
  /** Connectivity scenario files to check: file names, or `{ file, manifests }`. */
  readonly scenarios?: (string | ScenarioRef)[];
  /**
   * Where to write the connectivity report (relative to the directory `cdk8s synth` runs in).
   * `{chart}` in the name writes one report per synthesized manifest file, e.g.
   * `{outdir}/{chart}.connectivity.md`, and treats each manifest as a deployment of its own (lint
   * looks across the policies of one manifest only). `{outdir}` is the folder the manifests were
   * synthesized to (`cdk8s synth --output`, `CDK8S_OUTDIR`). `false` writes none.
   * @default connectivity.md beside the synthesized manifests
   */
  readonly report?: string | false;
  /** Fail the synth on warnings too. @default false */
  readonly failOnWarnings?: boolean;
  /** Title of the report. @default 'Connectivity report' */
  readonly title?: string;
  /** Cilium version the lint findings are for ("1.16" .. "1.19"). @default '1.19' */
  readonly version?: string;
  /**
   * A folder of earlier manifests (e.g. the base branch's synthesis, relative to the directory
   * `cdk8s synth` runs in): writes `{outdir}/connectivity-diff.md`, what the synthesis newly
   * allows and newly refuses compared with it. With `{chart}` in `report` each manifest is
   * compared with the baseline's file of the same name (one section per chart); otherwise all
   * manifests with the whole folder.
   * @default - no diff
   */
  readonly baseline?: string;
}

interface Located {
  readonly object: any;
  readonly manifestPath: string;
}

function isCilium(o: any): boolean {
  return o && (o.kind === 'CiliumNetworkPolicy' || o.kind === 'CiliumClusterwideNetworkPolicy' || (o.kind === 'NetworkPolicy' && o.apiVersion === 'networking.k8s.io/v1'));
}

function chartOf(manifest: string): string {
  return path.basename(manifest).replace(/\.k8s\.ya?ml$/, '').replace(/\.ya?ml$/, '');
}

/** The validation plugin. */
export class CiliumPolicyValidation implements Validation {
  private readonly props: CiliumPolicyValidationProps;
  private readonly scenarios: ScenarioRef[];

  constructor(props: CiliumPolicyValidationProps = {}) {
    const p: any = props ?? {};
    const bad = (what: string) => new Error(`CiliumPolicyValidation: properties.${what}`);
    if (p.scenarios !== undefined && !Array.isArray(p.scenarios)) throw bad('scenarios must be a list of files or { file, manifests }');
    this.scenarios = (p.scenarios ?? []).map((s: any, i: number) => {
      if (typeof s === 'string') return { file: s };
      if (s && typeof s.file === 'string' && (s.manifests === undefined || (Array.isArray(s.manifests) && s.manifests.every((m: any) => typeof m === 'string')))) {
        return { file: s.file, manifests: s.manifests };
      }
      throw bad(`scenarios[${i}] must be a file name or { file, manifests: [file names] }`);
    });
    if (p.report !== undefined && p.report !== false && typeof p.report !== 'string') throw bad('report must be a file name (or false)');
    if (p.failOnWarnings !== undefined && typeof p.failOnWarnings !== 'boolean') throw bad('failOnWarnings must be true or false');
    if (p.title !== undefined && typeof p.title !== 'string') throw bad('title must be a text');
    if (p.version !== undefined && !/^1\.(16|17|18|19)$/.test(String(p.version))) throw bad('version must be one of 1.16, 1.17, 1.18, 1.19');
    if (p.baseline !== undefined && (typeof p.baseline !== 'string' || p.baseline.trim() === '')) {
      throw bad('baseline must be the name of a folder of earlier manifests (e.g. the base branch\'s synthesis)');
    }
    this.props = p;
  }

  public async validate(context: ValidationContext): Promise<void> {
    const manifests = [...context.manifests].sort();
    const located: Located[] = [];
    for (const m of manifests) {
      for (const object of readSynthesized(context, m)) if (object && typeof object === 'object') located.push({ object, manifestPath: m });
    }
    const byRef = new Map<string, Located>();
    for (const l of located) {
      if (!isCilium(l.object)) continue;
      const ns = l.object.kind === 'CiliumClusterwideNetworkPolicy' ? undefined : (l.object.metadata?.namespace || 'default');
      byRef.set(formatPolicyRef({ kind: l.object.kind, namespace: ns, name: l.object.metadata?.name ?? '' }), l);
    }
    const objectsOf = (ms: readonly string[]) => located.filter((l) => ms.includes(l.manifestPath)).map((l) => l.object);

    const violations: ValidationViolation[] = [];
    let lintErrors = 0;
    let warnings = 0;
    let scenarioErrors = 0;
    let flowFailures = 0;

    // 1. lint
    // one violation per finding message (each names its object), with the object's locations
    const groups = new Map<string, LintFinding[]>();
    // with {chart} in the report name every manifest is its own deployment: lint each on its own
    const perChart = typeof this.props.report === 'string' && this.props.report.includes('{chart}');
    const lintGroups = perChart ? manifests.map((m) => located.filter((l) => l.manifestPath === m)) : [located];
    // lint and the reports read the same objects: each policy is admitted once for both
    const admissions = new AdmissionCache();
    for (const f of lintGroups.flatMap((g) => lintObjects(g, this.props.version, admissions))) {
      if (f.severity === 'error') lintErrors++;
      else warnings++;
      const k = `${f.severity}\u0000${f.rule}\u0000${f.message}\u0000${f.fix}`;
      groups.set(k, [...(groups.get(k) ?? []), f]);
    }
    for (const [k, fs2] of [...groups.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      const [severity, rule, message, fix] = k.split('\u0000');
      violations.push({
        ruleName: `${rule} (${severity})`,
        recommendation: message,
        fix: fix || 'see the message',
        violatingResources: fs2.map((f) => ({ resourceName: f.resourceName, locations: f.locations, manifestPath: f.manifestPath })),
      });
    }

    // 2. connectivity scenarios, each against its manifests
    const loaded: { ref: ScenarioRef; input: ScenarioInput; manifests: string[] }[] = [];
    for (const ref of this.scenarios) {
      const ms = ref.manifests ? manifests.filter((m) => ref.manifests!.includes(path.basename(m))) : manifests;
      try {
        if (ref.manifests && ms.length === 0) {
          throw new InputError(ref.file, '', `none of its manifests (${ref.manifests.join(', ')}) was synthesized`);
        }
        loaded.push({ ref, input: readScenario(ref.file), manifests: ms });
      } catch (e: any) {
        scenarioErrors++;
        violations.push({
          ruleName: 'connectivity-scenario (error)',
          recommendation: `scenario ${ref.file} cannot be used: ${e && e.message ? e.message : e}`,
          fix: 'fix the scenario file, or its entry in cdk8s.yaml validations[].properties.scenarios',
          violatingResources: [{ resourceName: path.basename(ref.file), locations: [e instanceof InputError && e.key ? e.key : '/'], manifestPath: ref.file }],
        });
      }
    }
    // A scenario is checked once per set of manifests: its verdicts here and in a report of the same manifests.
    const checkedFlows = new Map<string, CheckedFlow[]>();
    const checksOf = (s: typeof loaded[number], ms: readonly string[]) => {
      const key = `${loaded.indexOf(s)}\u0000${[...ms].sort().join('\u0000')}`;
      let flows = checkedFlows.get(key);
      if (!flows) checkedFlows.set(key, (flows = checkScenarios(objectsOf(ms), [s.input], admissions)));
      return flows;
    };
    let checked = 0;
    for (const s of loaded) {
      for (const f of checksOf(s, s.manifests)) {
        if (f.flow.expect === undefined) continue;
        checked++;
        if (f.flow.expect === f.result.verdict) continue;
        scenarioErrors++;
        flowFailures++;
        const policy = f.result.policy ? byRef.get(formatPolicyRef(f.result.policy)) : undefined;
        const flow = `${f.flow.src} -> ${f.flow.dst} ${f.flow.proto}${f.flow.port !== undefined ? `/${f.flow.port}` : ''}` +
          (f.flow.http ? ` ${f.flow.http.method ?? 'GET'} ${f.flow.http.path ?? '/'}` : '');
        violations.push({
          ruleName: 'connectivity-scenario (error)',
          recommendation: `${displayPath(f.file)} flows[${f.index}] ${flow}: expected ${f.flow.expect}, got ${f.result.verdict}: ${f.result.reason}`,
          fix: f.flow.expect === 'ALLOW' ? 'grant the flow (AccessGrant, or a rule on both sides) or correct the scenario'
            : 'remove or narrow the rule that allows it, or correct the scenario',
          violatingResources: [policy
            ? { resourceName: policy.object.metadata?.name ?? '', locations: [f.result.rule ?? 'spec'], manifestPath: policy.manifestPath }
            : { resourceName: path.basename(f.file), locations: [`flows[${f.index}]`], manifestPath: f.file }],
        });
      }
    }

    // 3. the reports, beside the YAML (with --stdout only when a path is given)
    const written: string[] = [];
    if (this.props.report !== false && (this.props.report || !context.stdout) && manifests.length > 0) {
      const outdir = path.dirname(manifests[0]);
      const template = (this.props.report || path.join(outdir, 'connectivity.md')).split('{outdir}').join(outdir);
      const units = template.includes('{chart}')
        ? manifests.map((m) => ({ file: template.split('{chart}').join(chartOf(m)), manifests: [m], title: `Connectivity report: ${chartOf(m)}` }))
        : [{ file: template, manifests, title: this.props.title ?? 'Connectivity report' }];
      for (const u of units) {
        const scen = loaded.filter((s) => s.manifests.some((m) => u.manifests.includes(m)));
        const report = connectivityReport({
          objects: objectsOf(u.manifests),
          scenarios: scen.map((s) => s.input),
          checks: scen.flatMap((s) => checksOf(s, u.manifests)),
          title: this.props.title ?? u.title,
          // manifests by file name (the output folder may be temporary), scenarios as given
          sources: [...u.manifests.map((m) => path.basename(m)), ...scen.map((s) => displayPath(s.ref.file))],
          admissions,
        });
        if (report.summaryOnly) context.logger.log(`cilium-verify: ${displayPath(path.resolve(u.file))}: summary only: ${report.summaryOnly}`);
        const out = path.resolve(u.file);
        fs.mkdirSync(path.dirname(out), { recursive: true });
        fs.writeFileSync(out, report.markdown);
        written.push(displayPath(out));
      }
    }

    // 4. the diff against the baseline, beside the reports
    let diffSummary: string | undefined;
    let diffErrors = 0;
    if (this.props.baseline !== undefined && manifests.length > 0) {
      const units = (perChart ? manifests.map((m) => [m]) : [manifests]).map((ms) => ({
        chart: perChart ? chartOf(ms[0]) : undefined,
        manifests: ms,
        objects: objectsOf(ms),
        scenarios: loaded.filter((s) => s.manifests.some((m) => ms.includes(m))).map((s) => s.input),
      }));
      const d = baselineDiff(this.props.baseline, units, displayPath(this.props.baseline));
      for (const p of d.problems) {
        diffErrors++;
        violations.push({
          ruleName: 'connectivity-diff (error)',
          recommendation: `baseline ${this.props.baseline} cannot be used: ${p.message}`,
          fix: 'synthesize the earlier manifests (e.g. the base branch) into the folder, or correct properties.baseline in cdk8s.yaml',
          violatingResources: [{ resourceName: path.basename(p.file), locations: [p.key || '/'], manifestPath: p.file }],
        });
      }
      if (d.markdown) {
        const out = path.resolve(path.dirname(manifests[0]), 'connectivity-diff.md');
        fs.writeFileSync(out, d.markdown);
        diffSummary = `${d.allowed} newly allowed, ${d.refused} newly refused: ${displayPath(out)}`;
      }
    }

    for (const v of violations) context.report.addViolation(v);
    const errors = lintErrors + scenarioErrors + diffErrors;
    const failed = errors > 0 || (this.props.failOnWarnings === true && warnings > 0);
    const summary = `cilium-verify: ${byRef.size} Cilium polic${byRef.size === 1 ? 'y' : 'ies'}; lint: ${lintErrors} errors, ${warnings} warnings; ` +
      `scenarios: ${checked - flowFailures} of ${checked} flows as expected` +
      (written.length ? `; report${written.length > 1 ? 's' : ''}: ${written.join(', ')}` : '') +
      (diffSummary ? `; diff: ${diffSummary}` : '');
    context.logger.log(summary);
    context.report.submit(failed ? 'failure' : 'success', {
      'Cilium policies': String(byRef.size),
      'Lint': `${lintErrors} errors, ${warnings} warnings`,
      'Scenario flows': `${checked - flowFailures} of ${checked} as expected`,
      ...(written.length ? { 'Connectivity reports': written.join(', ') } : {}),
      ...(diffSummary ? { 'Connectivity diff': diffSummary } : {}),
    });
  }
}

/**
 * The connectivity report: who may reach whom, on which ports and HTTP routes, what stays
 * refused, per namespace, with a Mermaid flowchart of the allowed flows. Library API of
 * `cilium-verify report` and of the cdk8s validation plugin.
 */
import * as path from 'path';
import type { AdmissionCache } from '../verify/intake/admission-cache';
import { createEngine, runScenario } from '../verify/index';
import { formatPolicyRef } from '../verify/model';
import { ScenarioInput, scenarioMatrixInput } from './input';
import { CheckedFlow, renderMarkdown } from './markdown';
import { Matrix, MatrixFlow, evaluateMatrix, matrixParties } from './matrix';
import { matrixCells, renderSummaryMarkdown, REPORT_CELL_LIMIT, summaryMatrix, summaryNotice } from './summary';

export { readManifests, readScenario, scenarioMatrixInput, ScenarioInput, SourcedObject } from './input';
export { CheckedFlow, MarkdownOptions, renderMarkdown } from './markdown';
export { compareMatrices, connectivityDiff, ConnectivityDiff, ConnectivityDiffOptions, DiffChange, DiffFlow, diffFlowJson, diffNamespace, diffSummary } from './diff';
export { DiffMarkdownOptions, diffMarkdownBody, diffMarkdownIntro, diffMermaid, L7_RULE, renderDiffMarkdown } from './diff-markdown';
export { connectivityMatrix, evaluateMatrix, Matrix, MatrixFlow, MatrixInput, MatrixParties, matrixDns, matrixParties, ProbePort, ReportPeer } from './matrix';
export { ReportPod } from './workloads';
export { matrixCells, REPORT_CELL_LIMIT, summaryNotice } from './summary';

/** Input of a report. */
export interface ConnectivityReportOptions {
  /** The manifest objects (policies, workloads; other kinds are ignored). */
  readonly objects: readonly any[];
  /** Scenarios: their endpoints stand for the workloads, their flows are checked and listed. */
  readonly scenarios?: readonly ScenarioInput[];
  /** Title of the Markdown document. */
  readonly title?: string;
  /** Names of the inputs, listed under the title (keep them relative for reproducible reports). */
  readonly sources?: readonly string[];
  /** Admissions shared with other readers of the same objects (the validation plugin's linter). */
  readonly admissions?: AdmissionCache;
  /**
   * The scenarios' flows already checked against `objects` (`checkScenarios` of the same
   * objects and scenarios): the validation plugin checks them once for its verdicts and its report.
   * @default - checked here
   */
  readonly checks?: readonly CheckedFlow[];
}

/** A rendered report. */
export interface ConnectivityReport {
  readonly markdown: string;
  readonly matrix: Matrix;
  readonly checks: readonly CheckedFlow[];
  /** Checked flows whose verdict is not the expected one. */
  readonly failures: readonly CheckedFlow[];
  /** Set when the estate is too large for the flow tables: the one line that says so (`summary.ts`). */
  readonly summaryOnly?: string;
}

/**
 * Evaluates every flow of the scenarios against the objects (plus each scenario's own
 * `policies`); `admissions` shares the policies' admission with other readers of the objects.
 */
export function checkScenarios(objects: readonly any[], scenarios: readonly ScenarioInput[], admissions?: AdmissionCache): CheckedFlow[] {
  const out: CheckedFlow[] = [];
  const manifests = objects.map((object) => ({ object }));
  for (const s of scenarios) {
    for (const o of runScenario(s, manifests, createEngine(s, manifests, { admissions })).outcomes) {
      out.push({ file: s.file ?? '<scenario>', index: o.index, flow: o.flow, result: o.result });
    }
  }
  return out;
}

/** Builds the report. Deterministic: the same input gives byte-identical Markdown. */
export function connectivityReport(options: ConnectivityReportOptions): ConnectivityReport {
  const scenarios = options.scenarios ?? [];
  const input = { ...scenarioMatrixInput(options.objects, scenarios), admissions: options.admissions };
  const parties = matrixParties(input);
  const checks = options.checks ?? checkScenarios(options.objects, scenarios, options.admissions);
  const failures = checks.filter((c) => c.flow.expect !== undefined && c.flow.expect !== c.result.verdict);
  if (matrixCells(parties) > REPORT_CELL_LIMIT) {
    const matrix = summaryMatrix(parties, input);
    const markdown = renderSummaryMarkdown(matrix, parties, { title: options.title, sources: options.sources });
    return { markdown, matrix, checks, failures, summaryOnly: summaryNotice(parties) };
  }
  const matrix = evaluateMatrix(parties, input);
  const markdown = renderMarkdown(matrix, { title: options.title, sources: options.sources, checks });
  return { markdown, matrix, checks, failures };
}

/** A JSON view of the report, for machines. */
export function reportJson(r: ConnectivityReport): any {
  const allowed = r.matrix.flows.filter((f) => f.enforced && f.result.verdict === 'ALLOW');
  const side = (f: MatrixFlow, dir: 'egress' | 'ingress') => {
    const d = f.result[dir];
    return d && d.enforced && d.policy ? `${formatPolicyRef(d.policy)}${d.rule ? ` ${d.rule}` : ''}` : undefined;
  };
  return {
    version: r.matrix.engine.env.version,
    ports: r.matrix.ports.map((p) => `${p.proto}/${p.port}`),
    pods: r.matrix.pods.map((p) => ({ name: p.name, namespace: p.namespace, labels: p.labels, origin: p.origin, declared: p.declared, selectedBy: r.matrix.selecting[p.name] ?? [] })),
    peers: r.matrix.peers.map((p) => ({ name: p.name, ref: p.ref })),
    allowed: allowed.map((f) => ({
      src: f.src, dst: f.dst, proto: f.proto, port: f.port, http: f.http, egress: side(f, 'egress'), ingress: side(f, 'ingress'),
    })),
    inert: r.matrix.inert,
    unevaluated: r.matrix.unevaluated,
    checks: r.checks.map((c) => ({
      file: c.file, index: c.index, src: c.flow.src, dst: c.flow.dst, proto: c.flow.proto, port: c.flow.port,
      verdict: c.result.verdict, ...(c.flow.expect ? { expect: c.flow.expect, ok: c.flow.expect === c.result.verdict } : {}), reason: c.result.reason,
    })),
  };
}

/** A path for the report's "Made from" line: relative to `base` when inside it, with forward slashes. */
export function displayPath(p: string, base: string = process.cwd()): string {
  const rel = path.relative(base, path.resolve(p));
  const shown = rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : path.basename(p);
  return shown.split(path.sep).join('/');
}

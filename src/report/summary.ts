/**
 * The report of an estate too large to tabulate pair by pair: every party against every other on
 * every port grows with the square of the estate (the 1,000-cluster `npm run bench` estate has
 * about 15,000 parties), and so would the Markdown. Above `REPORT_CELL_LIMIT` cells the report
 * says so in one line and keeps what does not grow with pairs: per namespace, each pod, whether
 * its ingress and egress are isolated, and the policies that select it; the policies without
 * effect and the objects not evaluated. At the limit a full report takes about 2 s and its Markdown
 * is half a megabyte (one 161-party chart of the bench estate, 233,000 cells: 4.6 s, 1 MB), which
 * is more than a reviewer reads.
 */
import { noticeSections } from './markdown';
import { Matrix, MatrixInput, MatrixParties, matrixEngine, matrixFacts } from './matrix';

/** The most cells (parties × parties × ports) the full report evaluates. */
export const REPORT_CELL_LIMIT = 100_000;

/** The number of cells a full report of these parties evaluates. */
export function matrixCells(parties: MatrixParties): number {
  const n = parties.pods.length + parties.peers.length;
  return n * n * parties.ports.length;
}

/** The one line that says why the flow tables are left out. */
export function summaryNotice(parties: MatrixParties): string {
  const n = parties.pods.length + parties.peers.length;
  return `${n} pods and peers on ${parties.ports.length} ports make ${matrixCells(parties).toLocaleString('en-US')} flows to evaluate, ` +
    `more than the report's limit of ${REPORT_CELL_LIMIT.toLocaleString('en-US')}: this report lists the pods and the policies that isolate them, ` +
    'not the allowed and refused flows (report one chart or namespace at a time for those, or use `cilium-verify flows` with a scenario).';
}

/** The matrix of a summary report: its facts, no flows. */
export function summaryMatrix(parties: MatrixParties, input: MatrixInput): Matrix {
  return { ...matrixFacts(parties, matrixEngine(parties, input).engine), flows: [] };
}

function cell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/** Renders a summary report. */
export function renderSummaryMarkdown(m: Matrix, parties: MatrixParties, options: { title?: string; sources?: readonly string[] } = {}): string {
  const out: string[] = [];
  out.push(`# ${options.title ?? 'Connectivity report'}`, '');
  out.push(`Cilium ${m.engine.env.version} semantics, evaluated offline by \`cilium-verify\`.`, '');
  if (options.sources && options.sources.length) out.push(`Made from: ${options.sources.map((s) => `\`${s}\``).join(', ')}.`, '');
  out.push(`**Summary only.** ${summaryNotice(parties)}`, '');
  out.push(...noticeSections(m));
  const pods = m.pods.filter((p) => p.declared || p.subject);
  const isolated = (name: string, dir: 'ingress' | 'egress'): boolean => {
    const peer = m.engine.resolvePeer(name);
    return !!peer && m.engine.directionPolicy(peer, dir).enforced;
  };
  const byNs = new Map<string, typeof pods[number][]>();
  for (const p of pods) {
    const list = byNs.get(p.namespace);
    if (list) list.push(p);
    else byNs.set(p.namespace, [p]);
  }
  const namespaces = [...byNs.keys()].sort();
  out.push('## Summary', '');
  out.push('| Namespace | Pods | Ingress isolated | Egress isolated |', '| --- | --- | --- | --- |');
  const rows = new Map<string, string[]>();
  for (const ns of namespaces) {
    const mine = byNs.get(ns)!;
    const lines: string[] = [];
    let ing = 0;
    let eg = 0;
    for (const p of mine) {
      const i = isolated(p.name, 'ingress');
      const e = isolated(p.name, 'egress');
      if (i) ing++;
      if (e) eg++;
      const sel = m.selecting[p.name] ?? [];
      lines.push(`| ${cell(p.name)} | ${cell(p.origin)} | ${i ? 'default deny' : '**open**'} | ${e ? 'default deny' : '**open**'} | ${cell(sel.join(', ') || '-')} |`);
    }
    rows.set(ns, lines);
    out.push(`| \`${ns}\` | ${mine.length} | ${ing} of ${mine.length} | ${eg} of ${mine.length} |`);
  }
  out.push('');
  for (const ns of namespaces) {
    out.push(`## Namespace \`${ns}\``, '', '| Pod | From | Ingress | Egress | Selected by |', '| --- | --- | --- | --- | --- |', ...rows.get(ns)!, '');
  }
  return out.join('\n').replace(/\n+$/, '') + '\n';
}

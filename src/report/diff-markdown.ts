/**
 * Markdown rendering of a connectivity diff: a summary line, a "Newly allowed" and a "Newly
 * refused" table (from, to, port, L7 routes, rules), and a Mermaid flowchart of the changed
 * edges only (newly allowed green, newly refused red and dashed, styled by `linkStyle` index).
 *
 * The output depends only on the input: no dates, no temporary paths, sorted rows.
 */
import { ConnectivityDiff, DiffFlow, diffSummary } from './diff';
import { cell, code, joinPorts, mermaidLabel } from './markdown';

/** Options of the rendering. */
export interface DiffMarkdownOptions {
  /** Title of the document. @default 'Connectivity diff' */
  readonly title?: string;
  /** What the base was made from (relative file names). */
  readonly base?: readonly string[];
  /** What the change was made from (relative file names). */
  readonly next?: readonly string[];
  /** Scenario files whose endpoints stand for the workloads. */
  readonly scenarios?: readonly string[];
}

/** How changes of L7 routes count, for the documents. */
export const L7_RULE = 'A flow allowed on both sides whose L7 routes changed is listed with the routes that changed: ' +
  'routes added under "Newly allowed", routes removed under "Newly refused" (`any`: every request, i.e. no L7 rules).';

const ADDED_STYLE = 'stroke:#1a7f37,stroke-width:2px';
const REMOVED_STYLE = 'stroke:#cf222e,stroke-width:2px,stroke-dasharray:6 4';

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

interface End { readonly name: string; readonly namespace?: string }

/** The Mermaid flowchart of the changed edges: one edge per (change, from, to), its ports and L7 routes as label. */
export function diffMermaid(flows: readonly DiffFlow[]): string[] {
  const ends = new Map<string, End>();
  for (const f of flows) {
    ends.set(f.src, { name: f.src, namespace: f.srcNamespace });
    ends.set(f.dst, { name: f.dst, namespace: f.dstNamespace });
  }
  const names = [...ends.keys()].sort();
  const ids = new Map<string, number>(names.map((n, i) => [n, i]));
  const nsNames = [...new Set([...ends.values()].filter((e) => e.namespace !== undefined).map((e) => e.namespace!))].sort();
  const lines = ['```mermaid', 'flowchart LR'];
  nsNames.forEach((ns, i) => {
    lines.push(`  subgraph ns_${i}["namespace ${mermaidLabel(ns)}"]`);
    for (const n of names) if (ends.get(n)!.namespace === ns) lines.push(`    n${ids.get(n)}["${mermaidLabel(n)}"]`);
    lines.push('  end');
  });
  for (const n of names) if (ends.get(n)!.namespace === undefined) lines.push(`  n${ids.get(n)}(["${mermaidLabel(n)}"])`);
  const edges = new Map<string, DiffFlow[]>();
  for (const f of flows) {
    const k = `${f.change}\u0000${f.src}\u0000${f.dst}`;
    edges.set(k, [...(edges.get(k) ?? []), f]);
  }
  const keys = [...edges.keys()].sort((x, y) => {
    const [c1, s1, d1] = x.split('\u0000');
    const [c2, s2, d2] = y.split('\u0000');
    return cmp(c1, c2) || ids.get(s1)! - ids.get(s2)! || ids.get(d1)! - ids.get(d2)!;
  });
  const styles: string[] = [];
  keys.forEach((k, i) => {
    const fs = edges.get(k)!;
    const routes = [...new Set(fs.flatMap((f) => f.l7))].sort();
    const l7 = routes.length === 0 ? '' : routes.length <= 2 ? ` (${routes.join('; ')})` : ` (${routes.length} L7 rules)`;
    const added = fs[0].change === 'allowed';
    lines.push(`  n${ids.get(fs[0].src)} ${added ? '-->' : '-.->'}|"${mermaidLabel(joinPorts(fs) + l7)}"| n${ids.get(fs[0].dst)}`);
    styles.push(`  linkStyle ${i} ${added ? ADDED_STYLE : REMOVED_STYLE}`);
  });
  lines.push(...styles, '```');
  return lines;
}

function portCell(f: { proto: string; port: number }): string {
  return `${f.proto}/${f.port}`;
}

function l7Cell(f: DiffFlow): string {
  return cell(f.l7.join('<br>') || 'any');
}

/**
 * The body of a diff (summary line, tables, flowchart), its headings `depth` levels deep
 * (2: `##`). Parties that are not in the manifests (stand-ins, probes) are in italics.
 */
export function diffMarkdownBody(d: ConnectivityDiff, depth = 2): string[] {
  const h = '#'.repeat(depth);
  const declared = new Set(d.parties.pods.filter((p) => p.declared).map((p) => p.name));
  const pods = new Set(d.parties.pods.map((p) => p.name));
  const display = (name: string): string => cell(declared.has(name) || !pods.has(name) ? name : `*${name}*`);
  if (d.notCompared) return [`**${diffSummary(d)}**`, ''];
  const out: string[] = [`**${diffSummary(d)}** (flows: from, to, port).`, ''];
  out.push(`Both sides were probed with the same ${d.parties.pods.length + d.parties.peers.length} pods and peers on ` +
    `${d.parties.ports.length ? d.parties.ports.map(portCell).join(', ') : '(no port)'}.`, '');

  // one row per (from, to, L7 routes, rules): the ports of a row share everything else
  const rows = (fs: readonly DiffFlow[]): DiffFlow[][] => {
    const groups = new Map<string, DiffFlow[]>();
    for (const f of fs) {
      const k = [f.src, f.dst, f.l7.join('\u0001'), f.rule, f.reason].join('\u0000');
      groups.set(k, [...(groups.get(k) ?? []), f]);
    }
    return [...groups.values()];
  };
  out.push(`${h} Newly allowed`, '');
  if (d.allowed.length === 0) {
    out.push('Nothing.', '');
  } else {
    out.push('| From | To | Proto/port | L7 routes | Allowed by (new) |', '| --- | --- | --- | --- | --- |');
    for (const fs of rows(d.allowed)) {
      const f = fs[0];
      const by = f.l7Only ? `${f.rule}; ${f.reason}` : f.rule;
      out.push(`| ${display(f.src)} | ${display(f.dst)} | ${joinPorts(fs)} | ${l7Cell(f)} | ${cell(by)} |`);
    }
    out.push('');
  }
  out.push(`${h} Newly refused`, '');
  if (d.refused.length === 0) {
    out.push('Nothing.', '');
  } else {
    out.push('| From | To | Proto/port | L7 routes | Allowed before by (base) | Refused by (new) |', '| --- | --- | --- | --- | --- | --- |');
    for (const fs of rows(d.refused)) {
      const f = fs[0];
      out.push(`| ${display(f.src)} | ${display(f.dst)} | ${joinPorts(fs)} | ${l7Cell(f)} | ${cell(f.rule)} | ${cell(f.reason)} |`);
    }
    out.push('');
  }
  if (d.flows.length) {
    out.push(`${h} Changed edges`, '', 'Green: newly allowed; red, dashed: newly refused.', '');
    out.push(...diffMermaid(d.flows), '');
  }
  return out;
}

/** The introduction of a diff document: what was compared, the semantics, the L7 rule. */
export function diffMarkdownIntro(version: string, options: DiffMarkdownOptions = {}): string[] {
  const out = [`# ${options.title ?? 'Connectivity diff'}`, ''];
  out.push(`Cilium ${version} semantics, evaluated offline by \`cilium-verify diff\`. ` +
    'Both sides are probed with the union of the pods, stand-ins and peers and of the ports that either side\'s ' +
    'connectivity report shows; a flow counts as changed when its verdict or its L7 routes changed (rule names do not count). ' + L7_RULE);
  out.push('');
  const made: string[] = [];
  if (options.base && options.base.length) made.push(`base ${options.base.map(code).join(', ')}`);
  if (options.next && options.next.length) made.push(`new ${options.next.map(code).join(', ')}`);
  if (options.scenarios && options.scenarios.length) made.push(`scenarios ${options.scenarios.map(code).join(', ')}`);
  if (made.length) out.push(`Compared: ${made.join('; ')}.`, '');
  return out;
}

/** Renders a diff as a Markdown document. */
export function renderDiffMarkdown(d: ConnectivityDiff, options: DiffMarkdownOptions = {}): string {
  const out = [...diffMarkdownIntro(d.next.engine.env.version, options), ...diffMarkdownBody(d, 2)];
  return out.join('\n').replace(/\n+$/, '') + '\n';
}

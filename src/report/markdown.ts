/**
 * Markdown rendering of a connectivity matrix: per namespace, the pods and the policies that
 * select them, a table of allowed flows (ports, HTTP routes, deciding rules), what stays
 * refused, and a Mermaid flowchart of the allowed flows (GitHub renders it in pull requests).
 *
 * The output depends only on the input: no dates, no paths of temporary files, sorted rows.
 */
import { FlowInput, FlowResult, formatPolicyRef } from '../verify/model';
import { Matrix, MatrixFlow } from './matrix';

/** A checked scenario flow, for the report's "Scenario checks" section. */
export interface CheckedFlow {
  readonly file: string;
  readonly index: number;
  readonly flow: FlowInput;
  readonly result: FlowResult;
}

/** Options of the rendering. */
export interface MarkdownOptions {
  /** Title of the report. */
  readonly title?: string;
  /** What the report was made from (file names, relative), listed under the title. */
  readonly sources?: readonly string[];
  /** Scenario flows that were checked. */
  readonly checks?: readonly CheckedFlow[];
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Escapes a table cell. */
export function cell(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

export function code(s: string): string {
  return '`' + s.replace(/`/g, "'") + '`';
}

function portText(f: { proto: string; port: number }): string {
  return `${f.proto}/${f.port}`;
}

export function joinPorts(fs: readonly { proto: string; port: number }[]): string {
  const seen = new Set<string>();
  const sorted = [...fs].sort((a, b) => a.port - b.port || cmp(a.proto, b.proto));
  const out: string[] = [];
  for (const f of sorted) {
    const t = portText(f);
    if (!seen.has(t)) { seen.add(t); out.push(t); }
  }
  return out.join(', ');
}

function side(d: FlowResult['egress'], label: string): string | undefined {
  if (!d || !d.enforced) return undefined;
  const where = d.policy ? `${formatPolicyRef(d.policy)}${d.rule ? ` ${d.rule}` : ''}` : d.reason;
  return `${label}: ${where}`;
}

export function allowedBy(f: MatrixFlow): string {
  return [side(f.result.egress, 'egress'), side(f.result.ingress, 'ingress')].filter((x) => x).join('; ');
}

export function refusedBy(f: MatrixFlow, dir: 'ingress' | 'egress'): string {
  const d = dir === 'egress' ? f.result.egress : f.result.ingress;
  if (!d) return f.result.reason;
  if (d.policy) return `${d.direction} ${formatPolicyRef(d.policy)}${d.rule ? ` ${d.rule}` : ''}`;
  return `${d.direction} default deny`;
}

/** Mermaid reads `#name;` as an entity code and `<...>` as HTML: `#` goes first, then `"`, `<`, `>`. */
export function mermaidLabel(s: string): string {
  return s.replace(/#/g, '#35;').replace(/"/g, '#quot;').replace(/</g, '#lt;').replace(/>/g, '#gt;');
}

interface EndInfo { readonly name: string; readonly namespace?: string }

/** Renders a Mermaid flowchart of the given allowed flows. */
function mermaid(flows: readonly MatrixFlow[], ids: Map<string, string>): string[] {
  const ends = new Map<string, EndInfo>();
  for (const f of flows) {
    ends.set(f.src, { name: f.src, namespace: f.srcNamespace });
    ends.set(f.dst, { name: f.dst, namespace: f.dstNamespace });
  }
  const lines = ['```mermaid', 'flowchart LR'];
  const byNs = new Map<string, EndInfo[]>();
  const outside: EndInfo[] = [];
  for (const e of [...ends.values()].sort((a, b) => cmp(a.name, b.name))) {
    if (e.namespace === undefined) outside.push(e);
    else byNs.set(e.namespace, [...(byNs.get(e.namespace) ?? []), e]);
  }
  for (const ns of [...byNs.keys()].sort()) {
    lines.push(`  subgraph ns_${ids.get(`ns:${ns}`)}["namespace ${mermaidLabel(ns)}"]`);
    for (const e of byNs.get(ns)!) lines.push(`    ${ids.get(e.name)}["${mermaidLabel(e.name)}"]`);
    lines.push('  end');
  }
  for (const e of outside) lines.push(`  ${ids.get(e.name)}(["${mermaidLabel(e.name)}"])`);
  const edges = new Map<string, MatrixFlow[]>();
  for (const f of flows) {
    const k = `${ids.get(f.src)}\u0000${ids.get(f.dst)}`;
    edges.set(k, [...(edges.get(k) ?? []), f]);
  }
  const num = (id: string): number => Number(id.slice(1));
  const keys = [...edges.keys()].sort((x, y) => {
    const [a1, b1] = x.split('\u0000');
    const [a2, b2] = y.split('\u0000');
    return num(a1) - num(a2) || num(b1) - num(b2);
  });
  for (const k of keys) {
    const fs = edges.get(k)!;
    const [a, b] = k.split('\u0000');
    const routes = [...new Set(fs.flatMap((f) => f.http))].sort();
    const http = routes.length === 0 ? '' : routes.length <= 2 ? ` (${routes.join('; ')})` : ` (${routes.length} L7 rules)`;
    lines.push(`  ${a} -->|"${mermaidLabel(joinPorts(fs) + http)}"| ${b}`);
  }
  lines.push('```');
  return lines;
}

/** The sections on policies without effect and objects not evaluated (none when there are none). */
export function noticeSections(m: Pick<Matrix, 'inert' | 'unevaluated'>): string[] {
  const out: string[] = [];
  if (m.inert.length) {
    out.push('## Policies without effect', '');
    for (const i of m.inert) out.push(`- ${i}`);
    out.push('');
  }
  if (m.unevaluated.length) {
    out.push('## Not evaluated', '', 'These objects change what Cilium enforces or who traffic comes from, and the verdicts below do not include them:', '');
    for (const u of m.unevaluated) out.push(`- ${u}`);
    out.push('');
  }
  return out;
}

/** Renders the report. */
export function renderMarkdown(m: Matrix, options: MarkdownOptions = {}): string {
  const out: string[] = [];
  const allPorts = joinPorts(m.ports);
  const ports = (fs: readonly { proto: string; port: number }[]): string => {
    const j = joinPorts(fs);
    return j === allPorts && m.ports.length > 2 ? 'all probed ports' : j;
  };
  out.push(`# ${options.title ?? 'Connectivity report'}`, '');
  out.push(`Cilium ${m.engine.env.version} semantics, evaluated offline by \`cilium-verify\`. ` +
    'Every pod below was probed against every other pod and peer on the ports the policies mention: ' +
    `${m.ports.length ? m.ports.map((p) => portText(p)).join(', ') : '(none)'}.`);
  out.push('');
  if (options.sources && options.sources.length) {
    out.push(`Made from: ${options.sources.map(code).join(', ')}.`, '');
  }
  out.push('Pods in *italics* are not in the manifests: stand-ins for the pods a policy names as a peer, ' +
    'and "any other pod" probes for pods no rule names. Traffic that no policy restricts (neither end is selected ' +
    'by a policy with a section for that direction) is not listed.', '');

  // stable ids for Mermaid
  const ids = new Map<string, string>();
  const allNames = [...m.pods.map((p) => p.name), ...m.peers.map((p) => p.name)].sort();
  allNames.forEach((n, i) => ids.set(n, `n${i}`));
  const nsNames = [...new Set(m.pods.map((p) => p.namespace))].sort();
  nsNames.forEach((n, i) => ids.set(`ns:${n}`, `${i}`));

  const declared = new Set(m.pods.filter((p) => p.declared).map((p) => p.name));
  const display = (name: string): string => (declared.has(name) || !m.pods.some((p) => p.name === name) ? name : `*${name}*`);
  // allowed by a rule of a policy, versus allowed by Cilium itself (e.g. the local node, allowLocalhost)
  const byRule = (f: MatrixFlow): boolean => [f.result.egress, f.result.ingress].some((d) => d && d.enforced && d.policy);
  const allowed = m.flows.filter((f) => f.enforced && f.result.verdict === 'ALLOW' && byRule(f));
  const builtIn = m.flows.filter((f) => f.enforced && f.result.verdict === 'ALLOW' && !byRule(f));

  out.push(...noticeSections(m));

  if (options.checks && options.checks.length) {
    const failed = options.checks.filter((c) => c.flow.expect !== undefined && c.flow.expect !== c.result.verdict).length;
    const expected = options.checks.filter((c) => c.flow.expect !== undefined).length;
    out.push('## Scenario checks', '');
    out.push(`${expected - failed} of ${expected} expected verdicts hold${failed ? `, **${failed} do not**` : ''}.`, '');
    out.push('| File | # | From | To | Port | Request | Expected | Verdict | Reason |', '| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
    for (const c of options.checks) {
      const f = c.flow;
      const req = f.http ? `${f.http.method ?? 'GET'} ${f.http.path ?? '/'}` : f.dns ? `DNS ${f.dns}` : '';
      const ok = f.expect === undefined ? '' : f.expect === c.result.verdict ? ' ✅' : ' ❌';
      out.push(`| ${cell(c.file)} | ${c.index} | ${cell(f.src)} | ${cell(f.dst)} | ${f.proto}${f.port !== undefined ? `/${f.port}` : ''} | ${cell(req)} | ${f.expect ?? ''} | ${c.result.verdict}${ok} | ${cell(c.result.reason)} |`);
    }
    out.push('');
  }

  out.push('## Summary', '');
  out.push('| Namespace | Pods | Ingress isolated | Egress isolated | Allowed flows |', '| --- | --- | --- | --- | --- |');
  // the flows from and to each party: every table below reads them per pod, not the whole matrix
  const bySrc = new Map<string, MatrixFlow[]>();
  const byDst = new Map<string, MatrixFlow[]>();
  for (const f of m.flows) {
    const s = bySrc.get(f.src);
    if (s) s.push(f);
    else bySrc.set(f.src, [f]);
    const d = byDst.get(f.dst);
    if (d) d.push(f);
    else byDst.set(f.dst, [f]);
  }
  const flowsOf = (name: string, dir: 'ingress' | 'egress'): readonly MatrixFlow[] => (dir === 'ingress' ? byDst : bySrc).get(name) ?? [];
  const isolated = (name: string, dir: 'ingress' | 'egress'): boolean =>
    flowsOf(name, dir).some((f) => (dir === 'ingress' ? f.result.ingress : f.result.egress)?.enforced === true);
  const touches = (f: MatrixFlow, ns: string) => f.srcNamespace === ns || f.dstNamespace === ns;
  const protectedIn = (ns: string) => m.pods.filter((p) => (p.declared || p.subject) && p.namespace === ns);
  let shownNs = nsNames.filter((ns) => protectedIn(ns).length > 0);
  if (shownNs.length === 0) shownNs = nsNames.filter((ns) => allowed.some((f) => touches(f, ns)));
  for (const ns of shownNs) {
    const pods = protectedIn(ns);
    const ing = pods.filter((p) => isolated(p.name, 'ingress')).length;
    const eg = pods.filter((p) => isolated(p.name, 'egress')).length;
    const n = new Set(allowed.filter((f) => touches(f, ns)).map((f) => `${f.src}\u0000${f.dst}`)).size;
    out.push(`| ${code(ns)} | ${pods.length} | ${ing} of ${pods.length} | ${eg} of ${pods.length} | ${n} |`);
  }
  out.push('');

  for (const ns of shownNs) {
    out.push(`## Namespace \`${ns}\``, '');
    const pods = m.pods.filter((p) => p.namespace === ns && (p.declared || p.subject));
    if (pods.length) {
      out.push('| Pod | From | Ingress | Egress | Selected by |', '| --- | --- | --- | --- | --- |');
      for (const p of pods) {
        const sel = m.selecting[p.name] ?? [];
        const ing = isolated(p.name, 'ingress') ? 'default deny' : '**open**';
        const eg = isolated(p.name, 'egress') ? 'default deny' : '**open**';
        out.push(`| ${cell(display(p.name))} | ${cell(p.origin)} | ${ing} | ${eg} | ${cell(sel.join(', ') || '-')} |`);
      }
      out.push('');
    }

    const rows = allowed.filter((f) => touches(f, ns));
    out.push('### Allowed', '');
    if (rows.length === 0) {
      out.push('Nothing: no policy allows a flow to or from this namespace.', '');
    } else {
      const groups = new Map<string, MatrixFlow[]>();
      for (const f of rows) {
        const k = [f.src, f.dst, f.http.join('\u0001'), allowedBy(f)].join('\u0000');
        groups.set(k, [...(groups.get(k) ?? []), f]);
      }
      out.push('| From | To | Ports | L7 | Allowed by |', '| --- | --- | --- | --- | --- |');
      for (const k of [...groups.keys()].sort()) {
        const fs = groups.get(k)!;
        const f = fs[0];
        out.push(`| ${cell(display(f.src))} | ${cell(display(f.dst))} | ${ports(fs)} | ${cell(f.http.join('<br>') || 'any')} | ${cell(allowedBy(f))} |`);
      }
      out.push('');
      out.push(...mermaid(rows, ids), '');
    }
    const always = builtIn.filter((f) => touches(f, ns));
    if (always.length) {
      const g = new Map<string, MatrixFlow[]>();
      for (const f of always) {
        const reason = [f.result.egress, f.result.ingress].filter((d) => d && d.enforced).map((d) => d!.reason).join('; ');
        const k = [f.src, f.dst, reason].join('\u0000');
        g.set(k, [...(g.get(k) ?? []), f]);
      }
      out.push('Allowed by Cilium itself, whatever the policies say:', '');
      for (const k of [...g.keys()].sort()) {
        const fs = g.get(k)!;
        out.push(`- ${display(fs[0].src)} → ${display(fs[0].dst)}, ${ports(fs)}: ${k.split('\u0000')[2]}`);
      }
      out.push('');
    }

    // what stays refused, for the pods of the manifests: inbound (decided by their ingress) and outbound (by their egress)
    const refused: { who: string; dir: string; port: string; others: string; by: string }[] = [];
    const everyone = [...m.pods.map((p) => p.name), ...m.peers.map((p) => p.name)];
    for (const p of pods) {
      for (const dir of ['ingress', 'egress'] as const) {
        const drops = flowsOf(p.name, dir).filter((f) => (dir === 'ingress' ? f.result.ingress : f.result.egress)?.verdict === 'DROP');
        const byPort = new Map<string, MatrixFlow[]>();
        for (const f of drops) byPort.set(portText(f), [...(byPort.get(portText(f)) ?? []), f]);
        // merge ports with the same refused peers
        const byPeers = new Map<string, { ports: MatrixFlow[]; by: Set<string> }>();
        for (const [, fs] of byPort) {
          const peers = [...new Set(fs.map((f) => (dir === 'ingress' ? f.src : f.dst)))].sort();
          const k = peers.join('\u0000');
          const e = byPeers.get(k) ?? { ports: [], by: new Set<string>() };
          e.ports.push(fs[0]);
          for (const f of fs) e.by.add(refusedBy(f, dir));
          byPeers.set(k, e);
        }
        for (const [k, e] of byPeers) {
          const names = k.split('\u0000');
          const rest = everyone.filter((n) => !names.includes(n) && n !== p.name).sort();
          const others = rest.length === 0 ? 'every probed peer'
            : names.length > 2 * rest.length ? `every probed peer except ${rest.map(display).join(', ')}`
              : names.map(display).join(', ');
          refused.push({
            who: display(p.name),
            dir: dir === 'ingress' ? 'from' : 'to',
            port: ports(e.ports),
            others,
            by: [...e.by].sort().join('; '),
          });
        }
      }
    }
    out.push('### Refused', '');
    if (refused.length === 0) {
      out.push('Nothing probed is refused for the pods of this namespace.', '');
    } else {
      refused.sort((a, b) => cmp(a.who, b.who) || cmp(b.dir, a.dir) || cmp(a.port, b.port) || cmp(a.others, b.others));
      out.push('| Pod | Direction | Ports | Peers | Refused by |', '| --- | --- | --- | --- | --- |');
      for (const r of refused) out.push(`| ${cell(r.who)} | ${r.dir} | ${r.port} | ${cell(r.others)} | ${cell(r.by)} |`);
      out.push('');
    }
  }
  return out.join('\n').replace(/\n+$/, '') + '\n';
}

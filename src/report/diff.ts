/**
 * The connectivity diff: what a change of the manifests changes in who may reach whom.
 *
 * Both sides are evaluated over the same parties and ports: the union of the pods, stand-ins,
 * probes and non-pod peers, and of the ports, that either side's report would show (with the
 * same scenarios). A party only one side has is evaluated on the other side too, with the
 * labels it has where it exists, so that the diff shows what the policies change rather than
 * that a workload appeared. Flows are compared by (from, to, protocol, port): their verdicts and
 * their L7 routes, never the names of the rules, so reordering documents or renaming a policy
 * whose rules stay the same changes nothing.
 *
 * L7: a flow allowed on both sides whose L7 routes (HTTP routes, DNS names) changed counts as
 * newly allowed with the routes NEW added, and as newly refused with the routes NEW removed (a
 * flow can be both). `any` stands for a flow allowed without L7 rules: L7 rules put on an open
 * port are one newly refused row (`any`; the reason names what is still allowed), L7 rules
 * taken off one newly allowed row (`any`).
 */
import { matrixCells, REPORT_CELL_LIMIT, summaryMatrix, summaryNotice } from './summary';
import { FlowProto, formatPolicyRef } from '../verify/model';
import { ScenarioInput, scenarioMatrixInput } from './input';
import { allowedBy } from './markdown';
import { Matrix, MatrixFlow, MatrixParties, ProbePort, ReportPeer, evaluateMatrix, matrixDns, matrixParties } from './matrix';
import { ReportPod, dedupePods } from './workloads';

/** Input of a diff. */
export interface ConnectivityDiffOptions {
  /** The manifest objects of the base (e.g. the base branch's synthesis). */
  readonly base: readonly any[];
  /** The manifest objects of the change. */
  readonly next: readonly any[];
  /** Scenarios: their endpoints stand for the workloads on both sides (as in the report). */
  readonly scenarios?: readonly ScenarioInput[];
}

/** How a flow changed. */
export type DiffChange = 'allowed' | 'refused';

/** One changed flow. */
export interface DiffFlow {
  readonly change: DiffChange;
  readonly src: string;
  readonly dst: string;
  readonly srcNamespace?: string;
  readonly dstNamespace?: string;
  readonly proto: FlowProto;
  readonly port: number;
  /**
   * L7 routes: of the allowing rule (newly allowed: NEW's; newly refused: BASE's), or, for a
   * flow allowed on both sides, the routes added or removed (`any`: every request).
   */
  readonly l7: readonly string[];
  /** Newly allowed: the rule of NEW that allows it; newly refused: the rule of BASE that allowed it. */
  readonly rule: string;
  /** Newly allowed: NEW's reason; newly refused: the rule or reason of NEW that refuses it. */
  readonly reason: string;
  /** The flow is allowed on both sides; only its L7 routes changed. */
  readonly l7Only: boolean;
}

/** A computed diff. */
export interface ConnectivityDiff {
  /** Every changed flow, sorted by namespace, from, to, port (then protocol and change). */
  readonly flows: readonly DiffFlow[];
  readonly allowed: readonly DiffFlow[];
  readonly refused: readonly DiffFlow[];
  /** The parties and ports both sides were evaluated over. */
  readonly parties: MatrixParties;
  readonly base: Matrix;
  readonly next: Matrix;
  /**
   * Set when the estates are too large to compare pair by pair (`REPORT_CELL_LIMIT`): the one
   * line that says so. The flows are then empty, not "no change".
   */
  readonly notCompared?: string;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The union of two sides' parties: pods by name and peers by reference (first side first), ports sorted. */
function unionParties(a: MatrixParties, b: MatrixParties): MatrixParties {
  const peers = new Map<string, ReportPeer>();
  for (const p of [...a.peers, ...b.peers]) if (!peers.has(p.ref)) peers.set(p.ref, p);
  const ports = new Map<string, ProbePort>();
  for (const p of [...a.ports, ...b.ports]) ports.set(`${p.proto}/${p.port}`, p);
  return {
    pods: dedupePods([...a.pods, ...b.pods]),
    peers: [...peers.values()],
    ports: [...ports.values()].sort((x, y) => x.port - y.port || cmp(x.proto, y.proto)),
    dns: { ...b.dns, ...a.dns },
  };
}

/** The union, with each pod as this side defines it when it has it. */
function sideParties(union: MatrixParties, own: MatrixParties): MatrixParties {
  const mine = new Map<string, ReportPod>(own.pods.map((p) => [p.name, p]));
  return { ...union, pods: union.pods.map((p) => mine.get(p.name) ?? p) };
}

const allowedFlow = (f: MatrixFlow): boolean => f.result.verdict === 'ALLOW';

/** The rules that allow a flow, or why it is allowed. */
function allowRule(f: MatrixFlow): string {
  return allowedBy(f) || 'no policy restricts it';
}

/** The rule or reason that refuses a flow: a deny rule, or the default deny of a policy. */
function refuseRule(f: MatrixFlow): string {
  const dir = f.result.decidedBy ?? (f.result.egress && f.result.egress.verdict !== 'ALLOW' ? 'egress' : 'ingress');
  const d = dir === 'egress' ? f.result.egress : f.result.ingress;
  if (!d || !d.policy) return f.result.reason;
  if (d.rule) return `${d.direction}: ${formatPolicyRef(d.policy)} ${d.rule}`;
  return `${d.direction}: default deny (${formatPolicyRef(d.policy)}), no rule allows it`;
}

function changesOf(b: MatrixFlow, n: MatrixFlow): DiffFlow[] {
  const row = (change: DiffChange, l7: readonly string[], rule: string, reason: string, l7Only: boolean): DiffFlow => ({
    change, src: n.src, dst: n.dst, srcNamespace: n.srcNamespace, dstNamespace: n.dstNamespace, proto: n.proto, port: n.port, l7, rule, reason, l7Only,
  });
  const was = allowedFlow(b);
  const is = allowedFlow(n);
  if (!was && is) return [row('allowed', n.http, allowRule(n), n.result.reason, false)];
  if (was && !is) return [row('refused', b.http, allowRule(b), refuseRule(n), false)];
  if (!was || !is) return [];
  const before = new Set(b.http);
  const after = new Set(n.http);
  if (before.size === after.size && [...before].every((r) => after.has(r))) return [];
  if (before.size === 0) {
    return [row('refused', ['any'], allowRule(b), `L7 rules now allow only ${n.http.join('; ')}: ${allowRule(n)}`, true)];
  }
  if (after.size === 0) {
    return [row('allowed', ['any'], allowRule(n), `no L7 rules any more (allowed before: ${b.http.join('; ')})`, true)];
  }
  const added = n.http.filter((r) => !before.has(r));
  const removed = b.http.filter((r) => !after.has(r));
  const out: DiffFlow[] = [];
  if (added.length) out.push(row('allowed', added, allowRule(n), `L7 routes added (allowed before: ${b.http.join('; ')})`, true));
  if (removed.length) out.push(row('refused', removed, allowRule(b), `L7 routes removed (still allowed: ${n.http.join('; ')}): ${allowRule(n)}`, true));
  return out;
}

/** The namespace a changed flow is listed under: the destination's, else the source's. */
export function diffNamespace(f: DiffFlow): string {
  return f.dstNamespace ?? f.srcNamespace ?? '';
}

function order(a: DiffFlow, b: DiffFlow): number {
  return cmp(diffNamespace(a), diffNamespace(b)) || cmp(a.src, b.src) || cmp(a.dst, b.dst) || a.port - b.port
    || cmp(a.proto, b.proto) || cmp(a.change, b.change);
}

/** Compares two evaluations over the same parties, flow by flow. */
export function compareMatrices(base: Matrix, next: Matrix): DiffFlow[] {
  const key = (f: MatrixFlow): string => `${f.src}\u0000${f.dst}\u0000${f.proto}\u0000${f.port}`;
  const before = new Map<string, MatrixFlow>(base.flows.map((f) => [key(f), f]));
  const out: DiffFlow[] = [];
  for (const n of next.flows) {
    const b = before.get(key(n));
    if (b) out.push(...changesOf(b, n));
  }
  return out.sort(order);
}

/** Computes the diff. Deterministic: the same input gives the same flows in the same order. */
export function connectivityDiff(options: ConnectivityDiffOptions): ConnectivityDiff {
  const scenarios = options.scenarios ?? [];
  const baseInput = scenarioMatrixInput(options.base, scenarios);
  const nextInput = scenarioMatrixInput(options.next, scenarios);
  // one set of DNS answers, so that an FQDN peer is the same address on both sides
  const dns = matrixDns([...baseInput.objects, ...nextInput.objects], baseInput.dns ?? {});
  const ownBase = matrixParties({ ...baseInput, dns });
  const ownNext = matrixParties({ ...nextInput, dns });
  const parties = unionParties(ownBase, ownNext);
  if (matrixCells(parties) > REPORT_CELL_LIMIT) {
    const base = summaryMatrix(sideParties(parties, ownBase), { ...baseInput, dns });
    const next = summaryMatrix(sideParties(parties, ownNext), { ...nextInput, dns });
    return { flows: [], allowed: [], refused: [], parties, base, next, notCompared: `not compared: ${summaryNotice(parties)}` };
  }
  const base = evaluateMatrix(sideParties(parties, ownBase), { ...baseInput, dns });
  const next = evaluateMatrix(sideParties(parties, ownNext), { ...nextInput, dns });
  const flows = compareMatrices(base, next);
  return { flows, allowed: flows.filter((f) => f.change === 'allowed'), refused: flows.filter((f) => f.change === 'refused'), parties, base, next };
}

/** `N newly allowed, M newly refused`. */
export function diffSummary(d: ConnectivityDiff): string {
  if (d.notCompared) return d.notCompared;
  return `${d.allowed.length} newly allowed, ${d.refused.length} newly refused`;
}

/** The JSON record of a changed flow (`cilium-verify diff --json` prints one per line). */
export function diffFlowJson(f: DiffFlow): Record<string, unknown> {
  return { change: f.change, src: f.src, dst: f.dst, proto: f.proto, port: f.port, l7: [...f.l7], rule: f.rule, reason: f.reason };
}

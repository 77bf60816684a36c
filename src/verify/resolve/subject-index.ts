/**
 * Which rules select an endpoint: the agent's `computePolicyEnforcementAndRules` matches the
 * cluster-wide rules and the rules of the endpoint's namespace against its identity labels
 * (semantics reference §12). Here the rules are indexed by one `In` requirement of their subject
 * selector (the rarest one), so an identity is only tested against the rules whose anchor value
 * it carries, or that have no anchor. The result is in admission order.
 */
import { ANY, selectorMatches } from '../identity/labels';
import { NormRule } from '../intake/rules';
import { Label, Peer } from '../model';

/** The first label with the key (any source, or the same source), as `labels.ts` `lookup`. */
export function lookupValue(labels: readonly Label[], source: string, key: string): string | undefined {
  for (const l of labels) {
    if (l.key === key && (source === ANY || source === l.source)) return l.value;
  }
  return undefined;
}

/** The rules of an estate, indexed by subject. */
export class SubjectIndex {
  /** Anchor (source, key of an `In` requirement) → its values → rule indexes. */
  private readonly anchors = new Map<string, { readonly source: string; readonly key: string; readonly byValue: Map<string, number[]> }>();
  /** Rules whose subject has no `In` requirement: candidates for every identity. */
  private readonly unanchored: number[] = [];

  constructor(private readonly rules: readonly NormRule[]) {
    const freq = new Map<string, number>();
    const valueKey = (source: string, key: string, value: string) => `${source}\u0000${key}\u0000${value}`;
    for (const r of rules) {
      if (!r.subject) continue;
      for (const q of r.subject.reqs) {
        if (q.op !== 'In') continue;
        for (const v of new Set(q.values)) freq.set(valueKey(q.source, q.key, v), (freq.get(valueKey(q.source, q.key, v)) ?? 0) + 1);
      }
    }
    rules.forEach((r, i) => {
      if (!r.subject) return; // host policies (nodeSelector) select no endpoint here
      let best: { source: string; key: string; values: string[]; n: number } | undefined;
      for (const q of r.subject.reqs) {
        if (q.op !== 'In') continue;
        const values = [...new Set(q.values)];
        const n = values.reduce((a, v) => a + (freq.get(valueKey(q.source, q.key, v)) ?? 0), 0);
        if (!best || n < best.n) best = { source: q.source, key: q.key, values, n };
      }
      if (!best) {
        this.unanchored.push(i);
        return;
      }
      const ak = `${best.source}\u0000${best.key}`;
      let a = this.anchors.get(ak);
      if (!a) {
        a = { source: best.source, key: best.key, byValue: new Map() };
        this.anchors.set(ak, a);
      }
      for (const v of best.values) {
        const list = a.byValue.get(v);
        if (list) list.push(i);
        else a.byValue.set(v, [i]);
      }
    });
  }

  /** The rules whose subject selects the peer, in admission order. */
  public rulesSelecting(peer: Peer): readonly NormRule[] {
    const cand: number[] = [...this.unanchored];
    for (const a of this.anchors.values()) {
      const v = lookupValue(peer.labels, a.source, a.key);
      if (v === undefined) continue;
      const list = a.byValue.get(v);
      if (list) for (const i of list) cand.push(i);
    }
    cand.sort((x, y) => x - y);
    const out: NormRule[] = [];
    for (let k = 0; k < cand.length; k++) {
      if (k > 0 && cand[k] === cand[k - 1]) continue;
      const r = this.rules[cand[k]];
      if (selectorMatches(r.subject!, peer.labels)) out.push(r);
    }
    return out;
  }
}

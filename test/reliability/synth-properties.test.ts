/**
 * Synth-level properties over random estates: determinism under shuffled declaration order,
 * no wildcard by omission, and the shape the CRD and the agent accept.
 */
import { App, Chart, IResolver, ResolutionContext, Testing } from 'cdk8s';
import * as fc from 'fast-check';
import { admitPolicy } from '../../src/verify/intake/admit';
import { declare, Estate, estateArb, synth } from './estate-arb';

/** A resolver that changes nothing: an app with it synthesizes policies through cdk8s's token resolution. */
class NoChange implements IResolver {
  public resolve(_context: ResolutionContext): void {}
}

/** Every object or array reachable twice from `docs` (within one manifest or across two). */
function shared(docs: any[]): string[] {
  const seen = new Set<object>();
  const out: string[] = [];
  const walk = (v: any, where: string) => {
    if (v === null || typeof v !== 'object') {
      return;
    }
    if (seen.has(v)) {
      out.push(where);
      return;
    }
    seen.add(v);
    for (const k of Object.keys(v)) {
      walk(v[k], `${where}.${k}`);
    }
  };
  docs.forEach((d, i) => walk(d, `[${i}] ${d.metadata?.name}`));
  return out;
}

const SEED = 20251125;

function permutationArb(n: number): fc.Arbitrary<number[]> {
  return fc.array(fc.nat(), { minLength: n, maxLength: n }).map((keys) => keys.map((k, i) => [k, i]).sort((a, b) => a[0] - b[0] || a[1] - b[1]).map((x) => x[1]));
}

const estateWithOrder = estateArb.chain((e) => fc.tuple(fc.constant(e), permutationArb(e.clusters.length + e.grants.length + e.baselines.length)));

/** What the estate asked for that legitimately renders as a wildcard. */
function asked(e: Estate): { wholeNamespaces: Set<string> } {
  const wholeNamespaces = new Set<string>(e.baselines);
  for (const g of e.grants) {
    if (g.client.kind === 'namespace') {
      wholeNamespaces.add(g.client.ns);
    }
  }
  return { wholeNamespaces };
}

/** Every wildcard by omission in one synthesized policy that `e` did not ask for. */
export function wildcardsByOmission(doc: any, e: Estate): string[] {
  const out: string[] = [];
  const { wholeNamespaces } = asked(e);
  const name = `${doc.kind} ${doc.metadata?.namespace ?? ''}/${doc.metadata?.name}`;
  const spec = doc.spec ?? {};
  for (const sec of ['ingress', 'egress', 'ingressDeny', 'egressDeny']) {
    if (Array.isArray(spec[sec]) && spec[sec].length === 0) {
      out.push(`${name}: ${sec}: [] (selects the pods and allows or denies nothing)`);
    }
  }
  const sel = spec.endpointSelector;
  if (sel && Object.keys(sel).length === 0 && !wholeNamespaces.has(doc.metadata?.namespace)) {
    out.push(`${name}: endpointSelector {} (every pod of the namespace) that no baseline or namespace grant asked for`);
  }
  for (const sec of ['ingress', 'egress']) {
    for (const [i, item] of (spec[sec] ?? []).entries()) {
      const keys = Object.keys(item);
      const peerKeys = keys.filter((k) => /^(from|to)(Endpoints|Entities|CIDR|CIDRSet|FQDNs|Services|Groups|Nodes|Requires)$/.test(k));
      if (keys.includes('toPorts') && peerKeys.length === 0) {
        // AccessClient.anyone() says so: fromEntities [all]
        out.push(`${name}: ${sec}[${i}] has toPorts and no peer (L4-only: every peer)`);
      }
      for (const k of ['fromEndpoints', 'toEndpoints']) {
        for (const s of item[k] ?? []) {
          if (!s || Object.keys(s).length === 0) {
            out.push(`${name}: ${sec}[${i}].${k} has an empty selector (every endpoint of the cluster)`);
          }
        }
      }
    }
  }
  return out;
}

describe('random estates: synth-level properties', () => {
  // Grants shuffled among themselves (clusters and baselines keep their order): the grant
  // registry sorts its policies, so the bytes must not change.
  test('grants declared in a shuffled order synthesize byte-identical YAML', () => {
    fc.assert(fc.property(estateWithOrder, ([e, order]) => {
      const fixed = e.clusters.length;
      const grantOrder = order.filter((i) => i >= fixed && i < fixed + e.grants.length);
      const perm = [...Array.from({ length: fixed }, (_, i) => i), ...grantOrder,
        ...Array.from({ length: e.baselines.length }, (_, i) => fixed + e.grants.length + i)];
      const a = synth(e).yaml;
      const b = synth(e, perm).yaml;
      if (a !== b) {
        throw new Error(`output differs between declaration orders ${JSON.stringify(perm)}\n--- in order\n${a}\n--- shuffled\n${b}`);
      }
    }), { numRuns: 250, seed: SEED });
  });

  test('everything declared in a shuffled order synthesizes the same documents', () => {
    fc.assert(fc.property(estateWithOrder, ([e, order]) => {
      const docs = (y: string) => y.split(/^---$/m).map((d) => d.trim()).sort();
      expect(docs(synth(e, order).yaml)).toEqual(docs(synth(e).yaml));
    }), { numRuns: 200, seed: SEED + 2 });
  });

  // Clusters, poolers, baselines and grants in any order: the library emits all of its
  // objects as one block sorted by namespace, kind and name.
  test('everything declared in a shuffled order synthesizes byte-identical YAML', () => {
    fc.assert(fc.property(estateWithOrder, ([e, order]) => {
      const a = synth(e).yaml;
      const b = synth(e, order).yaml;
      if (a !== b) {
        throw new Error(`output differs between declaration orders ${JSON.stringify(order)}\n--- in order\n${a}\n--- shuffled\n${b}`);
      }
    }), { numRuns: 250, seed: SEED + 3 });
  });

  // Policies write their manifests directly (keys sorted, a fresh copy) unless the app has
  // resolvers of its own: both paths give the same bytes, and nothing is shared between
  // manifests (a patch or a caller's change to one never reaches another, and YAML has no aliases).
  test('policies written directly are byte-identical to cdk8s token resolution, and share no object', () => {
    fc.assert(fc.property(estateArb, (e) => {
      const direct = synth(e);
      const app = new App({ outdir: Testing.app().outdir, resolvers: [new NoChange()] });
      const chart = new Chart(app, 'estate');
      declare(chart, e);
      expect(app.synthYaml()).toBe(direct.yaml);
      expect(shared(direct.docs)).toEqual([]);
      expect(direct.yaml).not.toMatch(/[&*]a\d+\b/);
    }), { numRuns: 200, seed: SEED + 4 });
  });

  test('no policy is a wildcard by omission, and every policy is admitted by the CRD schema and the agent', () => {
    fc.assert(fc.property(estateArb, (e) => {
      const { docs } = synth(e);
      const problems: string[] = [];
      for (const d of docs.filter((x) => /^Cilium/.test(x.kind))) {
        problems.push(...wildcardsByOmission(d, e));
        const r = admitPolicy(d, '1.19');
        for (const m of [...r.schemaErrors, ...r.agentErrors]) {
          problems.push(`${d.metadata?.name}: rejected: ${m}`);
        }
      }
      if (problems.length) {
        throw new Error(problems.join('\n'));
      }
    }), { numRuns: 500, seed: SEED + 1 });
  });
});

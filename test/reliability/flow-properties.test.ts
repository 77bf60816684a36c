/**
 * Flow-level properties over random estates: the verifier, fed the synthesized policies of an
 * estate, finds every granted flow and every flow CNPG needs allowed, and every other sampled
 * flow refused (other ports, other pods, other namespaces, the world, other clusters).
 *
 * Expectations come from an independent model of what the constructs promise
 * (estate-scenario.ts), not from the policies: for each sampled flow the model's verdict and
 * the verifier's must agree. Flows the constructs promise are also checked to be allowed by
 * the model itself, so that a wrong model cannot hide a refused promise.
 */
import * as fc from 'fast-check';
import { createEngine, FlowInput, FlowResult } from '../../src/verify';
import { synth } from './estate-arb';
import { CheckedFlow, describeWorld, EstateScenario, flowsFor, samplesArb, World, worldArb } from './estate-scenario';

const SEED = 20251126;

/** Totals over the run, printed at the end. */
const stats = { estates: 0, flows: 0, allow: 0, refused: 0, l7Deny: 0, http: 0, byCategory: {} as Record<string, number> };

function formatFlow(f: FlowInput): string {
  const http = f.http ? ` http ${f.http.method} ${f.http.path}` : '';
  return `${f.src} -> ${f.dst} ${f.proto}/${f.port}${http}`;
}

function failure(w: World, c: CheckedFlow, r: FlowResult | undefined, what: string): Error {
  return new Error([
    what,
    `flow:     ${formatFlow(c.flow)} (${c.category})`,
    `expected: ${c.expect} (${c.why})`,
    ...(r ? [`verdict:  ${r.verdict}`, `reason:   ${r.reason}`] : []),
    'estate:',
    describeWorld(w),
  ].join('\n'));
}

/** Synthesizes the estate, builds one engine, and checks every flow against the model. */
function checkEstate(w: World, samples: readonly (readonly [number, number, number])[]): void {
  const { docs } = synth(w.estate);
  const es = new EstateScenario(w);
  const engine = createEngine(es.scenario, docs);
  const flows = flowsFor(es, samples);
  stats.estates++;
  for (const c of flows) {
    if (c.must && c.expect !== 'ALLOW') {
      throw failure(w, c, undefined, 'the model refuses a flow the constructs promise (a bug in estate-scenario.ts)');
    }
    const r = engine.explain(c.flow);
    stats.flows++;
    stats.byCategory[c.category] = (stats.byCategory[c.category] ?? 0) + 1;
    if (c.expect === 'ALLOW') {
      stats.allow++;
    } else {
      stats.refused++;
    }
    stats.http += c.flow.http ? 1 : 0;
    stats.l7Deny += c.expect === 'L7_DENY' ? 1 : 0;
    if (r.verdict !== c.expect) {
      const what = c.expect === 'ALLOW'
        ? 'a granted or required flow is refused'
        : r.verdict === 'ALLOW' ? 'a flow nothing grants is allowed' : 'the flow is refused, but not the way expected';
      throw failure(w, c, r, what);
    }
  }
}

describe('random estates: flow-level properties', () => {
  afterAll(() => {
    // eslint-disable-next-line no-console
    console.log(`flow properties: ${stats.estates} estates, ${stats.flows} flows (${stats.allow} expected allowed, ${stats.refused} expected refused, of which ${stats.l7Deny} L7_DENY; ${stats.http} with an HTTP request); by kind ${JSON.stringify(stats.byCategory)}`);
  });

  // Estates without the random samples: grants, CNPG flows, baselines and the refused samples
  // around each of them.
  test('granted and CNPG flows are allowed, and the flows around them are refused', () => {
    fc.assert(fc.property(worldArb, (w) => checkEstate(w, [])), { numRuns: 600, seed: SEED });
  });

  // The same plus random flows between any two ends of the scenario, on the ports the
  // estates use.
  test('random flows between any two ends get the verdict the estate promises', () => {
    fc.assert(fc.property(worldArb, samplesArb, (w, samples) => checkEstate(w, samples)), { numRuns: 400, seed: SEED + 1 });
  });
});

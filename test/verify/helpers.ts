import { createEngine, runScenario } from '../../src/verify';
import { parseScenarioObject } from '../../src/verify/scenario';

export function cnp(name: string, spec: any, namespace = 'default'): any {
  return { apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name, namespace }, spec };
}

export function ccnp(name: string, spec: any): any {
  return { apiVersion: 'cilium.io/v2', kind: 'CiliumClusterwideNetworkPolicy', metadata: { name }, spec };
}

/** Runs a scenario document through the engine and returns the outcomes. */
export function run(doc: any) {
  const scenario = parseScenarioObject(doc, 'test-scenario');
  return runScenario(scenario);
}

/**
 * Asserts that every flow of the scenario gets its `expect` verdict; the failure message lists
 * the flows that did not, with the engine's reason.
 */
export function expectScenario(doc: any): void {
  const report = run(doc);
  const bad = report.outcomes
    .filter((o) => o.ok === false)
    .map((o) => `#${o.index} ${o.flow.src} -> ${o.flow.dst} ${o.flow.proto}/${o.flow.port ?? '-'}: got ${o.result.verdict}, expected ${o.flow.expect} (${o.result.reason})`);
  expect(bad).toEqual([]);
  expect(report.unchecked).toBe(0);
  expect(report.expected).toBe((doc.flows ?? []).length);
}

/** The verdict and reason of the single flow of a scenario. */
export function explainOne(doc: any) {
  const scenario = parseScenarioObject(doc, 'test-scenario');
  return createEngine(scenario).explain(scenario.flows[0]);
}

/**
 * What the one-chart-per-namespace layout would cost if cdk8s resolved dependencies and
 * validated the app once per synthesis. `App.synth()` and `App.synthYaml()` do both, then ask
 * every chart for its objects with `Chart.toJson()`, which (`App._synthChart`, cdk8s/lib/app.js)
 * runs `resolveDependencies` and `validate` over the whole app again before walking the chart:
 * C charts cost C + 1 whole-app passes. Bench only: `installOncePerSynthesis()` makes a chart
 * synthesized from inside `synthYaml()` skip the repeated passes (the app's own pass has just
 * run), so a run shows the cost of the layout without them, with the same bytes (sha256 checked).
 * cdk8s-team/cdk8s-core#1658 proposed this change (an internal replacement for `toJson` in
 * the app's synthesis) and kept only its other half, the children cache.
 */
import { ApiObject, App, Chart, DependencyGraph } from 'cdk8s';
import { median, table } from './format';

/** Patches cdk8s in this process (the measured child only). */
export function installOncePerSynthesis(): void {
  const app = App as unknown as { _synthChart(chart: Chart): any[]; prototype: { synthYaml(): string } };
  const synthChart = app._synthChart;
  const synthYaml = app.prototype.synthYaml;
  let inAppSynthesis = false;
  app.prototype.synthYaml = function (this: App) {
    inAppSynthesis = true;
    try {
      return synthYaml.call(this);
    } finally {
      inAppSynthesis = false;
    }
  };
  app._synthChart = function (chart: Chart) {
    if (!inAppSynthesis) {
      return synthChart.call(this, chart);
    }
    // chartToKube (cdk8s/lib/app.js) without the whole-app passes before it
    return new DependencyGraph(chart.node).topology()
      .filter((x): x is ApiObject => x instanceof ApiObject)
      .filter((x) => Chart.of(x) === chart)
      .map((x) => x.toJson());
  };
}

export interface OnceRun { ms: number; hash: string }

/**
 * Rounds of floor, ours, floor-once and ours-once in the namespace layout at `size` clusters:
 * the ratio ours / floor with cdk8s as it is and with the whole-app passes once per synthesis.
 */
export function onceSection(size: number, rounds: number, run: (variant: string) => OnceRun | string, log: (s: string) => void): void {
  log(`### The namespace layout without cdk8s's per-chart whole-app passes (${size} clusters, ${rounds} rounds)`);
  log('');
  const variants = ['floor', 'ours', 'floor-once', 'ours-once'];
  const runs: Record<string, OnceRun[]> = Object.fromEntries(variants.map((v) => [v, []]));
  const ratios: Record<string, number[]> = { cdk8s: [], once: [] };
  for (let i = 0; i < rounds; i++) {
    const round: Record<string, OnceRun> = {};
    for (const v of variants) {
      const r = run(v);
      if (typeof r === 'string') {
        log(`${v}: ${r}`);
        continue;
      }
      runs[v].push(r);
      round[v] = r;
    }
    if (round.ours && round.floor) ratios.cdk8s.push(round.ours.ms / round.floor.ms);
    if (round['ours-once'] && round['floor-once']) ratios.once.push(round['ours-once'].ms / round['floor-once'].ms);
  }
  const hashes = new Set(variants.flatMap((v) => runs[v].map((r) => r.hash)));
  log(table(['variant', 'median ms', 'runs ms', 'ours / floor (median of rounds)'], variants.map((v) => [
    v,
    runs[v].length ? median(runs[v].map((r) => r.ms)).toFixed(0) : '-',
    runs[v].map((r) => r.ms.toFixed(0)).join('/'),
    v === 'ours' && ratios.cdk8s.length ? median(ratios.cdk8s).toFixed(2) : v === 'ours-once' && ratios.once.length ? median(ratios.once).toFixed(2) : '',
  ])));
  log('');
  log(`output: ${hashes.size === 1 ? 'the same sha256 for every run' : `DIFFERS (${hashes.size} hashes)`}. \`-once\`: cdk8s resolving dependencies and validating once per synthesis (bench/cdk8s-once.ts).`);
  log('');
}

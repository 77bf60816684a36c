/**
 * What the floor does not pay: `npm run bench:floor-built` (BENCH_SIZE=1000, BENCH_ROUNDS=3).
 *
 * The floor (plain cdk8s ApiObjects of our very manifests) gets its manifests parsed before its
 * clock starts: they sit apart from its constructs, and its constructs are all one class. A
 * construct library builds its manifests while its constructs are constructed, so they are
 * allocated among them. `floor-built` is the floor with each manifest built (a deep copy of the
 * parsed one: allocation and property stores, no parsing) as its object is constructed; the
 * bytes are the same.
 *
 * `floor-shaped` is the floor's objects in a tree of plain constructs (cdk8s `ApiObject`s and
 * `constructs` `Construct`s) with the shape of ours: a construct for each grant, cluster and
 * pooler, the objects where ours has them. It shows what cdk8s's passes cost for the constructs
 * the library's API implies, before any cost of the library's own classes. It emits the same
 * objects in tree order (no output order), so its bytes differ.
 *
 * Each run also measures one of cdk8s's whole-app passes: `Chart.toJson()` (`App._synthChart`,
 * cdk8s/lib/app.js) runs `resolveDependencies` and `validate` over every construct of the app
 * before it walks its own chart. A synthesis runs a few of them with one chart and C + 1 with C
 * charts, which is what the namespace layout pays on top of the one-chart layout.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiObject, App, Chart } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { median, table } from './format';
import { Run, runChild } from './spawn';

/** The floor, each manifest built while its object is constructed (bench/child.ts `floor-built`). */
export function buildFloorBuilt(app: App, docsByChart: { chart: string; docs: any[] }[]): void {
  for (const { chart, docs } of docsByChart) {
    const ch = new Chart(app, chart);
    docs.forEach((obj, i) => new ApiObject(ch, `o${i}`, build(obj)));
  }
}

/** A construct of a chart's tree: its id, the index of its manifest in the chart's output if it is an API object, its children. */
export interface Shape { id: string; doc?: number; children?: Shape[] }

/**
 * The trees of the synthesized charts (each chart's children), API objects by the index of their
 * manifest in that chart's output `docs` (what `chart.toJson()` gave, in chart order).
 */
export function treeShape(charts: Chart[], docsByChart: { docs: any[] }[]): { chart: string; tree: Shape[] }[] {
  return charts.map((chart, ci) => {
    const index = new Map<string, number>();
    docsByChart[ci].docs.forEach((d: any, i: number) => index.set(objectKey(d.kind, d.metadata?.namespace, d.metadata?.name), i));
    const shapeOf = (c: IConstruct): Shape => {
      const s: Shape = { id: c.node.id };
      if (c instanceof ApiObject) {
        s.doc = index.get(objectKey(c.kind, c.metadata.namespace, c.name));
        if (s.doc === undefined) {
          throw new Error(`no manifest for ${c.node.path}`);
        }
      }
      if (c.node.children.length) {
        s.children = c.node.children.map(shapeOf);
      }
      return s;
    };
    return { chart: chart.node.id, tree: chart.node.children.map(shapeOf) };
  });
}

function objectKey(kind: string, namespace: string | undefined, name: string): string {
  return `${kind}\0${namespace ?? ''}\0${name}`;
}

/** The floor's objects in the trees of `shapes` (bench/child.ts `floor-shaped`). */
export function buildFloorShaped(app: App, docsByChart: { chart: string; docs: any[] }[], shapes: { chart: string; tree: Shape[] }[]): void {
  docsByChart.forEach(({ chart, docs }, i) => {
    const ch = new Chart(app, chart);
    let used = 0;
    const make = (scope: Construct, s: Shape): void => {
      const c = s.doc === undefined ? new Construct(scope, s.id) : new ApiObject(scope, s.id, docs[s.doc]);
      used += s.doc === undefined ? 0 : 1;
      for (const k of s.children ?? []) {
        make(c, k);
      }
    };
    for (const s of shapes[i].tree) {
      make(ch, s);
    }
    if (used !== docs.length) {
      throw new Error(`chart ${chart}: the shape places ${used} of ${docs.length} manifests`);
    }
  });
}

/** A fresh copy of a JSON value. */
function build(v: any): any {
  if (Array.isArray(v)) {
    return v.map(build);
  }
  if (v !== null && typeof v === 'object') {
    const o: Record<string, any> = {};
    for (const k of Object.keys(v)) {
      o[k] = build(v[k]);
    }
    return o;
  }
  return v;
}

/**
 * The median time of one whole-app pass of cdk8s over `app` (after its synthesis): an empty
 * chart's `App._synthChart`, whose walk of its own chart is nothing. Adds the empty chart (once).
 */
export function wholeAppPassMs(app: App): number {
  const empty = (app.node.tryFindChild('BenchEmptyChart') as Chart | undefined) ?? new Chart(app, 'BenchEmptyChart');
  const synthChart = (App as unknown as { _synthChart(c: Chart): unknown[] })._synthChart;
  const times: number[] = [];
  for (let i = 0; i < 26; i++) {
    const t0 = process.hrtime.bigint();
    synthChart.call(App, empty);
    if (i >= 5) {
      times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
  }
  return median(times);
}

/** Rounds of floor, floor-built and ours at `size` clusters in both layouts, with the pass cost of each. */
export function floorBuiltSection(size: number, rounds: number, run: (variant: string, layout: string) => Run | string, log: (s: string) => void): void {
  log(`### What the floor does not pay (${size} clusters, ${rounds} rounds per layout)`);
  log('');
  const variants = ['floor', 'floor-built', 'floor-shaped', 'ours'];
  const rows: (string | number)[][] = [];
  const hashes = new Set<string>();
  for (const layout of ['single', 'namespace']) {
    const runs: Record<string, Run[]> = Object.fromEntries(variants.map((v) => [v, []]));
    const ratios: Record<string, number[]> = Object.fromEntries(variants.map((v) => [v, []]));
    for (let i = 0; i < rounds; i++) {
      const round: Record<string, Run> = {};
      for (const v of variants) {
        const r = run(v, layout);
        if (typeof r === 'string') {
          log(`${v} (${layout}): ${r}`);
          continue;
        }
        runs[v].push(r);
        round[v] = r;
        if (v !== 'floor-shaped') {
          hashes.add(`${layout} ${r.hash}`);
        }
      }
      for (const v of variants) {
        if (round.ours && round[v]) {
          ratios[v].push(round.ours.ms / round[v].ms);
        }
      }
    }
    for (const v of variants) {
      const rs = runs[v];
      rows.push([
        layout, v,
        rs.length ? median(rs.map((r) => r.ms)).toFixed(0) : '-',
        rs.map((r) => r.ms.toFixed(0)).join('/'),
        v === 'ours' || !ratios[v].length ? '' : median(ratios[v]).toFixed(2),
        rs.length ? median(rs.map((r) => r.passMs ?? NaN)).toFixed(1) : '-',
      ]);
    }
  }
  log(table(['layout', 'variant', 'median ms', 'runs ms', 'ours / this (median of rounds)', 'one whole-app pass ms'], rows));
  log('');
  log(`output: ${hashes.size === 2 ? 'the same sha256 for every run of a layout' : `DIFFERS (${hashes.size} hashes for 2 layouts)`} (floor-shaped: the same objects in tree order).`);
  log('');
}

function main(): void {
  const size = Number(process.env.BENCH_SIZE ?? 1000);
  const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
  const timeoutS = Number(process.env.BENCH_TIMEOUT_S ?? 300);
  const workdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-sp-bench-'));
  const log = (s: string) => console.log(s);
  log(`# What the floor does not pay (${os.cpus().length} CPUs, node ${process.version}, ${new Date().toISOString()})`);
  log('');
  for (const layout of ['single', 'namespace']) {
    const setup = runChild('ours', size, workdir, layout, ['setup'], timeoutS);
    if (typeof setup !== 'object') {
      throw new Error(`the setup run of ours (${layout}) failed: ${setup}`);
    }
  }
  floorBuiltSection(size, rounds, (v, layout) => {
    const r = runChild(v, size, workdir, layout, ['passes'], timeoutS);
    return typeof r === 'object' ? r : r === 'timeout' ? `no result within ${timeoutS} s` : r;
  }, log);
}

if (require.main === module) {
  main();
}

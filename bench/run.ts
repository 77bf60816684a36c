/**
 * `npm run bench`: synthesis time and peak RSS of our constructs against the floor (the same
 * YAML as plain cdk8s ApiObjects) and the peer (cdk8s-plus-28 NetworkPolicies for the same
 * grants), at 10 / 100 / 1,000 SecuredPostgres clusters with 10 grants each, in two layouts;
 * the validation plugin's run on the one-chart output; the verifier's connectivity matrix by
 * identities and by pods; and the datapath cost (policy-map entries) of the seed scenarios
 * against minimal hand-written policies. Every run is a fresh child process, so that its
 * maxRSS is its own. Rounds of floor, peer and ours back to back; ours / floor is the median of
 * the per-round ratios, times are medians.
 *
 * Two layouts of the same estate, both in the BENCH line: `single` (one chart) and `namespace`
 * (one chart per database namespace, as most cdk8s apps are split: cdk8s synthesizes every
 * chart against the whole app, so its own cost grows with charts × constructs, for the floor
 * as well). In the single layout each round also runs the validation plugin (as `cdk8s synth`
 * runs it on the app's output, one report per chart) right after ours: plugin / ours is the
 * median of the per-round ratios.
 *
 * Environment: BENCH_SIZES=10,100,1000  BENCH_LAYOUTS=single,namespace  BENCH_REPEATS=5
 *   BENCH_TIMEOUT_S=300  BENCH_PLUGIN_TIMEOUT_S=120 (a plugin run past it ends the plugin's
 *   measurement at that size and above)  BENCH_ONCE_ROUNDS=3 (rounds of the namespace layout at
 *   the largest size with cdk8s's whole-app passes once per synthesis, bench/cdk8s-once.ts; 0: none)
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { onceSection } from './cdk8s-once';
import { datapathSection } from './datapath';
import { median, table } from './format';
import { Run, runChild } from './spawn';
import { verifierSection } from './verifier';

const SIZES = (process.env.BENCH_SIZES ?? '10,100,1000').split(',').map(Number);
const REPEATS = Number(process.env.BENCH_REPEATS ?? 5);
const LAYOUTS = (process.env.BENCH_LAYOUTS ?? 'single,namespace').split(',');
const TIMEOUT_S = Number(process.env.BENCH_TIMEOUT_S ?? 300);
const PLUGIN_TIMEOUT_S = Number(process.env.BENCH_PLUGIN_TIMEOUT_S ?? 120);
const ONCE_ROUNDS = Number(process.env.BENCH_ONCE_ROUNDS ?? 3);

function child(variant: string, size: number, workdir: string, layout: string, extra: string[] = [], timeoutS = TIMEOUT_S): Run | 'timeout' | string {
  return runChild(variant, size, workdir, layout, extra, timeoutS);
}

interface SynthResult {
  readonly synthRatio: number;
  readonly scaleRatio: number;
  readonly rss: number;
  readonly floorRss: number;
  readonly largest?: number;
  readonly largestMs: number;
  /** plugin / ours at the largest size (single layout); Infinity when the plugin did not finish there. */
  readonly pluginRatio: number;
}

interface PluginRow { size: number; runs: Run[]; ratios: number[]; failed?: string }

/** Ours, floor and peer at every size, in one layout. */
function synthSection(layout: string, workdir: string, log: (s: string) => void): SynthResult {
  const rows: (string | number)[][] = [];
  const medians = new Map<number, { ours?: number; floor?: number; peer?: number; rss?: number; floorRss?: number; ratio?: number; cpuRatio?: number }>();
  let failed = '';
  const hashes = new Map<number, string>();
  const withPlugin = layout === 'single';
  const pluginRows: PluginRow[] = [];
  let pluginStopped = '';
  for (const size of SIZES) {
    const repeats = REPEATS;
    const runs: Record<string, Run[]> = { ours: [], floor: [], peer: [] };
    // A first run of ours writes the manifests the floor and the peer are made from (not counted).
    const first = child('ours', size, workdir, layout, ['setup']);
    if (typeof first !== 'object') {
      failed = `ours at ${size} clusters: ${first === 'timeout' ? `no result within ${TIMEOUT_S} s` : first}`;
      log(`ours at ${size} clusters (${layout}) FAILED: ${failed}`);
      break;
    }
    // Interleave the variants, so that a change of machine load hits them alike; each round's
    // ours / floor is a ratio of two runs seconds apart.
    const ratios: number[] = [];
    const cpuRatios: number[] = [];
    const pluginRow: PluginRow = { size, runs: [], ratios: [] };
    for (let i = 0; i < repeats; i++) {
      const round: Record<string, Run> = {};
      for (const v of ['floor', 'peer', 'ours']) {
        const r = child(v, size, workdir, layout);
        if (typeof r === 'object') {
          runs[v].push(r);
          round[v] = r;
        } else {
          log(`${v} at ${size} (${layout}): ${r}`);
        }
      }
      if (round.ours && round.floor) {
        ratios.push(round.ours.ms / round.floor.ms);
        cpuRatios.push(round.ours.cpuMs / round.floor.cpuMs);
      }
      // The plugin on the output of this round's synthesis (written by the setup run: the same bytes), right after it.
      if (withPlugin && !pluginStopped && round.ours) {
        const p = child('plugin', size, workdir, layout, [], PLUGIN_TIMEOUT_S);
        if (typeof p === 'object') {
          pluginRow.runs.push(p);
          pluginRow.ratios.push(p.ms / round.ours.ms);
        } else {
          pluginStopped = `${size} clusters: ${p === 'timeout' ? `no result within ${PLUGIN_TIMEOUT_S} s` : p}`;
          pluginRow.failed = pluginStopped;
          log(`plugin at ${size} clusters: ${pluginStopped}`);
        }
      }
    }
    if (withPlugin && (pluginRow.runs.length > 0 || pluginRow.failed)) {
      pluginRows.push(pluginRow);
    }
    if (runs.ours.length === 0) {
      failed = `ours at ${size} clusters: no run completed`;
      break;
    }
    const same = runs.floor.every((r) => r.hash === first.hash) && runs.ours.every((r) => r.hash === first.hash);
    const m = {
      ours: median(runs.ours.map((r) => r.ms)),
      floor: median(runs.floor.map((r) => r.ms)),
      peer: median(runs.peer.map((r) => r.ms)),
      rss: median(runs.ours.map((r) => r.maxRssMb)),
      floorRss: median(runs.floor.map((r) => r.maxRssMb)),
      ratio: median(ratios),
      cpuRatio: median(cpuRatios),
    };
    medians.set(size, m);
    hashes.set(size, first.hash);
    for (const v of ['ours', 'floor', 'peer']) {
      const rs = runs[v];
      if (rs.length === 0) {
        continue;
      }
      const ratio = v === 'ours' ? m.ratio : v === 'floor' ? 1 : median(rs.map((r) => r.ms)) / m.floor;
      rows.push([
        size, size * 10, v, rs[0].objects, (rs[0].bytes / 2 ** 20).toFixed(1),
        median(rs.map((r) => r.ms)).toFixed(0), rs.map((r) => r.ms.toFixed(0)).join('/'),
        v === 'ours' ? m.cpuRatio.toFixed(2) : v === 'floor' ? '1.00' : (median(rs.map((r) => r.cpuMs)) / median(runs.floor.map((r) => r.cpuMs))).toFixed(2),
        median(rs.map((r) => r.maxRssMb)).toFixed(0), median(rs.map((r) => r.maxRssMb - r.baseRssMb)).toFixed(0),
        ratio.toFixed(2),
        v === 'floor' ? (same ? `= ours (${first.hash.slice(0, 16)})` : 'DIFFERS from ours') : rs[0].hash.slice(0, 16),
      ]);
    }
  }
  log(`## Synthesis, layout \`${layout}\` (${layout === 'single' ? 'one chart' : 'one chart per database namespace'}; medians, every run in a fresh process)`);
  log('');
  log(table(['clusters', 'grants', 'variant', 'objects', 'YAML MiB', 'median ms', 'runs ms', 'CPU / floor', 'maxRSS MiB', 'RSS over start MiB', '/ floor', 'output sha256'], rows));
  log('');
  log('`/ floor`: for ours, the median over rounds of ours / floor within a round (runs seconds apart); for the peer, its median over the floor\'s. `CPU / floor`: the same for CPU time of every thread (the garbage collector\'s helpers included).');
  log('');
  if (medians.size > 0) {
    log(`ours, full sha256 of the YAML: ${[...medians.keys()].map((s) => `${s} clusters ${hashes.get(s)}`).join('; ')}`);
    log('');
  }
  if (withPlugin) {
    log(`### Validation plugin on the one-chart output (lint, the estate's scenario, one report per chart; fresh process; timeout ${PLUGIN_TIMEOUT_S} s)`);
    log('');
    log(table(['clusters', 'plugin median ms', 'runs ms', 'max RSS MiB', 'plugin / ours (median of rounds)', 'status'], pluginRows.map((p) => [
      p.size,
      p.runs.length ? median(p.runs.map((r) => r.ms)).toFixed(0) : '-',
      [...p.runs.map((r) => r.ms.toFixed(0)), ...(p.failed ? ['timeout'] : [])].join('/'),
      p.runs.length ? median(p.runs.map((r) => r.maxRssMb)).toFixed(0) : '-',
      p.runs.length && !p.failed ? median(p.ratios).toFixed(2) : p.runs.length ? `≥ ${median(p.ratios).toFixed(2)} (then a timeout)` : `> ${(PLUGIN_TIMEOUT_S * 1000 / (medians.get(p.size)?.ours ?? NaN)).toFixed(0)}`,
      p.failed ? `stopped: ${p.failed}` : p.runs.map((r) => r.status).join('/'),
    ])));
    log('');
  }
  const sizes = SIZES.filter((s) => medians.get(s)?.ours !== undefined);
  const largest = sizes[sizes.length - 1];
  const lm = largest === undefined ? undefined : medians.get(largest);
  let scaleRatio = sizes.length < 2 ? NaN : 0;
  for (let i = 1; i < sizes.length; i++) {
    const a = medians.get(sizes[i - 1])!;
    const b = medians.get(sizes[i])!;
    scaleRatio = Math.max(scaleRatio, b.ours! / a.ours! / (sizes[i] / sizes[i - 1]) * 10);
    log(`scale ${sizes[i - 1]} -> ${sizes[i]} clusters: ours ×${(b.ours! / a.ours!).toFixed(2)}, floor ×${(b.floor! / a.floor!).toFixed(2)}, peer ×${(b.peer! / a.peer!).toFixed(2)}`);
  }
  log('');
  const pl = pluginRows.find((p) => p.size === largest);
  return {
    synthRatio: failed || !lm?.ratio ? Infinity : lm.ratio,
    scaleRatio: failed ? Infinity : scaleRatio,
    rss: failed ? Infinity : lm?.rss ?? Infinity,
    floorRss: lm?.floorRss ?? NaN,
    largest,
    largestMs: lm?.ours ?? Infinity,
    pluginRatio: !withPlugin ? NaN : pl && !pl.failed && pl.ratios.length ? median(pl.ratios) : Infinity,
  };
}

function main(): void {
  const workdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-sp-bench-'));
  const out: string[] = [];
  const log = (s: string) => {
    out.push(s);
    console.log(s);
  };
  log(`# cdk8s-secured-postgres benchmark (${os.cpus().length} CPUs, node ${process.version}, ${new Date().toISOString()})`);
  log('');
  const results = new Map<string, SynthResult>();
  for (const layout of LAYOUTS) {
    results.set(layout, synthSection(layout, workdir, log));
    const r = results.get(layout)!;
    if (layout === 'namespace' && r.largest !== undefined && ONCE_ROUNDS > 0) {
      onceSection(r.largest, ONCE_ROUNDS, (v) => {
        const c = child(v, r.largest!, workdir, layout);
        return typeof c === 'object' ? c : c === 'timeout' ? `no result within ${TIMEOUT_S} s` : c;
      }, log);
    }
  }
  const single = results.get('single');
  const ns = results.get('namespace');
  const primary = single ?? results.get(LAYOUTS[0])!;
  for (const [layout, r] of results) {
    log(`layout ${layout}: synth_ratio=${r.synthRatio.toFixed(2)} scale_ratio=${r.scaleRatio.toFixed(2)} rss_mb=${r.rss.toFixed(0)} floor_rss_mb=${r.floorRss.toFixed(0)} largest_ms=${r.largestMs.toFixed(0)}`);
  }
  const largest = primary.largest;
  if (largest !== undefined && !fs.existsSync(path.join(workdir, `ours-${largest}.json`)) && fs.existsSync(path.join(workdir, `ours-single-${largest}.json`))) {
    fs.copyFileSync(path.join(workdir, `ours-single-${largest}.json`), path.join(workdir, `ours-${largest}.json`));
  }
  log('');
  const verify = verifierSection(workdir, largest, log);
  const map = datapathSection(log);
  const f = (x: number | undefined, d: number) => (x === undefined || Number.isNaN(x) ? 'n/a' : x === Infinity ? 'inf' : x.toFixed(d));
  const line = `BENCH synth_ratio=${f(single?.synthRatio, 2)} synth_ratio_ns=${f(ns?.synthRatio, 2)} scale_ratio=${f(single?.scaleRatio, 2)} ` +
    `plugin_ratio=${f(single?.pluginRatio, 2)} verify_ms=${verify.toFixed(0)} rss_mb=${f(single?.rss, 0)} rss_mb_ns=${f(ns?.rss, 0)} map_ratio=${map.toFixed(2)}`;
  fs.writeFileSync(path.join(__dirname, 'last-run.md'), out.join('\n') + '\n' + '\n```\n' + line + '\n```\n');
  console.log(line);
}

main();

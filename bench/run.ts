/**
 * `npm run bench`: synthesis time and peak RSS of our constructs against the floor (the same
 * YAML as plain cdk8s ApiObjects) and the peer (cdk8s-plus-28 NetworkPolicies for the same
 * grants), at 10 / 100 / 1,000 SecuredPostgres clusters with 10 grants each; the verifier's
 * connectivity matrix by identities and by pods; and the datapath cost (policy-map entries) of
 * the seed scenarios against minimal hand-written policies. Every synthesis run is a fresh
 * child process, so that its maxRSS is its own. Rounds of floor, peer and ours back to back;
 * ours / floor is the median of the per-round ratios, times are medians.
 *
 * Two layouts of the same estate: `single` (one chart; the BENCH line) and `namespace` (one
 * chart per database namespace: cdk8s synthesizes every chart against the whole app, so its
 * own cost grows with charts × constructs, for the floor as well).
 *
 * Environment: BENCH_SIZES=10,100,1000  BENCH_LAYOUTS=single,namespace  BENCH_REPEATS=5  BENCH_TIMEOUT_S=300
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { datapathSection } from './datapath';
import { median, table } from './format';
import { verifierSection } from './verifier';

interface Run { ms: number; cpuMs: number; mainCpuMs: number; maxRssMb: number; baseRssMb: number; bytes: number; hash: string; objects: number }

const ROOT = path.resolve(__dirname, '..');
const SIZES = (process.env.BENCH_SIZES ?? '10,100,1000').split(',').map(Number);
const REPEATS = Number(process.env.BENCH_REPEATS ?? 5);
const LAYOUTS = (process.env.BENCH_LAYOUTS ?? 'single,namespace').split(',');
const TIMEOUT_S = Number(process.env.BENCH_TIMEOUT_S ?? 300);

function child(variant: string, size: number, workdir: string, layout: string): Run | 'timeout' | string {
  const r = spawnSync(process.execPath, ['-r', 'ts-node/register/transpile-only', path.join(__dirname, 'child.ts'), variant, String(size), workdir, layout], {
    cwd: ROOT,
    env: { ...process.env, TS_NODE_PROJECT: path.join(ROOT, 'tsconfig.dev.json'), TS_NODE_TRANSPILE_ONLY: '1' },
    encoding: 'utf8',
    timeout: TIMEOUT_S * 1000,
    maxBuffer: 1 << 24,
  });
  if (r.error && (r.error as any).code === 'ETIMEDOUT') {
    return 'timeout';
  }
  if (r.status !== 0) {
    return `exit ${r.status}: ${(r.stderr || '').split('\n').filter((l) => l.trim()).slice(-3).join(' | ')}`;
  }
  const line = r.stdout.trim().split('\n').pop()!;
  return JSON.parse(line);
}

interface SynthResult {
  readonly synthRatio: number;
  readonly scaleRatio: number;
  readonly rss: number;
  readonly largest?: number;
  readonly largestMs: number;
}

/** Ours, floor and peer at every size, in one layout. */
function synthSection(layout: string, workdir: string, log: (s: string) => void): SynthResult {
  const rows: (string | number)[][] = [];
  const medians = new Map<number, { ours?: number; floor?: number; peer?: number; rss?: number; ratio?: number; cpuRatio?: number }>();
  let failed = '';
  for (const size of SIZES) {
    const repeats = REPEATS;
    const runs: Record<string, Run[]> = { ours: [], floor: [], peer: [] };
    // A first run of ours writes the manifests the floor and the peer are made from (not counted).
    const first = child('ours', size, workdir, layout);
    if (typeof first !== 'object') {
      failed = `ours at ${size} clusters: ${first === 'timeout' ? `no result within ${TIMEOUT_S} s` : first}`;
      log(`ours at ${size} clusters (${layout}) FAILED: ${failed}`);
      break;
    }
    // Interleave the variants, so that a change of machine load hits them alike; each round's
    // ours / floor is a ratio of two runs seconds apart.
    const ratios: number[] = [];
    const cpuRatios: number[] = [];
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
      ratio: median(ratios),
      cpuRatio: median(cpuRatios),
    };
    medians.set(size, m);
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
        v === 'floor' ? (same ? `= ours (${first.hash})` : 'DIFFERS from ours') : rs[0].hash,
      ]);
    }
  }
  log(`## Synthesis, layout \`${layout}\` (${layout === 'single' ? 'one chart' : 'one chart per database namespace'}; medians, every run in a fresh process)`);
  log('');
  log(table(['clusters', 'grants', 'variant', 'objects', 'YAML MiB', 'median ms', 'runs ms', 'CPU / floor', 'maxRSS MiB', 'RSS over start MiB', '/ floor', 'output sha256'], rows));
  log('');
  log('`/ floor`: for ours, the median over rounds of ours / floor within a round (runs seconds apart); for the peer, its median over the floor\'s. `CPU / floor`: the same for CPU time of every thread (the garbage collector\'s helpers included).');
  log('');
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
  return {
    synthRatio: failed || !lm?.ratio ? Infinity : lm.ratio,
    scaleRatio: failed ? Infinity : scaleRatio,
    rss: failed ? Infinity : lm?.rss ?? Infinity,
    largest,
    largestMs: lm?.ours ?? Infinity,
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
  }
  const primary = results.get(LAYOUTS[0])!;
  for (const [layout, r] of results) {
    if (layout !== LAYOUTS[0]) {
      log(`layout ${layout}: synth_ratio=${r.synthRatio.toFixed(2)} scale_ratio=${r.scaleRatio.toFixed(2)} rss_mb=${r.rss.toFixed(0)} largest_ms=${r.largestMs.toFixed(0)}`);
    }
  }
  const largest = primary.largest;
  if (largest !== undefined && !fs.existsSync(path.join(workdir, `ours-${largest}.json`)) && fs.existsSync(path.join(workdir, `ours-single-${largest}.json`))) {
    fs.copyFileSync(path.join(workdir, `ours-single-${largest}.json`), path.join(workdir, `ours-${largest}.json`));
  }
  log('');
  const verify = verifierSection(workdir, largest, log);
  const map = datapathSection(log);
  const line = `BENCH synth_ratio=${primary.synthRatio.toFixed(2)} scale_ratio=${primary.scaleRatio.toFixed(2)} verify_ms=${verify.toFixed(0)} rss_mb=${primary.rss.toFixed(0)} map_ratio=${map.toFixed(2)}`;
  fs.writeFileSync(path.join(__dirname, 'last-run.md'), out.join('\n') + '\n' + '\n```\n' + line + '\n```\n');
  console.log(line);
}

main();

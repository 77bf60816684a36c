/**
 * One measured run in a fresh process (so that maxRSS is this variant's own peak):
 *   child.ts <ours|floor|floor-built|floor-shaped|peer|plugin|ours-once|floor-once> <clusters> <workdir> [namespace|single] [setup|passes]
 * Layout `namespace` (default): one chart per database namespace; `single`: one chart.
 * `-once`: with cdk8s patched to resolve dependencies and validate once per synthesis
 * (bench/cdk8s-once.ts). `floor-built`: the floor with each manifest built while its object is
 * constructed; `floor-shaped`: the floor's objects in a tree of plain constructs shaped like
 * ours (bench/floor-built.ts). `passes`: after the measured synthesis, also the cost of
 * one of cdk8s's whole-app passes (`passMs`, bench/floor-built.ts).
 * Prints one JSON line: { ms, cpuMs, mainCpuMs, maxRssMb, baseRssMb, bytes, hash, objects, passMs? }:
 * wall time, CPU time of the process (every thread: the garbage collector's helpers too) and of
 * its main thread (Linux; 10 ms ticks), all of the synthesis only (for `plugin`: of the
 * validation plugin's run only).
 *
 * `ours ... setup` (the run before the measured rounds) also writes what the other variants
 * read: the manifests per chart as JSON (the floor and the peer are made from them), and the
 * output of `cdk8s synth` (`<chart>.k8s.yaml` and construct-metadata.json, written by
 * `app.synth()` with construct metadata, as the CLI has the app do) with a connectivity
 * scenario for the plugin.
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { App, Chart } from 'cdk8s';
import { ValidationContext } from 'cdk8s-cli/plugins';
import { installOncePerSynthesis } from './cdk8s-once';
import { buildFloor, buildOurs, buildPeer, estateScenario, estateSpec } from './estate';
import { buildFloorBuilt, buildFloorShaped, treeShape, wholeAppPassMs } from './floor-built';
import { CiliumPolicyValidation } from '../src/plugin';

async function main(): Promise<void> {
  const [variantArg, sizeArg, workdir, layoutArg, setupArg] = process.argv.slice(2);
  const variant = variantArg.replace(/-once$/, '');
  if (variant !== variantArg) {
    installOncePerSynthesis();
  }
  const size = Number(sizeArg);
  const layout = layoutArg === 'single' ? 'single' : 'namespace';
  const spec = estateSpec(size);
  const tag = layout === 'single' ? `single-${size}` : `${size}`;
  const oursFile = path.join(workdir, `ours-${tag}.json`);
  const shapeFile = path.join(workdir, `ours-${tag}.shape.json`);
  const synthDir = path.join(workdir, `synth-${tag}`);
  if (variant === 'plugin') {
    await plugin(synthDir);
    return;
  }
  let input: any;
  if (variant === 'floor' || variant === 'floor-built' || variant === 'floor-shaped' || variant === 'peer') {
    input = JSON.parse(fs.readFileSync(oursFile, 'utf8'));
  }
  const shape = variant === 'floor-shaped' ? JSON.parse(fs.readFileSync(shapeFile, 'utf8')) : undefined;
  let clusterDocs: Map<string, any[]> | undefined;
  if (variant === 'peer') {
    clusterDocs = new Map();
    for (const c of input as { chart: string; docs: any[] }[]) {
      clusterDocs.set(c.chart, c.docs.filter((d) => d.apiVersion === 'postgresql.cnpg.io/v1'));
    }
  }
  const clock = startClock();
  const app = new App({ outdir: path.join(workdir, 'out') });
  switch (variant) {
    case 'ours': buildOurs(app, spec, { singleChart: layout === 'single' }); break;
    case 'floor': buildFloor(app, input); break;
    case 'floor-built': buildFloorBuilt(app, input); break;
    case 'floor-shaped': buildFloorShaped(app, input, shape); break;
    case 'peer': buildPeer(app, spec, clusterDocs!, { singleChart: layout === 'single' }); break;
    default: throw new Error(`unknown variant ${variant}`);
  }
  const yaml = app.synthYaml();
  const measured = clock.stop();
  const hash = createHash('sha256').update(yaml).digest('hex');
  let objects = 0;
  const charts = app.node.children.filter((c): c is Chart => c instanceof Chart);
  if (variant === 'ours') {
    const out = charts.map((c) => ({ chart: c.node.id, docs: c.toJson() }));
    objects = out.reduce((n, c) => n + c.docs.length, 0);
    if (setupArg === 'setup') {
      fs.writeFileSync(oursFile, JSON.stringify(out));
      fs.writeFileSync(shapeFile, JSON.stringify(treeShape(charts, out)));
      fs.writeFileSync(path.join(workdir, `ours-${tag}.yaml`), yaml);
      // What `cdk8s synth` leaves for its validation plugins: the app's output, with construct metadata.
      fs.rmSync(synthDir, { recursive: true, force: true });
      const cli = new App({ outdir: synthDir, recordConstructMetadata: true });
      buildOurs(cli, spec, { singleChart: layout === 'single' });
      cli.synth();
      fs.writeFileSync(path.join(synthDir, 'estate.connectivity.yaml'), estateScenario(spec));
    }
  } else {
    objects = yaml.split(/^---$/m).length;
  }
  const passMs = setupArg === 'passes' ? wholeAppPassMs(app) : undefined;
  process.stdout.write(JSON.stringify({ ...measured, bytes: yaml.length, hash, objects, passMs }) + '\n');
}

/**
 * The validation plugin as `cdk8s synth` runs it on the app's output: a `ValidationContext`
 * over the synthesized files and the construct metadata (as cdk8s-cli's `ValidationPlugin.load`
 * builds it), one report per chart, the estate's connectivity scenario.
 */
async function plugin(synthDir: string): Promise<void> {
  const manifests = fs.readdirSync(synthDir).filter((f) => f.endsWith('.k8s.yaml')).sort().map((f) => path.join(synthDir, f));
  const recorded = JSON.parse(fs.readFileSync(path.join(synthDir, 'construct-metadata.json'), 'utf8'));
  const metadata: Record<string, { path: string }> = {};
  for (const [name, m] of Object.entries<any>(recorded.resources)) {
    metadata[name] = { path: m.path };
  }
  const validation = new CiliumPolicyValidation({
    report: '{outdir}/{chart}.connectivity.md',
    scenarios: [{ file: path.join(synthDir, 'estate.connectivity.yaml') }],
  });
  const log = console.log;
  console.log = () => undefined; // the plugin's one summary line (cdk8s-cli prints it)
  const clock = startClock();
  const context = new ValidationContext(manifests, 'cdk8s-secured-postgres', '0.1.0', metadata, false);
  await validation.validate(context);
  const measured = clock.stop();
  console.log = log;
  const reports = fs.readdirSync(synthDir).filter((f) => f.endsWith('.connectivity.md')).sort();
  const hash = createHash('sha256');
  for (const r of reports) {
    hash.update(fs.readFileSync(path.join(synthDir, r)));
  }
  const status = context.report.toJson().summary.status;
  process.stdout.write(JSON.stringify({
    ...measured, bytes: 0, hash: hash.digest('hex'), objects: reports.length, status,
  }) + '\n');
}

/**
 * Starts measuring (after a full collection, when `--expose-gc` allows it); `stop()` gives wall
 * time, CPU time of every thread and of the main thread, max RSS and the RSS at the start.
 */
function startClock(): { stop(): { ms: number; cpuMs: number; mainCpuMs: number; maxRssMb: number; baseRssMb: number } } {
  if (global.gc) {
    global.gc();
  }
  const baseRssMb = process.memoryUsage().rss / 2 ** 20;
  const cpu0 = process.cpuUsage();
  const main0 = mainThreadCpuMs();
  const t0 = process.hrtime.bigint();
  return {
    stop: () => {
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      const cpu = process.cpuUsage(cpu0);
      return { ms, cpuMs: (cpu.user + cpu.system) / 1000, mainCpuMs: mainThreadCpuMs() - main0, maxRssMb: process.resourceUsage().maxRSS / 1024, baseRssMb };
    },
  };
}

/** CPU time of the main thread so far (utime + stime of /proc/self/task/<pid>/stat), or NaN. */
function mainThreadCpuMs(): number {
  try {
    const stat = fs.readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10; // clock ticks of 10 ms
  } catch {
    return NaN;
  }
}

main().catch((e) => {
  process.stderr.write(`${e && e.stack ? e.stack : e}\n`);
  process.exit(1);
});

/**
 * One measured run in a fresh process (so that maxRSS is this variant's own peak):
 *   child.ts <ours|floor|peer> <clusters> <workdir> [namespace|single]
 * Layout `namespace` (default): one chart per database namespace; `single`: one chart.
 * Prints one JSON line: { ms, cpuMs, mainCpuMs, maxRssMb, baseRssMb, bytes, hash, objects }:
 * wall time, CPU time of the process (every thread: the garbage collector's helpers too) and of
 * its main thread (Linux; 10 ms ticks), all of the synthesis only.
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { App, Chart } from 'cdk8s';
import { buildFloor, buildOurs, buildPeer, estateSpec } from './estate';

function main(): void {
  const [variant, sizeArg, workdir, layoutArg] = process.argv.slice(2);
  const size = Number(sizeArg);
  const layout = layoutArg === 'single' ? 'single' : 'namespace';
  const spec = estateSpec(size);
  const tag = layout === 'single' ? `single-${size}` : `${size}`;
  const oursFile = path.join(workdir, `ours-${tag}.json`);
  let input: any;
  if (variant === 'floor' || variant === 'peer') {
    input = JSON.parse(fs.readFileSync(oursFile, 'utf8'));
  }
  let clusterDocs: Map<string, any[]> | undefined;
  if (variant === 'peer') {
    clusterDocs = new Map();
    for (const c of input as { chart: string; docs: any[] }[]) {
      clusterDocs.set(c.chart, c.docs.filter((d) => d.apiVersion === 'postgresql.cnpg.io/v1'));
    }
  }
  if (global.gc) {
    global.gc();
  }
  const baseRssMb = process.memoryUsage().rss / 2 ** 20;
  const cpu0 = process.cpuUsage();
  const main0 = mainThreadCpuMs();
  const t0 = process.hrtime.bigint();
  const app = new App({ outdir: path.join(workdir, 'out') });
  switch (variant) {
    case 'ours': buildOurs(app, spec, { singleChart: layout === 'single' }); break;
    case 'floor': buildFloor(app, input); break;
    case 'peer': buildPeer(app, spec, clusterDocs!, { singleChart: layout === 'single' }); break;
    default: throw new Error(`unknown variant ${variant}`);
  }
  const yaml = app.synthYaml();
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const cpu = process.cpuUsage(cpu0);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  const mainCpuMs = mainThreadCpuMs() - main0;
  const maxRssMb = process.resourceUsage().maxRSS / 1024;
  const hash = createHash('sha256').update(yaml).digest('hex').slice(0, 16);
  let objects = 0;
  const charts = app.node.children.filter((c): c is Chart => c instanceof Chart);
  if (variant === 'ours') {
    const out = charts.map((c) => ({ chart: c.node.id, docs: c.toJson() }));
    objects = out.reduce((n, c) => n + c.docs.length, 0);
    fs.writeFileSync(oursFile, JSON.stringify(out));
    fs.writeFileSync(path.join(workdir, `ours-${tag}.yaml`), yaml);
  } else {
    objects = yaml.split(/^---$/m).length;
  }
  process.stdout.write(JSON.stringify({ ms, cpuMs, mainCpuMs, maxRssMb, baseRssMb, bytes: yaml.length, hash, objects }) + '\n');
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

main();

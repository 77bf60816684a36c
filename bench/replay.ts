/**
 * Benchmark of `cilium-verify replay`: generates a Hubble export (`hubble observe -o json`
 * lines, a few hundred distinct connections between realistic pod identities, replies, DNS and
 * HTTP L7 flows, a lost_events record now and then) and replays it against the flask-postgres
 * example's manifests (test/verify/replay-fixtures/flask-postgres.k8s.yaml, the example as
 * `npm run synth` writes it), each run in a fresh Node process on the compiled modules in lib/
 * (run `npm run build` first), so that max RSS is the replay's own.
 *
 *   npx ts-node --transpile-only -P tsconfig.dev.json bench/replay.ts [lines] [runs]
 *
 * Defaults: 1,000,000 lines, 3 runs of that size (median reported), plus one run of a tenth of
 * the lines to show that memory does not grow with the export. Prints a Markdown table.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.join(__dirname, '..');
const MANIFESTS = path.join(ROOT, 'test', 'verify', 'replay-fixtures', 'flask-postgres.k8s.yaml');

// --- the export -------------------------------------------------------------------------------

/** A small deterministic PRNG (mulberry32), so every run replays the same file. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Ep {
  readonly ep: Record<string, unknown>;
  readonly ip: string;
}

let nextIdentity = 20000;
function pod(ns: string, podName: string, own: Record<string, string>, sa: string, ip: string, workload?: [string, string]): Ep {
  const labels = Object.entries(own).map(([k, v]) => `k8s:${k}=${v}`);
  labels.push(
    `k8s:io.cilium.k8s.namespace.labels.kubernetes.io/metadata.name=${ns}`,
    'k8s:io.cilium.k8s.policy.cluster=default',
    `k8s:io.cilium.k8s.policy.serviceaccount=${sa}`,
    `k8s:io.kubernetes.pod.namespace=${ns}`,
  );
  labels.sort();
  const ep: Record<string, unknown> = { ID: 100 + (nextIdentity % 3000), identity: nextIdentity++, cluster_name: 'default', namespace: ns, labels, pod_name: podName };
  if (workload) ep.workloads = [{ name: workload[0], kind: workload[1] }];
  return { ep, ip };
}

function peer(labels: string[], identity: number, ip: string): Ep {
  return { ep: { identity, labels }, ip };
}

interface Conn {
  readonly src: Ep;
  readonly dst: Ep;
  readonly l4: 'TCP' | 'UDP' | 'ICMPv4';
  readonly port: number;
  readonly verdict: string;
  readonly l7?: Record<string, unknown>;
  readonly answer?: Record<string, unknown>;
  readonly v6?: boolean;
}

function connections(): Conn[] {
  const flask = [0, 1, 2].map((i) => pod('db', `flask-app-6d8f7b9c5-${'abc'[i]}x2k8`, { 'app': 'flask-app', 'cdk8s.io/metadata.addr': 'flask-postgres-flask-app-c847e996' }, 'default', `10.244.1.${20 + i}`, ['flask-app', 'Deployment']));
  const mydb = [1, 2, 3].map((i) => pod('db', `mydb-${i}`, { 'cnpg.io/cluster': 'mydb', 'cnpg.io/instanceName': `mydb-${i}`, 'cnpg.io/instanceRole': i === 1 ? 'primary' : 'replica', 'cnpg.io/podRole': 'instance', 'role': i === 1 ? 'primary' : 'replica' }, 'mydb', `10.244.2.${10 + i}`));
  const dns = pod('kube-system', 'coredns-5d78c9869d-7tq2m', { 'k8s-app': 'kube-dns' }, 'coredns', '10.244.0.5', ['coredns', 'Deployment']);
  const oper = pod('cnpg-system', 'cnpg-controller-manager-7d9f8b6c4-q8w2z', { 'app.kubernetes.io/name': 'cloudnative-pg' }, 'cnpg-manager', '10.244.0.31', ['cnpg-controller-manager', 'Deployment']);
  const prom = pod('monitoring', 'prometheus-k8s-0', { 'app.kubernetes.io/name': 'prometheus' }, 'prometheus', '10.244.3.40', ['prometheus-k8s', 'StatefulSet']);
  const teams: Ep[][] = [];
  for (let t = 0; t < 10; t++) {
    const team: Ep[] = [];
    for (let s = 0; s < 6; s++) team.push(pod(`team-${t}`, `svc-${s}-5f7d8c-${t}${s}qz`, { 'app': `svc-${s}`, 'app.kubernetes.io/part-of': `team-${t}` }, `svc-${s}`, `10.245.${t}.${s + 10}`, [`svc-${s}`, 'Deployment']));
    teams.push(team);
  }
  const apiserver = peer(['reserved:kube-apiserver', 'reserved:remote-node'], 7, '172.18.0.3');
  const host = peer(['reserved:host'], 1, '10.244.1.1');
  const out: Conn[] = [];
  const fwd = (src: Ep, dst: Ep, port: number, extra: Partial<Conn> = {}) => out.push({ src, dst, l4: 'TCP', port, verdict: 'FORWARDED', ...extra });
  for (const f of flask) for (const m of mydb) fwd(f, m, 5432);
  for (const a of mydb) for (const b of mydb) if (a !== b) { fwd(a, b, 5432); fwd(a, b, 8000); }
  for (const m of mydb) { fwd(oper, m, 8000); fwd(m, apiserver, 6443); fwd(apiserver, m, 8000); }
  for (const f of flask) fwd(host, f, 5000);
  const everyone = [...flask, ...mydb, oper, prom, ...teams.flat()];
  for (const e of everyone) {
    for (const name of ['mydb-rw.db.svc.cluster.local.', 'api.stripe.com.']) {
      out.push({ src: e, dst: dns, l4: 'UDP', port: 53, verdict: 'FORWARDED', l7: { type: 'REQUEST', dns: { query: name, qtypes: ['A'], observation_source: 'proxy' } }, answer: { type: 'RESPONSE', dns: { query: name, ips: [name.startsWith('api') ? '2001:db8::10' : '10.96.12.7'], ttl: 30, rrtypes: ['A'] } } });
    }
  }
  for (let w = 0; w < 40; w++) {
    const client = peer(['reserved:world'], 2, `203.0.113.${w + 1}`);
    const f = flask[w % 3];
    for (const [method, p] of [['GET', '/'], ['GET', '/?page=2'], ['POST', '/login']]) {
      out.push({ src: client, dst: f, l4: 'TCP', port: 5000, verdict: 'FORWARDED', l7: { type: 'REQUEST', http: { method, url: `http://shop.example.com${p}`, protocol: 'HTTP/1.1' } } });
    }
  }
  for (const team of teams) {
    for (let s = 0; s < team.length; s++) fwd(team[s], team[(s + 1) % team.length], 8080);
    for (const e of team) fwd(prom, e, 9090);
    out.push({ src: team[0], dst: mydb[0], l4: 'TCP', port: 5432, verdict: 'DROPPED' });
  }
  for (const f of flask) {
    for (let i = 0; i < 5; i++) out.push({ src: f, dst: peer(['reserved:world-ipv6'], 10, `2001:db8::${10 + i}`), l4: 'TCP', port: 443, verdict: 'FORWARDED', v6: true });
    out.push({ src: f, dst: mydb[0], l4: 'ICMPv4', port: 8, verdict: 'DROPPED' });
  }
  return out;
}

function flowLine(c: Conn, reply: boolean, n: number, r: () => number): string {
  const sport = 32768 + Math.floor(r() * 28000);
  const time = new Date(Date.UTC(2025, 6, 15, 1, 0, 0) + n).toISOString().replace('Z', '123Z');
  const [src, dst] = reply ? [c.dst, c.src] : [c.src, c.dst];
  let l4: Record<string, unknown>;
  if (c.l4 === 'ICMPv4') l4 = { ICMPv4: reply ? {} : { type: c.port } };
  else {
    const ports = reply ? { source_port: c.port, destination_port: sport } : { source_port: sport, destination_port: c.port };
    l4 = { [c.l4]: c.l7 || c.l4 === 'UDP' ? ports : { ...ports, flags: reply ? { SYN: true, ACK: true } : { SYN: true } } };
  }
  const flow: Record<string, unknown> = {
    time,
    uuid: `c2ecde95-7124-4b42-846c-${n.toString(16).padStart(12, '0')}`,
    verdict: c.verdict,
    ethernet: { source: '92:34:10:65:b5:ee', destination: 'c2:3c:0f:7f:7d:73' },
    IP: { source: c.v6 ? (reply ? '2001:db8::10' : 'fd00:10:244:1::23') : src.ip, destination: c.v6 ? (reply ? 'fd00:10:244:1::23' : dst.ip) : dst.ip, ipVersion: c.v6 ? 'IPv6' : 'IPv4' },
    l4,
    source: src.ep,
    destination: dst.ep,
    Type: c.l7 ? 'L7' : 'L3_L4',
    node_name: 'kind-worker',
    event_type: { type: c.l7 ? 129 : c.verdict === 'DROPPED' ? 1 : 4 },
    traffic_direction: 'EGRESS',
    is_reply: reply,
    Summary: c.l7 ? '' : 'TCP Flags: SYN',
  };
  if (c.verdict === 'DROPPED') {
    flow.drop_reason = 133;
    flow.drop_reason_desc = 'POLICY_DENIED';
  }
  if (c.l7) flow.l7 = reply ? c.answer ?? { type: 'RESPONSE', latency_ns: '81234', http: { code: 200, method: 'GET', url: 'http://shop.example.com/' } } : c.l7;
  return JSON.stringify({ flow, node_name: 'kind-worker', time });
}

/** Writes an export of `lines` lines; returns the number of connection kinds it draws from. */
export function generate(file: string, lines: number): number {
  const conns = connections();
  const r = rng(42);
  const fd = fs.openSync(file, 'w');
  let buf: string[] = [];
  for (let n = 0; n < lines; n++) {
    if (n % 10_000 === 9_999) {
      buf.push(JSON.stringify({ lost_events: { source: 'HUBBLE_RING_BUFFER', num_events_lost: '3' }, node_name: 'kind-worker', time: '2025-07-15T01:00:00Z' }));
    } else {
      // a skewed mix: a few busy connections, a long tail
      const c = conns[Math.floor(Math.pow(r(), 2) * conns.length)];
      buf.push(flowLine(c, c.verdict !== 'DROPPED' && r() < 0.4, n, r));
    }
    if (buf.length === 10_000) {
      fs.writeSync(fd, buf.join('\n') + '\n');
      buf = [];
    }
  }
  if (buf.length) fs.writeSync(fd, buf.join('\n') + '\n');
  fs.closeSync(fd);
  return conns.length;
}

// --- one measured replay (child process) -------------------------------------------------------

interface Run {
  readonly ms: number;
  /** CPU time of the process (every thread) during the replay. */
  readonly cpuMs: number;
  readonly maxRssMb: number;
  readonly baseRssMb: number;
  readonly lines: number;
  readonly flows: number;
  readonly distinct: number;
  readonly summary: string;
}

/**
 * The measured run: plain Node on the compiled modules in lib/ (`npm run build`), as
 * `npx cilium-verify replay` runs, so that max RSS is the command's own (ts-node would add the
 * TypeScript compiler to it). Prints one JSON line (`Run`).
 */
const CHILD = `
const path = require('path');
const lib = path.join(process.cwd(), 'lib', 'src', 'verify');
const { loadManifests } = require(path.join(lib, 'intake', 'manifests.js'));
const { ReplaySession, readExport } = require(path.join(lib, 'replay', 'replay.js'));
const { summaryLine } = require(path.join(lib, 'replay', 'cli.js'));
(async () => {
  const [file, manifestsFile] = process.argv.slice(1);
  const manifests = loadManifests([manifestsFile]);
  const baseRssMb = process.memoryUsage().rss / 2 ** 20;
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const session = new ReplaySession();
  await readExport(session, file);
  const report = session.finish(manifests);
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const cpu = process.cpuUsage(cpu0);
  process.stdout.write(JSON.stringify({ ms, cpuMs: (cpu.user + cpu.system) / 1000, maxRssMb: process.resourceUsage().maxRSS / 1024, baseRssMb,
    lines: report.lines, flows: report.flows, distinct: report.distinct, summary: summaryLine(report) }) + '\\n');
})().catch((e) => { process.stderr.write(String(e && e.stack ? e.stack : e) + '\\n'); process.exit(1); });
`;

function measure(file: string): Run {
  const r = spawnSync(process.execPath, ['-e', CHILD, file, MANIFESTS], { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 24 });
  if (r.status !== 0) throw new Error(`replay run failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function mainBench(): Promise<void> {
  const lines = Number(process.argv[2] ?? 1_000_000);
  const runs = Number(process.argv[3] ?? 3);
  if (!fs.existsSync(path.join(ROOT, 'lib', 'src', 'verify', 'replay', 'replay.js'))) {
    throw new Error('lib/src/verify/replay/replay.js is missing: run `npm run build` first');
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'replay-bench-'));
  try {
    const rows: string[] = [];
    for (const [size, times] of [[Math.round(lines / 10), 1], [lines, runs]] as const) {
      const file = path.join(dir, `flows-${size}.json`);
      const g0 = Date.now();
      const kinds = generate(file, size);
      const mib = fs.statSync(file).size / 2 ** 20;
      process.stderr.write(`generated ${size} lines (${mib.toFixed(0)} MiB, ${kinds} connection kinds) in ${Date.now() - g0} ms\n`);
      const results: Run[] = [];
      for (let i = 0; i < times; i++) {
        const run = measure(file);
        process.stderr.write(`  run ${i + 1}: ${run.ms.toFixed(0)} ms (CPU ${run.cpuMs.toFixed(0)} ms), max RSS ${run.maxRssMb.toFixed(0)} MiB: ${run.summary}\n`);
        results.push(run);
      }
      const ms = median(results.map((x) => x.ms));
      const cpuMs = median(results.map((x) => x.cpuMs));
      const rss = median(results.map((x) => x.maxRssMb));
      const base = median(results.map((x) => x.baseRssMb));
      const rate = (t: number) => Math.round(size / (t / 1000)).toLocaleString('en-US');
      rows.push(`| ${size.toLocaleString('en-US')} | ${mib.toFixed(0)} | ${results[0].distinct} | ${results.map((x) => x.ms.toFixed(0)).join('/')} | ${rate(ms)} | ${rate(cpuMs)} | ${rss.toFixed(0)} | ${base.toFixed(0)} |`);
    }
    const out = [
      `#### Replay run (${os.cpus().length} CPUs, node ${process.version}, ${new Date().toISOString()}, load average ${os.loadavg()[0].toFixed(1)} at the end)`,
      '',
      'Manifests: test/verify/replay-fixtures/flask-postgres.k8s.yaml. Each run in a fresh Node process on lib/ (the compiled CLI modules); time covers reading, parsing and the verdicts; `RSS before` is the process with the modules and manifests loaded, before the export is read.',
      '',
      '| lines | MiB | distinct | runs ms | lines/s (median, wall) | lines per CPU second | max RSS MiB | RSS before MiB |',
      '|------:|----:|---------:|--------:|-----------------------:|---------------------:|------------:|---------------:|',
      ...rows,
    ];
    process.stdout.write(out.join('\n') + '\n');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  mainBench().catch((e) => {
    process.stderr.write(String(e && e.stack ? e.stack : e) + '\n');
    process.exit(1);
  });
}

/**
 * `cilium-verify flows <scenario.yaml> [--manifests <file|dir> ...] [--json]`: every flow of a
 * connectivity scenario, evaluated against the manifests.
 */
import { CliIo, STD_IO } from './cli-io';
import { createEngine, runScenario } from './index';
import { loadManifests } from './intake/manifests';
import { FlowInput, InputError, PolicyManifest } from './model';
import { loadScenario } from './scenario';

/** The `flows` part of the usage text. */
export const FLOWS_USAGE = `flows   evaluates every flow of a scenario file against the CiliumNetworkPolicy,
        CiliumClusterwideNetworkPolicy and Kubernetes NetworkPolicy manifests (the scenario's own \`policies\` plus
        --manifests files or folders of *.yaml) with Cilium's semantics, and prints one line
        per flow and a summary (--json: one JSON object per line).
        Exit status: 0 every flow with \`expect\` matches, 1 some flow does not,
        2 a file cannot be read or does not fit the scenario format.`;

export type { CliIo };

function protoLabel(f: FlowInput): string {
  const p = f.proto === 'ICMPV6' ? 'ICMPv6' : f.proto;
  if (f.port === undefined) return f.dns !== undefined ? `${p}/53` : p;
  return `${p}/${f.port}`;
}

function requestLabel(f: FlowInput): string {
  if (f.http) return ` ${f.http.method ?? 'GET'} ${f.http.path ?? '/'}`;
  if (f.dns !== undefined) return ` DNS ${f.dns}`;
  return '';
}

/** Runs the `flows` subcommand (argv without `flows`); `usage` is printed with errors. */
export async function runFlows(argv: readonly string[], io: CliIo = STD_IO, usage: string = FLOWS_USAGE): Promise<number> {
  let scenarioFile: string | undefined;
  const manifestPaths: string[] = [];
  let json = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--json') json = true;
    else if (a === '--manifests' || a === '-m') {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) {
        io.err(`cilium-verify flows: --manifests needs a file or folder\n\n${usage}`);
        return 2;
      }
      manifestPaths.push(v);
    } else if (a.startsWith('--manifests=')) manifestPaths.push(a.slice('--manifests='.length));
    else if (a === '--help' || a === '-h') {
      io.out(usage);
      return 0;
    } else if (a.startsWith('-') && a !== '-') {
      io.err(`cilium-verify flows: unknown option ${a}\n\n${usage}`);
      return 2;
    } else if (scenarioFile === undefined) scenarioFile = a;
    else {
      io.err(`cilium-verify flows: more than one scenario file (${scenarioFile}, ${a})\n\n${usage}`);
      return 2;
    }
  }
  if (scenarioFile === undefined) {
    io.err(`cilium-verify flows: missing the scenario file\n\n${usage}`);
    return 2;
  }
  let report;
  let unevaluated: readonly { message: string }[] = [];
  try {
    const scenario = loadScenario(scenarioFile);
    const manifests: PolicyManifest[] = loadManifests(manifestPaths);
    const engine = createEngine(scenario, manifests);
    unevaluated = engine.unevaluated;
    report = runScenario(scenario, [], engine);
  } catch (e: any) {
    if (e instanceof InputError) {
      io.err(`cilium-verify: ${e.message}`);
      return 2;
    }
    io.err(`cilium-verify: ${scenarioFile}: ${e && e.message ? e.message : String(e)}`);
    return 2;
  }
  for (const o of report.outcomes) {
    const f = o.flow;
    if (json) {
      const rec: Record<string, unknown> = {
        index: o.index,
        src: f.src,
        dst: f.dst,
        proto: f.proto === 'ICMPV6' ? 'ICMPv6' : f.proto,
        port: f.port ?? (f.dns !== undefined && f.proto !== 'ICMP' ? 53 : null),
        verdict: o.result.verdict,
      };
      if (f.expect) {
        rec.expect = f.expect;
        rec.ok = o.ok;
      }
      rec.reason = o.result.reason;
      io.out(JSON.stringify(rec));
    } else {
      const tag = f.expect ? (o.ok ? '[ok]' : '[FAIL]') : '[--]';
      const exp = f.expect ? ` (expected ${f.expect})` : '';
      io.out(`${tag} ${o.index} ${f.src} -> ${f.dst} ${protoLabel(f)}${requestLabel(f)} ${o.result.verdict}${exp}: ${o.result.reason}`);
    }
  }
  for (const u of unevaluated) io.err(`cilium-verify flows: warning: ${u.message}`);
  if (!json) {
    const notEvaluated = unevaluated.length ? `; ${unevaluated.length} object${unevaluated.length === 1 ? '' : 's'} not evaluated (see the warnings)` : '';
    io.out(`${report.outcomes.length} flows: ${report.expected} as expected, ${report.unexpected} unexpected, ${report.unchecked} unchecked${notEvaluated}`);
  }
  return report.unexpected > 0 ? 1 : 0;
}

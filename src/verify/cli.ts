/**
 * `cilium-verify`: `flows <scenario.yaml> [--manifests <file|dir> ...] [--json]`,
 * `replay <flows.json> --manifests <file|dir> [--json]`, `report ...`, `diff ...` and `lint ...`.
 */
import { createEngine, runScenario } from './index';
import { loadManifests } from './intake/manifests';
import { FlowInput, InputError, PolicyManifest } from './model';
import { REPLAY_USAGE, runReplay } from './replay/cli';
import { loadScenario } from './scenario';

export const USAGE = `Usage:
  cilium-verify flows <scenario.yaml> [--manifests <file|dir> ...] [--json]
  cilium-verify replay <flows.json|-> ... --manifests <file|dir> ... [--json]
  cilium-verify report <file|dir> ... [--scenario <file>]... [--out <file>] [--json]
  cilium-verify diff <base file|dir> <new file|dir> [--scenario <file>]... [--out <file>] [--json] [--fail-on-new-allow]
  cilium-verify lint <file|dir> ...
  cilium-verify --help

flows   evaluates every flow of a scenario file against the CiliumNetworkPolicy,
        CiliumClusterwideNetworkPolicy and Kubernetes NetworkPolicy manifests (the scenario's own \`policies\` plus
        --manifests files or folders of *.yaml) with Cilium's semantics, and prints one line
        per flow and a summary (--json: one JSON object per line).
        Exit status: 0 every flow with \`expect\` matches, 1 some flow does not,
        2 a file cannot be read or does not fit the scenario format.
${REPLAY_USAGE}
report  writes the connectivity report of the manifests: who may reach whom, as Markdown
        with a Mermaid diagram (see \`cilium-verify report --help\`).
diff    compares the connectivity of two sets of manifests (e.g. dist/ of the base branch and
        of a pull request): what the change newly allows and newly refuses, as Markdown with a
        Mermaid diagram of the changed edges (--json: one object per changed flow); the summary
        line goes to stderr. Exit status: 0, 1 with --fail-on-new-allow when a flow is newly
        allowed, 2 a file cannot be read.
lint    reports policy mistakes (see \`cilium-verify lint --help\`).
`;

export interface CliIo {
  out(line: string): void;
  err(line: string): void;
}

let epipeGuard = false;
function guardEpipe(): void {
  if (epipeGuard) return;
  epipeGuard = true;
  // a closed pipe (`cilium-verify flows x | head`) is not an error
  process.stdout.on('error', (e: any) => {
    if (e && e.code === 'EPIPE') return;
    throw e;
  });
}

const defaultIo: CliIo = {
  out: (l) => {
    guardEpipe();
    process.stdout.write(l + '\n');
  },
  err: (l) => process.stderr.write(l + '\n'),
};

/** Waits until what was written to stdout/stderr is flushed (bin/cilium-verify calls process.exit). */
function flushed(): Promise<void> {
  const one = (s: NodeJS.WriteStream) =>
    new Promise<void>((resolve) => {
      if (s.destroyed || !s.writable) return resolve();
      s.write('', () => resolve());
    });
  return Promise.all([one(process.stdout), one(process.stderr)]).then(() => undefined);
}

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

/** Runs the `flows` command. */
export async function runFlows(argv: readonly string[], io: CliIo = defaultIo): Promise<number> {
  let scenarioFile: string | undefined;
  const manifestPaths: string[] = [];
  let json = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--json') json = true;
    else if (a === '--manifests' || a === '-m') {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) {
        io.err(`cilium-verify flows: --manifests needs a file or folder\n\n${USAGE}`);
        return 2;
      }
      manifestPaths.push(v);
    } else if (a.startsWith('--manifests=')) manifestPaths.push(a.slice('--manifests='.length));
    else if (a === '--help' || a === '-h') {
      io.out(USAGE);
      return 0;
    } else if (a.startsWith('-') && a !== '-') {
      io.err(`cilium-verify flows: unknown option ${a}\n\n${USAGE}`);
      return 2;
    } else if (scenarioFile === undefined) scenarioFile = a;
    else {
      io.err(`cilium-verify flows: more than one scenario file (${scenarioFile}, ${a})\n\n${USAGE}`);
      return 2;
    }
  }
  if (scenarioFile === undefined) {
    io.err(`cilium-verify flows: missing the scenario file\n\n${USAGE}`);
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

/** Entry point of `bin/cilium-verify`. */
export async function main(argv: string[], io: CliIo = defaultIo): Promise<number> {
  const code = await dispatch(argv, io);
  if (io === defaultIo) await flushed();
  return code;
}

async function dispatch(argv: string[], io: CliIo): Promise<number> {
  const [cmd, ...rest] = argv;
  if (cmd === undefined) {
    io.err(USAGE);
    return 2;
  }
  if (cmd === '--help' || cmd === '-h' || cmd === 'help') {
    io.out(USAGE);
    return 0;
  }
  if (cmd === 'flows') return runFlows(rest, io);
  if (cmd === 'replay') return runReplay(rest, io, USAGE);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  if (cmd === 'report') return require('../report/cli').runReportCli(rest, io);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  if (cmd === 'diff') return require('../report/diff-cli').runDiffCli(rest, io);
  if (cmd === 'lint') {
    // the linter lives in lint-cli.ts (`runLintCli(argv): Promise<number>`), loaded on demand
    let mod: { runLintCli?: (args: string[]) => Promise<number> } | undefined;
    try {
      mod = require('./lint-cli');
    } catch (e: any) {
      if (!(e && e.code === 'MODULE_NOT_FOUND' && String(e.message).includes('lint-cli'))) throw e;
    }
    if (!mod || typeof mod.runLintCli !== 'function') {
      io.err('cilium-verify lint: the linter is not available in this build');
      return 2;
    }
    return mod.runLintCli(rest);
  }
  io.err(`cilium-verify: unknown command ${JSON.stringify(cmd)}\n\n${USAGE}`);
  return 2;
}

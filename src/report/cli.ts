/**
 * `cilium-verify report <manifests...> [--scenario f]... [--out file] [--title t] [--json]`
 *
 * Writes the connectivity report (Markdown) to `--out`, or to stdout. Prints one summary line
 * (stdout when the report goes to a file, stderr otherwise); with `--json` prints the matrix as
 * JSON on stdout instead of the Markdown. Exit status: 0, 1 when a scenario flow has another
 * verdict than expected, 2 for input that cannot be read (with the file and the key).
 */
import * as fs from 'fs';
import * as path from 'path';
import { CliIo, STD_IO } from '../verify/cli-io';
import { InputError } from '../verify/model';
import { parseReportArgs } from './cli-args';
import { connectivityReport, displayPath, readManifests, readScenario, reportJson } from './index';

const USAGE = 'usage: cilium-verify report <manifest file or folder>... [--scenario <file>]... [--out <file>] [--title <text>] [--json]';

export type { CliIo };

/** Runs the `report` subcommand (argv without `report`); resolves to the exit status. */
export async function runReportCli(argv: readonly string[], io: CliIo = STD_IO): Promise<number> {
  const args = parseReportArgs(argv);
  if ('help' in args) {
    io.out(USAGE);
    return 0;
  }
  if ('problem' in args) return usage(io, args.problem);
  const { paths: manifests, scenarios, out, title, json } = args;
  if (manifests.length === 0 && scenarios.length === 0) return usage(io, 'no manifests given');

  let report;
  let files: string[];
  try {
    const objects = readManifests(manifests);
    files = [...new Set(objects.map((o) => o.file))];
    const scen = scenarios.map((s) => readScenario(s));
    report = connectivityReport({
      objects: objects.map((o) => o.object),
      scenarios: scen,
      title,
      sources: [...manifests, ...scenarios].map((p) => displayPath(p)),
    });
  } catch (e: any) {
    if (e instanceof InputError || (e && e.name === 'InputError')) {
      io.err(`cilium-verify report: error: ${e.message}`);
      return 2;
    }
    throw e;
  }
  const m = report.matrix;
  const allowed = new Set(m.flows.filter((f) => f.enforced && f.result.verdict === 'ALLOW').map((f) => `${f.src}\u0000${f.dst}`)).size;
  const namespaces = new Set(m.pods.map((p) => p.namespace)).size;
  const policies = m.engine ? new Set(Object.values(m.selecting).flat()).size : 0;
  const checked = report.checks.filter((c) => c.flow.expect !== undefined).length;
  const summary = `cilium-verify report: ${files.length} manifest file${files.length === 1 ? '' : 's'}, ` +
    `${policies} polic${policies === 1 ? 'y' : 'ies'} selecting pods, ${m.pods.length + m.peers.length} pods and peers in ${namespaces} namespaces, ` +
    `${allowed} allowed pairs` +
    (checked ? `, ${checked - report.failures.length} of ${checked} scenario flows as expected` : '') +
    (m.unevaluated.length ? `, ${m.unevaluated.length} object${m.unevaluated.length === 1 ? '' : 's'} not evaluated` : '') +
    (out ? `: ${out}` : '');

  if (out) {
    fs.mkdirSync(path.dirname(path.resolve(out)), { recursive: true });
    fs.writeFileSync(out, report.markdown);
  }
  if (json) {
    io.out(JSON.stringify({ ...reportJson(report), ...(out ? { out } : {}) }));
    io.err(summary);
  } else if (out) {
    io.out(summary);
  } else {
    io.out(report.markdown.replace(/\n$/, ''));
    io.err(summary);
  }
  for (const u of m.unevaluated) io.err(`cilium-verify report: warning: ${u}`);
  for (const f of report.failures) {
    io.err(`cilium-verify report: ${f.file}: flows[${f.index}] ${f.flow.src} -> ${f.flow.dst} ${f.flow.proto}` +
      `${f.flow.port !== undefined ? `/${f.flow.port}` : ''}: expected ${f.flow.expect}, got ${f.result.verdict}: ${f.result.reason}`);
  }
  return report.failures.length > 0 ? 1 : 0;
}

function usage(io: CliIo, problem: string): number {
  io.err(`cilium-verify report: error: ${problem}\n${USAGE}`);
  return 2;
}

/**
 * `cilium-verify diff <BASE> <NEW> [--scenario f]... [--out file] [--title t] [--json] [--fail-on-new-allow]`
 *
 * BASE and NEW are manifest files or folders (e.g. the synthesis of the base branch and of a
 * pull request). Prints the connectivity diff as Markdown on stdout (or, with `--json`, one JSON
 * object per changed flow); `--out` writes the Markdown to a file instead of stdout. The summary
 * line `cilium-verify diff: N newly allowed, M newly refused` goes to stderr. Exit status: 0,
 * 1 with `--fail-on-new-allow` when a flow is newly allowed, 2 for input that cannot be read.
 */
import * as fs from 'fs';
import * as path from 'path';
import { InputError } from '../verify/model';
import { CliIo, STD_IO } from '../verify/cli-io';
import { connectivityDiff, diffFlowJson, diffSummary } from './diff';
import { renderDiffMarkdown } from './diff-markdown';
import { displayPath } from './index';
import { parseReportArgs } from './cli-args';
import { readManifests, readScenario } from './input';

export const DIFF_USAGE = 'usage: cilium-verify diff <base manifest file or folder> <new manifest file or folder> '
  + '[--scenario <file>]... [--out <file>] [--title <text>] [--json] [--fail-on-new-allow]';

function usage(io: CliIo, problem: string): number {
  io.err(`cilium-verify diff: error: ${problem}\n${DIFF_USAGE}`);
  return 2;
}

/** Runs the `diff` subcommand (argv without `diff`); resolves to the exit status. */
export async function runDiffCli(argv: readonly string[], io: CliIo = STD_IO): Promise<number> {
  const args = parseReportArgs(argv, ['--fail-on-new-allow']);
  if ('help' in args) {
    io.out(DIFF_USAGE);
    return 0;
  }
  if ('problem' in args) return usage(io, args.problem);
  const { paths: sides, scenarios, out, title, json } = args;
  const failOnNewAllow = args.switches.has('--fail-on-new-allow');
  if (sides.length !== 2) {
    return usage(io, sides.length < 2 ? 'needs the base and the new manifests (files or folders)' : `more than two manifest paths (${sides.join(', ')})`);
  }
  const [basePath, nextPath] = sides;

  let diff;
  try {
    const base = readManifests([basePath]).map((o) => o.object);
    const next = readManifests([nextPath]).map((o) => o.object);
    diff = connectivityDiff({ base, next, scenarios: scenarios.map((s) => readScenario(s)) });
  } catch (e: any) {
    if (e instanceof InputError || (e && e.name === 'InputError')) {
      io.err(`cilium-verify diff: error: ${e.message}`);
      return 2;
    }
    throw e;
  }
  const markdown = renderDiffMarkdown(diff, {
    title,
    base: [displayPath(basePath)],
    next: [displayPath(nextPath)],
    scenarios: scenarios.map((s) => displayPath(s)),
  });
  if (out) {
    fs.mkdirSync(path.dirname(path.resolve(out)), { recursive: true });
    fs.writeFileSync(out, markdown);
  }
  if (json) {
    for (const f of diff.flows) io.out(JSON.stringify(diffFlowJson(f)));
  } else if (!out) {
    io.out(markdown.replace(/\n$/, ''));
  }
  io.err(`cilium-verify diff: ${diffSummary(diff)}`);
  for (const [side, m] of [['base', diff.base], ['new', diff.next]] as const) {
    for (const u of m.unevaluated) io.err(`cilium-verify diff: warning: ${side}: ${u}`);
  }
  // a diff that could not be made must not pass a check that waits for "no new allow"
  if (diff.notCompared) return 2;
  return failOnNewAllow && diff.allowed.length > 0 ? 1 : 0;
}

/**
 * The `cilium-verify` command (bin/cilium-verify): dispatches to the subcommands of the verifier
 * (`flows`, `lint`, `replay`) and of the report (`report`). It sits above both, so neither
 * needs to know the other.
 */
import { runReportCli } from '../report/cli';
import { runDiffCli } from '../report/diff-cli';
import { CliIo, flushed, STD_IO } from '../verify/cli-io';
import { FLOWS_USAGE, runFlows } from '../verify/cli';
import { runLintCli } from '../verify/lint/cli';
import { REPLAY_USAGE, runReplay } from '../verify/replay/cli';

/** The usage text of the command. */
export const USAGE = `Usage:
  cilium-verify flows <scenario.yaml> [--manifests <file|dir> ...] [--json]
  cilium-verify replay <flows.json|-> ... --manifests <file|dir> ... [--json]
  cilium-verify lint <file|dir> ...
  cilium-verify report <file|dir> ... [--scenario <file>] ... [--out <file>] [--json]
  cilium-verify diff <base file|dir> <new file|dir> [--scenario <file>]... [--out <file>] [--json] [--fail-on-new-allow]
  cilium-verify --help

${FLOWS_USAGE}
${REPLAY_USAGE}
lint    reports policy mistakes (see \`cilium-verify lint --help\`).
report  writes the connectivity report of the manifests: who may reach whom, as Markdown
        with a Mermaid diagram (see \`cilium-verify report --help\`).
diff    compares the connectivity of two sets of manifests (e.g. dist/ of the base branch and
        of a pull request): what the change newly allows and newly refuses, as Markdown with a
        Mermaid diagram of the changed edges (--json: one object per changed flow); the summary
        line goes to stderr. Exit status: 0, 1 with --fail-on-new-allow when a flow is newly
        allowed, 2 a file cannot be read.
`;

/** Entry point of `bin/cilium-verify`: runs a subcommand, resolves to its exit status. */
export async function main(argv: string[], io: CliIo = STD_IO): Promise<number> {
  const code = await dispatch(argv, io);
  if (io === STD_IO) await flushed();
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
  switch (cmd) {
    case 'flows':
      return runFlows(rest, io, USAGE);
    case 'replay':
      return runReplay(rest, io, USAGE);
    case 'report':
      return runReportCli(rest, io);
    case 'diff':
      return runDiffCli(rest, io);
    case 'lint':
      return runLintCli(rest, io);
    default:
      io.err(`cilium-verify: unknown command ${JSON.stringify(cmd)}\n\n${USAGE}`);
      return 2;
  }
}

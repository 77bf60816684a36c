/**
 * The options `cilium-verify report` and `cilium-verify diff` share: manifest paths, repeated
 * `--scenario`, `--out`/`-o`, `--title` (each as `--x v` or `--x=v`), `--json`, `--help`, and the
 * command's own switches.
 */

/** What the arguments say. */
export interface ReportArgs {
  readonly paths: string[];
  readonly scenarios: string[];
  readonly out?: string;
  readonly title?: string;
  readonly json: boolean;
  /** The command's own switches that were given (e.g. `--fail-on-new-allow`). */
  readonly switches: ReadonlySet<string>;
}

/** Reads the arguments: the options, `{ help: true }`, or the problem with them. */
export function parseReportArgs(argv: readonly string[], switches: readonly string[] = []): ReportArgs | { help: true } | { problem: string } {
  const paths: string[] = [];
  const scenarios: string[] = [];
  const given = new Set<string>();
  let out: string | undefined;
  let title: string | undefined;
  let json = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = (): string | undefined => {
      const eq = a.indexOf('=');
      if (eq > 0) return a.slice(eq + 1);
      i++;
      return argv[i];
    };
    if (a === '--help' || a === '-h') {
      return { help: true };
    } else if (a === '--json') {
      json = true;
    } else if (switches.includes(a)) {
      given.add(a);
    } else if (a === '--scenario' || a.startsWith('--scenario=')) {
      const v = value();
      if (!v) return { problem: '--scenario needs a file' };
      scenarios.push(v);
    } else if (a === '--out' || a.startsWith('--out=') || a === '-o') {
      const v = value();
      if (!v) return { problem: '--out needs a file' };
      out = v;
    } else if (a === '--title' || a.startsWith('--title=')) {
      const v = value();
      if (v === undefined) return { problem: '--title needs a text' };
      title = v;
    } else if (a.startsWith('-')) {
      return { problem: `unknown option ${a}` };
    } else {
      paths.push(a);
    }
  }
  return { paths, scenarios, out, title, json, switches: given };
}

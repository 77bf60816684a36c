/**
 * The validation plugin's `baseline:` property: the connectivity diff of the synthesis against
 * earlier manifests (a folder, e.g. the base branch's synthesis), one Markdown document for the
 * whole synthesis. Per chart (with `{chart}` in `report`) each synthesized manifest is compared
 * with the baseline's file of the same name; otherwise every synthesized manifest together with
 * every manifest of the folder.
 */
import * as fs from 'fs';
import * as path from 'path';
import { ConnectivityDiff, ScenarioInput, connectivityDiff, diffMarkdownBody, diffMarkdownIntro, readManifests } from '../report';
import { DEFAULT_ENV, InputError } from '../verify/model';

/** What is compared: some synthesized manifests, with the scenarios bound to them. */
export interface BaselineUnit {
  /** The chart's name, when the diff is per chart. */
  readonly chart?: string;
  /** Paths of the synthesized manifests. */
  readonly manifests: readonly string[];
  /** Their objects. */
  readonly objects: readonly any[];
  readonly scenarios: readonly ScenarioInput[];
}

/** A baseline that cannot be used: the file and the key, as `InputError` names them. */
export interface BaselineProblem {
  readonly file: string;
  readonly key: string;
  readonly message: string;
}

/** The rendered diff. */
export interface BaselineDiff {
  readonly markdown: string;
  readonly allowed: number;
  readonly refused: number;
  readonly problems: readonly BaselineProblem[];
}

function problemOf(e: any, file: string): BaselineProblem {
  if (e instanceof InputError || (e && e.name === 'InputError')) return { file: e.file || file, key: e.key ?? '', message: e.message };
  return { file, key: '', message: `${file}: ${e && e.message ? e.message : e}` };
}

/** Manifest files at the top of the baseline folder (by file name). */
function baselineFiles(folder: string): string[] {
  return fs.readdirSync(folder).filter((f) => /\.ya?ml$/.test(f) && fs.statSync(path.join(folder, f)).isFile()).sort();
}

/**
 * Compares each unit with the baseline and renders one document: the introduction, the total,
 * then per chart (or for the whole synthesis) the summary, the tables and the flowchart.
 * `baselineName` is how the document names the folder.
 */
export function baselineDiff(baseline: string, units: readonly BaselineUnit[], baselineName: string): BaselineDiff {
  let stat: fs.Stats | undefined;
  try {
    stat = fs.statSync(baseline);
  } catch {
    stat = undefined;
  }
  if (!stat || !stat.isDirectory()) {
    const message = `${baseline}: cannot read: ${stat ? 'not a folder' : 'no such folder'}`;
    return { markdown: '', allowed: 0, refused: 0, problems: [{ file: baseline, key: '', message }] };
  }
  const problems: BaselineProblem[] = [];
  const sections: string[][] = [];
  const diffs: ConnectivityDiff[] = [];
  const perChart = units.some((u) => u.chart !== undefined);
  const compared = new Set<string>();
  for (const u of units) {
    let baseObjects: any[];
    if (perChart) {
      const name = path.basename(u.manifests[0]);
      const file = path.join(baseline, name);
      const heading = `## Chart \`${u.chart}\``;
      if (!fs.existsSync(file)) {
        sections.push([heading, '', `\`${name}\` is not in the baseline: a new chart, not compared.`, '']);
        continue;
      }
      compared.add(name);
      try {
        baseObjects = readManifests([file]).map((o) => o.object);
      } catch (e) {
        problems.push(problemOf(e, file));
        continue;
      }
      const d = connectivityDiff({ base: baseObjects, next: u.objects, scenarios: u.scenarios });
      diffs.push(d);
      sections.push([heading, '', ...diffMarkdownBody(d, 3)]);
    } else {
      try {
        baseObjects = readManifests([baseline]).map((o) => o.object);
      } catch (e) {
        problems.push(problemOf(e, baseline));
        continue;
      }
      const d = connectivityDiff({ base: baseObjects, next: u.objects, scenarios: u.scenarios });
      diffs.push(d);
      sections.push(diffMarkdownBody(d, 2));
    }
  }
  const allowed = diffs.reduce((n, d) => n + d.allowed.length, 0);
  const refused = diffs.reduce((n, d) => n + d.refused.length, 0);
  const version = diffs.length ? diffs[0].next.engine.env.version : DEFAULT_ENV.version;
  const out = diffMarkdownIntro(version, {
    base: [baselineName],
    next: units.flatMap((u) => u.manifests.map((m) => path.basename(m))),
  });
  if (perChart) {
    out.push(`**In total: ${allowed} newly allowed, ${refused} newly refused.**`, '');
    const gone = baselineFiles(baseline).filter((f) => !compared.has(f) && !units.some((u) => path.basename(u.manifests[0]) === f));
    if (gone.length) out.push(`In the baseline, not synthesized any more (not compared): ${gone.map((f) => `\`${f}\``).join(', ')}.`, '');
  }
  for (const s of sections) out.push(...s);
  return { markdown: out.join('\n').replace(/\n+$/, '') + '\n', allowed, refused, problems };
}

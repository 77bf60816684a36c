/**
 * `cilium-verify replay <flows.json> ... --manifests <file|dir> ... [--json]`: would these
 * policies drop the traffic Hubble saw?
 */
import { loadManifests } from '../intake/manifests';
import { InputError, PolicyManifest } from '../model';
import { decidingRule, readExport, ReplayedConnection, ReplayReport, ReplaySession } from './replay';

export const REPLAY_USAGE = `replay  replays a Hubble export (\`hubble observe -o json\`: one flow per line, {"flow":…}
        or bare flows; \`-\` reads stdin) against the --manifests policies: each distinct
        connection (source and destination identity, protocol, port, HTTP request or DNS query)
        is evaluated once and printed with its verdict, the deciding rule and what Hubble saw
        (--json: one JSON object per connection). Replies are skipped. Summary on stderr:
          N observed flows (K distinct): A allowed, D would be dropped, U not replayable
        N lines holding a flow (replies included), K distinct connections among the
        non-reply flows that can be replayed, A/D of those K allowed/dropped (DROP or L7_DENY),
        U lines not replayed: not JSON, not a flow (lost_events, node_status, ... records),
        or a flow without L4, port or usable identity, or a socket-LB (Type SOCK) event.
        Exit status: 0 nothing Hubble saw go through would be dropped, 1 something would,
        2 a file cannot be read or holds no flow at all.`;

/** Output of the command. */
export interface ReplayIo {
  out(line: string): void;
  err(line: string): void;
}

/** Line messages shown before the rest are only counted. */
const MAX_LINE_MESSAGES = 50;

function protoText(c: ReplayedConnection): string {
  const f = c.flow;
  const p = f.proto === 'ICMPV6' ? 'ICMPv6' : f.proto;
  return `${p}/${f.port}`;
}

function requestText(c: ReplayedConnection): string {
  const f = c.flow;
  if (f.http) return ` ${f.http.method ?? 'GET'} ${f.http.host ?? ''}${f.http.path ?? '/'}`;
  if (f.dns !== undefined) return ` DNS ${f.dns}`;
  return '';
}

const TAGS: Readonly<Record<ReplayedConnection['status'], string>> = {
  'allowed': '[ok]',
  'would-drop': '[would be dropped]',
  'now-allowed': '[would now be allowed]',
  'still-dropped': '[still dropped]',
};

function connectionLine(c: ReplayedConnection): string {
  const flows = c.count === 1 ? '1 flow' : `${c.count} flows`;
  return `${TAGS[c.status]} ${c.flow.src} -> ${c.flow.dst} ${protoText(c)}${requestText(c)} ${c.result.verdict} (Hubble: ${c.observed}, ${flows}): ${c.result.reason}`;
}

function connectionJson(c: ReplayedConnection): string {
  const f = c.flow;
  return JSON.stringify({
    src: f.src,
    dst: f.dst,
    proto: f.proto === 'ICMPV6' ? 'ICMPv6' : f.proto,
    port: f.port,
    http: f.http ? { method: f.http.method, path: f.http.path, ...(f.http.host !== undefined ? { host: f.http.host } : {}) } : null,
    dns: f.dns ?? null,
    observed: c.observed,
    observed_verdicts: c.observedVerdicts,
    count: c.count,
    first_seen: c.firstSeen,
    verdict: c.result.verdict,
    status: c.status,
    rule: decidingRule(c.result) || null,
    reason: c.result.reason,
  });
}

/** The summary line (without the command prefix). */
export function summaryLine(r: ReplayReport): string {
  return `${r.flows} observed flows (${r.distinct} distinct): ${r.allowed} allowed, ${r.dropped} would be dropped, ${r.unreplayable} not replayable`;
}

/** Runs `cilium-verify replay`. */
export async function runReplay(argv: readonly string[], io: ReplayIo, usage: string): Promise<number> {
  const files: string[] = [];
  const manifestPaths: string[] = [];
  let json = false;
  const fail = (msg: string): number => {
    io.err(`cilium-verify replay: ${msg}\n\n${usage}`);
    return 2;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--json') json = true;
    else if (a === '--manifests' || a === '-m') {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) return fail('--manifests needs a file or folder');
      manifestPaths.push(v);
    } else if (a.startsWith('--manifests=')) manifestPaths.push(a.slice('--manifests='.length));
    else if (a === '--help' || a === '-h') {
      io.out(usage);
      return 0;
    } else if (a.startsWith('-') && a !== '-') return fail(`unknown option ${a}`);
    else files.push(a);
  }
  if (files.length === 0) return fail('missing the Hubble export (flows.json, or - for stdin)');
  if (manifestPaths.length === 0) return fail('missing --manifests: the policies to replay the flows against');

  let manifests: PolicyManifest[];
  try {
    manifests = loadManifests(manifestPaths);
  } catch (e: any) {
    io.err(`cilium-verify replay: ${e instanceof InputError ? e.message : `${manifestPaths.join(', ')}: ${e && e.message ? e.message : e}`}`);
    return 2;
  }
  let shown = 0;
  let hidden = 0;
  const session = new ReplaySession({
    onLine: (where, message) => {
      if (shown < MAX_LINE_MESSAGES) {
        shown++;
        io.err(`cilium-verify replay: ${where}: ${message}`);
      } else {
        hidden++;
      }
    },
    onNote: (message) => io.err(`cilium-verify replay: note: ${message}`),
  });
  let report: ReplayReport;
  try {
    for (const f of files) await readExport(session, f);
    report = session.finish(manifests);
  } catch (e: any) {
    io.err(`cilium-verify replay: ${e instanceof InputError ? e.message : e && e.message ? e.message : e}`);
    return 2;
  }
  if (hidden > 0) io.err(`cilium-verify replay: ${hidden} more lines not replayed (not shown)`);
  for (const c of report.connections) io.out(json ? connectionJson(c) : connectionLine(c));
  const extra: string[] = [];
  if (report.replies > 0) extra.push(`${report.replies} replies skipped`);
  for (const t of Object.keys(report.records).sort()) extra.push(`${report.records[t]} ${t} records`);
  if (report.lostEvents > 0) extra.push(`${report.lostEvents} events lost by Hubble: the export is incomplete`);
  if (extra.length > 0) io.err(`cilium-verify replay: ${extra.join('; ')}`);
  io.err(`cilium-verify replay: ${summaryLine(report)}`);
  if (report.flows === 0 && report.lines > 0) {
    io.err(`cilium-verify replay: no line of ${files.join(', ')} is a Hubble flow (expected \`hubble observe -o json\` output)`);
    return 2;
  }
  if (report.regressions > 0) {
    io.err(`cilium-verify replay: ${report.regressions} connection${report.regressions === 1 ? '' : 's'} Hubble saw go through would be dropped`);
    return 1;
  }
  return 0;
}

/**
 * Datapath cost of the seed scenarios: policy-map entries (peer identity × port × direction,
 * per endpoint) implied by our synthesized policies against minimal hand-written policies for
 * the same intent (bench/minimal/<scenario>.yaml). The identities are the scenario's pods
 * (grouped by identity labels) plus the reserved identities; each CIDR / FQDN / Service peer
 * counts as one identity. Default deny (`[{}]`) adds no entry; an L4-only rule (no peer) adds
 * one entry per identity, which is what the agent installs.
 */
import * as fs from 'fs';
import * as path from 'path';
import { App, Chart } from 'cdk8s';
import * as YAML from 'yaml';
import { CnpgCiliumExample } from '../examples/cnpg-cilium';
import { FlaskPostgresExample } from '../examples/flask-postgres';
import { FrontendBackendExample } from '../examples/frontend-backend';
import { GatewayDemoExample } from '../examples/gateway-demo';
import { loadScenario, runScenario } from '../src/verify';
import { table } from './format';
import { Label } from '../src/verify/model';
import { compileSelector, identityKey, podIdentityLabels, reservedLabels, Selector, selectorAddMatch, selectorHasKey, selectorMatches } from '../src/verify/identity/labels';

const EXAMPLES: Record<string, new (app: App, id: string) => Chart> = {
  'cnpg-cilium': CnpgCiliumExample,
  'flask-postgres': FlaskPostgresExample,
  'frontend-backend': FrontendBackendExample,
  'gateway-demo': GatewayDemoExample,
};
const NS = 'io.kubernetes.pod.namespace';
const RESERVED = ['world', 'host', 'remote-node', 'kube-apiserver', 'ingress', 'health', 'init', 'unmanaged'];
const IN_CLUSTER = ['host', 'remote-node', 'kube-apiserver', 'ingress', 'health', 'init', 'unmanaged'];

interface Identity { key: string; labels: Label[]; pod: boolean }

function scoped(raw: any, ns: string | undefined): Selector {
  let s = compileSelector(raw ?? {});
  if (ns !== undefined && !selectorHasKey(s, 'k8s', NS) && !selectorHasKey(s, 'any', NS)) {
    s = selectorAddMatch(s, 'k8s', NS, ns);
  }
  return s;
}

function peersOf(item: any, dir: 'in' | 'out', ns: string | undefined, ids: Identity[]): string[] {
  const p = dir === 'in' ? 'from' : 'to';
  const out = new Set<string>();
  let any = false;
  for (const sel of item[`${p}Endpoints`] ?? []) {
    any = true;
    const s = scoped(sel, ns);
    ids.filter((i) => i.pod && selectorMatches(s, i.labels)).forEach((i) => out.add(i.key));
  }
  for (const e of item[`${p}Entities`] ?? []) {
    any = true;
    const names = e === 'all' ? ids.map((i) => i.key)
      : e === 'cluster' ? ids.filter((i) => i.pod || IN_CLUSTER.includes(i.key.replace('reserved:', ''))).map((i) => i.key)
        : [`reserved:${e}`];
    names.forEach((n) => out.add(n));
  }
  for (const k of [`${p}CIDR`, `${p}CIDRSet`, 'toFQDNs', 'toServices']) {
    if (k.startsWith('to') && dir === 'in') {
      continue;
    }
    for (const x of item[k] ?? []) {
      any = true;
      out.add(`${k}:${JSON.stringify(x)}`);
    }
  }
  if (!any) {
    ids.forEach((i) => out.add(i.key)); // L4-only: every identity
  }
  return [...out];
}

function portsOf(item: any): string[] {
  const ports: string[] = [];
  for (const tp of item.toPorts ?? []) {
    for (const p of tp.ports ?? []) {
      ports.push(`${p.protocol ?? 'ANY'}/${p.port}${p.endPort ? '-' + p.endPort : ''}`);
    }
  }
  return ports.length ? ports : ['ANY/0'];
}

/** Sum over endpoints of the distinct (direction, peer identity, port) entries. */
export function mapEntries(policies: any[], scenarioFile: string): { entries: number; endpoints: number } {
  const sc = loadScenario(scenarioFile);
  const ids = new Map<string, Identity>();
  const pods = sc.endpoints.map((ep) => {
    const labels = podIdentityLabels(ep, sc.namespaces[ep.namespace], sc.env.clusterName);
    const key = identityKey(labels);
    ids.set(key, { key, labels, pod: true });
    return { ep, labels };
  });
  for (const r of RESERVED) {
    ids.set(`reserved:${r}`, { key: `reserved:${r}`, labels: reservedLabels(r), pod: false });
  }
  const idList = [...ids.values()];
  let entries = 0;
  for (const { ep, labels } of pods) {
    const set = new Set<string>();
    for (const pol of policies) {
      const ns = pol.kind === 'CiliumNetworkPolicy' ? pol.metadata?.namespace ?? 'default' : undefined;
      if (ns !== undefined && ns !== ep.namespace) {
        continue;
      }
      for (const spec of pol.specs ?? [pol.spec]) {
        if (!spec?.endpointSelector || !selectorMatches(scoped(spec.endpointSelector, ns), labels)) {
          continue;
        }
        for (const [sec, dir, deny] of [['ingress', 'in', ''], ['egress', 'out', ''], ['ingressDeny', 'in', 'deny'], ['egressDeny', 'out', 'deny']] as const) {
          for (const item of spec[sec] ?? []) {
            if (Object.keys(item).length === 0) {
              continue; // default deny
            }
            for (const peer of peersOf(item, dir, ns, idList)) {
              for (const port of portsOf(item)) {
                set.add(`${dir}${deny}|${peer}|${port}`);
              }
            }
          }
        }
      }
    }
    entries += set.size;
  }
  return { entries, endpoints: pods.length };
}

/** Returns ours / minimal over the scenarios that have a minimal fixture (entries summed). */
export function datapathSection(log: (s: string) => void): number {
  const root = path.resolve(__dirname, '..');
  log('## Datapath: policy-map entries (direction × peer identity × port, summed over endpoints)');
  log('');
  const rows: string[][] = [];
  let ours = 0;
  let minimal = 0;
  for (const id of Object.keys(EXAMPLES)) {
    const fixture = path.join(__dirname, 'minimal', `${id}.yaml`);
    const app = new App();
    const chart = new EXAMPLES[id](app, id);
    const docs = chart.toJson().filter((d: any) => /^Cilium/.test(d.kind));
    const scenario = path.join(root, 'examples', `${id}.connectivity.yaml`);
    const o = mapEntries(docs, scenario);
    if (!fs.existsSync(fixture)) {
      rows.push([id, String(o.endpoints), String(docs.length), String(o.entries), '-', '-', '-', '-']);
      continue;
    }
    const min = YAML.parseAllDocuments(fs.readFileSync(fixture, 'utf8')).map((d) => d.toJSON()).filter((d) => d && /^Cilium/.test(d.kind));
    const m = mapEntries(min, scenario);
    // The minimal policies count only if they meet the same intent: every flow of the
    // scenario gets its expected verdict with them too.
    const check = runScenario(loadScenario(scenario), min);
    const flows = `${check.expected}/${check.expected + check.unexpected}`;
    if (check.unexpected > 0) {
      rows.push([id, String(o.endpoints), String(docs.length), String(o.entries), String(min.length), String(m.entries), flows, 'minimal fails the scenario']);
      continue;
    }
    ours += o.entries;
    minimal += m.entries;
    rows.push([id, String(o.endpoints), String(docs.length), String(o.entries), String(min.length), String(m.entries), flows, (o.entries / m.entries).toFixed(2)]);
  }
  const head = ['scenario', 'endpoints', 'our policies', 'our entries', 'minimal policies', 'minimal entries', 'scenario flows met by minimal', 'ratio'];
  log(table(head, rows));
  log('');
  return minimal ? ours / minimal : NaN;
}

if (require.main === module) {
  console.log(datapathSection(() => undefined));
  datapathSection(console.log);
}

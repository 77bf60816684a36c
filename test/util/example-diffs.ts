/**
 * Changes of the examples' manifests, as a pull request would make them, for the connectivity
 * diff (`cilium-verify diff`, src/report/diff.ts): a policy that opens `world` to the database,
 * the instances' ingress policy removed, HTTP routes changed, a NetworkPolicy default deny, and
 * changes that are not connectivity changes (documents reordered, a policy renamed).
 */
import { Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { connectivityDiff, ConnectivityDiff, renderDiffMarkdown } from '../../src/report';
import { synthExample } from './example-reports';

const clone = <T>(x: T): T => JSON.parse(JSON.stringify(x));

/** A policy that lets the internet reach the cnpg-cilium example's instances on 5432. */
export const WORLD_TO_DATABASE = {
  apiVersion: 'cilium.io/v2',
  kind: 'CiliumNetworkPolicy',
  metadata: { name: 'cluster-example-from-world', namespace: 'default' },
  spec: {
    endpointSelector: { matchLabels: { 'cnpg.io/cluster': 'cluster-example', 'cnpg.io/podRole': 'instance' } },
    ingress: [{ fromEntities: ['world'], toPorts: [{ ports: [{ port: '5432', protocol: 'TCP' }] }] }],
  },
};

/** The objects without the object(s) of that name. */
export function without(objects: readonly any[], name: string): any[] {
  const out = objects.filter((o) => o?.metadata?.name !== name);
  if (out.length === objects.length) throw new Error(`no object ${name}`);
  return clone(out);
}

/** The objects in reverse order, with the policy `from` renamed to `to`. */
export function reorderedAndRenamed(objects: readonly any[], from: string, to: string): any[] {
  const out = clone([...objects].reverse());
  const p = out.find((o: any) => o?.metadata?.name === from);
  if (!p) throw new Error(`no object ${from}`);
  p.metadata.name = to;
  return out;
}

/** The flask-postgres example with other HTTP rules on the flask app's ingress (`undefined`: no L7 rules). */
export function flaskWithRoutes(routes: { method: string; path: string }[] | undefined): any[] {
  const out = clone(synthExample('flask-postgres'));
  const p = out.find((o: any) => o?.metadata?.name === 'flask-app-from-anyone');
  if (!p) throw new Error('no flask-app-from-anyone');
  const tp = p.spec.ingress[0].toPorts[0];
  if (routes) tp.rules = { http: routes };
  else delete tp.rules;
  return out;
}

/** A cdk8s-plus NetworkPolicy: default deny of ingress to every pod of a namespace. */
export function networkPolicyDefaultDeny(namespace: string): any[] {
  const chart = new Chart(Testing.app(), 'deny');
  new kplus.NetworkPolicy(chart, 'default-deny', {
    // no selector: every pod of the policy's namespace
    metadata: { namespace, name: `${namespace}-default-deny-ingress` },
    ingress: { default: kplus.NetworkPolicyTrafficDefault.DENY },
  });
  return Testing.synth(chart);
}

/** A named diff of an example. */
export interface ExampleDiff {
  readonly name: string;
  readonly diff: ConnectivityDiff;
  readonly markdown: string;
}

function make(name: string, base: readonly any[], next: readonly any[]): ExampleDiff {
  const diff = connectivityDiff({ base, next });
  return { name, diff, markdown: renderDiffMarkdown(diff, { base: ['base/'], next: ['pr/'] }) };
}

/** The diffs whose Markdown has a flowchart: added edges, removed edges, L7 route changes, a NetworkPolicy. */
export function exampleDiffs(): ExampleDiff[] {
  const cnpg = synthExample('cnpg-cilium');
  const flask = synthExample('flask-postgres');
  return [
    make('world to the database', cnpg, [...cnpg, WORLD_TO_DATABASE]),
    make('instances ingress removed', cnpg, without(cnpg, 'cluster-example-instances-ingress')),
    make('both ways', without(cnpg, 'cluster-example-instances-ingress'), [...cnpg, WORLD_TO_DATABASE]),
    make('HTTP routes changed', flask, flaskWithRoutes([{ method: 'GET', path: '/health' }, { method: 'POST', path: '/login' }])),
    make('NetworkPolicy default deny', cnpg, [...cnpg, ...networkPolicyDefaultDeny('backend')]),
  ];
}

/**
 * fast-check generators of small random estates (namespaces, workloads with random labels,
 * clusters, poolers, grants of every client and target kind, baselines) and a builder that
 * declares an estate in a chosen order.
 */
import { App, Chart, Testing } from 'cdk8s';
import * as fc from 'fast-check';
import {
  AccessClient, AccessGrant, AccessTarget, Entity, HttpPath, HttpRule, NamespaceBaseline, PodSelector, Port, SecuredPostgres,
} from '../../src';

export const NAMESPACES = ['alpha', 'beta', 'gamma', 'delta'];

export type ClientSpec =
  | { kind: 'pods'; ns: string; labels: Record<string, string> }
  | { kind: 'namespace'; ns: string }
  | { kind: 'anyone' }
  | { kind: 'ingress' }
  | { kind: 'cidr'; cidr: string }
  | { kind: 'labelledNs'; labels: Record<string, string> }
  | { kind: 'anyNs'; labels: Record<string, string> };

export type TargetSpec =
  | { kind: 'db'; cluster: number }
  | { kind: 'pooler'; cluster: number }
  | { kind: 'pods'; ns: string; labels: Record<string, string>; port: number; http: boolean }
  | { kind: 'fqdn'; name: string; port: number }
  | { kind: 'cidrTarget'; cidr: string; port: number }
  | { kind: 'world'; port: number };

export interface ClusterSpec { ns: string; pooler: boolean }
export interface GrantSpec { client: ClientSpec; target: TargetSpec }
export interface Estate { clusters: ClusterSpec[]; grants: GrantSpec[]; baselines: string[] }

const labelValue = fc.constantFrom('a', 'b', 'c', 'web', 'api');
const clientLabels = fc.record({ role: labelValue }, { requiredKeys: ['role'] }).chain((base) =>
  fc.option(fc.constantFrom('x', 'y'), { nil: undefined }).map((tier) => (tier ? { ...base, tier } : base)));
const targetLabels = fc.record({ svc: labelValue });
const ns = fc.constantFrom(...NAMESPACES);

export const clientArb: fc.Arbitrary<ClientSpec> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('pods' as const), ns, labels: clientLabels }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('namespace' as const), ns }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'anyone' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'ingress' as const }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('cidr' as const), cidr: fc.constantFrom('192.0.2.0/24', '198.51.100.0/24') }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('labelledNs' as const), labels: fc.record({ team: labelValue }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('anyNs' as const), labels: fc.record({ role: labelValue }) }) },
);

export function targetArb(clusters: number): fc.Arbitrary<TargetSpec> {
  const port = fc.constantFrom(80, 443, 8080, 9000);
  const arbs: fc.WeightedArbitrary<TargetSpec>[] = [
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('pods' as const), ns, labels: targetLabels, port, http: fc.boolean() }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('fqdn' as const), name: fc.constantFrom('api.example.com', 'db.example.org'), port }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('cidrTarget' as const), cidr: fc.constantFrom('203.0.113.0/24', '10.200.0.0/16'), port }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('world' as const), port }) },
  ];
  if (clusters > 0) {
    const c = fc.nat(clusters - 1);
    arbs.push({ weight: 4, arbitrary: fc.record({ kind: fc.constant('db' as const), cluster: c }) });
    arbs.push({ weight: 2, arbitrary: fc.record({ kind: fc.constant('pooler' as const), cluster: c }) });
  }
  return fc.oneof(...arbs);
}

function clientHasPods(c: ClientSpec): boolean {
  return c.kind === 'pods' || c.kind === 'namespace';
}

function isEgressOnly(t: TargetSpec): boolean {
  return t.kind === 'fqdn' || t.kind === 'cidrTarget' || t.kind === 'world';
}

export const estateArb: fc.Arbitrary<Estate> = fc.array(fc.record({ ns, pooler: fc.boolean() }), { minLength: 0, maxLength: 3 }).chain((clusters) => {
  const fixed = clusters.map((c) => ({ ...c, pooler: c.pooler }));
  return fc.record({
    clusters: fc.constant(fixed),
    grants: fc.array(fc.record({ client: clientArb, target: targetArb(fixed.length) }), { maxLength: 6 }),
    baselines: fc.uniqueArray(ns, { maxLength: 2 }),
  });
}).map((e) => {
  // Keep the estate valid: egress-only targets need clients whose pods we can name; one grant
  // per (client, target) pair (a second grant with other HTTP rules would be shadowing).
  const seen = new Set<string>();
  const grants = e.grants.filter((g) => {
    if (isEgressOnly(g.target) && !clientHasPods(g.client)) {
      return false;
    }
    const key = JSON.stringify([g.client, { ...g.target, http: undefined, port: undefined }]);
    if (seen.has(key)) {
      return false;
    }
    seen.add(key);
    return true;
  });
  return { ...e, grants };
});

export function clientOf(c: ClientSpec): AccessClient {
  switch (c.kind) {
    case 'pods': return AccessClient.podsInNamespace(PodSelector.labels(c.labels), c.ns);
    case 'namespace': return AccessClient.allPodsOfNamespace(c.ns);
    case 'anyone': return AccessClient.anyone();
    case 'ingress': return AccessClient.entity(Entity.INGRESS);
    case 'cidr': return AccessClient.cidr(c.cidr);
    case 'labelledNs': return AccessClient.namespacesLabelled(`team-${c.labels.team}`, c.labels);
    case 'anyNs': return AccessClient.podsInAnyNamespace(`any-${c.labels.role}`, PodSelector.labels(c.labels));
  }
}

export const HTTP_RULES = [HttpRule.get(HttpPath.prefix('/api/')), HttpRule.post(HttpPath.exact('/login'))];

export function clusterName(i: number): string {
  return `pg${i}`;
}

/**
 * Declares the estate in `chart`; `order` permutes the declaration order of clusters, grants
 * and baselines (indexes into the concatenated list).
 */
export function declare(chart: Chart, e: Estate, order?: number[]): { dbs: SecuredPostgres[] } {
  const dbs: SecuredPostgres[] = [];
  const steps: (() => void)[] = [];
  // Clusters first (grants refer to them), in permuted order among themselves.
  const clusterIdx = e.clusters.map((_, i) => i);
  const n = e.clusters.length + e.grants.length + e.baselines.length;
  const perm = order ?? Array.from({ length: n }, (_, i) => i);
  const clusterOrder = perm.filter((i) => i < e.clusters.length);
  for (const i of clusterOrder.length === clusterIdx.length ? clusterOrder : clusterIdx) {
    const c = e.clusters[i];
    const db = new SecuredPostgres(chart, `Cluster${i}`, { name: clusterName(i), namespace: c.ns });
    if (c.pooler) {
      db.addPooler('Rw');
    }
    dbs[i] = db;
  }
  e.grants.forEach((g, gi) => steps[e.clusters.length + gi] = () => {
    const t = g.target;
    let target: AccessTarget;
    let http: HttpRule[] | undefined;
    switch (t.kind) {
      case 'db': target = AccessTarget.of(dbs[t.cluster]); break;
      case 'pooler': target = dbs[t.cluster].poolers.length ? AccessTarget.of(dbs[t.cluster].poolers[0]) : AccessTarget.of(dbs[t.cluster]); break;
      case 'pods': target = AccessTarget.pods(`svc-${t.labels.svc}`, PodSelector.labels(t.labels), t.ns, [Port.tcp(t.port)]); http = t.http ? HTTP_RULES : undefined; break;
      case 'fqdn': target = AccessTarget.fqdn(t.name, [Port.tcp(t.port)]); break;
      case 'cidrTarget': target = AccessTarget.cidr(t.cidr, [Port.tcp(t.port)]); break;
      case 'world': target = AccessTarget.entity(Entity.WORLD, [Port.tcp(t.port)]); break;
    }
    new AccessGrant(chart, `Grant${gi}`, { client: clientOf(g.client), target, http });
  });
  e.baselines.forEach((b, bi) => steps[e.clusters.length + e.grants.length + bi] = () => new NamespaceBaseline(chart, `Baseline-${b}`, { namespace: b }));
  for (const i of perm) {
    steps[i]?.();
  }
  return { dbs };
}

export function synth(e: Estate, order?: number[]): { yaml: string; docs: any[]; app: App } {
  const app = Testing.app();
  const chart = new Chart(app, 'estate');
  declare(chart, e, order);
  const yaml = app.synthYaml();
  return { yaml, docs: chart.toJson(), app };
}

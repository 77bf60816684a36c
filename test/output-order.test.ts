/**
 * The library emits its objects as one block, sorted by namespace, workloads before policies,
 * kind and name, whatever order its constructs were declared in; the user's own objects keep
 * cdk8s's order around the block, and dependencies the user adds are still honoured.
 */
import * as fs from 'fs';
import * as path from 'path';
import { ApiObject, App, Chart, DependencyGraph, Testing, YamlOutputType } from 'cdk8s';
import {
  AccessClient, AccessGrant, AccessTarget, CiliumPolicy, NamespaceBaseline, PodSelector, Port, SecuredPostgres,
} from '../src';
import { _OutputOrder } from '../src/common/output-order';

function ids(chart: Chart): string[] {
  return Testing.synth(chart).map((o) => `${o.kind} ${o.metadata.namespace ?? ''}/${o.metadata.name}`);
}

function estate(chart: Chart, order: string[]): void {
  const steps: Record<string, () => void> = {};
  let db: SecuredPostgres | undefined;
  steps.db = () => { db = new SecuredPostgres(chart, 'Db', { name: 'orders', namespace: 'data' }); };
  steps.baseline = () => new NamespaceBaseline(chart, 'Shop', { namespace: 'shop' });
  steps.grant = () => new AccessGrant(chart, 'Grant', {
    client: AccessClient.pods('web', PodSelector.labels({ app: 'web' }), 'shop'),
    target: AccessTarget.of(db!),
  });
  steps.pooler = () => db!.addPooler('Rw');
  for (const s of order) {
    steps[s]();
  }
}

describe('output order', () => {
  test('every declaration order gives the same bytes, sorted by namespace, kind and name', () => {
    const yaml = (order: string[]) => {
      const app = Testing.app();
      estate(new Chart(app, 'c'), order);
      return app.synthYaml();
    };
    const reference = yaml(['db', 'baseline', 'grant', 'pooler']);
    for (const order of [['baseline', 'db', 'pooler', 'grant'], ['db', 'pooler', 'grant', 'baseline'], ['db', 'grant', 'baseline', 'pooler']]) {
      expect(yaml(order)).toBe(reference);
    }
    const app = Testing.app();
    const chart = new Chart(app, 'c');
    estate(chart, ['db', 'pooler', 'grant', 'baseline']);
    const out = ids(chart);
    expect(out).toEqual([
      // namespace data: CNPG objects first, then the policies by name
      'Cluster data/orders',
      'Pooler data/orders-pooler-rw',
      ...out.filter((x) => x.startsWith('CiliumNetworkPolicy data/')),
      ...out.filter((x) => x.startsWith('CiliumNetworkPolicy shop/')),
    ]);
    const names = out.filter((x) => x.startsWith('CiliumNetworkPolicy data/'));
    expect(names).toEqual([...names].sort());
    expect(names).toContain('CiliumNetworkPolicy data/orders-from-web');
    expect(out.filter((x) => x.startsWith('CiliumNetworkPolicy shop/'))).toEqual([
      'CiliumNetworkPolicy shop/shop-allow-dns', 'CiliumNetworkPolicy shop/shop-default-deny', 'CiliumNetworkPolicy shop/web-to-orders',
    ]);
  });

  test("the user's own objects keep their place around the block", () => {
    const app = Testing.app();
    const chart = new Chart(app, 'c');
    new ApiObject(chart, 'Before', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'before', namespace: 'zzz' } });
    new NamespaceBaseline(chart, 'B', { namespace: 'b' });
    new ApiObject(chart, 'After', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'after', namespace: 'aaa' } });
    new NamespaceBaseline(chart, 'A', { namespace: 'a' });
    expect(ids(chart)).toEqual([
      'ConfigMap zzz/before',
      'CiliumNetworkPolicy a/a-allow-dns', 'CiliumNetworkPolicy a/a-default-deny',
      'CiliumNetworkPolicy b/b-allow-dns', 'CiliumNetworkPolicy b/b-default-deny',
      'ConfigMap aaa/after',
    ]);
  });

  test('a dependency the user adds on a construct of ours is honoured', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'c');
    const first = new ApiObject(chart, 'App', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'app', namespace: 'data' } });
    const db = new SecuredPostgres(chart, 'Db', { name: 'orders', namespace: 'data' });
    first.addDependency(db);
    const out = ids(chart);
    const at = (x: string) => out.indexOf(x);
    expect(at('ConfigMap data/app')).toBeGreaterThan(at('Cluster data/orders'));
    for (const x of out.filter((o) => o.startsWith('CiliumNetworkPolicy'))) {
      expect(at('ConfigMap data/app')).toBeGreaterThan(at(x));
    }
    // (the dependency is walked first: the database's objects come in construct order, before the ConfigMap)
    expect(out[out.length - 1]).toBe('ConfigMap data/app');
    expect(out).toHaveLength(7);
  });

  test('policies of the policy layer declared directly keep declaration order', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'c');
    for (const n of ['zeta', 'alpha']) {
      new CiliumPolicy(chart, n, { namespace: 'x', selector: PodSelector.labels({ app: n }), isolateIngress: true });
    }
    expect(ids(chart)).toEqual(['CiliumNetworkPolicy x/zeta', 'CiliumNetworkPolicy x/alpha']);
  });

  test('several charts: each sorts its own block', () => {
    const app = new App({ outdir: Testing.app().outdir });
    const one = new Chart(app, 'one');
    const two = new Chart(app, 'two');
    new NamespaceBaseline(two, 'Y', { namespace: 'y' });
    new NamespaceBaseline(one, 'Q', { namespace: 'q' });
    new NamespaceBaseline(one, 'P', { namespace: 'p' });
    new AccessGrant(two, 'G', { client: AccessClient.pods('c', PodSelector.labels({ app: 'c' }), 'x'), target: AccessTarget.pods('t', PodSelector.labels({ app: 't' }), 'x', [Port.tcp(80)]) });
    expect(ids(one)).toEqual([
      'CiliumNetworkPolicy p/p-allow-dns', 'CiliumNetworkPolicy p/p-default-deny',
      'CiliumNetworkPolicy q/q-allow-dns', 'CiliumNetworkPolicy q/q-default-deny',
    ]);
    expect(ids(two)).toEqual([
      'CiliumNetworkPolicy x/c-to-t', 'CiliumNetworkPolicy x/t-from-c',
      'CiliumNetworkPolicy y/y-allow-dns', 'CiliumNetworkPolicy y/y-default-deny',
    ]);
  });

  test("the order is the construct tree's: the chart's prototype toJson (as jsii calls it from Python, Java, ...) and a DependencyGraph of the chart give the sorted block", () => {
    const app = Testing.app();
    const chart = new Chart(app, 'c');
    estate(chart, ['baseline', 'db', 'pooler', 'grant']);
    const expected = ids(chart);
    const viaPrototype = (Chart.prototype.toJson.call(chart) as any[]).map((o) => `${o.kind} ${o.metadata.namespace ?? ''}/${o.metadata.name}`);
    expect(viaPrototype).toEqual(expected);
    const walked = new DependencyGraph(chart.node).topology().filter((c): c is ApiObject => c instanceof ApiObject)
      .map((o) => `${o.kind} ${o.metadata.namespace ?? ''}/${o.name}`);
    expect(walked).toEqual(expected);
    expect([...expected.slice(2)]).toEqual([...expected.slice(2)].sort());
  });

  test('every way cdk8s writes an app gives the sorted block: files per chart, per resource, the construct metadata', () => {
    const outdir = fs.mkdtempSync(path.join(Testing.app().outdir, 'out-'));
    const make = (yamlOutputType: YamlOutputType) => {
      const app = new App({ outdir: path.join(outdir, String(yamlOutputType)), yamlOutputType, recordConstructMetadata: true });
      for (const name of ['one', 'two']) {
        estate(new Chart(app, name), ['db', 'grant', 'pooler', 'baseline']);
      }
      app.synth();
      return path.join(outdir, String(yamlOutputType));
    };
    const reference = new App({ outdir: path.join(outdir, 'reference') });
    const sorted = ['one', 'two'].map((name) => {
      const chart = new Chart(reference, name);
      estate(chart, ['db', 'baseline', 'grant', 'pooler']);
      return Testing.synth(chart).map((o) => o.metadata.name as string);
    });
    for (const t of [YamlOutputType.FILE_PER_CHART, YamlOutputType.FOLDER_PER_CHART_FILE_PER_RESOURCE]) {
      const dir = make(t);
      const recorded = Object.keys(JSON.parse(fs.readFileSync(path.join(dir, 'construct-metadata.json'), 'utf8')).resources);
      // names shared by both charts are recorded once, at their first place
      expect(recorded).toEqual([...new Set([...sorted[0], ...sorted[1]])]);
      if (t === YamlOutputType.FILE_PER_CHART) {
        const docs = fs.readFileSync(path.join(dir, 'one.k8s.yaml'), 'utf8').split(/^---$/m);
        expect(docs.map((d) => /\n {2}name: (\S+)/.exec(d)![1])).toEqual(sorted[0]);
      }
    }
  });

  test("cdk8s's resolveDependencies and the app's chart order are not handed the block (they have nothing to do with it); without a stack to tell, they are, with the same output", () => {
    const build = () => {
      const app = Testing.app();
      const charts = ['a', 'b', 'c'].map((name) => {
        const chart = new Chart(app, name);
        estate(chart, ['db', 'pooler', 'baseline', 'grant']);
        return chart;
      });
      // chart order that is not construct order: a after c (a chart dependency), b after a (an object's)
      charts[0].addDependency(charts[2]);
      new ApiObject(charts[1], 'after-a', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'after-a' } }).node.addDependency(charts[0].node.findAll().find((c) => c instanceof ApiObject)!);
      return app;
    };
    const block = jest.spyOn(_OutputOrder.prototype, '_block');
    try {
      const yaml = build().synthYaml();
      // each chart's own DependencyGraph: one read per chart, none from the app's DependencyGraph (chart order)
      // nor from the four resolveDependencies passes of the three charts' synthesis and the app's
      expect(block).toHaveBeenCalledTimes(3);
      expect(yaml.indexOf('name: after-a')).toBeGreaterThan(-1);
      block.mockClear();
      const capture = Error.captureStackTrace;
      (Error as any).captureStackTrace = undefined;
      let unsorted: string;
      try {
        unsorted = build().synthYaml();
      } finally {
        Error.captureStackTrace = capture;
      }
      expect(unsorted).toBe(yaml);
      expect(block.mock.calls.length).toBeGreaterThan(3);
    } finally {
      block.mockRestore();
    }
  });
});

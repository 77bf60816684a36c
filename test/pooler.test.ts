import * as fs from 'fs';
import * as path from 'path';
import { Chart, Testing } from 'cdk8s';
import * as YAML from 'yaml';
import {
  PodSelector, PoolerClientTls, PoolerOptions, PoolerType, PoolMode, SecuredPostgres, SecuredPostgresProps,
} from '../src';
import { Endpoint, FlowChecker } from './util/cnpg-flow-check';

function setup(props: SecuredPostgresProps = {}): { c: Chart; db: SecuredPostgres } {
  const c = new Chart(Testing.app(), 'test', { namespace: 'default' });
  const db = new SecuredPostgres(c, 'Db', { name: 'cluster-example', ...props });
  return { c, db };
}

function byName(objs: any[], name: string): any {
  const o = objs.find((x) => x.metadata.name === name);
  if (!o) {
    throw new Error(`no object ${name}: ${objs.map((x) => x.metadata.name).join(', ')}`);
  }
  return o;
}

const scenario = YAML.parse(fs.readFileSync(path.join(__dirname, '..', 'examples', 'cnpg-cilium.connectivity.yaml'), 'utf8'));
const endpoints: { [k: string]: Endpoint } = scenario.endpoints;

describe('Pooler | resource', () => {
  test('defaults: rw, two PgBouncer pods, session mode, client TLS required', () => {
    // GIVEN
    const { c, db } = setup();
    // WHEN
    const pooler = db.addPooler('Rw');
    // THEN
    const objs = Testing.synth(c);
    const res = byName(objs, 'cluster-example-pooler-rw');
    expect(res.kind).toBe('Pooler');
    expect(res.spec).toEqual({
      cluster: { name: 'cluster-example' },
      type: 'rw',
      instances: 2,
      pgbouncer: { poolMode: 'session', parameters: { client_tls_sslmode: 'require' } },
    });
    expect(pooler.name).toBe('cluster-example-pooler-rw');
    expect(pooler.serviceHost).toBe('cluster-example-pooler-rw.default.svc');
    expect(pooler.selector.matchLabels).toEqual({ 'cnpg.io/poolerName': 'cluster-example-pooler-rw' });
    expect(pooler.node.defaultChild).toBe(pooler.apiObject);
    expect(db.poolers).toEqual([pooler]);
    expect(objs).toMatchSnapshot();
  });

  test('options are passed through', () => {
    const { c, db } = setup();
    db.addPooler('Ro', {
      name: 'reports',
      type: PoolerType.RO,
      instances: 3,
      poolMode: PoolMode.TRANSACTION,
      parameters: { max_client_conn: '500', default_pool_size: '20' },
      clientTls: PoolerClientTls.VERIFY_FULL,
      metricsTls: true,
    });
    const res = byName(Testing.synth(c), 'reports');
    expect(res.spec).toEqual({
      cluster: { name: 'cluster-example' },
      type: 'ro',
      instances: 3,
      monitoring: { tls: { enabled: true } },
      pgbouncer: { poolMode: 'transaction', parameters: { client_tls_sslmode: 'verify-full', default_pool_size: '20', max_client_conn: '500' } },
    });
  });

  test('is an access target for AccessGrant', () => {
    const { db } = setup();
    const cfg = db.addPooler('Rw').toAccessTargetConfig();
    expect(cfg.name).toBe('cluster-example-pooler-rw');
    expect(cfg.namespace).toBe('default');
    expect(cfg.selector.matchLabels).toEqual({ 'cnpg.io/poolerName': 'cluster-example-pooler-rw' });
    expect(cfg.defaultPorts.map((p) => p.toString())).toEqual(['TCP/5432']);
    expect(cfg.exposedPorts!.map((p) => p.toString())).toEqual(['TCP/5432', 'TCP/9127']);
    expect(cfg.postgres).toBe(true);
  });

  test('is a cdk8s-plus pod selector', () => {
    const { db } = setup();
    const pooler = db.addPooler('Rw');
    const cfg = pooler.toNetworkPolicyPeerConfig();
    expect(cfg.podSelector!.namespaces).toEqual({ names: ['default'] });
    expect(pooler.toPodSelector()).toBe(pooler);
  });
});

describe('Pooler | validation', () => {
  const cases: Array<[PoolerOptions, RegExp]> = [
    [{ name: 'Pooler' }, /\[test\/Db\/P\] name: "Pooler" is not a valid pooler name; use a DNS-1035 label of at most 63 characters/],
    [{ name: 'p'.repeat(64) }, /name: "p{64}" is not a valid pooler name/],
    [{ name: 'cluster-example' }, /\[test\/Db\/P\] name: "cluster-example" clashes with the cluster or one of its Services/],
    [{ name: 'cluster-example-rw' }, /name: "cluster-example-rw" clashes with the cluster or one of its Services/],
    [{ instances: 0 }, /\[test\/Db\/P\] instances: 0 is not a valid number of PgBouncer pods; give an integer of at least 1/],
    [{ parameters: { client_tls_sslmode: 'disable' } }, /\[test\/Db\/P\] parameters.client_tls_sslmode: "disable" would override the client TLS mode; set clientTls instead/],
    [{ parameters: { listen_port: '6432' } }, /parameters.listen_port: "listen_port" is managed by CloudNativePG/],
    [{ parameters: { auth_type: 'trust' } }, /parameters.auth_type: "auth_type" is managed by CloudNativePG/],
  ];
  test.each(cases.map(([o, m]) => [m.source.replace(/\\/g, '').slice(0, 90), o, m] as [string, PoolerOptions, RegExp]))('refuses with %s', (_label, options, message) => {
    const { db } = setup();
    expect(() => db.addPooler('P', options)).toThrow(message);
  });

  test('two poolers cannot share a name', () => {
    const { db } = setup();
    db.addPooler('A');
    expect(() => db.addPooler('B')).toThrow(/\[test\/Db\/B\] name: a pooler named "cluster-example-pooler-rw" already exists for cluster cluster-example; give each pooler its own name/);
  });
});

describe('Pooler | policies', () => {
  test('baseline and egress policy; the instances admit the pooler on 5432', () => {
    const { c, db } = setup();
    db.addPooler('Rw');
    const objs = Testing.synth(c);
    const dd = byName(objs, 'cluster-example-pooler-rw-default-deny');
    expect(dd.spec.ingress).toEqual([{}]);
    expect(dd.spec.egress).toEqual([{}]);
    const eg = byName(objs, 'cluster-example-pooler-rw-egress');
    expect(eg.spec.ingress).toEqual([{}]);
    expect(eg.spec.egress).toContainEqual({
      toEndpoints: [{ matchLabels: { 'cnpg.io/cluster': 'cluster-example', 'cnpg.io/podRole': 'instance', 'k8s:io.kubernetes.pod.namespace': 'default' } }],
      toPorts: [{ ports: [{ port: '5432', protocol: 'TCP' }] }],
    });
    expect(eg.spec.egress).toContainEqual({ toEntities: ['kube-apiserver'], toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }, { port: '6443', protocol: 'TCP' }] }] });
    expect(JSON.stringify(byName(objs, 'cluster-example-instances-ingress').spec.ingress)).toContain('"cnpg.io/poolerName":"cluster-example-pooler-rw"');
    expect(objs.some((o: any) => o.metadata.name === 'cluster-example-pooler-rw-ingress')).toBe(false);
  });

  test('monitoring and host probes add an ingress policy', () => {
    const { c, db } = setup({
      monitoring: { scraperSelector: PodSelector.labels({ 'app.kubernetes.io/name': 'prometheus' }), scraperNamespace: 'monitoring' },
      allowProbesFromHost: true,
    });
    db.addPooler('Rw');
    const objs = Testing.synth(c);
    const ing = byName(objs, 'cluster-example-pooler-rw-ingress');
    expect(ing.spec.egress).toEqual([{}]);
    expect(ing.spec.ingress).toContainEqual({ fromEndpoints: [{ matchLabels: { 'app.kubernetes.io/name': 'prometheus', 'k8s:io.kubernetes.pod.namespace': 'monitoring' } }], toPorts: [{ ports: [{ port: '9127', protocol: 'TCP' }] }] });
    expect(ing.spec.ingress).toContainEqual({ fromEntities: ['host'], toPorts: [{ ports: [{ port: '5432', protocol: 'TCP' }] }] });
    expect(objs).toMatchSnapshot();
  });

  test('flows: pooler reaches instances, API server and DNS; nothing else in or out', () => {
    const { c, db } = setup({ monitoring: { scraperSelector: PodSelector.labels({ 'app.kubernetes.io/name': 'prometheus' }), scraperNamespace: 'monitoring' } });
    db.addPooler('Rw');
    const checker = new FlowChecker(Testing.synth(c), endpoints);
    const v = (src: string, dst: string, port: number, proto = 'TCP') => checker.verdict({ src, dst, proto, port });
    expect(v('pooler-rw-1', 'cluster-example-1', 5432)).toBe('ALLOW');
    expect(v('pooler-rw-1', 'cluster-example-2', 5432)).toBe('ALLOW');
    expect(v('pooler-rw-1', 'kube-apiserver', 6443)).toBe('ALLOW');
    expect(v('pooler-rw-1', 'kube-dns', 53, 'UDP')).toBe('ALLOW');
    expect(v('prometheus', 'pooler-rw-1', 9127)).toBe('ALLOW');
    expect(v('prometheus', 'pooler-rw-1', 5432)).toBe('DROP');
    expect(v('pooler-rw-1', 'cluster-example-1', 8000)).toBe('DROP');
    expect(v('pooler-rw-1', 'world:203.0.113.10', 443)).toBe('DROP');
    expect(v('backend-default', 'pooler-rw-1', 5432)).toBe('DROP');
    expect(v('operator', 'pooler-rw-1', 5432)).toBe('DROP');
  });

  test('removing any single pooler policy leaves the PgBouncer pods isolated both ways', () => {
    const { c, db } = setup({ allowProbesFromHost: true });
    db.addPooler('Rw');
    const all = Testing.synth(c);
    const poolerPolicies = all.filter((o: any) => o.kind === 'CiliumNetworkPolicy' && o.metadata.name.startsWith('cluster-example-pooler-rw'));
    expect(poolerPolicies.length).toBe(3);
    for (const removed of poolerPolicies) {
      const checker = new FlowChecker(all.filter((o: any) => o !== removed), endpoints);
      expect([removed.metadata.name, checker.isolated(endpoints['pooler-rw-1'], 'ingress'), checker.isolated(endpoints['pooler-rw-1'], 'egress')])
        .toEqual([removed.metadata.name, true, true]);
      expect(checker.verdict({ src: 'pooler-rw-1', dst: 'world:203.0.113.10', proto: 'TCP', port: 443 })).toBe('DROP');
      expect(checker.verdict({ src: 'other-default', dst: 'pooler-rw-1', proto: 'TCP', port: 5432 })).toBe('DROP');
    }
  });
});

import * as fs from 'fs';
import * as path from 'path';
import { Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import * as YAML from 'yaml';
import {
  Destination, DnsServer, ExternalSslMode, OperatorLocation, PodAntiAffinityType, PodSelector, Port,
  PostgresBackup, SecuredPostgres, SecuredPostgresProps,
} from '../src';
import { CnpgCiliumExample } from '../examples/cnpg-cilium';
import { Endpoint, Flow, FlowChecker } from './util/cnpg-flow-check';

function chart(namespace?: string): Chart {
  return new Chart(Testing.app(), 'test', namespace ? { namespace } : {});
}

function db(props: SecuredPostgresProps = {}, c: Chart = chart('default')): SecuredPostgres {
  return new SecuredPostgres(c, 'Db', { name: 'cluster-example', ...props });
}

function byKind(objs: any[], kind: string): any[] {
  return objs.filter((o) => o.kind === kind);
}

function byName(objs: any[], name: string): any {
  const o = objs.find((x) => x.metadata.name === name);
  if (!o) {
    throw new Error(`no object ${name}: ${objs.map((x) => x.metadata.name).join(', ')}`);
  }
  return o;
}

const scenario = YAML.parse(fs.readFileSync(path.join(__dirname, '..', 'examples', 'cnpg-cilium.connectivity.yaml'), 'utf8'));

function exampleManifests(): any[] {
  const app = Testing.app();
  const c = new CnpgCiliumExample(app, 'cnpg-cilium');
  return Testing.synth(c);
}

describe('SecuredPostgres | cluster', () => {
  test('secure defaults are rendered on the Cluster', () => {
    // GIVEN
    const c = chart('default');
    // WHEN
    db({}, c);
    // THEN
    const objs = Testing.synth(c);
    const [cluster] = byKind(objs, 'Cluster');
    expect(cluster.metadata).toEqual({ name: 'cluster-example', namespace: 'default' });
    expect(cluster.spec.instances).toBe(3);
    expect(cluster.spec.enableSuperuserAccess).toBe(false);
    expect(cluster.spec.postgresql.pg_hba[0]).toBe('hostnossl all all all reject');
    expect(cluster.spec.imageName).toMatch(/^ghcr\.io\/cloudnative-pg\/postgresql:\d+\.\d+$/);
    expect(cluster.spec.storage).toEqual({ size: '10Gi' });
    expect(cluster.spec.bootstrap.initdb).toEqual({ database: 'app', owner: 'app', dataChecksums: true });
    expect(cluster.spec.affinity).toEqual({ enablePodAntiAffinity: true, podAntiAffinityType: 'preferred', topologyKey: 'kubernetes.io/hostname' });
    expect(cluster.spec.enablePDB).toBe(true);
    expect(cluster.spec.monitoring).toEqual({ tls: { enabled: true } });
    expect(cluster.spec.postgresql.parameters.password_encryption).toBe('scram-sha-256');
    expect(objs).toMatchSnapshot();
  });

  test('exposes hosts, secret, selectors and the L1 object', () => {
    const c = chart('db');
    const d = db({}, c);
    expect(d.rwServiceHost).toBe('cluster-example-rw.db.svc');
    expect(d.roServiceHost).toBe('cluster-example-ro.db.svc');
    expect(d.rServiceHost).toBe('cluster-example-r.db.svc');
    expect(d.appSecretName).toBe('cluster-example-app');
    expect(d.apiObject.kind).toBe('Cluster');
    expect(d.node.defaultChild).toBe(d.apiObject);
    expect(d.instanceSelector.matchLabels).toEqual({ 'cnpg.io/cluster': 'cluster-example', 'cnpg.io/podRole': 'instance' });
    expect(d.jobSelector._render()).toEqual({
      matchLabels: { 'cnpg.io/cluster': 'cluster-example' },
      matchExpressions: [{ key: 'cnpg.io/jobRole', operator: 'Exists' }, { key: 'cnpg.io/podRole', operator: 'DoesNotExist' }],
    });
  });

  test('the namespace comes from the chart when not given', () => {
    const c = chart('apps');
    const d = new SecuredPostgres(c, 'ClusterExample');
    expect(d.namespace).toBe('apps');
    expect(d.name).toBe('cluster-example');
    expect(Testing.synth(c).every((o: any) => o.metadata.namespace === 'apps')).toBe(true);
  });

  test('user settings are passed through', () => {
    const c = chart('default');
    db({
      instances: 1,
      imageName: 'ghcr.io/cloudnative-pg/postgresql:16.4@sha256:' + 'a'.repeat(64),
      enableSuperuserAccess: true,
      storageSize: '1.5Ti',
      storageClass: 'fast',
      postgresqlParameters: { max_connections: '200', log_connections: 'off' },
      pgHba: ['hostssl app app 10.0.0.0/8 scram-sha-256'],
      database: 'orders',
      owner: 'orders_owner',
      dataChecksums: false,
      podAntiAffinityType: PodAntiAffinityType.REQUIRED,
      enablePdb: false,
      metricsTls: false,
    }, c);
    const [cluster] = byKind(Testing.synth(c), 'Cluster');
    expect(cluster.spec.instances).toBe(1);
    expect(cluster.spec.enableSuperuserAccess).toBe(true);
    expect(cluster.spec.storage).toEqual({ size: '1.5Ti', storageClass: 'fast' });
    expect(cluster.spec.postgresql.parameters).toEqual({ log_connections: 'off', log_disconnections: 'on', max_connections: '200', password_encryption: 'scram-sha-256' });
    expect(cluster.spec.postgresql.pg_hba).toEqual(['hostnossl all all all reject', 'hostssl app app 10.0.0.0/8 scram-sha-256']);
    expect(cluster.spec.bootstrap.initdb).toEqual({ database: 'orders', owner: 'orders_owner', dataChecksums: false });
    expect(cluster.spec.affinity.podAntiAffinityType).toBe('required');
    expect(cluster.spec.enablePDB).toBe(false);
    expect(cluster.spec.monitoring).toEqual({ tls: { enabled: false } });
  });

  test('requireTls false drops the reject line', () => {
    const c = chart('default');
    db({ requireTls: false }, c);
    const [cluster] = byKind(Testing.synth(c), 'Cluster');
    expect(cluster.spec.postgresql.pg_hba).toBeUndefined();
  });

  test('is an access target for AccessGrant', () => {
    const d = db();
    const cfg = d.toAccessTargetConfig();
    expect(cfg.name).toBe('cluster-example');
    expect(cfg.namespace).toBe('default');
    expect(cfg.selector).toBe(d.instanceSelector);
    expect(cfg.defaultPorts.map((p) => p.toString())).toEqual(['TCP/5432']);
    expect(cfg.exposedPorts!.map((p) => p.toString())).toEqual(['TCP/5432', 'TCP/8000', 'TCP/9187']);
    expect(cfg.postgres).toBe(true);
  });

  test('is a cdk8s-plus peer: deployment.connections.allowTo(db) targets the instances', () => {
    // GIVEN
    const app = Testing.app();
    const dbChart = new Chart(app, 'db', { namespace: 'db' });
    const appChart = new Chart(app, 'apps', { namespace: 'apps' });
    const d = new SecuredPostgres(dbChart, 'Db', { name: 'pg' });
    const deployment = new kplus.Deployment(appChart, 'Api', { containers: [{ image: 'api:1.0', portNumber: 8080 }] });
    // WHEN
    deployment.connections.allowTo(d, { ports: [kplus.NetworkPolicyPort.tcp(5432)] });
    // THEN
    const nps = [...Testing.synth(appChart), ...Testing.synth(dbChart)].filter((o: any) => o.kind === 'NetworkPolicy');
    const ingress = nps.find((n: any) => n.metadata.namespace === 'db');
    expect(ingress.spec.podSelector.matchLabels).toEqual({ 'cnpg.io/cluster': 'pg', 'cnpg.io/podRole': 'instance' });
    const egress = nps.find((n: any) => n.metadata.namespace === 'apps');
    expect(JSON.stringify(egress.spec.egress)).toContain('"cnpg.io/cluster":"pg"');
    expect(JSON.stringify(egress.spec.egress)).toContain('"kubernetes.io/metadata.name":"db"');
  });
});

describe('SecuredPostgres | validation', () => {
  test('a namespace is required from props or chart', () => {
    expect(() => new SecuredPostgres(chart(), 'Db', { name: 'pg' })).toThrow(/\[test\/Db\] namespace: no namespace given and the chart has none; set the namespace prop/);
  });

  const cases: Array<[SecuredPostgresProps, RegExp]> = [
    [{ name: 'Cluster' }, /\[test\/Db\] name: "Cluster" is not a valid CNPG cluster name; use a DNS-1035 label/],
    [{ name: '1pg' }, /name: "1pg" is not a valid CNPG cluster name/],
    [{ name: 'pg.example' }, /name: "pg.example" is not a valid CNPG cluster name/],
    [{ name: 'a'.repeat(51) }, /name: "a{51}" is 51 characters long; use at most 50 characters/],
    [{ namespace: 'Bad_NS' }, /\[test\/Db\] namespace: .*Bad_NS/],
    [{ instances: 0 }, /\[test\/Db\] instances: 0 is not a valid number of instances; give an integer of at least 1/],
    [{ instances: 1.5 }, /instances: 1.5 is not a valid number of instances/],
    [{ imageName: 'ghcr.io/cloudnative-pg/postgresql:latest' }, /\[test\/Db\] imageName: "ghcr.io\/cloudnative-pg\/postgresql:latest" uses the moving tag "latest"; pin a version tag or a digest/],
    [{ imageName: 'ghcr.io/cloudnative-pg/postgresql' }, /imageName: "ghcr.io\/cloudnative-pg\/postgresql" is not pinned; pin a tag or a digest/],
    [{ imageName: 'registry:5000/postgresql' }, /imageName: "registry:5000\/postgresql" is not pinned/],
    [{ imageName: 'postgresql@sha256:abc' }, /imageName: "postgresql@sha256:abc" has an invalid digest/],
    [{ storageSize: '10GB' }, /\[test\/Db\] storageSize: "10GB" is not a Kubernetes quantity; write a size such as "10Gi"/],
    [{ storageSize: '0Gi' }, /storageSize: "0Gi" is not a positive size/],
    [{ database: 'postgres' }, /\[test\/Db\] database: "postgres" is reserved/],
    [{ database: 'My-DB' }, /database: "My-DB" is not a plain PostgreSQL identifier/],
    [{ owner: 'template1' }, /owner: "template1" is reserved/],
    [{ postgresqlParameters: { port: '5433' } }, /\[test\/Db\] postgresqlParameters.port: "port" is managed by CloudNativePG/],
    [{ postgresqlParameters: { ssl_cert_file: 'x' } }, /postgresqlParameters.ssl_cert_file: "ssl_cert_file" is managed by CloudNativePG/],
    [{ pgHba: ['host all all all trust\nhost all all all trust'] }, /\[test\/Db\] pgHba: "host all all all trust\\nhost all all all trust" is not one pg_hba line/],
    [{ dnsServers: [] }, /\[test\/Db\] dnsServers: an empty list; name at least one DNS server/],
    [{ monitoring: { scraperSelector: PodSelector.labels({}), scraperNamespace: 'monitoring' } }, /\[test\/Db\] monitoring.scraperSelector: the pod selector is empty/],
    [{ backup: PostgresBackup.barmanCloudPlugin({ objectStoreName: 'store', destinations: [] }) }, /\[test\/Db\] backup.destinations: no destination given/],
    [{ backup: PostgresBackup.barmanCloudPlugin({ objectStoreName: 'store', destinations: [Destination.fqdn('s3.amazonaws.com', 70000)] }) }, /\[test\/Db\] backup.destinations\[0\]: port: 70000 is not a TCP port; give a port between 1 and 65535/],
    [{ backup: PostgresBackup.barmanCloudPlugin({ objectStoreName: 'store', destinations: [Destination.fqdn('bad name')] }) }, /backup.destinations\[0\]: fqdn: "bad name" is not a DNS name Cilium accepts/],
    [{ backup: PostgresBackup.barmanCloudPlugin({ objectStoreName: 'store', destinations: [Destination.cidrs(['10.0.0.1'])] }) }, /backup.destinations\[0\]: cidr: "10.0.0.1" is not a CIDR prefix; write it with a prefix length, e.g. "10.0.0.1\/32"/],
    [{ backup: PostgresBackup.barmanCloudPlugin({ objectStoreName: 'Store!', destinations: [Destination.fqdn('s3.amazonaws.com')] }) }, /backup.objectStoreName: "Store!" is not a valid object name/],
    [{ backup: PostgresBackup.barmanCloudPlugin({ objectStoreName: 's', destinations: [Destination.fqdn('s3.amazonaws.com')], schedule: '0 2 * * *' }) }, /backup.schedule: "0 2 \* \* \*" is not a six-field cron schedule/],
    [{ backup: PostgresBackup.barmanObjectStore({ destinationPath: 'bucket/x', s3CredentialsSecret: 's', destinations: [Destination.fqdn('s3.amazonaws.com')] }) }, /backup.destinationPath: "bucket\/x" is not an object store path; write it as s3:\/\/bucket\/path/],
    [{ backup: PostgresBackup.barmanObjectStore({ destinationPath: 's3://b/x', destinations: [Destination.fqdn('s3.amazonaws.com')] }) }, /backup.s3CredentialsSecret: no credentials given/],
    [{ backup: PostgresBackup.barmanObjectStore({ destinationPath: 's3://b/x', inheritFromIamRole: true, retentionPolicy: '30 days', destinations: [Destination.fqdn('s3.amazonaws.com')] }) }, /backup.retentionPolicy: "30 days" is not a retention policy/],
    [{ externalClusters: [{ name: 'src', host: 'a.example.com', destination: Destination.fqdn('a.example.com', 5432) }, { name: 'src', host: 'b.example.com', destination: Destination.fqdn('b.example.com', 5432) }] }, /\[test\/Db\] externalClusters\[1\].name: "src" is used twice/],
    [{ externalClusters: [{ name: 'Src', host: 'a.example.com', destination: Destination.fqdn('a.example.com', 5432) }] }, /externalClusters\[0\].name: "Src" is not a valid name/],
    [{ externalClusters: [{ name: 'src', host: '', destination: Destination.fqdn('a.example.com', 5432) }] }, /externalClusters\[0\].host: empty host/],
    [{ externalClusters: [{ name: 'src', host: 'a.example.com', destination: Destination.fqdn('b.example.com', 5432) }] }, /externalClusters\[0\].destination: destination "b.example.com" does not match host "a.example.com"; use Destination.fqdn\("a.example.com", port\)/],
  ];
  test.each(cases.map(([props, message]) => [message.source.replace(/\\/g, '').slice(0, 90), props, message] as [string, SecuredPostgresProps, RegExp]))('refuses with %s', (_label, props, message) => {
    expect(() => db(props)).toThrow(message);
  });
});

describe('SecuredPostgres | policies', () => {
  test('the example synthesizes the documented policy set', () => {
    const objs = exampleManifests();
    const names = byKind(objs, 'CiliumNetworkPolicy').map((p) => p.metadata.name).sort();
    expect(names).toEqual([
      'backend-to-cluster-example',
      'cluster-example-from-backend',
      'cluster-example-from-ns-backend',
      'cluster-example-instances-default-deny',
      'cluster-example-instances-egress',
      'cluster-example-instances-ingress',
      'cluster-example-jobs-default-deny',
      'cluster-example-jobs-egress',
      'cluster-example-pooler-rw-default-deny',
      'cluster-example-pooler-rw-egress',
      'ns-backend-to-cluster-example',
    ]);
    expect(objs).toMatchSnapshot();
  });

  test('every policy of the cluster\'s pods isolates both directions and never keys on instanceRole or role', () => {
    // (client-side grant policies select the applications, whose own label may be `role`)
    const clusterPolicies = byKind(exampleManifests(), 'CiliumNetworkPolicy').filter((p) => JSON.stringify(p.spec.endpointSelector).includes('cnpg.io/'));
    expect(clusterPolicies.length).toBeGreaterThanOrEqual(9);
    for (const p of clusterPolicies) {
      expect(p.spec.ingress.length).toBeGreaterThan(0);
      expect(p.spec.egress.length).toBeGreaterThan(0);
      expect(p.spec.enableDefaultDeny).toBeUndefined();
      expect(p.metadata.name.length).toBeLessThanOrEqual(63);
      // no selector of CNPG pods (subject or peer) keys on the labels that move on failover
      const cnpgSelectors = [p.spec.endpointSelector, ...[...(p.spec.ingress ?? []), ...(p.spec.egress ?? [])]
        .flatMap((r: any) => [...(r.fromEndpoints ?? []), ...(r.toEndpoints ?? [])])]
        .filter((sel: any) => JSON.stringify(sel).includes('cnpg.io/'));
      for (const sel of cnpgSelectors) {
        expect(JSON.stringify(sel)).not.toMatch(/instanceRole|"role"/);
      }
    }
  });

  test('instances reach the API server on the configured ports, or on every port with an empty list', () => {
    const c = chart('default');
    db({ apiServerPorts: [Port.tcp(6443)] }, c);
    const eg = byName(Testing.synth(c), 'cluster-example-instances-egress');
    expect(eg.spec.egress).toContainEqual({ toEntities: ['kube-apiserver'], toPorts: [{ ports: [{ port: '6443', protocol: 'TCP' }] }] });
    const c2 = chart('default');
    db({ apiServerPorts: [] }, c2);
    const eg2 = byName(Testing.synth(c2), 'cluster-example-instances-egress');
    expect(eg2.spec.egress).toContainEqual({ toEntities: ['kube-apiserver'] });
  });

  test('kubectl cnpg status access can be switched off', () => {
    const c = chart('default');
    db({ allowStatusFromApiServer: false }, c);
    const ing = byName(Testing.synth(c), 'cluster-example-instances-ingress');
    expect(JSON.stringify(ing.spec.ingress)).not.toContain('kube-apiserver');
  });

  test('operator presets select the operator pods', () => {
    const c = chart('default');
    db({ operator: OperatorLocation.helm('cnpg', 'operators') }, c);
    const ing = byName(Testing.synth(c), 'cluster-example-instances-ingress');
    expect(ing.spec.ingress[0].fromEndpoints).toEqual([{ matchLabels: {
      'app.kubernetes.io/instance': 'cnpg', 'app.kubernetes.io/name': 'cloudnative-pg', 'k8s:io.kubernetes.pod.namespace': 'operators',
    } }]);
    const c2 = chart('default');
    db({ operator: OperatorLocation.custom(PodSelector.labels({ 'control-plane': 'controller-manager' }), 'openshift-operators') }, c2);
    const ing2 = byName(Testing.synth(c2), 'cluster-example-instances-ingress');
    expect(ing2.spec.ingress).toContainEqual({
      fromEndpoints: [{ matchLabels: { 'control-plane': 'controller-manager', 'k8s:io.kubernetes.pod.namespace': 'openshift-operators' } }],
      toPorts: [{ ports: [{ port: '8000', protocol: 'TCP' }] }],
    });
  });

  test('DNS servers are configurable (OpenShift, NodeLocal DNSCache)', () => {
    const c = chart('default');
    db({ dnsServers: [DnsServer.openShift(), DnsServer.nodeLocalDnsCache(), DnsServer.kubeDns()] }, c);
    const eg = byName(Testing.synth(c), 'cluster-example-jobs-egress');
    const json = JSON.stringify(eg.spec.egress);
    expect(json).toContain('"k8s:io.kubernetes.pod.namespace":"openshift-dns"');
    expect(json).toContain('"port":"5353","protocol":"ANY"');
    expect(json).toContain('"k8s-app":"node-local-dns"');
    expect(json).toContain('"k8s-app":"kube-dns"');
  });

  test('all options: monitoring, plugin backups to an FQDN object store, external cluster, host probes', () => {
    // GIVEN
    const c = chart('default');
    // WHEN
    db({
      monitoring: { scraperSelector: PodSelector.labels({ 'app.kubernetes.io/name': 'prometheus' }), scraperNamespace: 'monitoring' },
      backup: PostgresBackup.barmanCloudPlugin({
        objectStoreName: 'minio-store',
        destinations: [Destination.fqdnPattern('*.s3.eu-west-1.amazonaws.com')],
        schedule: '0 0 2 * * *',
      }),
      externalClusters: [{ name: 'legacy', host: 'legacy-db.example.com', destination: Destination.fqdn('legacy-db.example.com', 5432), passwordSecret: 'legacy-pw', sslMode: ExternalSslMode.VERIFY_CA }],
      allowProbesFromHost: true,
    }, c).addPooler('Rw');
    // THEN
    const objs = Testing.synth(c);
    const [cluster] = byKind(objs, 'Cluster');
    expect(cluster.spec.plugins).toEqual([{ name: 'barman-cloud.cloudnative-pg.io', enabled: true, isWALArchiver: true, parameters: { barmanObjectName: 'minio-store' } }]);
    expect(cluster.spec.externalClusters).toEqual([{
      name: 'legacy',
      connectionParameters: { host: 'legacy-db.example.com', port: '5432', dbname: 'postgres', user: 'postgres', sslmode: 'verify-ca' },
      password: { name: 'legacy-pw', key: 'password' },
    }]);
    const [sb] = byKind(objs, 'ScheduledBackup');
    expect(sb.spec).toEqual({ backupOwnerReference: 'self', cluster: { name: 'cluster-example' }, method: 'plugin', pluginConfiguration: { name: 'barman-cloud.cloudnative-pg.io' }, schedule: '0 0 2 * * *' });
    for (const name of ['cluster-example-instances-egress', 'cluster-example-jobs-egress']) {
      const eg = byName(objs, name).spec.egress;
      expect(eg).toContainEqual({ toFQDNs: [{ matchPattern: '*.s3.eu-west-1.amazonaws.com' }], toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }] });
      expect(eg).toContainEqual({ toFQDNs: [{ matchName: 'legacy-db.example.com' }], toPorts: [{ ports: [{ port: '5432', protocol: 'TCP' }] }] });
      const dns = eg.find((r: any) => JSON.stringify(r).includes('kube-dns'));
      expect(dns.toPorts[0].rules).toEqual({ dns: [{ matchPattern: '*' }] });
    }
    const ing = byName(objs, 'cluster-example-instances-ingress').spec.ingress;
    expect(ing).toContainEqual({ fromEndpoints: [{ matchLabels: { 'app.kubernetes.io/name': 'prometheus', 'k8s:io.kubernetes.pod.namespace': 'monitoring' } }], toPorts: [{ ports: [{ port: '9187', protocol: 'TCP' }] }] });
    expect(ing).toContainEqual({ fromEntities: ['host', 'kube-apiserver'], toPorts: [{ ports: [{ port: '8000', protocol: 'TCP' }] }] });
    expect(objs).toMatchSnapshot();
  });

  test('in-tree Barman object store with CIDR and in-cluster destinations', () => {
    const c = chart('default');
    db({
      backup: PostgresBackup.barmanObjectStore({
        destinationPath: 's3://backups/cluster-example',
        endpointUrl: 'http://minio.minio.svc:9000',
        s3CredentialsSecret: 'minio-creds',
        destinations: [Destination.pods(PodSelector.labels({ app: 'minio' }), 'minio', 9000), Destination.cidrs(['198.51.100.0/24'], 443)],
        schedule: '0 0 3 * * *',
      }),
    }, c);
    const objs = Testing.synth(c);
    const [cluster] = byKind(objs, 'Cluster');
    expect(cluster.spec.backup).toEqual({
      retentionPolicy: '30d',
      barmanObjectStore: {
        destinationPath: 's3://backups/cluster-example',
        endpointURL: 'http://minio.minio.svc:9000',
        s3Credentials: { accessKeyId: { name: 'minio-creds', key: 'ACCESS_KEY_ID' }, secretAccessKey: { name: 'minio-creds', key: 'ACCESS_SECRET_KEY' } },
        wal: { compression: 'gzip' },
        data: { compression: 'gzip' },
      },
    });
    const [sb] = byKind(objs, 'ScheduledBackup');
    expect(sb.spec.method).toBe('barmanObjectStore');
    const eg = byName(objs, 'cluster-example-instances-egress').spec.egress;
    expect(eg).toContainEqual({ toEndpoints: [{ matchLabels: { 'app': 'minio', 'k8s:io.kubernetes.pod.namespace': 'minio' } }], toPorts: [{ ports: [{ port: '9000', protocol: 'TCP' }] }] });
    expect(eg).toContainEqual({ toCIDRSet: [{ cidr: '198.51.100.0/24' }], toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }] });
    // No FQDN destination: DNS stays a plain L4 rule (no dependency on the DNS proxy).
    expect(JSON.stringify(eg)).not.toContain('"dns"');
    expect(objs).toMatchSnapshot();
  });
});

describe('SecuredPostgres | flows (interim checker until src/verify lands)', () => {
  const endpoints: { [k: string]: Endpoint } = scenario.endpoints;
  const flows: Flow[] = scenario.flows;

  test('every expectation of examples/cnpg-cilium.connectivity.yaml holds', () => {
    const checker = new FlowChecker(exampleManifests(), endpoints);
    const wrong = flows.filter((f) => checker.verdict(f) !== f.expect).map((f) => `${f.src} -> ${f.dst} ${f.proto}/${f.port}: expected ${f.expect}`);
    expect(wrong).toEqual([]);
  });

  test('removing any single policy never opens a pod: instances, Jobs and poolers stay isolated both ways', () => {
    const all = exampleManifests();
    const policies = byKind(all, 'CiliumNetworkPolicy');
    const cnpgPods = Object.keys(endpoints).filter((n) => Object.keys(endpoints[n].labels).some((k) => k.startsWith('cnpg.io/')));
    expect(cnpgPods.length).toBeGreaterThanOrEqual(6);
    for (const removed of policies) {
      const checker = new FlowChecker(all.filter((o) => o !== removed), endpoints);
      for (const pod of cnpgPods) {
        expect({ removed: removed.metadata.name, pod, ingress: checker.isolated(endpoints[pod], 'ingress') }).toEqual({ removed: removed.metadata.name, pod, ingress: true });
        expect({ removed: removed.metadata.name, pod, egress: checker.isolated(endpoints[pod], 'egress') }).toEqual({ removed: removed.metadata.name, pod, egress: true });
      }
      const opened = flows.filter((f) => f.expect === 'DROP' && checker.verdict(f) !== 'DROP').map((f) => `${f.src} -> ${f.dst} ${f.proto}/${f.port}`);
      expect({ removed: removed.metadata.name, opened }).toEqual({ removed: removed.metadata.name, opened: [] });
    }
  });

  test('object store reached by FQDN only through the DNS proxy rule', () => {
    const c = chart('default');
    db({ backup: PostgresBackup.barmanCloudPlugin({ objectStoreName: 's', destinations: [Destination.fqdn('s3.eu-west-1.amazonaws.com')] }) }, c);
    const objs = Testing.synth(c);
    const dns = { 's3.eu-west-1.amazonaws.com': ['52.95.0.10'] };
    const checker = new FlowChecker(objs, endpoints, dns);
    expect(checker.verdict({ src: 'cluster-example-1', dst: 'world:52.95.0.10', proto: 'TCP', port: 443 })).toBe('ALLOW');
    expect(checker.verdict({ src: 'cluster-example-1-initdb', dst: 'world:52.95.0.10', proto: 'TCP', port: 443 })).toBe('ALLOW');
    expect(checker.verdict({ src: 'cluster-example-1', dst: 'world:52.95.0.10', proto: 'TCP', port: 80 })).toBe('DROP');
    expect(checker.verdict({ src: 'cluster-example-1', dst: 'world:203.0.113.10', proto: 'TCP', port: 443 })).toBe('DROP');
  });

  test('monitoring admits Prometheus to 9187 only', () => {
    const c = chart('default');
    db({ monitoring: { scraperSelector: PodSelector.labels({ 'app.kubernetes.io/name': 'prometheus' }), scraperNamespace: 'monitoring' } }, c);
    const checker = new FlowChecker(Testing.synth(c), endpoints);
    expect(checker.verdict({ src: 'prometheus', dst: 'cluster-example-2', proto: 'TCP', port: 9187 })).toBe('ALLOW');
    expect(checker.verdict({ src: 'prometheus', dst: 'cluster-example-2', proto: 'TCP', port: 5432 })).toBe('DROP');
    expect(checker.verdict({ src: 'prometheus', dst: 'cluster-example-4-join', proto: 'TCP', port: 9187 })).toBe('DROP');
  });
});

describe('SecuredPostgres | CRD schemas', () => {
  const helper = path.join(__dirname, 'util', 'crd-schema.ts');
  const crdDir = process.env.CRD_DIR;
  const run = fs.existsSync(helper) && !!crdDir ? test : test.skip;
  if (!crdDir) {
    // eslint-disable-next-line no-console
    console.log('CRD schema tests skipped: run `node scripts/fetch-crds.js ./crds && CRD_DIR=./crds npm test`');
  }
  run('every synthesized object is valid against the CNPG and Cilium CRDs', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const schemas = require(helper);
    schemas.loadCrdSchemas();
    const c = chart('default');
    db({
      monitoring: { scraperSelector: PodSelector.labels({ app: 'prometheus' }), scraperNamespace: 'monitoring' },
      backup: PostgresBackup.barmanCloudPlugin({ objectStoreName: 's', destinations: [Destination.fqdn('s3.amazonaws.com'), Destination.cidrs(['198.51.100.0/24'])], schedule: '0 0 2 * * *' }),
      externalClusters: [{ name: 'legacy', host: 'legacy.example.com', destination: Destination.fqdn('legacy.example.com', 5432) }],
      allowProbesFromHost: true,
    }, c).addPooler('Rw');
    for (const obj of [...Testing.synth(c), ...exampleManifests()]) {
      expect({ name: `${obj.kind}/${obj.metadata.name}`, errors: schemas.validateStrict(obj) }).toEqual({ name: `${obj.kind}/${obj.metadata.name}`, errors: [] });
    }
  });
});

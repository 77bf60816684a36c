/**
 * Bad-input catalogue: every public construct, given a wrong value, must fail with an error
 * that names the construct path, the field, the value and the fix (`[path] field: problem;
 * fix`), never with a bare TypeError / RangeError stack, and never by emitting YAML.
 */
import { App, Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import {
  AccessClient, AccessGrant, AccessTarget, CiliumClusterwidePolicy, CiliumPolicy, Destination, DnsRule, Entity,
  HttpPath, HttpRule, LabelRequirement, NamespaceBaseline, Peer, PodSelector, Port, PostgresBackup, Protocol, SecuredPostgres,
} from '../../src';

interface Case {
  readonly name: string;
  /** Builds the bad input; `chart` has namespace `default`, `bare` has none. */
  readonly build: (chart: Chart, bare: Chart) => void;
  /** Path of the construct the error must name (below the app). */
  readonly path: string;
  readonly field: string;
  readonly value: string;
  /** A word of the fix. */
  readonly fix: string;
  /** Errors found at synthesis (cdk8s validation) instead of at construction. */
  readonly atSynth?: boolean;
}

const db = (chart: Chart, props: any = {}) => new SecuredPostgres(chart, 'Db', { name: 'db', ...props });
const pol = (chart: Chart, props: any = {}) => new CiliumPolicy(chart, 'P', { namespace: 'default', selector: PodSelector.labels({ app: 'a' }), ...props });
const client = AccessClient.pods('c', PodSelector.labels({ app: 'c' }), 'apps');

const CASES: Case[] = [
  // SecuredPostgres
  { name: 'cluster name with capitals', build: (c) => db(c, { name: 'Bad_Name' }), path: 'c/Db', field: 'name', value: 'Bad_Name', fix: 'DNS-1035' },
  { name: 'cluster name too long', build: (c) => db(c, { name: 'a'.repeat(51) }), path: 'c/Db', field: 'name', value: '51 characters', fix: 'at most 50' },
  { name: 'cluster namespace invalid', build: (c) => db(c, { namespace: 'Bad NS' }), path: 'c/Db', field: 'namespace', value: 'Bad NS', fix: 'lower' },
  { name: 'cluster without namespace', build: (_c, b) => db(b), path: 'b/Db', field: 'namespace', value: 'no namespace', fix: 'set the namespace' },
  { name: 'zero instances', build: (c) => db(c, { instances: 0 }), path: 'c/Db', field: 'instances', value: '0', fix: 'at least 1' },
  { name: 'fractional instances', build: (c) => db(c, { instances: 1.5 }), path: 'c/Db', field: 'instances', value: '1.5', fix: 'integer' },
  { name: 'unpinned image', build: (c) => db(c, { imageName: 'postgres' }), path: 'c/Db', field: 'imageName', value: 'postgres', fix: 'pin' },
  { name: 'latest image', build: (c) => db(c, { imageName: 'postgres:latest' }), path: 'c/Db', field: 'imageName', value: 'postgres:latest', fix: 'version tag' },
  { name: 'bad digest', build: (c) => db(c, { imageName: 'postgres@sha256:xyz' }), path: 'c/Db', field: 'imageName', value: 'sha256:xyz', fix: '64 hex' },
  { name: 'storage size not a quantity', build: (c) => db(c, { storageSize: 'ten' }), path: 'c/Db', field: 'storageSize', value: 'ten', fix: '10Gi' },
  { name: 'storage size zero', build: (c) => db(c, { storageSize: '0Gi' }), path: 'c/Db', field: 'storageSize', value: '0Gi', fix: 'greater than zero' },
  { name: 'database not an identifier', build: (c) => db(c, { database: 'App-DB' }), path: 'c/Db', field: 'database', value: 'App-DB', fix: 'lower-case' },
  { name: 'owner reserved', build: (c) => db(c, { owner: 'postgres' }), path: 'c/Db', field: 'owner', value: 'postgres', fix: 'another name' },
  { name: 'fixed PostgreSQL parameter', build: (c) => db(c, { postgresqlParameters: { port: '5433' } }), path: 'c/Db', field: 'port', value: 'port', fix: '' },
  { name: 'backup without destination', build: (c) => db(c, { backup: PostgresBackup.barmanCloudPlugin({ objectStoreName: 'store', destinations: [] }) }), path: 'c/Db', field: 'backup.destinations', value: 'no destination', fix: 'Destination.fqdn' },
  { name: 'backup object store name', build: (c) => db(c, { backup: PostgresBackup.barmanCloudPlugin({ objectStoreName: 'Store!', destinations: [Destination.fqdn('s3.example.com')] }) }), path: 'c/Db', field: 'backup.objectStoreName', value: 'Store!', fix: 'ObjectStore' },
  { name: 'backup path', build: (c) => db(c, { backup: PostgresBackup.barmanObjectStore({ destinationPath: 'bucket', s3CredentialsSecret: 's', destinations: [Destination.fqdn('s3.example.com')] }) }), path: 'c/Db', field: 'backup.destinationPath', value: 'bucket', fix: 's3://' },
  { name: 'backup credentials', build: (c) => db(c, { backup: PostgresBackup.barmanObjectStore({ destinationPath: 's3://b/p', destinations: [Destination.fqdn('s3.example.com')] }) }), path: 'c/Db', field: 'backup.s3CredentialsSecret', value: 'no credentials', fix: 'inheritFromIamRole' },
  { name: 'backup retention', build: (c) => db(c, { backup: PostgresBackup.barmanObjectStore({ destinationPath: 's3://b/p', s3CredentialsSecret: 's', retentionPolicy: '30x', destinations: [Destination.fqdn('s3.example.com')] }) }), path: 'c/Db', field: 'backup.retentionPolicy', value: '30x', fix: '30d' },
  { name: 'backup five-field cron', build: (c) => db(c, { backup: PostgresBackup.barmanCloudPlugin({ objectStoreName: 'store', schedule: '0 2 * * *', destinations: [Destination.fqdn('s3.example.com')] }) }), path: 'c/Db', field: 'backup.schedule', value: '0 2 * * *', fix: 'seconds first' },
  { name: 'backup destination CIDR', build: (c) => db(c, { backup: PostgresBackup.barmanCloudPlugin({ objectStoreName: 'store', destinations: [Destination.cidrs(['10.0.0.0'])] }) }), path: 'c/Db', field: 'backup.destinations[0]', value: '10.0.0.0', fix: '/32' },
  { name: 'backup destination port', build: (c) => db(c, { backup: PostgresBackup.barmanCloudPlugin({ objectStoreName: 'store', destinations: [Destination.fqdn('s3.example.com', 70000)] }) }), path: 'c/Db', field: 'port', value: '70000', fix: 'between 1 and 65535' },
  { name: 'backup destination FQDN', build: (c) => db(c, { backup: PostgresBackup.barmanCloudPlugin({ objectStoreName: 'store', destinations: [Destination.fqdn('bad name!')] }) }), path: 'c/Db', field: 'fqdn', value: 'bad name!', fix: 'letters' },
  { name: 'external cluster name', build: (c) => db(c, { externalClusters: [{ name: 'Src', host: 'h.example.com', destination: Destination.fqdn('h.example.com', 5432) }] }), path: 'c/Db', field: 'externalClusters[0].name', value: 'Src', fix: 'lower-case' },
  { name: 'external cluster twice', build: (c) => db(c, { externalClusters: [1, 2].map(() => ({ name: 'src', host: 'h.example.com', destination: Destination.fqdn('h.example.com', 5432) })) }), path: 'c/Db', field: 'externalClusters[1].name', value: 'src', fix: 'its own name' },
  { name: 'external cluster empty host', build: (c) => db(c, { externalClusters: [{ name: 'src', host: '', destination: Destination.fqdn('h.example.com', 5432) }] }), path: 'c/Db', field: 'externalClusters[0].host', value: 'empty host', fix: 'host name' },
  { name: 'external cluster host mismatch', build: (c) => db(c, { externalClusters: [{ name: 'src', host: 'a.example.com', destination: Destination.fqdn('b.example.com', 5432) }] }), path: 'c/Db', field: 'externalClusters[0].destination', value: 'b.example.com', fix: 'Destination.fqdn("a.example.com"' },
  // Pooler
  { name: 'pooler name', build: (c) => db(c).addPooler('P', { name: 'Pool_1' }), path: 'c/Db/P', field: 'name', value: 'Pool_1', fix: 'DNS-1035' },
  { name: 'pooler name clashes with a service', build: (c) => db(c).addPooler('P', { name: 'db-rw' }), path: 'c/Db/P', field: 'name', value: 'db-rw', fix: 'another name' },
  { name: 'pooler zero pods', build: (c) => db(c).addPooler('P', { instances: 0 }), path: 'c/Db/P', field: 'instances', value: '0', fix: 'at least 1' },
  { name: 'pooler TLS mode override', build: (c) => db(c).addPooler('P', { parameters: { client_tls_sslmode: 'disable' } }), path: 'c/Db/P', field: 'parameters.client_tls_sslmode', value: 'disable', fix: 'clientTls' },
  { name: 'pooler managed parameter', build: (c) => db(c).addPooler('P', { parameters: { auth_type: 'trust' } }), path: 'c/Db/P', field: 'parameters.auth_type', value: 'auth_type', fix: 'remove it' },
  { name: 'two poolers with one name', build: (c) => { const d = db(c); d.addPooler('P1'); d.addPooler('P2'); }, path: 'c/Db/P2', field: 'name', value: 'db-pooler-rw', fix: 'own name' },
  // AccessGrant
  { name: 'grant with no port', build: (c) => new AccessGrant(c, 'G', { client, target: AccessTarget.pods('t', PodSelector.labels({ app: 't' }), 'default', []) }), path: 'c/G', field: 'ports', value: 'no port', fix: 'Port.tcp' },
  { name: 'HTTP rules to PostgreSQL', build: (c) => new AccessGrant(c, 'G', { client, target: AccessTarget.of(db(c)), http: [HttpRule.get('/')] }), path: 'c/G', field: 'http', value: 'db', fix: 'L3/L4' },
  { name: 'HTTP rules on UDP', build: (c) => new AccessGrant(c, 'G', { client, target: AccessTarget.pods('t', PodSelector.labels({ app: 't' }), 'default', [Port.udp(53)]), http: [HttpRule.get('/')] }), path: 'c/G', field: 'http', value: 'UDP/53', fix: 'Port.tcp' },
  { name: 'client and target the same pods', build: (c) => new AccessGrant(c, 'G', { client: AccessClient.pods('t', PodSelector.labels({ app: 't' }), 'default'), target: AccessTarget.pods('t', PodSelector.labels({ app: 't' }), 'default', [Port.tcp(80)]) }), path: 'c/G', field: 'client', value: 'app=t in default', fix: 'Peer.pods' },
  { name: 'egress-only target for an entity client', build: (c) => new AccessGrant(c, 'G', { client: AccessClient.entity(Entity.WORLD), target: AccessTarget.fqdn('api.example.com', [Port.tcp(443)]) }), path: 'c/G', field: 'client', value: 'api-example-com', fix: 'fromWorkload' },
  { name: 'egress-only target with egress elsewhere', build: (c) => new AccessGrant(c, 'G', { client, clientEgressManagedElsewhere: true, target: AccessTarget.cidr('10.0.0.0/8', [Port.tcp(443)]) }), path: 'c/G', field: 'clientEgressManagedElsewhere', value: 'cidr-10-0-0-0-8', fix: 'drop the grant' },
  { name: 'target namespace invalid', build: (c) => new AccessGrant(c, 'G', { client, target: AccessTarget.pods('t', PodSelector.labels({ app: 't' }), 'Bad_NS', [Port.tcp(80)]) }), path: 'c/G', field: 'target peer namespace', value: 'Bad_NS', fix: 'lower' },
  { name: 'client namespace invalid', build: (c) => new AccessGrant(c, 'G', { client: AccessClient.pods('c', PodSelector.labels({ app: 'c' }), 'Bad_NS'), target: AccessTarget.pods('t', PodSelector.labels({ app: 't' }), 'default', [Port.tcp(80)]) }), path: 'c/G', field: 'client peer namespace', value: 'Bad_NS', fix: 'lower' },
  { name: 'client pods with empty selector', build: (c) => new AccessGrant(c, 'G', { client: AccessClient.pods('c', PodSelector.labels({}), 'apps'), target: AccessTarget.pods('t', PodSelector.labels({ app: 't' }), 'default', [Port.tcp(80)]) }), path: 'c/G', field: 'client peer selector', value: 'empty', fix: 'PodSelector.all()' },
  { name: 'grant port out of range', build: (c) => new AccessGrant(c, 'G', { client, target: AccessTarget.pods('t', PodSelector.labels({ app: 't' }), 'default', [Port.tcp(70000)]) }), path: 'c/AccessGrants', field: 'port', value: '70000', fix: 'between 1 and 65535' },
  { name: 'grant workload spanning namespaces', build: (c) => new AccessGrant(c, 'G', { client: AccessClient.fromPods(kplus.Pods.select(c, 'Ps', { labels: { app: 'c' }, namespaces: kplus.Namespaces.select(c, 'Ns', { names: ['a', 'b'] }) })), target: AccessTarget.pods('t', PodSelector.labels({ app: 't' }), 'default', [Port.tcp(80)]) }), path: 'c/Ps', field: 'client namespace', value: 'a, b', fix: 'each namespace' },
  { name: 'grant client namespaces all', build: () => AccessClient.allPodsOf(kplus.Namespaces.all(Testing.chart(), 'All')), path: 'test/All', field: 'client namespaces', value: 'empty', fix: 'Entity.CLUSTER' },
  { name: 'FQDN target without DNS', build: (c) => new AccessGrant(c, 'G', { client, clientDns: false, target: AccessTarget.fqdn('api.example.com', [Port.tcp(443)]) }), path: 'c/AccessGrants', field: 'FQDN', value: 'api.example.com', fix: 'DNS rule', atSynth: true },
  // NamespaceBaseline
  { name: 'baseline namespace invalid', build: (c) => new NamespaceBaseline(c, 'B', { namespace: 'Bad_NS' }), path: 'c/B', field: 'namespace', value: 'Bad_NS', fix: 'lower' },
  { name: 'baseline without namespace', build: (_c, b) => new NamespaceBaseline(b, 'B'), path: 'b/B', field: 'namespace', value: 'no namespace', fix: 'namespace prop' },
  { name: 'baseline fqdnEgress name invalid (names not restricted)', build: (c) => new NamespaceBaseline(c, 'B', { namespace: 'x', fqdnEgress: [DnsRule.name('bad name.example')] }), path: 'c/B', field: 'fqdnEgress[0]', value: 'bad name.example', fix: 'letters' },
  { name: 'baseline with every switch off', build: (c) => new NamespaceBaseline(c, 'B', { denyIngress: false, denyEgress: false, allowDns: false }), path: 'c/B', field: 'denyIngress/denyEgress/allowDns', value: 'every switch is off', fix: 'keep at least one' },
  { name: 'baseline DNS off with FQDN names', build: (c) => new NamespaceBaseline(c, 'B', { allowDns: false, fqdnEgress: [DnsRule.name('a.example.com')] }), path: 'c/B', field: 'allowDns', value: 'fqdnEgress', fix: 'keep allowDns on' },
  { name: 'baseline restricted DNS without names', build: (c) => new NamespaceBaseline(c, 'B', { restrictDnsNames: true }), path: 'c/B', field: 'restrictDnsNames', value: 'no name', fix: 'fqdnEgress' },
  { name: 'baseline bad DNS name', build: (c) => new NamespaceBaseline(c, 'B', { fqdnEgress: [DnsRule.name('bad name!')], restrictDnsNames: true }), path: 'c/B', field: 'fqdnEgress[0]', value: 'bad name!', fix: 'letters' },
  // CiliumPolicy and the policy layer
  { name: 'policy name invalid', build: (c) => pol(c, { name: 'Bad_Name' }), path: 'c/P', field: 'name', value: 'Bad_Name', fix: 'lower-case' },
  { name: 'policy name too long', build: (c) => pol(c, { name: 'a'.repeat(254) }), path: 'c/P', field: 'name', value: 'longer than 253', fix: 'shorter' },
  { name: 'policy empty selector', build: (c) => pol(c, { selector: PodSelector.labels({}) }), path: 'c/P', field: 'selector', value: 'empty', fix: 'PodSelector.all()' },
  { name: 'policy without namespace', build: (_c, b) => pol(b, { namespace: undefined }), path: 'b/P', field: 'namespace', value: 'no namespace', fix: 'set the namespace' },
  { name: 'policy namespace invalid', build: (c) => pol(c, { namespace: 'Bad_NS' }), path: 'c/P', field: 'namespace', value: 'Bad_NS', fix: 'lower' },
  { name: 'selector label value invalid', build: (c) => pol(c, { selector: PodSelector.labels({ app: 'bad value!' }) }), path: 'c/P', field: 'selector', value: 'bad value!', fix: '' },
  { name: 'selector In without values', build: (c) => pol(c, { selector: PodSelector.labels({ app: 'a' }, [LabelRequirement.in('tier', [])]) }), path: 'c/P', field: 'selector', value: 'tier', fix: 'at least one value' },
  { name: 'rule without peer', build: (c) => pol(c).allowIngress({ peers: [] }), path: 'c/P', field: 'ingress rule 0 peers', value: 'no peer', fix: 'Peer.anyPeer()' },
  { name: 'peer with empty selector', build: (c) => pol(c).allowIngress({ peers: [Peer.pods(PodSelector.labels({}), 'default')] }), path: 'c/P', field: 'peer selector', value: 'empty', fix: 'PodSelector.all()' },
  { name: 'peer without namespace', build: (c) => pol(c).allowIngress({ peers: [Peer.podsInNamespaces(PodSelector.labels({ a: 'b' }), [])] }), path: 'c/P', field: 'peer namespaces', value: 'no namespace', fix: 'podsInAnyNamespace' },
  { name: 'peer namespace labels empty', build: (c) => pol(c).allowIngress({ peers: [Peer.podsInNamespacesLabelled(PodSelector.all(), {})] }), path: 'c/P', field: 'namespace labels', value: 'no namespace label', fix: 'podsInAnyNamespace' },
  { name: 'port out of range', build: (c) => pol(c).allowIngress({ peers: [Peer.anyPeer()], ports: [Port.tcp(70000)] }), path: 'c/P', field: 'port', value: '70000', fix: 'between 1 and 65535' },
  { name: 'negative port', build: (c) => pol(c).allowIngress({ peers: [Peer.anyPeer()], ports: [Port.tcp(-1)] }), path: 'c/P', field: 'port', value: '-1', fix: 'between 1 and 65535' },
  { name: 'inverted port range', build: (c) => pol(c).allowIngress({ peers: [Peer.anyPeer()], ports: [Port.tcpRange(90, 80)] }), path: 'c/P', field: 'port', value: '80', fix: 'endPort > port' },
  { name: 'range from 0', build: (c) => pol(c).allowIngress({ peers: [Peer.anyPeer()], ports: [Port.range(Protocol.TCP, 0, 80)] }), path: 'c/P', field: 'port', value: 'start at 0', fix: 'Port.allPorts()' },
  { name: 'named port invalid', build: (c) => pol(c).allowIngress({ peers: [Peer.anyPeer()], ports: [Port.named('HTTP_Port')] }), path: 'c/P', field: 'port', value: 'HTTP_Port', fix: 'lower-case' },
  { name: 'HTTP on UDP', build: (c) => pol(c).allowIngress({ peers: [Peer.anyPeer()], ports: [Port.udp(80)], http: [HttpRule.get('/')] }), path: 'c/P', field: 'port', value: 'UDP/80', fix: 'Port.tcp(80)' },
  { name: 'HTTP without ports', build: (c) => pol(c).allowIngress({ peers: [Peer.anyPeer()], http: [HttpRule.get('/')] }), path: 'c/P', field: 'ingress rule 0', value: 'HTTP rules without ports', fix: 'Port.tcp(8080)' },
  { name: 'HTTP and DNS in one rule', build: (c) => pol(c).allowEgress({ peers: [Peer.anyPeer()], ports: [Port.tcp(53)], http: [HttpRule.get('/')], dns: [DnsRule.anyName()] }), path: 'c/P', field: 'egress rule 0', value: 'both HTTP and DNS', fix: 'separate rules' },
  { name: 'DNS rules on ingress', build: (c) => pol(c).allowIngress({ peers: [Peer.anyPeer()], ports: [Port.anyProtocol(53)], dns: [DnsRule.anyName()] }), path: 'c/P', field: 'ingress rule 0', value: 'DNS rules on ingress', fix: 'egress' },
  { name: 'FQDN peer on ingress', build: (c) => pol(c).allowIngress({ peers: [Peer.fqdn('a.example.com')], ports: [Port.tcp(443)] }), path: 'c/P', field: 'peers', value: 'a.example.com', fix: 'egress' },
  { name: 'FQDN deny', build: (c) => pol(c).denyEgress({ peers: [Peer.fqdn('a.example.com')] }), path: 'c/P', field: 'peers', value: 'a.example.com', fix: 'deny CIDRs' },
  { name: 'CIDR without prefix', build: (c) => pol(c).allowEgress({ peers: [Peer.cidr('10.0.0.1')] }), path: 'c/P', field: 'cidr', value: '10.0.0.1', fix: '10.0.0.1/32' },
  { name: 'CIDR except outside', build: (c) => pol(c).allowEgress({ peers: [Peer.cidr('10.0.0.0/8', ['192.168.0.0/16'])] }), path: 'c/P', field: 'cidr except', value: '192.168.0.0/16', fix: 'within 10.0.0.0/8' },
  { name: 'FQDN pattern invalid', build: (c) => pol(c).allowEgress({ peers: [Peer.fqdnPattern('*.exa mple.com')], ports: [Port.tcp(443)] }), path: 'c/P', field: 'fqdn pattern', value: '*.exa mple.com', fix: '*.s3.amazonaws.com' },
  { name: 'no entity given', build: (c) => pol(c).allowEgress({ peers: [Peer.entities()] }), path: 'c/P', field: 'entities', value: 'no entity', fix: 'Entity.KUBE_APISERVER' },
  { name: 'HTTP path not RE2', build: (c) => pol(c).allowIngress({ peers: [Peer.anyPeer()], ports: [Port.tcp(80)], http: [HttpRule.get('/(a')] }), path: 'c/P', field: 'http', value: '/(a', fix: '' },
  { name: 'L4-only rule shadowing L7 rules', build: (c) => { const p = pol(c); p.allowIngress({ peers: [Peer.anyPeer()], ports: [Port.tcp(80)] }); p.allowIngress({ peers: [Peer.allPods()], ports: [Port.tcp(80)], http: [HttpRule.get(HttpPath.exact('/'))] }); }, path: 'c/P', field: 'rules', value: 'TCP/80', fix: 'give the L7 rules' },
  { name: 'policy without rules', build: (c) => pol(c), path: 'c/P', field: 'no rules', value: 'p', fix: 'isolateIngress', atSynth: true },
  { name: 'clusterwide empty namespace list', build: (c) => new CiliumClusterwidePolicy(c, 'CW', { selector: PodSelector.all(), namespaces: [] }), path: 'c/CW', field: 'namespaces', value: 'empty namespace list', fix: 'omit the prop' },
  { name: 'clusterwide invalid namespace', build: (c) => new CiliumClusterwidePolicy(c, 'CW', { selector: PodSelector.all(), namespaces: ['Bad_NS'] }), path: 'c/CW', field: 'namespaces', value: 'Bad_NS', fix: 'lower' },
  { name: 'clusterwide selecting health endpoints', build: (c) => new CiliumClusterwidePolicy(c, 'CW', { selector: PodSelector.all() }).allowIngress({ peers: [Peer.entities(Entity.CLUSTER)] }), path: 'c/CW', field: 'endpointSelector', value: '{}', fix: 'allowSelectingHealthEndpoints', atSynth: true },
];

const ERROR_FORMAT = /^\[([^\]]+)\] (.+?): (.+); (.+)$/s;

describe('bad-input catalogue', () => {
  test('has at least 50 cases', () => {
    expect(CASES.filter((c) => c.path).length).toBeGreaterThanOrEqual(50);
  });

  test.each(CASES.filter((c) => c.path).map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const app = Testing.app();
    const chart = new Chart(app, 'c', { namespace: 'default' });
    const bare = new Chart(app, 'b');
    let err: unknown;
    let yaml: string | undefined;
    try {
      c.build(chart, bare);
      yaml = app.synthYaml();
    } catch (e) {
      err = e;
    }
    if (err === undefined) {
      throw new Error(`no error: the bad input synthesized to YAML:\n${(yaml ?? '').slice(0, 2000)}`);
    }
    expect(err).toBeInstanceOf(Error);
    const e = err as Error;
    // Not a bare runtime error from deep inside: a TypeError, RangeError, ... is a bug.
    expect(e.constructor.name).toBe('Error');
    const message = c.atSynth ? e.message.replace(/^Validation failed with the following errors:\n\s*/, '') : e.message;
    expect(message).toContain(`[${c.path}`);
    expect(message).toContain(c.field);
    expect(message).toContain(c.value);
    expect(message).toContain(c.fix);
    if (!c.atSynth) {
      const m = ERROR_FORMAT.exec(message);
      expect(m).not.toBeNull();
      expect(m![4].trim().length).toBeGreaterThan(3); // a fix is given
    }
  });
});
void App;

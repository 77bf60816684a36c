/**
 * The cluster DNS the pods of every construct resolve names with.
 *
 * Why here: `SecuredPostgres` and `Pooler` (src/postgres) and `AccessGrant` and
 * `NamespaceBaseline` (src/access) all allow DNS to it, so it sits in src/common, below both
 * folders, which import it without importing each other. Not in src/policy: the policy layer
 * speaks Cilium only, and this names platform deployments (kube-dns, NodeLocal DNSCache,
 * OpenShift DNS).
 */
import { Peer } from '../policy/peer';
import { Port } from '../policy/port';
import { PodSelector } from '../policy/selector';

/**
 * The cluster DNS service the pods resolve names with (`<cluster>-rw`, object stores, external
 * hosts). Egress default deny blocks DNS unless it is allowed to exactly these pods.
 */
export class DnsServer {
  /** The peer, made once and shared by every policy allowing this server (one of the construction fixes of bench/RESULTS.md §4). */
  private podsPeer?: Peer;

  /** CoreDNS / kube-dns: pods `k8s-app: kube-dns` in `kube-system`, port 53 (UDP and TCP). */
  public static kubeDns(): DnsServer {
    DnsServer.kubeDnsServer ??= new DnsServer(PodSelector.labels({ 'k8s-app': 'kube-dns' }), 'kube-system', 53);
    return DnsServer.kubeDnsServer;
  }

  /** The default of every grant, cluster and baseline: one instance, so its peer and port are made once (bench/RESULTS.md §4). */
  private static kubeDnsServer?: DnsServer;

  /**
   * NodeLocal DNSCache run as Cilium-managed pods (e.g. with a Cilium Local Redirect Policy):
   * pods `k8s-app: node-local-dns` in `kube-system`, port 53. Combine it with `kubeDns()`,
   * which the cache forwards to and which pods fall back to.
   */
  public static nodeLocalDnsCache(): DnsServer {
    return new DnsServer(PodSelector.labels({ 'k8s-app': 'node-local-dns' }), 'kube-system', 53);
  }

  /** OpenShift's DNS: pods `dns.operator.openshift.io/daemonset-dns: default` in `openshift-dns`, port 5353. */
  public static openShift(): DnsServer {
    return new DnsServer(PodSelector.labels({ 'dns.operator.openshift.io/daemonset-dns': 'default' }), 'openshift-dns', 5353);
  }

  /**
   * Any other DNS server run as pods.
   * @param port the DNS server's container port (after Service translation)
   */
  public static custom(selector: PodSelector, namespace: string, port?: number): DnsServer {
    return new DnsServer(selector, namespace, port ?? 53);
  }

  /** The DNS pods, within `namespace`. */
  public readonly selector: PodSelector;
  /** Their namespace. */
  public readonly namespace: string;
  /** Their DNS port, allowed on UDP and TCP. */
  public readonly port: number;

  private constructor(selector: PodSelector, namespace: string, port: number) {
    this.selector = selector;
    this.namespace = namespace;
    this.port = port;
  }

  /** @internal */
  public _peer(): Peer {
    this.podsPeer ??= Peer.pods(this.selector, this.namespace);
    return this.podsPeer;
  }

  /** The DNS port on every protocol (UDP and TCP). @internal */
  public _port(): Port {
    this.dnsPort ??= Port.anyProtocol(this.port);
    return this.dnsPort;
  }

  /** Made once and shared by every rule to this server, like the peer. */
  private dnsPort?: Port;
}

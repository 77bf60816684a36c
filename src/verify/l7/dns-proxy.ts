/**
 * What the DNS proxy learns (semantics reference §10): a `toFQDNs` rule only has the addresses
 * of names that the source looked up through the agent's DNS proxy, which sees a lookup only
 * when an egress allow entry towards the DNS server carries DNS rules that admit the name.
 */
import { fqdn } from '../../cilium/dns';
import { EndpointDef, Peer, VerdictName } from '../model';

/** The egress verdict of one DNS query from `src` to `server` on 53/`proto`, and whether DNS rules covered it. */
export type DnsEgress = (src: Peer, server: Peer, proto: 'UDP' | 'TCP', name: string) => { verdict: VerdictName; dnsProxied: boolean };

/** The DNS servers of an estate, and what each source learned through the proxy. */
export class DnsProxy {
  private servers?: Peer[];
  /** The lookups being decided: a DNS rule towards an FQDN-selected server would ask the same again. */
  private readonly learning = new Set<string>();

  constructor(
    private readonly enableL7Proxy: boolean,
    private readonly endpoints: readonly EndpointDef[],
    private readonly podPeer: (ep: EndpointDef) => Peer,
    private readonly egress: DnsEgress,
  ) {}

  /**
   * Where pods send DNS queries: endpoints that look like DNS servers (k8s-app kube-dns/coredns,
   * or "dns" in the name) and the cluster's kube-dns (kube-system, `k8s-app: kube-dns`), which
   * every cluster has even when the scenario does not list it.
   */
  public dnsServers(): Peer[] {
    if (this.servers) return this.servers;
    const found: Peer[] = [];
    for (const ep of this.endpoints) {
      const l = ep.labels ?? {};
      const k8sApp = l['k8s-app'] ?? l['k8s:k8s-app'];
      if (k8sApp === 'kube-dns' || k8sApp === 'coredns' || l['app.kubernetes.io/name'] === 'coredns' || /dns/i.test(ep.name)) {
        found.push(this.podPeer(ep));
      }
    }
    found.push(this.podPeer({ name: 'kube-dns (implicit)', namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' }, serviceAccount: 'coredns' }));
    this.servers = found;
    return found;
  }

  /** Whether `src`'s lookups of `name` pass the DNS proxy (an egress DNS rule towards a DNS server admits them). */
  public learned(src: Peer, name: string): boolean {
    const key = `${src.identityKey}|${fqdn(name)}`;
    // a DNS rule towards an FQDN-selected server would ask this again: such a server learns nothing
    if (this.learning.has(key)) return false;
    this.learning.add(key);
    let ok = false;
    try {
      if (this.enableL7Proxy) {
        for (const server of this.dnsServers()) {
          for (const proto of ['UDP', 'TCP'] as const) {
            const r = this.egress(src, server, proto, name);
            if (r.verdict === 'ALLOW' && r.dnsProxied) ok = true;
          }
          if (ok) break;
        }
      }
    } finally {
      this.learning.delete(key);
    }
    return ok;
  }
}

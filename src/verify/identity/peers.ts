/**
 * Flow ends and their security identities: a scenario name (a pod, or one of the non-pod
 * peers of scenario-format.md: `world:<ip>`, `host`, `remote-node`, `kube-apiserver`, ...)
 * becomes a `Peer` with the identity labels the agent gives it (semantics reference §3.1 and the
 * §12 table of non-pod identities).
 */
import { parseIp } from '../../cilium/net';
import { EndpointDef, Label, NamespaceDef, Peer, VerifyEnv } from '../model';
import { identityKey, podIdentityLabels, reservedLabels } from './labels';

/** Resolves names to peers, each once. */
export class PeerResolver {
  private readonly byName = new Map<string, EndpointDef>();
  // Flows name the same ends over and over: a peer's labels are built once per name (the examples'
  // scenarios, 200 runs each: 25 % slower without).
  private readonly cache = new Map<string, Peer>();

  constructor(
    private readonly env: VerifyEnv,
    private readonly namespaces: Readonly<Record<string, NamespaceDef>>,
    public readonly endpoints: readonly EndpointDef[],
  ) {
    for (const ep of endpoints) this.byName.set(ep.name, ep);
  }

  /** The peer a scenario name stands for; undefined when the name is unknown. */
  public resolve(name: string): Peer | undefined {
    const cached = this.cache.get(name);
    if (cached) return cached;
    const p = this.build(name);
    if (p) this.cache.set(name, p);
    return p;
  }

  /** The peer of a pod (also of pods that are not among the endpoints, such as the implicit DNS server). */
  public podPeer(ep: EndpointDef, name: string = ep.name): Peer {
    const labels = podIdentityLabels(ep, this.namespaces[ep.namespace], this.env.clusterName);
    return makePeer('pod', name, labels, { endpoint: ep, ip: ep.ip, hasPolicy: true });
  }

  private build(name: string): Peer | undefined {
    const ep = this.byName.get(name);
    if (ep) return this.podPeer(ep, name);
    const nodesMode = this.env.policyCidrMatchMode === 'nodes';
    const colon = name.indexOf(':');
    const head = colon >= 0 ? name.slice(0, colon) : name;
    const arg = colon >= 0 ? name.slice(colon + 1) : undefined;
    const node = (kind: 'host' | 'remote-node' | 'kube-apiserver', labels: Label[]): Peer | undefined => {
      if (arg !== undefined) return undefined;
      const ip = this.env.nodes[kind];
      return makePeer(kind, name, labels, { ip, cidrSelectable: nodesMode && !!ip });
    };
    switch (head) {
      case 'world':
      case 'unmanaged':
        if (arg !== undefined && !parseIp(arg)) return undefined;
        return makePeer(head, name, reservedLabels(head), { ip: arg, cidrSelectable: arg !== undefined });
      case 'host':
        return node('host', reservedLabels('host'));
      case 'remote-node':
        return node('remote-node', reservedLabels('remote-node'));
      case 'kube-apiserver':
        // identity 7: a node that runs the API server carries both labels (§12 table)
        return node('kube-apiserver', reservedLabels('kube-apiserver', 'remote-node'));
      case 'health':
      case 'init':
        if (arg !== undefined) return undefined;
        return makePeer(head, name, reservedLabels(head), { hasPolicy: true });
      case 'ingress':
        if (arg !== undefined) return undefined;
        return makePeer('ingress', name, reservedLabels('ingress'));
      default: {
        // namespace/name
        const slash = name.indexOf('/');
        if (slash > 0) {
          const ns = name.slice(0, slash);
          const n = name.slice(slash + 1);
          const found = this.endpoints.find((e) => e.namespace === ns && e.name === n);
          if (found) return this.podPeer(found, name);
        }
        return undefined;
      }
    }
  }
}

function makePeer(kind: Peer['kind'], name: string, labels: Label[], extra: Partial<Peer> = {}): Peer {
  return { kind, name, labels, identityKey: identityKey(labels), hasPolicy: false, cidrSelectable: false, ...extra };
}

/** Whether the peer carries the reserved label `reserved:<name>`. */
export function hasReserved(peer: Peer, name: string): boolean {
  return peer.labels.some((l) => l.source === 'reserved' && l.key === name);
}

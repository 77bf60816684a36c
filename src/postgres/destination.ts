import { _Problem } from '../policy/errors';
import { Peer } from '../policy/peer';
import { PodSelector } from '../policy/selector';

/**
 * A network destination outside the cluster's own pods: an object store, an external
 * PostgreSQL server. Given as DNS names (Cilium `toFQDNs`, the DNS rule they need is added
 * automatically), as CIDR ranges, or as in-cluster pods (e.g. MinIO), always with the TCP port.
 */
export class Destination {
  /**
   * An external host by exact DNS name, e.g. `s3.eu-west-1.amazonaws.com`. `toFQDNs` only
   * matches addresses outside the cluster; for in-cluster services use `pods()`.
   * @param port TCP port
   */
  public static fqdn(name: string, port?: number): Destination {
    return new Destination([Peer.fqdn(name)], port ?? 443, true, name);
  }

  /**
   * External hosts matching a DNS pattern, e.g. `*.s3.eu-west-1.amazonaws.com`
   * (virtual-hosted buckets).
   * @param port TCP port
   */
  public static fqdnPattern(pattern: string, port?: number): Destination {
    return new Destination([Peer.fqdnPattern(pattern)], port ?? 443, true, pattern);
  }

  /**
   * Addresses in these CIDR ranges.
   * @param port TCP port
   */
  public static cidrs(cidrs: string[], port?: number): Destination {
    return new Destination(cidrs.map((c) => Peer.cidr(c)), port ?? 443, false, cidrs.join(', '));
  }

  /**
   * In-cluster pods, e.g. MinIO: `PodSelector.labels({ app: 'minio' })` in `minio`.
   * @param port the pods' TCP container port (after Service translation)
   */
  public static pods(selector: PodSelector, namespace: string, port: number): Destination {
    return new Destination([Peer.pods(selector, namespace)], port, false, `${selector._describe()} in ${namespace}`);
  }

  /** The TCP port. */
  public readonly port: number;
  /** Whether the destination is given by DNS name (needs the DNS proxy). */
  public readonly byName: boolean;
  /** A short description. */
  public readonly description: string;
  /** @internal */
  public readonly _peers: Peer[];

  private constructor(peers: Peer[], port: number, byName: boolean, description: string) {
    this._peers = peers;
    this.port = port;
    this.byName = byName;
    this.description = description;
  }

  /** @internal */
  public _problems(field: string): _Problem[] {
    const problems: _Problem[] = [];
    if (this._peers.length === 0) {
      problems.push({ field, problem: 'no address given', fix: 'give at least one CIDR' });
    }
    for (const p of this._peers) {
      problems.push(...p._problems.map((q) => ({ ...q, field: `${field}: ${q.field}` })));
    }
    if (!Number.isInteger(this.port) || this.port < 1 || this.port > 65535) {
      problems.push({ field: `${field}: port`, problem: `${this.port} is not a TCP port`, fix: 'give a port between 1 and 65535' });
    }
    return problems;
  }
}

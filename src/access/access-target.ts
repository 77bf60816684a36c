/**
 * What a grant is to: `AccessTarget`, and `IAccessTarget`, the contract of constructs that can
 * be one. `SecuredPostgres` and `Pooler` (src/postgres, the layer above) implement it; nothing
 * here knows them.
 */
import * as kplus from 'cdk8s-plus-28';
import { IConstruct } from 'constructs';
import { HttpRule } from '../policy/l7';
import { _kebab } from '../policy/names';
import { Entity, Peer, PeerKind } from '../policy/peer';
import { Port } from '../policy/port';
import { PodSelector } from '../policy/selector';
import { _kplusPods } from './kplus-selectors';

/**
 * What an access target tells `AccessGrant`: which pods receive the traffic, where, on which
 * ports, and whether L7 rules make sense for it.
 */
export interface AccessTargetConfig {
  /** A short readable name used in policy names and descriptions, e.g. `cluster-example`. */
  readonly name: string;
  /** The namespace of the target pods. */
  readonly namespace: string;
  /** The target pods, within `namespace`. */
  readonly selector: PodSelector;
  /** The ports a grant opens when it names none. */
  readonly defaultPorts: Port[];
  /**
   * Every port the target exposes; a grant to another port gets a warning.
   * @default - not known, no warning
   */
  readonly exposedPorts?: Port[];
  /**
   * Set for PostgreSQL targets: Cilium has no PostgreSQL L7 parser, so L7 rules are refused.
   * @default false
   */
  readonly postgres?: boolean;
}

/**
 * Something a client can be granted access to: a `SecuredPostgres` cluster, one of its
 * poolers, or any workload.
 */
export interface IAccessTarget extends IConstruct {
  /** Describes the target pods and ports. */
  toAccessTargetConfig(): AccessTargetConfig;
}

/**
 * What a client is granted access to: pods (a database, a pooler, a workload) on ports, with
 * optional HTTP rules, or an egress-only destination (DNS names, CIDRs, entities).
 */
export class AccessTarget {
  /** The peer, made once and shared by every grant to this target (one of the construction fixes of bench/RESULTS.md §4). */
  private podsPeer?: Peer;

  /** A `SecuredPostgres`, one of its poolers, or any other `IAccessTarget`. */
  public static of(target: IAccessTarget): AccessTarget {
    const cfg = target.toAccessTargetConfig();
    return new AccessTarget(cfg.name, cfg.selector, cfg.namespace, cfg.defaultPorts, undefined, cfg.exposedPorts, cfg.postgres ?? false, target);
  }

  /**
   * The pods of a cdk8s-plus-28 workload (or Pod) on `ports`, selected the way the workload
   * selects them, optionally with HTTP rules (then every other request gets 403). A grant to a
   * port none of its containers declares gets a warning.
   */
  public static workload(workload: kplus.IPodSelector, ports: Port[], http?: HttpRule[]): AccessTarget {
    const pods = _kplusPods(workload, 'target');
    const exposed = workload instanceof kplus.AbstractPod
      ? workload.containers.flatMap((ct) => (ct.ports ?? []).map((p) => (p.protocol === kplus.Protocol.UDP ? Port.udp(p.number) : Port.tcp(p.number))))
      : undefined;
    return new AccessTarget(_kebab(workload.node.id), pods.selector, pods.namespace, ports, undefined, exposed && exposed.length ? exposed : undefined, false, workload, http);
  }

  /**
   * Pods matching `selector` in `namespace`, called `name` in policy names, on `ports`,
   * optionally with HTTP rules.
   */
  public static pods(name: string, selector: PodSelector, namespace: string, ports: Port[], http?: HttpRule[]): AccessTarget {
    return new AccessTarget(name, selector, namespace, ports, undefined, undefined, false, undefined, http);
  }

  /** A DNS name outside the cluster (the client's DNS-proxy rule is added). */
  public static fqdn(name: string, ports: Port[]): AccessTarget {
    return new AccessTarget(name, undefined, undefined, ports, Peer.fqdn(name), undefined, false, undefined);
  }

  /** DNS names matching a pattern (`*.example.com`). */
  public static fqdnPattern(pattern: string, ports: Port[]): AccessTarget {
    return new AccessTarget(pattern.replace(/\*/g, 'any'), undefined, undefined, ports, Peer.fqdnPattern(pattern), undefined, false, undefined);
  }

  /** Addresses outside the cluster. */
  public static cidr(cidr: string, ports: Port[], except?: string[]): AccessTarget {
    return new AccessTarget(`cidr-${cidr}`, undefined, undefined, ports, Peer.cidr(cidr, except), undefined, false, undefined);
  }

  /** A Cilium entity (e.g. `world`, `kube-apiserver`). */
  public static entity(entity: Entity, ports: Port[]): AccessTarget {
    return new AccessTarget(entity.name, undefined, undefined, ports, Peer.entities(entity), undefined, false, undefined);
  }

  /** Readable name used in policy names. */
  public readonly name: string;
  /** The target pods, for pod targets. */
  public readonly selector?: PodSelector;
  /** Their namespace. */
  public readonly namespace?: string;
  /** Ports opened when a grant names none. */
  public readonly defaultPorts: Port[];
  /** HTTP rules applied when a grant names none (empty: no HTTP filtering). */
  public readonly defaultHttp: HttpRule[];
  private readonly peer?: Peer;
  private readonly exposed?: Port[];
  private readonly postgres: boolean;
  private readonly construct?: IConstruct;

  private constructor(name: string, selector: PodSelector | undefined, namespace: string | undefined, ports: Port[], peer: Peer | undefined,
    exposed: Port[] | undefined, postgres: boolean, construct: IConstruct | undefined, http?: HttpRule[]) {
    this.name = _kebab(name) || 'target';
    this.selector = selector;
    this.namespace = namespace;
    this.defaultPorts = ports;
    this.defaultHttp = http ?? [];
    this.peer = peer;
    this.exposed = exposed;
    this.postgres = postgres;
    this.construct = construct;
  }

  /** @internal */
  public _peer(): Peer {
    this.podsPeer ??= this.peer ?? Peer.pods(this.selector!, this.namespace!);
    return this.podsPeer;
  }
  /** @internal */
  public get _isPods(): boolean {
    return this.peer === undefined;
  }
  /** @internal */
  public get _isFqdn(): boolean {
    return this.peer?.kind === PeerKind.FQDN;
  }
  /** @internal */
  public get _postgres(): boolean {
    return this.postgres;
  }
  /** @internal */
  public get _exposed(): Port[] | undefined {
    return this.exposed;
  }
  /** @internal */
  public get _construct(): IConstruct | undefined {
    return this.construct;
  }
}

import { ApiObject, Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct, IConstruct } from 'constructs';
import { _inputError } from './policy/errors';
import { DnsRule, HttpRule } from './policy/l7';
import { _checkNamespaceName } from './policy/labels';
import { _joinName, _kebab } from './policy/names';
import { Entity, Peer } from './policy/peer';
import { CiliumPolicy } from './policy/policy';
import { Port } from './policy/port';
import { LabelRequirement, LabelOperator, PodSelector } from './policy/selector';
import { DnsServer } from './secured-postgres';
import { IAccessTarget } from './target';

/** Metadata type of the warnings grants record on their construct node. */
export const GRANT_WARNING = 'cdk8s-secured-postgres:warning';

/**
 * Who is granted access: pods we can name (then their egress is rendered too), whole
 * namespaces, Cilium entities or address ranges.
 */
export class AccessClient {
  /**
   * The pods of a cdk8s-plus-28 workload (Deployment, StatefulSet, DaemonSet, Job, CronJob),
   * a Pod, or `Pods.select(...)`. The namespace is the workload's, else the chart's.
   */
  public static fromWorkload(workload: kplus.IPodSelector): AccessClient {
    const cfg = workload.toPodSelectorConfig();
    // Workloads: their own pod selector (public); other selectors: the cdk8s-plus config.
    const selector = workload instanceof kplus.Workload
      ? PodSelector.of({ labels: workload.matchLabels, expressions: workload.matchExpressions.map(_fromKubeRequirement) })
      : _fromKplusSelector(cfg.labelSelector);
    const names = cfg.namespaces?.names;
    if (cfg.namespaces?.labelSelector && !cfg.namespaces.labelSelector.isEmpty()) {
      throw _inputError(workload, 'client', 'the pods select namespaces by label, so their namespace cannot be determined', 'select the namespace by name (Namespaces.select({ names: [...] }))');
    }
    if (names && names.length > 1) {
      throw _inputError(workload, 'client', `the pods span several namespaces (${names.join(', ')})`, 'grant each namespace separately');
    }
    const ns = names?.[0] ?? (workload as any).metadata?.namespace ?? Chart.of(workload).namespace;
    if (!ns) {
      throw _inputError(workload, 'client namespace', 'the namespace of the client pods cannot be determined (no metadata.namespace and no chart namespace)', 'set the workload\'s metadata.namespace, or create its chart with a namespace');
    }
    return new AccessClient(_kebab(workload.node.id), selector, ns, undefined);
  }

  /** Pods matching `selector` in `namespace`. */
  public static pods(name: string, selector: PodSelector, namespace: string): AccessClient {
    return new AccessClient(name, selector, namespace, undefined);
  }

  /** Pods matching `selector` in any namespace (no egress is rendered for them). */
  public static podsInAnyNamespace(name: string, selector: PodSelector): AccessClient {
    return new AccessClient(name, undefined, undefined, Peer.podsInAnyNamespace(selector));
  }

  /** Every pod of the namespace `namespace` (spelled out: never the result of an empty selector). */
  public static allPodsOfNamespace(namespace: string): AccessClient {
    return new AccessClient(`ns-${namespace}`, PodSelector.all(), namespace, undefined);
  }

  /** Every pod of every namespace whose labels include `labels`. */
  public static namespacesLabelled(name: string, labels: { [key: string]: string }): AccessClient {
    return new AccessClient(name, undefined, undefined, Peer.podsInNamespacesLabelled(PodSelector.all(), labels));
  }

  /** A Cilium entity: `cluster`, `ingress` (Gateway / Ingress traffic), `world`, `kube-apiserver`, `host`, `remote-node`. */
  public static entity(entity: Entity): AccessClient {
    return new AccessClient(entity.name, undefined, undefined, Peer.entities(entity));
  }

  /**
   * Any client at all, in or outside the cluster (an L4-only rule on the target). Spelled out,
   * so that "everyone" is never the result of an omission.
   */
  public static anyone(): AccessClient {
    return new AccessClient('anyone', undefined, undefined, Peer.anyPeer());
  }

  /** Addresses outside the cluster. */
  public static cidr(cidr: string, except?: string[]): AccessClient {
    return new AccessClient(`cidr-${cidr}`, undefined, undefined, Peer.cidr(cidr, except));
  }

  /** Readable name used in policy names. */
  public readonly name: string;
  /** The client pods, when they are pods of one namespace. */
  public readonly selector?: PodSelector;
  /** Their namespace. */
  public readonly namespace?: string;
  private readonly otherPeer?: Peer;

  private constructor(name: string, selector: PodSelector | undefined, namespace: string | undefined, peer: Peer | undefined) {
    this.name = _kebab(name) || 'client';
    this.selector = selector;
    this.namespace = namespace;
    this.otherPeer = peer;
  }

  /** The client as a peer of the target's ingress rule. @internal */
  public _peer(): Peer {
    return this.otherPeer ?? Peer.pods(this.selector!, this.namespace!);
  }

  /** Whether we can render the client's egress. @internal */
  public get _hasPods(): boolean {
    return this.selector !== undefined && this.namespace !== undefined;
  }
}

/** Reads a cdk8s-plus selector (its labels are only readable through `_toKube()`). @internal */
export function _fromKplusSelector(sel: kplus.LabelSelector): PodSelector {
  const kube = (sel as any)._toKube() as { matchLabels?: { [k: string]: string }; matchExpressions?: { key: string; operator: string; values?: string[] }[] };
  return PodSelector.of({ labels: kube.matchLabels ?? {}, expressions: (kube.matchExpressions ?? []).map(_fromKubeRequirement) });
}

function _fromKubeRequirement(e: { key: string; operator: string; values?: string[] }): LabelRequirement {
  switch (e.operator as LabelOperator) {
    case LabelOperator.IN: return LabelRequirement.in(e.key, e.values ?? []);
    case LabelOperator.NOT_IN: return LabelRequirement.notIn(e.key, e.values ?? []);
    case LabelOperator.EXISTS: return LabelRequirement.exists(e.key);
    default: return LabelRequirement.doesNotExist(e.key);
  }
}

/**
 * What a client is granted access to: pods (a database, a pooler, a workload) on ports, with
 * optional HTTP rules, or an egress-only destination (DNS names, CIDRs, entities).
 */
export class AccessTarget {
  /** A `SecuredPostgres`, one of its poolers, or any other `IAccessTarget`. */
  public static of(target: IAccessTarget): AccessTarget {
    const cfg = target.toAccessTargetConfig();
    return new AccessTarget(cfg.name, cfg.selector, cfg.namespace, cfg.defaultPorts, undefined, cfg.exposedPorts, cfg.postgres ?? false, target);
  }

  /** The pods of a cdk8s-plus-28 workload on `ports`. */
  public static workload(workload: kplus.IPodSelector, ports: Port[]): AccessTarget {
    const c = AccessClient.fromWorkload(workload);
    const exposed = workload instanceof kplus.AbstractPod
      ? workload.containers.flatMap((ct) => (ct.ports ?? []).map((p) => (p.protocol === kplus.Protocol.UDP ? Port.udp(p.number) : Port.tcp(p.number))))
      : undefined;
    return new AccessTarget(c.name, c.selector, c.namespace, ports, undefined, exposed && exposed.length ? exposed : undefined, false, workload);
  }

  /** Pods matching `selector` in `namespace`, on `ports`. */
  public static pods(name: string, selector: PodSelector, namespace: string, ports: Port[]): AccessTarget {
    return new AccessTarget(name, selector, namespace, ports, undefined, undefined, false, undefined);
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
  private readonly peer?: Peer;
  private readonly exposed?: Port[];
  private readonly postgres: boolean;
  private readonly construct?: IConstruct;

  private constructor(name: string, selector: PodSelector | undefined, namespace: string | undefined, ports: Port[], peer: Peer | undefined,
    exposed: Port[] | undefined, postgres: boolean, construct: IConstruct | undefined) {
    this.name = _kebab(name) || 'target';
    this.selector = selector;
    this.namespace = namespace;
    this.defaultPorts = ports;
    this.peer = peer;
    this.exposed = exposed;
    this.postgres = postgres;
    this.construct = construct;
  }

  /** @internal */
  public _peer(): Peer {
    return this.peer ?? Peer.pods(this.selector!, this.namespace!);
  }
  /** @internal */
  public get _isPods(): boolean {
    return this.peer === undefined;
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

/** Props of an `AccessGrant`. */
export interface AccessGrantProps {
  /** Who is granted access. */
  readonly client: AccessClient;
  /** What the client may reach. */
  readonly target: AccessTarget;
  /**
   * Ports opened.
   * @default - the target's default ports (5432 for a database or pooler)
   */
  readonly ports?: Port[];
  /**
   * HTTP requests allowed (TCP targets other than PostgreSQL only). Other requests get 403.
   * @default - no HTTP filtering
   */
  readonly http?: HttpRule[];
  /**
   * Set when the client's egress is managed elsewhere: only the target side is rendered.
   * @default false
   */
  readonly clientEgressManagedElsewhere?: boolean;
  /**
   * The DNS servers the client resolves names with (its egress to them is allowed).
   * @default [DnsServer.kubeDns()]
   */
  readonly dnsServers?: DnsServer[];
}

/**
 * "This client may reach that target", rendered on both sides: an ingress rule on the target
 * pods and an egress rule (plus DNS) on the client pods when the client is pods we can name.
 *
 * Grants between the same client and target merge into one policy per side, duplicates
 * collapse, and the output does not depend on the order grants are declared in.
 *
 * @example
 * new AccessGrant(chart, 'FlaskToDb', {
 *   client: AccessClient.fromWorkload(flask),
 *   target: AccessTarget.of(db),
 * });
 */
export class AccessGrant extends Construct {
  /** The policy on the target side, if any (shared with other grants to the same target from the same client). */
  public readonly targetPolicy?: CiliumPolicy;
  /** The policy on the client side, if any. */
  public readonly clientPolicy?: CiliumPolicy;

  constructor(scope: Construct, id: string, props: AccessGrantProps) {
    super(scope, id);
    const { client, target } = props;
    const ports = props.ports ?? target.defaultPorts;
    const http = props.http ?? [];
    if (ports.length === 0) {
      throw _inputError(this, 'ports', 'no port given and the target has no default port', 'name the ports, e.g. ports: [Port.tcp(8080)]');
    }
    if (http.length > 0 && target._postgres) {
      throw _inputError(this, 'http', `HTTP rules towards the PostgreSQL target "${target.name}"`, 'Cilium has no PostgreSQL L7 parser: PostgreSQL can only be restricted at L3/L4 (who may connect, on which port); drop the HTTP rules');
    }
    if (client._hasPods && target._isPods && client.namespace === target.namespace
      && JSON.stringify(client.selector!._render()) === JSON.stringify(target.selector!._render())) {
      throw _inputError(this, 'client', `the client and the target are the same pods (${target.selector!._describe()} in ${target.namespace})`, 'a grant connects two different sets of pods');
    }
    for (const p of ports) {
      if (target._exposed && !target._exposed.some((e) => e.protocol === p.protocol && e.startPort === p.startPort)) {
        const warning = `[${this.node.path}] ports: ${p} is not exposed by the target "${target.name}" (exposed: ${target._exposed.join(', ')}); the grant opens it anyway, check the port`;
        this.node.addMetadata(GRANT_WARNING, warning);
        // eslint-disable-next-line no-console
        console.warn(`warning: ${warning}`);
      }
    }
    if (target._isPods) {
      _checkNamespaceName('target namespace', target.namespace!);
    }
    const registry = _GrantRegistry.of(this);
    if (target._isPods) {
      // PostgreSQL targets (SecuredPostgres instances, poolers) are in egress default deny by
      // construction; their grant policies isolate egress too, so that no single policy of
      // theirs is what keeps them isolated.
      const policy = registry.policy(
        _joinName([target.name, 'from', client.name]), target.namespace!, target.selector!, target._postgres);
      policy.allowIngress({ peers: [client._peer()], ports, http: http.length ? http : undefined });
      this.targetPolicy = policy;
    }
    if (client._hasPods && !props.clientEgressManagedElsewhere) {
      const policy = registry.policy(
        _joinName([client.name, 'to', target.name]), client.namespace!, client.selector!, false);
      const peer = target._peer();
      policy.allowEgress({ peers: [peer], ports, http: http.length ? http : undefined });
      const dns = props.dnsServers ?? [DnsServer.kubeDns()];
      // DNS goes through Cilium's DNS proxy for every name: FQDN destinations need it, and a
      // plain L4 DNS allow next to a DNS rule would be an L4 rule shadowing an L7 rule.
      for (const d of dns) {
        policy.allowEgress({ peers: [d._peer()], ports: [Port.anyProtocol(d.port)], dns: [DnsRule.anyName()] });
      }
      this.clientPolicy = policy;
    } else if (!target._isPods && !client._hasPods) {
      throw _inputError(this, 'client', `an egress-only target (${target.name}) needs a client whose pods can be named`, 'use AccessClient.fromWorkload() or AccessClient.pods()');
    }
  }
}

/**
 * One per chart: owns the policies of every grant, one per (side, client, target), in a
 * declaration-order-independent output order.
 *
 * @internal
 */
export class _GrantRegistry extends Construct {
  public static of(scope: IConstruct): _GrantRegistry {
    const chart = Chart.of(scope);
    const existing = chart.node.tryFindChild('AccessGrants');
    return (existing as _GrantRegistry) ?? new _GrantRegistry(chart, 'AccessGrants');
  }

  private readonly policies = new Map<string, CiliumPolicy>();

  public policy(name: string, namespace: string, selector: PodSelector, isolateEgress: boolean): CiliumPolicy {
    const key = `${namespace}/${name}`;
    let p = this.policies.get(key);
    if (p) {
      return p;
    }
    p = new CiliumPolicy(this, key, { name, namespace, selector, isolateEgress: isolateEgress || undefined });
    this.policies.set(key, p);
    // Chain the policies in name order so that cdk8s's dependency-ordered output is sorted,
    // whatever order the grants were declared in.
    const sorted = [...this.policies.keys()].sort();
    for (let i = 1; i < sorted.length; i++) {
      const a: ApiObject = this.policies.get(sorted[i - 1])!.apiObject;
      const b: ApiObject = this.policies.get(sorted[i])!.apiObject;
      b.addDependency(a);
    }
    return p;
  }
}

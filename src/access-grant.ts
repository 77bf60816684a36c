import { Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct, IConstruct } from 'constructs';
import { _OutputOrder, _recordDnsClient } from './output-order';
import { _inputError } from './policy/errors';
import { DnsRule, HttpRule } from './policy/l7';
import { _checkNamespaceName } from './policy/labels';
import { _joinName, _kebab } from './policy/names';
import { Entity, Peer, PeerKind } from './policy/peer';
import { CiliumPolicy } from './policy/policy';
import { Port, Protocol } from './policy/port';
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
  /** The peer, made once (the class is immutable). */
  private podsPeer?: Peer;

  /**
   * The pods of a cdk8s-plus-28 workload (Deployment, StatefulSet, DaemonSet, Job, CronJob) or
   * Pod, selected the way the workload selects them (`matchLabels` / `matchExpressions`; a Pod
   * by its `cdk8s.io/metadata.addr` label). The namespace is the workload's, else the chart's.
   */
  public static fromWorkload(workload: kplus.IPodSelector): AccessClient {
    const pods = _kplusPods(workload, 'client');
    return new AccessClient(_kebab(workload.node.id), pods.selector, pods.namespace, undefined);
  }

  /**
   * The pods of a cdk8s-plus-28 `Pods.select(...)`. Their namespace is the one named with
   * `Namespaces.select({ names: [ns] })`, else the chart's; `Pods.all()` is refused (use
   * `allPodsOfNamespace()`, which says so).
   */
  public static fromPods(pods: kplus.Pods): AccessClient {
    const p = _kplusPods(pods, 'client');
    return new AccessClient(_kebab(p.selector._describe()) || _kebab(pods.node.id), p.selector, p.namespace, undefined);
  }

  /**
   * Pods matching `selector` in `namespace`. Named after the selector in policy names
   * (`role=backend` gives `…-from-role-backend`); use `pods()` to choose the name.
   */
  public static podsInNamespace(selector: PodSelector, namespace: string): AccessClient {
    return new AccessClient(_kebab(selector._describe()), selector, namespace, undefined);
  }

  /** Pods matching `selector` in `namespace`, called `name` in policy names. */
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

  /**
   * Every pod of the namespaces of a cdk8s-plus-28 `Namespace` or `Namespaces.select(...)`:
   * by name (`kubernetes.io/metadata.name`) or by labels. Spelled out, like
   * `allPodsOfNamespace()`.
   */
  public static allPodsOf(namespaces: kplus.INamespaceSelector): AccessClient {
    const cfg = namespaces.toNamespaceSelectorConfig();
    const names = [...new Set(cfg.names ?? [])].sort();
    const kube = cfg.labelSelector ? _kplusLabelSelector(cfg.labelSelector) : { labels: {}, expressions: [] };
    if (kube.expressions.length > 0) {
      throw _inputError(namespaces, 'client namespaces', 'the namespaces are selected with label expressions, which Cilium namespace-label peers cannot express', 'select the namespaces by name or by label values');
    }
    const labels = kube.labels;
    // A Namespace object carries its name label in both places: prefer the names.
    if (names.length > 0) {
      if (names.length === 1) {
        return AccessClient.allPodsOfNamespace(names[0]);
      }
      return new AccessClient(`ns-${names.join('-')}`, undefined, undefined, Peer.podsInNamespaces(PodSelector.all(), names));
    }
    if (Object.keys(labels).length === 0) {
      throw _inputError(namespaces, 'client namespaces', 'the namespace selector is empty, which would select every namespace', 'name the namespaces, or use AccessClient.entity(Entity.CLUSTER) when every pod is meant');
    }
    return AccessClient.namespacesLabelled(`ns-${_kebab(Object.keys(labels).sort().map((k) => `${k}-${labels[k]}`).join('-'))}`, labels);
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
   * Any client at all, in or outside the cluster: the target admits `fromEntities: [all]`.
   * Spelled out, so that "everyone" is never the result of an omission (an L4-only rule with no
   * peer means the same to the agent, but reads like a forgotten peer, and the linter says so).
   */
  public static anyone(): AccessClient {
    return new AccessClient('anyone', undefined, undefined, Peer.entities(Entity.ALL));
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
    this.podsPeer ??= this.otherPeer ?? Peer.pods(this.selector!, this.namespace!);
    return this.podsPeer;
  }

  /** Whether we can render the client's egress. @internal */
  public get _hasPods(): boolean {
    return this.selector !== undefined && this.namespace !== undefined;
  }
}

/**
 * Reads a cdk8s-plus-28 `LabelSelector` back. Its labels and expressions are private: the only
 * read-back is the `@internal` `_toKube()`, so this is the one place that calls it (pinned by a
 * unit test).
 *
 * @internal
 */
export function _kplusLabelSelector(sel: kplus.LabelSelector): { labels: { [k: string]: string }; expressions: LabelRequirement[] } {
  const toKube = (sel as any)._toKube;
  if (typeof toKube !== 'function') {
    throw new Error('cdk8s-plus-28 LabelSelector has no _toKube(): this cdk8s-plus version is not supported; select the pods with PodSelector instead');
  }
  const kube = toKube.call(sel) as { matchLabels?: { [k: string]: string }; matchExpressions?: { key: string; operator: string; values?: string[] }[] };
  return { labels: { ...(kube.matchLabels ?? {}) }, expressions: (kube.matchExpressions ?? []).map(_fromKubeRequirement) };
}

/** @internal */
export function _fromKplusSelector(sel: kplus.LabelSelector): PodSelector {
  const k = _kplusLabelSelector(sel);
  return PodSelector.of({ labels: k.labels, expressions: k.expressions });
}

/**
 * The pods of a cdk8s-plus-28 pod selector (workload, Pod, Pods) and their one namespace.
 *
 * @internal
 */
export function _kplusPods(pods: kplus.IPodSelector, field: string): { selector: PodSelector; namespace: string } {
  const cfg = pods.toPodSelectorConfig();
  // Workloads: their own pod selector (public API); Pod and Pods: the cdk8s-plus selector.
  // Workloads that select their pods (Deployment, StatefulSet, DaemonSet): their own selector,
  // public API. Jobs, CronJobs, Pods and Pods.select: the cdk8s-plus selector (for workloads,
  // the `cdk8s.io/metadata.addr` label cdk8s-plus puts on the pod template).
  const own = pods instanceof kplus.Workload && (Object.keys(pods.matchLabels).length > 0 || pods.matchExpressions.length > 0);
  const selector = own
    ? PodSelector.of({ labels: (pods as kplus.Workload).matchLabels, expressions: (pods as kplus.Workload).matchExpressions.map(_fromKubeRequirement) })
    : _fromKplusSelector(cfg.labelSelector);
  if (cfg.namespaces?.labelSelector && !cfg.namespaces.labelSelector.isEmpty()) {
    throw _inputError(pods, `${field} namespace`, 'the pods select their namespaces by label, so their namespace cannot be determined', 'select the namespace by name (Namespaces.select(scope, id, { names: [...] })), or use AccessClient.namespacesLabelled()');
  }
  const names = cfg.namespaces?.names ?? [];
  if (names.length > 1) {
    throw _inputError(pods, `${field} namespace`, `the pods span several namespaces (${names.join(', ')})`, 'grant each namespace separately');
  }
  const ns = names[0] ?? (pods as any).metadata?.namespace ?? Chart.of(pods).namespace;
  if (!ns) {
    throw _inputError(pods, `${field} namespace`, 'the namespace of the pods cannot be determined (no metadata.namespace, no namespace selected by name and no chart namespace)', 'set the workload\'s metadata.namespace, or create its chart with a namespace');
  }
  return { selector, namespace: ns };
}

function _fromKubeRequirement(e: { key: string; operator: string; values?: string[] }): LabelRequirement {
  switch (e.operator as LabelOperator) {
    case LabelOperator.IN: return LabelRequirement.in(e.key, e.values ?? []);
    case LabelOperator.NOT_IN: return LabelRequirement.notIn(e.key, e.values ?? []);
    case LabelOperator.EXISTS: return LabelRequirement.exists(e.key);
    case LabelOperator.DOES_NOT_EXIST: return LabelRequirement.doesNotExist(e.key);
    default: throw new Error(`label selector requirement on "${e.key}": unknown operator "${e.operator}"; use In, NotIn, Exists or DoesNotExist`);
  }
}

/**
 * What a client is granted access to: pods (a database, a pooler, a workload) on ports, with
 * optional HTTP rules, or an egress-only destination (DNS names, CIDRs, entities).
 */
export class AccessTarget {
  /** The peer, made once (the class is immutable). */
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
   * Enforced by the target pods' ingress rule (the client's egress rule stays L4, so requests
   * pass Cilium's proxy once); for FQDN, CIDR and entity targets, by the client's egress rule.
   * @default - the target's HTTP rules, if any; else no HTTP filtering
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
  /**
   * Allow the client pods to query DNS in their egress policy: on port 53 (UDP and TCP) for
   * pod, CIDR and entity targets; through Cilium's DNS proxy (every name admitted) for FQDN
   * targets, whose addresses are learnt from the answers. Turn it off when the client's DNS is
   * allowed elsewhere; required when the client's namespace has a `NamespaceBaseline` with
   * `restrictDnsNames` (the grant's DNS rule would widen that restriction, so synthesis fails).
   * FQDN targets then need a DNS rule admitting the name in another policy of the chart.
   * @default true
   */
  readonly clientDns?: boolean;
}

/**
 * "This client may reach that target", rendered on both sides: an ingress rule on the target
 * pods and an egress rule (plus DNS) on the client pods when the client is pods we can name.
 *
 * Policies are named `<target>-from-<client>` (in the target's namespace) and
 * `<client>-to-<target>` (in the client's), and their descriptions list what they allow.
 * Like any Cilium policy with an ingress or egress section, they put the pods they select into
 * default deny for that direction: the target then admits only granted clients, and a client
 * workload reaches only what it is granted (least privilege; use
 * `clientEgressManagedElsewhere` when its egress is written elsewhere). A whole-namespace client
 * (`allPodsOfNamespace`) is the exception: its egress rule opens the path without isolating
 * the namespace (`enableDefaultDeny.egress: false`); a `NamespaceBaseline` decides the rest.
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
    const http = props.http ?? target.defaultHttp;
    if (ports.length === 0) {
      throw _inputError(this, 'ports', 'no port given and the target has no default port', 'name the ports, e.g. ports: [Port.tcp(8080)]');
    }
    if (http.length > 0 && target._postgres) {
      throw _inputError(this, 'http', `HTTP rules towards the PostgreSQL target "${target.name}"`,
        'Cilium has no PostgreSQL L7 parser: PostgreSQL can only be restricted at L3/L4 (who may connect, on which port); drop the HTTP rules');
    }
    for (const p of http.length > 0 ? ports : []) {
      if (p.protocol !== Protocol.TCP) {
        throw _inputError(this, 'http', `HTTP rules on ${p}: Cilium applies L7 rules to TCP ports only (not UDP, SCTP or ANY)`,
          'open the port with Port.tcp(), or grant the non-TCP port in a separate grant without HTTP rules');
      }
    }
    // Report problems of the two ends with this grant's path, not the generated policy's.
    for (const [end, problems] of [['client', client._peer()._problems], ['target', target._peer()._problems]] as const) {
      if (problems.length > 0) {
        throw _inputError(this, `${end} ${problems[0].field}`, problems[0].problem, problems[0].fix);
      }
    }
    if (client._hasPods && target._isPods && client.namespace === target.namespace && client.selector!._json === target.selector!._json) {
      throw _inputError(this, 'client', `the client and the target are the same pods (${target.selector!._describe()} in ${target.namespace})`,
        'a grant connects two different sets of pods; pods reaching each other need a rule of their own (CiliumPolicy with Peer.pods)');
    }
    if (!target._isPods && !client._hasPods) {
      throw _inputError(this, 'client', `an egress-only target (${target.name}) needs a client whose pods can be named`, 'use AccessClient.fromWorkload(), fromPods(), podsInNamespace() or allPodsOfNamespace()');
    }
    if (!target._isPods && props.clientEgressManagedElsewhere) {
      throw _inputError(this, 'clientEgressManagedElsewhere', `the target ${target.name} is egress-only, so the grant would render nothing`, 'drop the grant, or let it render the client\'s egress');
    }
    for (const p of ports) {
      if (target._exposed && !target._exposed.some((e) => e.protocol === p.protocol && e.startPort === p.startPort)) {
        const warning = `[${this.node.path}] ports: ${p} is not exposed by the target "${target.name}" (exposed: ${target._exposed.join(', ')}); the grant opens it anyway, check the port`;
        // cdk8s has no Annotations API: the warning is recorded on the construct node and printed.
        this.node.addMetadata(GRANT_WARNING, warning);
        // eslint-disable-next-line no-console
        console.warn(`warning: ${warning}`);
      }
    }
    if (target._isPods) {
      const problems = _checkNamespaceName('target namespace', target.namespace!);
      if (problems.length) {
        throw _inputError(this, problems[0].field, problems[0].problem, problems[0].fix);
      }
    }
    if (client._hasPods) {
      const problems = _checkNamespaceName('client namespace', client.namespace!);
      if (problems.length) {
        throw _inputError(this, problems[0].field, problems[0].problem, problems[0].fix);
      }
    }
    const registry = _GrantRegistry.of(this);
    const l7 = http.length ? http : undefined;
    if (target._isPods) {
      // PostgreSQL targets (SecuredPostgres instances, poolers) are in egress default deny by
      // construction; their grant policies isolate egress too, so that no single policy of
      // theirs is what keeps them isolated.
      const policy = registry.policy(
        _joinName([target.name, 'from', client.name]), target.namespace!, target.selector!, target._postgres);
      policy.allowIngress({ peers: [client._peer()], ports, http: l7 });
      this.targetPolicy = policy;
    }
    if (client._hasPods && !props.clientEgressManagedElsewhere) {
      // Pods we name are put into egress default deny (least privilege). A whole namespace is
      // not: the grant opens the path (enableDefaultDeny.egress false) and the namespace's own
      // baseline decides whether the rest of its egress is denied.
      const policy = registry.policy(
        _joinName([client.name, 'to', target.name]), client.namespace!, client.selector!, false,
        client.selector!.selectsAll ? false : undefined);
      // HTTP rules are enforced once, by the target's ingress proxy; only destinations without
      // pods of ours (FQDN, CIDR, entities) get them on the client's egress.
      policy.allowEgress({ peers: [target._peer()], ports, http: target._isPods ? undefined : l7 });
      if (props.clientDns ?? true) {
        _recordDnsClient(this, client.namespace!);
        for (const d of props.dnsServers ?? [DnsServer.kubeDns()]) {
          // FQDN destinations are learnt from DNS answers the proxy sees: their DNS goes through
          // it. Other clients resolve Service names: plain port 53, no proxy dependency.
          policy.allowEgress({
            peers: [d._peer()],
            ports: [d._port()],
            dns: target._isFqdn ? [DnsRule.anyName()] : undefined,
          });
        }
      }
      this.clientPolicy = policy;
    }
  }
}

/**
 * One per chart: owns the policies of every grant, one per (side, client, target). Their
 * output order is the chart's `_OutputOrder` (sorted, whatever order the grants were declared in).
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
  private order?: _OutputOrder;

  private constructor(scope: Construct, id: string) {
    super(scope, id);
  }

  public policy(name: string, namespace: string, selector: PodSelector, isolateEgress: boolean, egressDefaultDeny?: boolean): CiliumPolicy {
    const key = `${namespace}/${name}`;
    let p = this.policies.get(key);
    if (p) {
      return p;
    }
    p = new CiliumPolicy(this, key, { name, namespace, selector, isolateEgress: isolateEgress || undefined, egressDefaultDeny });
    this.policies.set(key, p);
    this.order ??= _OutputOrder.of(this);
    this.order.own(p);
    return p;
  }
}

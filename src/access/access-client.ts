import * as kplus from 'cdk8s-plus-28';
import { _inputError } from '../policy/errors';
import { _kebab } from '../policy/names';
import { Entity, Peer } from '../policy/peer';
import { PodSelector } from '../policy/selector';
import { _kplusLabelSelector, _kplusPods } from './kplus-selectors';

/**
 * Who is granted access: pods we can name (then their egress is rendered too), whole
 * namespaces, Cilium entities or address ranges.
 */
export class AccessClient {
  /** The peer, made once and shared by every grant from this client (one of the construction fixes of bench/RESULTS.md §4). */
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

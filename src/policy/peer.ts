import { cidrContainsCidr, isIp, parseCidr } from '../cilium/net';
import { _Problem } from './errors';
import { _checkNamespaceName, _checkLabelKey, _checkLabelValue } from './labels';
import { PodSelector } from './selector';

/** The namespace label key every pod identity carries. @internal */
export const _NS_KEY = 'k8s:io.kubernetes.pod.namespace';
const NS_LABELS_PREFIX = 'k8s:io.cilium.k8s.namespace.labels.';

/** The problems of a valid peer: one shared, frozen empty list, so that valid peers (nearly all) hold no list of their own. */
const NO_PROBLEMS: _Problem[] = Object.freeze([]) as unknown as _Problem[];

const FQDN_NAME_RE = /^([-a-zA-Z0-9_]+[.]?)+$/;
const FQDN_PATTERN_RE = /^([-a-zA-Z0-9_*]+[.]?)+$/;

/**
 * A Cilium entity: a reserved identity (or group of identities) that is not a pod selector.
 *
 * @see https://docs.cilium.io/en/stable/security/policy/language/#entities-based
 */
export class Entity {
  /** Every identity, in and outside the cluster. */
  public static readonly ALL = new Entity('all');
  /** Every address outside the cluster (every CIDR and FQDN identity). */
  public static readonly WORLD = new Entity('world');
  /** Everything inside the local cluster: every pod, the nodes, the API server, Cilium's ingress proxy. */
  public static readonly CLUSTER = new Entity('cluster');
  /** The local node, and host-network pods on it. */
  public static readonly HOST = new Entity('host');
  /** Other nodes of the cluster, and host-network pods on them. */
  public static readonly REMOTE_NODE = new Entity('remote-node');
  /** The Kubernetes API server, in or outside the cluster. */
  public static readonly KUBE_APISERVER = new Entity('kube-apiserver');
  /** Cilium's Envoy proxy for Ingress and Gateway API: traffic entering through a Gateway arrives from it. */
  public static readonly INGRESS = new Entity('ingress');
  /** The cilium-health endpoints. */
  public static readonly HEALTH = new Entity('health');
  /** Endpoints whose identity is not resolved yet. */
  public static readonly INIT = new Entity('init');
  /** In-cluster addresses of pods Cilium does not manage. */
  public static readonly UNMANAGED = new Entity('unmanaged');

  /**
   * An entity by name. Accepts the names of the CiliumNetworkPolicy CRD:
   * all, world, cluster, host, remote-node, kube-apiserver, ingress, health, init, unmanaged.
   */
  public static of(name: string): Entity {
    const known = ENTITIES.find((e) => e.name === name);
    if (known) {
      return known;
    }
    if (name === 'world-ipv4' || name === 'world-ipv6') {
      throw new Error(`entity "${name}" is not in the CiliumNetworkPolicy CRD's entity enum, so the API server rejects the policy; use Entity.WORLD, or Peer.cidr("0.0.0.0/0") / Peer.cidr("::/0") for one address family`);
    }
    throw new Error(`unknown Cilium entity "${name}"; accepted: ${ENTITIES.map((e) => e.name).join(', ')}`);
  }

  private constructor(public readonly name: string) {}
}

const ENTITIES = [Entity.ALL, Entity.WORLD, Entity.CLUSTER, Entity.HOST, Entity.REMOTE_NODE, Entity.KUBE_APISERVER, Entity.INGRESS, Entity.HEALTH, Entity.INIT, Entity.UNMANAGED];

/** Kinds of L3 peers; Cilium allows one kind per rule. */
export enum PeerKind {
  /** Pods, by selector and namespace (`fromEndpoints` / `toEndpoints`). */
  ENDPOINTS = 'Endpoints',
  /** Cilium entities (`fromEntities` / `toEntities`). */
  ENTITIES = 'Entities',
  /** Address ranges (`fromCIDRSet` / `toCIDRSet`). */
  CIDR = 'CIDRSet',
  /** DNS names (`toFQDNs`), egress only. */
  FQDN = 'FQDNs',
  /** Kubernetes Services (`toServices`), egress only. */
  SERVICES = 'Services',
  /** Any peer at all: an L4-only rule with no L3 part. */
  ANY = 'Any',
}

/**
 * The other end of a rule: pods, entities, CIDRs, DNS names or Services.
 *
 * Every pod peer names its namespace scope explicitly, so that the rendered selector means
 * the same thing to a reader and to the agent.
 */
export class Peer {
  /**
   * Pods matching `selector` in the namespace `namespace`.
   *
   * @example Peer.pods(PodSelector.labels({ role: 'backend' }), 'default')
   */
  public static pods(selector: PodSelector, namespace: string): Peer {
    return Peer.podsInNamespaces(selector, [namespace]);
  }

  /** Pods matching `selector` in any of the named namespaces. */
  public static podsInNamespaces(selector: PodSelector, namespaces: string[]): Peer {
    const names = [...new Set(namespaces)].sort();
    const problems: _Problem[] = selector._problems('peer selector');
    if (names.length === 0) {
      problems.push({ field: 'peer namespaces', problem: 'no namespace given', fix: 'name at least one namespace, or use Peer.podsInAnyNamespace()' });
    }
    for (const n of names) {
      problems.push(..._checkNamespaceName('peer namespace', n));
    }
    const rendered = names.length === 1
      ? selector._render({ [_NS_KEY]: names[0] })
      : selector._render({}, [{ key: _NS_KEY, operator: 'In', values: names }]);
    const where = names.length === 1 ? `namespace ${names[0]}` : `namespaces ${names.join(', ')}`;
    return new Peer(PeerKind.ENDPOINTS, rendered, `${selector._describe()} in ${where}`, problems, { namespaces: names, selector });
  }

  /** Every pod of the namespace `namespace`. */
  public static allPodsInNamespace(namespace: string): Peer {
    return Peer.pods(PodSelector.all(), namespace);
  }

  /** Pods matching `selector` in every namespace of the cluster. */
  public static podsInAnyNamespace(selector: PodSelector): Peer {
    const rendered = selector._render({}, [{ key: _NS_KEY, operator: 'Exists' }]);
    return new Peer(PeerKind.ENDPOINTS, rendered, `${selector._describe()} in any namespace`, selector._problems('peer selector'), { anyNamespace: true, selector });
  }

  /** Every pod of every namespace (not the nodes, not the world). */
  public static allPods(): Peer {
    return Peer.podsInAnyNamespace(PodSelector.all());
  }

  /**
   * Pods matching `selector` in every namespace whose labels include `namespaceLabels`.
   */
  public static podsInNamespacesLabelled(selector: PodSelector, namespaceLabels: { [key: string]: string }): Peer {
    const problems = selector._problems('peer selector');
    const extra: { [key: string]: string } = {};
    const keys = Object.keys(namespaceLabels ?? {}).sort();
    if (keys.length === 0) {
      problems.push({ field: 'namespace labels', problem: 'no namespace label given, which would select every namespace', fix: 'give namespace labels, or use Peer.podsInAnyNamespace()' });
    }
    for (const k of keys) {
      problems.push(..._checkLabelKey('namespace label', k), ..._checkLabelValue('namespace label', k, namespaceLabels[k]));
      extra[NS_LABELS_PREFIX + k] = namespaceLabels[k];
    }
    const rendered = selector._render(extra, [{ key: _NS_KEY, operator: 'Exists' }]);
    const desc = keys.map((k) => `${k}=${namespaceLabels[k]}`).join(',');
    return new Peer(PeerKind.ENDPOINTS, rendered, `${selector._describe()} in namespaces labelled ${desc}`, problems, { selector });
  }

  /** One or more Cilium entities. */
  public static entities(...entities: Entity[]): Peer {
    const names = [...new Set(entities.map((e) => e.name))].sort();
    const problems: _Problem[] = names.length === 0 ? [{ field: 'entities', problem: 'no entity given', fix: 'name at least one entity, e.g. Entity.KUBE_APISERVER' }] : [];
    return new Peer(PeerKind.ENTITIES, names, `entities ${names.join(', ')}`, problems, { entities: names });
  }

  /**
   * Addresses in `cidr` (e.g. `10.10.0.0/16`), minus the `except` ranges. CIDR rules select
   * addresses outside the cluster and unmanaged in-cluster addresses; never Cilium-managed pods.
   */
  public static cidr(cidr: string, except?: string[]): Peer {
    const problems: _Problem[] = [];
    const parsed = parseCidr(cidr);
    if (!parsed) {
      const fix = isIp(cidr) ? `write it with a prefix length, e.g. "${cidr}/${cidr.includes(':') ? 128 : 32}"` : 'give an IPv4 or IPv6 prefix such as "10.0.0.0/8"';
      problems.push({ field: 'cidr', problem: `"${cidr}" is not a CIDR prefix`, fix });
    }
    const ex = [...new Set(except ?? [])].sort();
    for (const e of ex) {
      const pe = parseCidr(e);
      if (!pe) {
        problems.push({ field: 'cidr except', problem: `"${e}" is not a CIDR prefix`, fix: 'give prefixes such as "10.1.0.0/16"' });
      } else if (parsed && !cidrContainsCidr(parsed, pe)) {
        problems.push({ field: 'cidr except', problem: `"${e}" is not inside "${cidr}", so the agent rejects the policy`, fix: `give except ranges that lie within ${cidr}` });
      }
    }
    const value: any = ex.length > 0 ? { cidr, except: ex } : { cidr };
    return new Peer(PeerKind.CIDR, value, ex.length ? `${cidr} except ${ex.join(', ')}` : cidr, problems, { cidr: value });
  }

  /** A DNS name, exactly (`toFQDNs.matchName`); egress only. Needs a DNS-proxy rule for the subject. */
  public static fqdn(name: string): Peer {
    const problems: _Problem[] = [];
    if (typeof name !== 'string' || name.length === 0 || name.length > 255 || !FQDN_NAME_RE.test(name)) {
      problems.push({ field: 'fqdn', problem: `"${name}" is not a DNS name Cilium accepts`, fix: 'use letters, digits, "-", "_" and "." (at most 255 characters); for wildcards use Peer.fqdnPattern()' });
    }
    return new Peer(PeerKind.FQDN, { matchName: name }, name, problems, { fqdn: { matchName: name } });
  }

  /**
   * DNS names matching a pattern (`toFQDNs.matchPattern`): `*` matches within one label,
   * `**.` (Cilium 1.19+) several labels; egress only.
   */
  public static fqdnPattern(pattern: string): Peer {
    const problems: _Problem[] = [];
    if (typeof pattern !== 'string' || pattern.length === 0 || pattern.length > 255 || !FQDN_PATTERN_RE.test(pattern)) {
      problems.push({ field: 'fqdn pattern', problem: `"${pattern}" is not a DNS pattern Cilium accepts`, fix: 'use letters, digits, "-", "_", "." and "*" (at most 255 characters), e.g. "*.s3.amazonaws.com"' });
    }
    return new Peer(PeerKind.FQDN, { matchPattern: pattern }, pattern, problems, { fqdn: { matchPattern: pattern } });
  }

  /** A Kubernetes Service by name; egress only. The namespace is mandatory. */
  public static service(name: string, namespace: string): Peer {
    const problems = _checkNamespaceName('service namespace', namespace);
    if (!name) {
      problems.push({ field: 'service name', problem: 'empty service name', fix: 'name the Service' });
    }
    return new Peer(PeerKind.SERVICES, { k8sService: { namespace, serviceName: name } }, `service ${namespace}/${name}`, problems, {});
  }

  /** Kubernetes Services by label, in one namespace; egress only. */
  public static servicesLabelled(labels: { [key: string]: string }, namespace: string): Peer {
    const sel = PodSelector.labels(labels);
    const problems = [..._checkNamespaceName('service namespace', namespace), ...sel._problems('service selector')];
    return new Peer(PeerKind.SERVICES, { k8sServiceSelector: { namespace, selector: sel._render() } }, `services ${sel._describe()} in ${namespace}`, problems, {});
  }

  /**
   * Any peer at all, with the rule's ports: an L4-only rule. Spelled out so that a rule never
   * admits every peer by omission.
   */
  public static anyPeer(): Peer {
    return new Peer(PeerKind.ANY, undefined, 'any peer', [], {});
  }

  /** The kind of peer. */
  public readonly kind: PeerKind;
  /** A short human description, used in policy descriptions. */
  public readonly description: string;

  /** @internal */ public readonly _value: any;
  /** @internal */ public readonly _problems: _Problem[];
  /** `<kind>:<_json>`, made once: rules are merged per peer by it. @internal */ public readonly _key: string;
  /** @internal */ public readonly _meta: { namespaces?: string[]; anyNamespace?: boolean; selector?: PodSelector; entities?: string[]; cidr?: any; fqdn?: any };

  /** `JSON.stringify(_value)`, made once: merging keys, item order and item JSON are composed from it (bench/RESULTS.md §3). @internal */
  public readonly _json: string;
  /** The sorted value, made on the first render and copied for each (no manifest shares an object with another). */
  private sortedValue?: any;

  private constructor(kind: PeerKind, value: any, description: string, problems: _Problem[], meta: Peer['_meta']) {
    this.kind = kind;
    this._value = value;
    this.description = description;
    this._problems = problems.length === 0 ? NO_PROBLEMS : problems;
    this._meta = meta;
    this._json = JSON.stringify(value ?? null);
    this._key = `${kind}:${this._json}`;
  }

  /** A fresh copy of the value with its keys sorted, as it is written to a manifest. @internal */
  public _renderSorted(): any {
    this.sortedValue ??= _sortedCopy(this._value);
    return _copy(this.sortedValue);
  }
}

/**
 * A copy of plain data with object keys sorted and `undefined` / `null` members dropped (as
 * cdk8s writes a manifest).
 *
 * @internal
 */
export function _sortedCopy(value: any): any {
  if (value === null || typeof value !== 'object') {
    return value;
  }
  if (Array.isArray(value)) {
    return value.map(_sortedCopy);
  }
  const out: any = {};
  for (const k of Object.keys(value).sort()) {
    const v = value[k];
    if (v !== undefined && v !== null) {
      out[k] = _sortedCopy(v);
    }
  }
  return out;
}

/** A deep copy of plain data, keys in their order. */
function _copy(value: any): any {
  if (value === null || typeof value !== 'object') {
    return value;
  }
  if (Array.isArray(value)) {
    const out = new Array(value.length);
    for (let i = 0; i < value.length; i++) {
      out[i] = _copy(value[i]);
    }
    return out;
  }
  const out: any = {};
  for (const k in value) {
    out[k] = _copy(value[k]);
  }
  return out;
}

import { ApiObject, App, Chart, GroupVersionKind, ImplicitTokenResolver, JsonPatch, Lazy, LazyResolver, NumberStringUnionResolver } from 'cdk8s';
import { Construct } from 'constructs';
import { CiliumClusterwideNetworkPolicy, CiliumNetworkPolicy } from '../../imports/cilium.io';
import { _chartList, _chartListIfAny } from './chart-index';
import { _inputError, _Problem, _throwProblems } from './errors';
import { _dnsMatches } from './l7';
import { _checkNamespaceName } from './labels';
import { _policyNameFor } from './names';
import { _NS_KEY, _sortedCopy, PeerKind } from './peer';
import { _RuleSet, AllowRule, DenyRule, Direction } from './render';
import { PodSelector } from './selector';

/** Options shared by namespaced and cluster-wide policies. */
export interface CiliumPolicyOptions {
  /**
   * `metadata.name` of the policy.
   * @default - derived from the construct path, readable, at most 63 characters
   */
  readonly name?: string;
  /**
   * What the policy is for, written to `spec.description`.
   * @default - a summary of what the policy allows and denies
   */
  readonly description?: string;
  /**
   * Put the selected pods into ingress default deny even when the policy has no ingress
   * rule (renders `ingress: [{}]`, Cilium's deny-all).
   * @default false
   */
  readonly isolateIngress?: boolean;
  /**
   * Put the selected pods into egress default deny even when the policy has no egress rule
   * (renders `egress: [{}]`). This also blocks DNS unless allowed elsewhere.
   * @default false
   */
  readonly isolateEgress?: boolean;
  /**
   * Whether this policy's ingress rules put the selected pods into ingress default deny
   * (`enableDefaultDeny.ingress`). Set false for observe-only or deny-only policies that must
   * not isolate the pods.
   * @default true
   */
  readonly ingressDefaultDeny?: boolean;
  /**
   * Whether this policy's egress rules put the selected pods into egress default deny
   * (`enableDefaultDeny.egress`).
   * @default true
   */
  readonly egressDefaultDeny?: boolean;
  /**
   * Labels of the policy object.
   * @default - none
   */
  readonly labels?: { [key: string]: string };
  /**
   * Set when the DNS-proxy rule that `toFQDNs` destinations need is managed outside this
   * cdk8s app. Otherwise a policy with FQDN destinations fails validation unless a policy of
   * the app gives the same pods a DNS rule admitting those names.
   * @default false
   */
  readonly dnsProxyManagedElsewhere?: boolean;
}

/** Props of a namespaced Cilium policy. */
export interface CiliumPolicyProps extends CiliumPolicyOptions {
  /** The pods the policy applies to, in the policy's namespace. */
  readonly selector: PodSelector;
  /**
   * The namespace of the policy and of the pods it selects.
   * @default - the chart's namespace
   */
  readonly namespace?: string;
}

/** Props of a cluster-wide Cilium policy. */
export interface CiliumClusterwidePolicyProps extends CiliumPolicyOptions {
  /** The pods the policy applies to. */
  readonly selector: PodSelector;
  /**
   * Restrict the selected pods to these namespaces.
   * @default - pods of every namespace (and, for `PodSelector.all()`, every endpoint, including the cilium-health endpoints)
   */
  readonly namespaces?: string[];
  /**
   * Allow an `endpointSelector: {}` with ingress rules. Such a policy also selects the
   * cilium-health endpoints, and unless it admits health traffic it breaks Cilium's health
   * checks.
   * @default false
   */
  readonly allowSelectingHealthEndpoints?: boolean;
}

/** A policy's checks at synthesis (one small object per policy, no closure). */
class PolicyValidation {
  constructor(private readonly policy: CiliumPolicyBase) {}

  public validate(): string[] {
    return this.policy._validateAtSynthesis();
  }
}

/** The rule sets of a policy without rules in a direction (never added to). */
const NO_INGRESS_RULES = new _RuleSet(Direction.INGRESS);
const NO_EGRESS_RULES = new _RuleSet(Direction.EGRESS);

/** Whether a chart's app has resolvers of its own (an app's resolvers are fixed when it is made). */
const CUSTOM_RESOLVERS = new WeakMap<Chart, boolean>();

/** Every policy of a chart (FQDN checks look for DNS rules without walking the construct tree). */
const CHART_POLICIES = Symbol('cdk8s-secured-postgres.policies');

/**
 * Common implementation of namespaced and cluster-wide Cilium policies: rules are added with
 * `allowIngress` / `allowEgress` / `denyIngress` / `denyEgress` (also after construction: the
 * spec is rendered lazily), validated immediately with the construct path in the error, and
 * rendered canonically (sorted, de-duplicated, merged per peer and port).
 */
export abstract class CiliumPolicyBase extends ApiObject {
  /**
   * `x instanceof CiliumPolicy` (or `CiliumClusterwidePolicy`) means what it says. cdk8s's
   * `ApiObject` answers `instanceof` for every API object, and subclasses inherit that: without
   * this, a CNPG `Cluster` would be an `instanceof CiliumPolicy`.
   * @internal
   */
  public static [Symbol.hasInstance](o: unknown): o is ApiObject {
    return typeof o === 'object' && o !== null && Object.prototype.isPrototypeOf.call(this.prototype, o);
  }

  /** This policy, as the API object it is (kept for code written against the L1 wrapper). */
  public get apiObject(): ApiObject {
    return this;
  }
  /** The pods the policy applies to. */
  public readonly selector: PodSelector;

  /** @internal */ protected readonly _options: CiliumPolicyOptions;
  private readonly manifestProps: { spec?: unknown };
  private jsonPatches?: JsonPatch[];
  // The rule sets, made with their first rule (most policies have rules in one direction).
  private ingressRules?: _RuleSet;
  private egressRules?: _RuleSet;
  private ruleCount = 0;

  /** The ingress rules (an empty set until the first rule). @internal */
  protected get _ingress(): _RuleSet {
    return this.ingressRules ?? NO_INGRESS_RULES;
  }

  /** The egress rules (an empty set until the first rule). @internal */
  protected get _egress(): _RuleSet {
    return this.egressRules ?? NO_EGRESS_RULES;
  }

  /**
   * @param gvk the imported CRD type's group, version and kind
   * @param namespace the policy's namespace (namespaced policies)
   */
  protected constructor(scope: Construct, id: string, selector: PodSelector, options: CiliumPolicyOptions, gvk: GroupVersionKind, namespace?: string) {
    const props: any = {
      apiVersion: gvk.apiVersion,
      kind: gvk.kind,
      metadata: { name: options.name ?? _policyNameFor(scope, id), namespace, labels: sortedLabels(options.labels) },
    };
    super(scope, id, props);
    // cdk8s has copied the metadata into its own definition (which toJson reads).
    props.metadata = undefined;
    // The spec is rendered at synthesis (see toJson), so that rules added after construction count.
    this.manifestProps = props;
    this._options = options;
    this.selector = selector;
    _throwProblems(this, '', selector ? selector._problems('selector') : [{ field: 'selector', problem: 'no selector given', fix: 'select pods with PodSelector.labels(...) or PodSelector.all()' }]);
    if (options.name !== undefined && !/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(options.name)) {
      throw _inputError(this, 'name', `"${options.name}" is not a valid object name`, 'use lower-case alphanumerics, "-" and ".", starting and ending with an alphanumeric');
    }
    if (options.name !== undefined && options.name.length > 253) {
      throw _inputError(this, 'name', `"${options.name}" is longer than 253 characters`, 'use a shorter name');
    }
    const chart = this.chart;
    _chartList<CiliumPolicyBase>(chart, CHART_POLICIES).push(this);
    this.node.addValidation(new PolicyValidation(this));
  }

  /**
   * Applies RFC 6902 JSON-Patch operations to the synthesized manifest (after the spec is
   * rendered).
   */
  public addJsonPatch(...ops: JsonPatch[]): void {
    this.jsonPatches ??= [];
    this.jsonPatches.push(...ops);
  }

  /**
   * The manifest. The spec is plain data (no tokens): unless the app has resolvers of its own
   * (or `CDK8S_DISABLE_SORT` is set) the manifest is written directly, the spec rendered fresh
   * with its keys sorted, instead of going through cdk8s's token resolution and sanitizing
   * (two copies). The metadata is cdk8s's own (`metadata.toJson()`). Same bytes either way.
   */
  public toJson(): any {
    let json: any;
    if (process.env.CDK8S_DISABLE_SORT || this.hasCustomResolvers()) {
      // cdk8s's own path: the spec as a token, resolved with the app's resolvers.
      this.manifestProps.spec = Lazy.any({ produce: () => this._renderSpec() });
      try {
        json = super.toJson();
      } finally {
        delete this.manifestProps.spec;
      }
    } else {
      json = { apiVersion: this.apiVersion, kind: this.kind, metadata: this.metadata.toJson(), spec: this._renderSpec() };
    }
    return this.jsonPatches ? JsonPatch.apply(json, ...this.jsonPatches) : json;
  }

  private hasCustomResolvers(): boolean {
    let custom = CUSTOM_RESOLVERS.get(this.chart);
    if (custom === undefined) {
      const app = App.of(this.chart);
      custom = app instanceof App && app.resolvers.some((r) => !(r instanceof LazyResolver || r instanceof ImplicitTokenResolver || r instanceof NumberStringUnionResolver));
      CUSTOM_RESOLVERS.set(this.chart, custom);
    }
    return custom;
  }

  /** Allows traffic from `rule.peers` to the selected pods. */
  public allowIngress(rule: AllowRule): void {
    _throwProblems(this, '', (this.ingressRules ??= new _RuleSet(Direction.INGRESS)).addAllow(rule, this.ruleCount++));
  }

  /** Allows traffic from the selected pods to `rule.peers`. */
  public allowEgress(rule: AllowRule): void {
    _throwProblems(this, '', (this.egressRules ??= new _RuleSet(Direction.EGRESS)).addAllow(rule, this.ruleCount++));
  }

  /** Denies traffic from `rule.peers` to the selected pods, whatever any policy allows. */
  public denyIngress(rule: DenyRule): void {
    _throwProblems(this, '', (this.ingressRules ??= new _RuleSet(Direction.INGRESS)).addDeny(rule, this.ruleCount++));
  }

  /** Denies traffic from the selected pods to `rule.peers`, whatever any policy allows. */
  public denyEgress(rule: DenyRule): void {
    _throwProblems(this, '', (this.egressRules ??= new _RuleSet(Direction.EGRESS)).addDeny(rule, this.ruleCount++));
  }

  /** Whether the policy has rules or isolation in the direction. */
  public hasRules(direction: Direction): boolean {
    const set = direction === Direction.INGRESS ? this._ingress : this._egress;
    const isolate = direction === Direction.INGRESS ? this._options.isolateIngress : this._options.isolateEgress;
    return !set.isEmpty || !!isolate;
  }

  /** @internal */
  public get _allowEgressRules(): readonly AllowRule[] {
    return this._egress.allowRulesView;
  }

  /** @internal */
  protected abstract _renderSubject(): any;

  /** @internal */
  protected abstract _subjectDescription(): string;

  /**
   * The spec, as written to the manifest: a fresh object (nothing shared with another policy
   * or an earlier call), its keys sorted.
   * @internal
   */
  public _renderSpec(): any {
    const ingress = this._ingress.renderAllow();
    const egress = this._egress.renderAllow();
    const ingressDeny = this._ingress.renderDeny();
    const egressDeny = this._egress.renderDeny();
    // Keys in sorted order: description, egress, egressDeny, enableDefaultDeny,
    // endpointSelector, ingress, ingressDeny.
    const spec: any = {};
    const desc = this._options.description ?? this._describe();
    if (desc) {
      spec.description = desc;
    }
    if (egress.length > 0) {
      spec.egress = egress;
    } else if (this._options.isolateEgress && egressDeny.length === 0) {
      spec.egress = [{}];
    }
    if (egressDeny.length > 0) {
      spec.egressDeny = egressDeny;
    }
    if (this._options.egressDefaultDeny !== undefined || this._options.ingressDefaultDeny !== undefined) {
      const edd: any = {};
      if (this._options.egressDefaultDeny !== undefined) {
        edd.egress = this._options.egressDefaultDeny;
      }
      if (this._options.ingressDefaultDeny !== undefined) {
        edd.ingress = this._options.ingressDefaultDeny;
      }
      spec.enableDefaultDeny = edd;
    }
    spec.endpointSelector = _sortedCopy(this._renderSubject());
    if (ingress.length > 0) {
      spec.ingress = ingress;
    } else if (this._options.isolateIngress && ingressDeny.length === 0) {
      spec.ingress = [{}];
    }
    if (ingressDeny.length > 0) {
      spec.ingressDeny = ingressDeny;
    }
    return spec;
  }

  private _describe(): string {
    const parts: string[] = [];
    describeRules(this._ingress.allowRulesView, 'allow ingress from', parts);
    describeRules(this._egress.allowRulesView, 'allow egress to', parts);
    describeRules(this._ingress.denyRulesView, 'deny ingress from', parts);
    describeRules(this._egress.denyRulesView, 'deny egress to', parts);
    if (this._options.isolateIngress && this._options.isolateEgress) {
      parts.push('default deny for ingress and egress');
    } else if (this._options.isolateIngress) {
      parts.push('default deny for ingress');
    } else if (this._options.isolateEgress) {
      parts.push('default deny for egress');
    }
    return `${this._subjectDescription()}: ${parts.join('; ')}`;
  }

  /** @internal */
  public _validateAtSynthesis(): string[] {
    return this._validate();
  }

  /** @internal */
  protected _validate(): string[] {
    const errors: string[] = [];
    if (!this.hasRules(Direction.INGRESS) && !this.hasRules(Direction.EGRESS)) {
      errors.push(`${this.name}: the policy has no rules; the agent rejects such a policy (Cilium 1.18+) and it would have no effect. Add rules, or set isolateIngress / isolateEgress for a deny-all`);
    }
    if (!this._options.dnsProxyManagedElsewhere) {
      errors.push(...this._checkFqdnDns());
    }
    return errors;
  }

  /** Every FQDN destination needs a DNS rule for the same pods admitting the name. */
  private _checkFqdnDns(): string[] {
    if (!this._egress.hasFqdnPeers) {
      return [];
    }
    const fqdns = this._egress.allowRulesView.flatMap((r) => r.peers.filter((p) => p.kind === PeerKind.FQDN));
    if (fqdns.length === 0) {
      return [];
    }
    const dnsRules: any[] = [];
    for (const c of _chartListIfAny<CiliumPolicyBase>(this.chart, CHART_POLICIES)) {
      if (c._coversSubjectOf(this)) {
        for (const r of c._allowEgressRules) {
          dnsRules.push(...(r.dns ?? []).map((d) => d._render()));
        }
      }
    }
    const errors: string[] = [];
    for (const f of fqdns) {
      const v = f._value;
      const ok = dnsRules.some((d) => (v.matchName !== undefined ? _dnsMatches(d, v.matchName) : d.matchPattern === '*' || d.matchPattern === v.matchPattern));
      if (!ok) {
        errors.push(`egress to FQDN "${f.description}" never works: the pods' DNS traffic must pass Cilium's DNS proxy with a rule admitting that name, and no policy of this chart gives ${this._subjectDescription()} one. Add a DNS rule (e.g. NamespaceBaseline with fqdnEgress, or allowEgress({ peers: [kube-dns], ports: [Port.anyProtocol(53)], dns: [DnsRule.name("${v.matchName ?? v.matchPattern}")] })), or set dnsProxyManagedElsewhere`);
      }
    }
    return errors;
  }

  /** Whether this policy's subject includes every pod of `other`'s subject. @internal */
  public _coversSubjectOf(other: CiliumPolicyBase): boolean {
    if (this._namespaceScope() !== other._namespaceScope() && this._namespaceScope() !== '*') {
      return false;
    }
    if (this.selector.selectsAll) {
      return true;
    }
    const mine = JSON.stringify(this.selector._render());
    if (mine === JSON.stringify(other.selector._render())) {
      return true;
    }
    const ol = other.selector.matchLabels;
    const ml = this.selector.matchLabels;
    return this.selector.matchExpressions.length === 0 && Object.keys(ml).every((k) => ol[k] === ml[k]);
  }

  /** @internal */
  protected abstract _namespaceScope(): string;
}

/**
 * A CiliumNetworkPolicy: rules for the pods of one namespace.
 *
 * Every pod peer names its namespace explicitly (`k8s:io.kubernetes.pod.namespace`), default
 * deny is rendered as Cilium enforces it (`[{}]` or real rules, never `[]`), and the rules are
 * sorted, de-duplicated and merged, so the same input always synthesizes the same bytes.
 *
 * @example
 * const policy = new CiliumPolicy(chart, 'Backend', {
 *   namespace: 'default',
 *   selector: PodSelector.labels({ app: 'backend' }),
 *   isolateEgress: true,
 * });
 * policy.allowIngress({ peers: [Peer.pods(PodSelector.labels({ app: 'frontend' }), 'default')], ports: [Port.tcp(80)] });
 *
 * @see https://docs.cilium.io/en/stable/security/policy/language/
 */
export class CiliumPolicy extends CiliumPolicyBase {
  /** The namespace of the policy and of its pods. */
  public readonly namespace: string;

  constructor(scope: Construct, id: string, props: CiliumPolicyProps) {
    const namespace = props.namespace ?? Chart.of(scope).namespace;
    super(scope, id, props.selector, props, CiliumNetworkPolicy.GVK, namespace);
    const ns = namespace;
    if (!ns) {
      throw _inputError(this, 'namespace', 'no namespace given and the chart has none', 'set the namespace prop, or create the chart with a namespace');
    }
    _throwProblems(this, '', _checkNamespaceName('namespace', ns));
    this.namespace = ns;
  }

  /** @internal */
  protected _renderSubject(): any {
    return this.selector._render();
  }

  /** @internal */
  protected _subjectDescription(): string {
    return this.selector.selectsAll ? `every pod of namespace ${this.namespace}` : `pods ${this.selector._describe()} in namespace ${this.namespace}`;
  }

  /** @internal */
  protected _namespaceScope(): string {
    return this.namespace;
  }
}

/**
 * A CiliumClusterwideNetworkPolicy: rules for pods of any namespace.
 *
 * A cluster-wide policy selecting every endpoint (`PodSelector.all()` without namespaces)
 * also selects the cilium-health endpoints; with ingress rules it needs
 * `allowSelectingHealthEndpoints`.
 */
export class CiliumClusterwidePolicy extends CiliumPolicyBase {
  /** The namespaces the selected pods are restricted to, if any. */
  public readonly namespaces?: string[];
  private readonly allowHealth: boolean;

  constructor(scope: Construct, id: string, props: CiliumClusterwidePolicyProps) {
    super(scope, id, props.selector, props, CiliumClusterwideNetworkPolicy.GVK);
    const problems: _Problem[] = [];
    if (props.namespaces !== undefined) {
      if (props.namespaces.length === 0) {
        problems.push({ field: 'namespaces', problem: 'an empty namespace list', fix: 'name namespaces, or omit the prop for every namespace' });
      }
      for (const n of props.namespaces) {
        problems.push(..._checkNamespaceName('namespaces', n));
      }
    }
    _throwProblems(this, '', problems);
    this.namespaces = props.namespaces ? [...new Set(props.namespaces)].sort() : undefined;
    this.allowHealth = props.allowSelectingHealthEndpoints ?? false;
    if (this.chart.namespace) {
      // cdk8s applies the chart namespace to every object, cluster-scoped ones included.
      this.addJsonPatch(JsonPatch.remove('/metadata/namespace'));
    }
  }

  /** @internal */
  protected _renderSubject(): any {
    if (!this.namespaces) {
      return this.selector._render();
    }
    if (this.namespaces.length === 1) {
      return this.selector._render({ [_NS_KEY]: this.namespaces[0] });
    }
    return this.selector._render({}, [{ key: _NS_KEY, operator: 'In', values: this.namespaces }]);
  }

  /** @internal */
  protected _subjectDescription(): string {
    const where = this.namespaces ? `in namespaces ${this.namespaces.join(', ')}` : 'in every namespace';
    return this.selector.selectsAll && !this.namespaces ? 'every endpoint of the cluster' : `pods ${this.selector._describe()} ${where}`;
  }

  /** @internal */
  protected _namespaceScope(): string {
    return '*';
  }

  /** @internal */
  public _validateAtSynthesis(): string[] {
    return this._validate();
  }

  /** @internal */
  protected _validate(): string[] {
    const errors = super._validate();
    if (this.selector.selectsAll && !this.namespaces && this.hasRules(Direction.INGRESS) && !this.allowHealth) {
      errors.push(`${this.name}: endpointSelector {} with ingress rules also selects the cilium-health endpoints and breaks Cilium's health checks. Restrict the policy with namespaces or a pod selector, or set allowSelectingHealthEndpoints (and admit health traffic)`);
    }
    return errors;
  }
}

/** One line per rule (`<verb> <peers> on <ports> (HTTP ...)`), without duplicates, sorted, appended to `parts`. */
function describeRules(rules: readonly (AllowRule | DenyRule)[], verb: string, parts: string[]): void {
  if (rules.length === 0) {
    return;
  }
  const lines: string[] = [];
  for (const r of rules as readonly AllowRule[]) {
    let s = `${verb} ${r.peers.length === 1 ? r.peers[0].description : r.peers.map((p) => p.description).join(' or ')}`;
    const ports = r.ports ?? [];
    const icmps = r.icmps ?? [];
    if (ports.length === 0 && icmps.length === 0) {
      s += ' on every port';
    } else {
      let l4 = '';
      for (const p of ports) {
        l4 += (l4 ? ', ' : '') + p._key;
      }
      for (const i of icmps) {
        l4 += `${l4 ? ', ' : ''}ICMP ${i.name ?? i.type}`;
      }
      s += ` on ${l4}`;
    }
    if (r.http && r.http.length > 0) {
      s += ` (HTTP ${r.http.map((h) => h._describe()).join('; ')})`;
    }
    if (r.dns && r.dns.length > 0) {
      s += ` (DNS ${r.dns.map((d) => d.matchName ?? d.matchPattern).join(', ')})`;
    }
    lines.push(s);
  }
  if (lines.length === 1) {
    parts.push(lines[0]);
    return;
  }
  parts.push(...[...new Set(lines)].sort());
}

function sortedLabels(labels?: { [key: string]: string }): { [key: string]: string } | undefined {
  if (!labels || Object.keys(labels).length === 0) {
    return undefined;
  }
  const out: { [key: string]: string } = {};
  for (const k of Object.keys(labels).sort()) {
    out[k] = labels[k];
  }
  return out;
}

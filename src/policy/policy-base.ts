/**
 * What every Cilium policy of this library shares: its options, rules added with `allow*` /
 * `deny*` (checked at once), the spec rendered at synthesis, the checks made then, and the
 * manifest written directly. The two kinds are `cilium-policy.ts` and
 * `cilium-clusterwide-policy.ts`.
 */
import { ApiObject, App, Chart, GroupVersionKind, ImplicitTokenResolver, JsonPatch, Lazy, LazyResolver, NumberStringUnionResolver } from 'cdk8s';
import { Construct } from 'constructs';
import { _chartList, _chartListIfAny } from './chart-index';
import { _inputError, _throwProblems } from './errors';
import { _dnsMatches } from './l7';
import { _policyNameFor } from './names';
import { _sortedCopy, PeerKind } from './peer';
import { _describePolicy } from './policy-description';
import { AllowRule, DenyRule, Direction } from './rule';
import { _RuleSet } from './rule-set';
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

/** A policy's checks at synthesis: one small object, no closure (allocation 210 → 148 MB at 1,000 clusters with §4's other fixes, bench/RESULTS.md). */
class PolicyValidation {
  constructor(private readonly policy: CiliumPolicyBase) {}

  public validate(): string[] {
    return this.policy._validateAtSynthesis();
  }
}

/** What a policy reads before its first rule in a direction: shared, never added to (see `ingressRules`). */
const NO_INGRESS_RULES = new _RuleSet(Direction.INGRESS);
const NO_EGRESS_RULES = new _RuleSet(Direction.EGRESS);

/**
 * Marks the props of a policy this library makes itself (`_libraryPolicy`): such a policy has
 * rules or isolation from its construction, so it gets the synthesis checks only once it has
 * an FQDN destination. cdk8s runs every construct's checks once per chart it synthesizes: with
 * one chart per namespace, 27,000 policies were checked 101 times (a quarter of the synthesis
 * time at 1,000 clusters, bench/RESULTS.md). Policies users make are checked as before.
 */
const LIBRARY_POLICY = Symbol('cdk8s-secured-postgres.library-policy');

/** `props`, marked as the props of a policy made by this library (see `LIBRARY_POLICY`). @internal */
export function _libraryPolicy<T extends CiliumPolicyOptions>(props: T): T {
  return Object.assign(props, { [LIBRARY_POLICY]: true });
}

/** Whether a chart's app has resolvers of its own: fixed when the app is made, so checked once per chart, not per policy. */
const CUSTOM_RESOLVERS = new WeakMap<Chart, boolean>();

/** Every policy of a chart, for FQDN checks without a tree walk; on the chart, not a WeakMap (0.2 s GC pause, bench/RESULTS.md §6). */
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
  /** Made with the first patch (most policies have none). */
  private jsonPatches?: JsonPatch[];
  // Made with their first rule: most policies have rules in one direction (allocation 210 → 148 MB at 1,000 clusters with §4's other fixes, bench/RESULTS.md).
  private ingressRules?: _RuleSet;
  private egressRules?: _RuleSet;
  private ruleCount = 0;
  /** Whether the synthesis checks are on the node (see `LIBRARY_POLICY`). */
  private checked = false;

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
    // cdk8s has copied the metadata into its own definition (which toJson reads): keep only that copy, per policy.
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
    if (!(options as any)[LIBRARY_POLICY]) {
      this.checkAtSynthesis();
    }
  }

  private checkAtSynthesis(): void {
    if (!this.checked) {
      this.checked = true;
      this.node.addValidation(new PolicyValidation(this));
    }
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
      // Written directly, one fresh copy (serialization 0.64 s against the floor's 0.67 s, bench/RESULTS.md §3).
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
    if (this.egressRules.hasFqdnPeers) {
      this.checkAtSynthesis();
    }
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
    const desc = this._options.description ?? _describePolicy(this._subjectDescription(), this._ingress, this._egress, this._options.isolateIngress, this._options.isolateEgress);
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

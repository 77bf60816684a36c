import { JsonPatch } from 'cdk8s';
import { Construct } from 'constructs';
import { CiliumClusterwideNetworkPolicy } from '../../imports/cilium.io';
import { _Problem, _throwProblems } from './errors';
import { _checkNamespaceName } from './labels';
import { _NS_KEY } from './peer';
import { CiliumPolicyBase, CiliumPolicyOptions } from './policy-base';
import { Direction } from './rule';
import { PodSelector } from './selector';

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

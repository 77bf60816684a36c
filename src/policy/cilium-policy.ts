import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { CiliumNetworkPolicy } from '../../imports/cilium.io';
import { _inputError, _throwProblems } from './errors';
import { _checkNamespaceName } from './labels';
import { CiliumPolicyBase, CiliumPolicyOptions } from './policy-base';
import { PodSelector } from './selector';

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

import { Chart } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { _OutputOrder } from '../common/output-order';
import { CiliumPolicy } from '../policy/cilium-policy';
import { _libraryPolicy } from '../policy/policy-base';
import { PodSelector } from '../policy/selector';

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

  /** The policies by `namespace/name`: grants between the same client and target merge into one policy per side. */
  private readonly policies = new Map<string, CiliumPolicy>();
  /** The chart's output order, looked up with the first policy instead of once per grant. */
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
    p = new CiliumPolicy(this, key, _libraryPolicy({ name, namespace, selector, isolateEgress: isolateEgress || undefined, egressDefaultDeny }));
    this.policies.set(key, p);
    this.order ??= _OutputOrder.of(this);
    this.order.own(p);
    return p;
  }
}

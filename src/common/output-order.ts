/**
 * The order of the objects the constructs emit: one sorted block per chart, whatever order
 * they were declared in.
 *
 * Why here: `SecuredPostgres` and `Pooler` (src/postgres) and the grants and baselines
 * (src/access) all put their objects into it, so it sits in src/common, below both folders.
 * Not in src/policy: it orders any API object (CNPG clusters too), not just policies.
 */
import { ApiObject, Chart } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { _cmp } from '../policy/compare';

/**
 * One per chart: puts every object the high-level constructs of this library emit
 * (`SecuredPostgres`, `Pooler`, `NamespaceBaseline`, the policies of `AccessGrant`s) into one
 * sorted block, so that the output does not depend on the order they were declared in.
 *
 * Objects are sorted by namespace (cluster-scoped first), then workloads before Cilium
 * policies, then kind, then name. The block sits where this construct sits in the chart: at
 * the first of our constructs declared in it. Objects of the user's own constructs keep
 * cdk8s's order around it.
 *
 * How: at synthesis (cdk8s validates the app before it orders objects) this construct adds a
 * dependency on each object, in sorted order, and nothing depends on it. cdk8s emits a chart's
 * objects by a depth-first walk of the dependency graph from the objects nothing depends on,
 * in construct-tree order: it reaches this construct and then its dependencies, in the order
 * they were added. The graph is a star (one edge per object, depth one), so cdk8s's cycle
 * check and walk stay linear. This construct holds no API objects, so cdk8s does not expand
 * its dependencies into object-to-object edges. A star, not a chain: a chain of grant
 * policies took 135 s for 8 clusters × 10 grants (bench/RESULTS.md §1).
 *
 * @internal
 */
export class _OutputOrder extends Construct {
  /** The chart's instance, created on first use. */
  public static of(scope: IConstruct): _OutputOrder {
    const chart = Chart.of(scope);
    const existing = chart.node.tryFindChild(_OutputOrder.ID);
    if (existing instanceof _OutputOrder) {
      return existing;
    }
    return new _OutputOrder(chart, _OutputOrder.ID);
  }

  /** The chart's one instance is found by this child id, without a registry. */
  private static readonly ID = 'SecuredPostgresOutputOrder';

  private readonly owners: IConstruct[] = [];
  /** Objects already linked: a later synthesis links only new ones (no duplicate dependency). */
  private readonly linked = new Set<ApiObject>();
  /** The first owner not walked yet: cdk8s validates the app once per chart, and each validation walks only new owners. */
  private pending = 0;

  private constructor(private readonly chart: Chart, id: string) {
    super(chart, id);
    this.node.addValidation({ validate: () => { this.link(); return []; } });
  }

  /**
   * Puts the API objects under `owner` into the sorted block: those it holds at the next
   * synthesis. (cdk8s validates the whole app once per chart; only owners added since the last
   * validation are walked.)
   */
  public own(owner: IConstruct): void {
    this.owners.push(owner);
  }

  /**
   * Links the objects of the owners added since the last call, in sorted order. Objects of
   * owners added after a first synthesis are appended after the block of that synthesis (in
   * sorted order among themselves).
   */
  private link(): void {
    const fresh: { key: string; obj: ApiObject }[] = [];
    const owners = this.owners.slice(this.pending);
    this.pending = this.owners.length;
    for (const owner of owners) {
      for (const c of owner.node.findAll()) {
        if (c instanceof ApiObject && !this.linked.has(c) && c.chart === this.chart) {
          this.linked.add(c);
          fresh.push({ key: sortKey(c), obj: c });
        }
      }
    }
    // Ties (the same namespace, kind and name twice) keep construct-path order.
    fresh.sort((a, b) => _cmp(a.key, b.key) || _cmp(a.obj.node.path, b.obj.node.path));
    for (const { obj } of fresh) {
      this.node.addDependency(obj);
    }
  }
}

/**
 * Namespace (cluster-scoped first), workloads before Cilium policies, kind, name: one string,
 * the parts joined with NUL (below every character of a name), so that comparing keys compares
 * the parts in turn. One string, compared once per pair, instead of a tuple compared part by part.
 */
function sortKey(o: ApiObject): string {
  return `${o.metadata.namespace ?? ''}\0${o.apiVersion === 'cilium.io/v2' ? '1' : '0'}\0${o.kind}\0${o.name}`;
}

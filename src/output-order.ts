import { ApiObject, Chart } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { _chartList, _chartListIfAny } from './policy/chart-index';
import { _cmp } from './policy/render';

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
 * its dependencies into object-to-object edges.
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

  private static readonly ID = 'SecuredPostgresOutputOrder';

  private readonly owners: IConstruct[] = [];
  private readonly linked = new Set<ApiObject>();
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
 * the parts in turn.
 */
function sortKey(o: ApiObject): string {
  return `${o.metadata.namespace ?? ''}\0${o.apiVersion === 'cilium.io/v2' ? '1' : '0'}\0${o.kind}\0${o.name}`;
}

/** What a grant needs to know of a `NamespaceBaseline` in its chart. */
export interface _BaselineFacts {
  readonly node: { readonly path: string };
  readonly namespace: string;
  readonly dnsNamesRestricted: boolean;
}

const BASELINES = Symbol('cdk8s-secured-postgres.baselines');

/** Records a `NamespaceBaseline` in its chart's index. */
export function _recordBaseline(b: _BaselineFacts & IConstruct): void {
  const chart = Chart.of(b);
  _chartList<_BaselineFacts>(chart, BASELINES).push(b);
  if (b.dnsNamesRestricted) {
    for (const client of _chartListIfAny<DnsClient>(chart, DNS_CLIENTS)) {
      if (client.namespace === b.namespace) {
        checkDnsClient(client);
      }
    }
  }
}

/** A grant that allows its client pods' DNS queries. */
interface DnsClient {
  readonly grant: IConstruct;
  readonly namespace: string;
  checked?: boolean;
}

const DNS_CLIENTS = Symbol('cdk8s-secured-postgres.dns-clients');

/**
 * Records a grant that allows DNS for client pods of `namespace`. A DNS rule of its own widens
 * a `NamespaceBaseline`'s DNS name restriction of that namespace to every name: the grant then
 * fails validation. The check is added to the grant when such a baseline is in its chart
 * (declared before or after it), so grants in charts without one carry no validation.
 */
export function _recordDnsClient(grant: IConstruct, namespace: string): void {
  const chart = Chart.of(grant);
  const client: DnsClient = { grant, namespace };
  _chartList<DnsClient>(chart, DNS_CLIENTS).push(client);
  if (_baselinesOf(chart).some((b) => b.namespace === namespace && b.dnsNamesRestricted)) {
    checkDnsClient(client);
  }
}

function checkDnsClient(client: DnsClient): void {
  if (client.checked) {
    return;
  }
  client.checked = true;
  const { grant, namespace } = client;
  grant.node.addValidation({
    validate: () => _baselinesOf(Chart.of(grant))
      .filter((b) => b.namespace === namespace && b.dnsNamesRestricted)
      .map((b) => `clientDns: the grant allows the client's DNS queries, which widens the DNS name restriction of ${b.node.path} (namespace ${namespace}) to every name; set clientDns: false on this grant`),
  });
}

/** The baselines declared in a chart (grants check them without walking the construct tree). */
export function _baselinesOf(chart: Chart): readonly _BaselineFacts[] {
  return _chartListIfAny<_BaselineFacts>(chart, BASELINES);
}

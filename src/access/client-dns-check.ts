/**
 * The `clientDns` check between grants and namespace baselines: a grant's own DNS rule for its
 * client pods widens a `NamespaceBaseline`'s DNS name restriction (`restrictDnsNames`) in the
 * client's namespace to every name, so such a grant fails validation. Grants and baselines of a
 * chart are listed on the chart, so that neither walks the construct tree to find the other.
 */
import { Chart } from 'cdk8s';
import { IConstruct } from 'constructs';
import { _chartList, _chartListIfAny } from '../policy/chart-index';

/** What a grant needs to know of a `NamespaceBaseline` in its chart. */
export interface _BaselineFacts {
  readonly node: { readonly path: string };
  readonly namespace: string;
  readonly dnsNamesRestricted: boolean;
}

/** The baselines of a chart, on the chart, not in a WeakMap (a 0.2 s GC pause at 27,000 policies, bench/RESULTS.md §6). */
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
  /** Set once the check is on the grant: a second baseline of the namespace does not add it again. */
  checked?: boolean;
}

/** The grants allowing client DNS of a chart, on the chart like `BASELINES`: a later baseline finds them without a tree walk. */
const DNS_CLIENTS = Symbol('cdk8s-secured-postgres.dns-clients');

/**
 * Records a grant that allows DNS for client pods of `namespace`. A DNS rule of its own widens
 * a `NamespaceBaseline`'s DNS name restriction of that namespace to every name: the grant then
 * fails validation. The check is added to the grant when such a baseline is in its chart
 * (declared before or after it), so grants in charts without one carry no validation: one closure
 * fewer per grant (allocation 210 → 148 MB at 1,000 clusters with §4's other fixes, bench/RESULTS.md).
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

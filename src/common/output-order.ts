/**
 * The order of the objects the constructs emit: one sorted block per chart, whatever order
 * they were declared in.
 *
 * Why here: `SecuredPostgres` and `Pooler` (src/postgres) and the grants and baselines
 * (src/access) all put their objects into it, so it sits in src/common, below both folders.
 * Not in src/policy: it orders any API object (CNPG clusters too), not just policies.
 */
import { ApiObject, Chart } from 'cdk8s';
import { Construct, Dependable, IConstruct, IDependable } from 'constructs';
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
 * How: cdk8s has no ordering hook; it emits a chart's objects by a depth-first walk of the
 * chart's dependency graph from the constructs nothing depends on, in construct-tree order.
 * This construct depends on the chart's objects of ours, in sorted order, and nothing depends
 * on it: the walk reaches it and then them, in that order (a star: one edge per object, depth
 * one, so cdk8s's cycle check and walk stay linear; a chain of grant policies took 135 s for
 * 8 clusters × 10 grants, bench/RESULTS.md). It holds no API objects, so cdk8s does not expand
 * its dependencies into object-to-object edges.
 *
 * The dependencies are one `IDependable` whose roots are computed when read (objects owned
 * since the last read are sorted then, and appended). They are read by every walk that
 * orders objects (each chart's `DependencyGraph`, whatever output type writes it), and
 * withheld from the two walks that only relate charts: cdk8s's `resolveDependencies`, which
 * cdk8s runs over the whole app once per chart it synthesizes, and the app's chart order. The
 * block's edges mean nothing to either (same chart, no API object under this construct), but
 * each paid for them: with one chart per namespace (1,000 clusters, 100 charts) the 29,000
 * edges were read 202 times, a third of the synthesis time (bench/RESULTS.md). See
 * `readForChartsOnly` for how the reader is known and why a miss is harmless.
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
  /** The block, in emission order. */
  private readonly sorted: ApiObject[] = [];
  /** Objects already in the block: an object under two owners (a pooler under its cluster) is placed once. */
  private readonly linked = new Set<ApiObject>();
  /** The first owner not walked yet: each read walks only owners added since the last one. */
  private pending = 0;

  private constructor(private readonly chart: Chart, id: string) {
    super(chart, id);
    this.node.addDependency(new SortedBlock(this));
  }

  /**
   * Puts the API objects under `owner` into the sorted block: those it holds when the chart's
   * dependencies are next read (at synthesis).
   */
  public own(owner: IConstruct): void {
    this.owners.push(owner);
  }

  /**
   * The block: the objects of owners added since the last call are sorted and appended.
   * (Objects of owners added after a first synthesis come after the block of that synthesis,
   * in sorted order among themselves.)
   * @internal
   */
  public _block(): ApiObject[] {
    if (this.pending === this.owners.length) {
      return this.sorted;
    }
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
      this.sorted.push(obj);
    }
    return this.sorted;
  }
}

/** What `_OutputOrder` depends on: its sorted block, read when cdk8s walks the dependencies. */
class SortedBlock implements IDependable {
  constructor(order: _OutputOrder) {
    Dependable.implement(this, {
      get dependencyRoots(): IConstruct[] {
        // The block itself, not a copy (constructs' `Node.dependencies` only copies the roots out).
        return readForChartsOnly() ? [] : order._block();
      },
    });
  }
}

const NO_CALL_SITES: NodeJS.CallSite[] = [];

/**
 * Whether the dependencies are being read by one of the two cdk8s walks that only relate
 * charts to charts, known from the call stack (V8 call sites: no stack string, no source maps):
 * - `resolveDependencies` (through its `buildDependencies`, cdk8s/lib/app.js), run over the
 *   whole app once per synthesized chart: it turns dependencies between charts into chart
 *   dependencies, and those of a construct holding API objects into object-to-object ones;
 * - the app's `charts` (a `DependencyGraph` of the whole app, cdk8s/lib/dependency.js, read by
 *   `get charts` in app.js), which orders the charts: an edge inside one chart does not change
 *   when a chart is reached.
 * The block's edges are none of those (same chart, no API object under this construct), so
 * both do nothing with them, but paid for each: one chart per namespace, 1,000 clusters,
 * 100 charts: the 29,000 edges were read 202 times by the first, a third of the synthesis
 * (bench/RESULTS.md); the second is ≈ 4 % of a one-chart synthesis. A miss (another cdk8s
 * version, a bundled cdk8s, another engine) gives the edges to those walks too: the same
 * bytes, at the cost measured before. Only a hit removes edges, and only from a walk that does
 * nothing with them. One check ≈ 2-6 µs, a few per synthesized chart.
 */
function readForChartsOnly(): boolean {
  const E = Error as ErrorConstructor & { prepareStackTrace?: (e: Error, sites: NodeJS.CallSite[]) => unknown };
  if (typeof E.captureStackTrace !== 'function') {
    return false;
  }
  const prepare = E.prepareStackTrace;
  const limit = E.stackTraceLimit;
  let sites: NodeJS.CallSite[] = NO_CALL_SITES;
  try {
    E.prepareStackTrace = (_e, s) => s;
    E.stackTraceLimit = 4;
    const holder: { stack?: unknown } = {};
    E.captureStackTrace(holder, readForChartsOnly);
    if (Array.isArray(holder.stack)) {
      sites = holder.stack;
    }
  } catch {
    return false;
  } finally {
    E.prepareStackTrace = prepare;
    E.stackTraceLimit = limit;
  }
  // [0] the dependable's getter, [1] constructs' `Node.dependencies`, [2] the reader, [3] its caller.
  const reader = sites[2];
  if (!reader) {
    return false;
  }
  if (reader.getFunctionName() === 'buildDependencies' && CDK8S_APP.test(reader.getFileName() ?? '')) {
    return true;
  }
  const caller = sites[3];
  return !!caller && reader.getFunctionName() === 'DependencyGraph' && CDK8S_DEPENDENCY.test(reader.getFileName() ?? '')
    && caller.getFunctionName() === 'get charts' && CDK8S_APP.test(caller.getFileName() ?? '');
}

const CDK8S_DEPENDENCY = /[\\/]cdk8s[\\/]lib[\\/]dependency\.js$/;
const CDK8S_APP = /[\\/]cdk8s[\\/]lib[\\/]app\.js$/;

/**
 * Namespace (cluster-scoped first), workloads before Cilium policies, kind, name: one string,
 * the parts joined with NUL (below every character of a name), so that comparing keys compares
 * the parts in turn. One string, compared once per pair, instead of a tuple compared part by part.
 */
function sortKey(o: ApiObject): string {
  return `${o.metadata.namespace ?? ''}\0${o.apiVersion === 'cilium.io/v2' ? '1' : '0'}\0${o.kind}\0${o.name}`;
}

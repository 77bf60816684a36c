/**
 * Jest matchers for users of this library: does the policy set of a cdk8s chart allow, or
 * deny, a given flow? The chart is synthesized (`chart.toJson()`, as `Testing.synth` does) and
 * evaluated offline with Cilium's semantics by the same engine as `cilium-verify`.
 *
 * ```ts
 * import { installCiliumMatchers } from 'cdk8s-secured-postgres/testing';
 * installCiliumMatchers();
 * expect(chart).toAllowTraffic({ from: { namespace: 'shop', labels: { app: 'web' } }, to: db, port: 5432 });
 * ```
 *
 * Not part of the jsii API (jest is a Node tool): import it from `cdk8s-secured-postgres/testing`
 * or `cdk8s-secured-postgres/lib/src/testing`.
 */
import { PolicyEngine } from '../verify/engine';
import { EndpointDef, FlowInput, FlowProto, FlowResult, HttpRequestSpec, VerifyEnv, formatPolicyRef } from '../verify/model';
import { podsFromManifests } from '../report/workloads';

/** A pod given by its namespace and labels. */
export interface PodSpec {
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
  /** @default 'default' */
  readonly serviceAccount?: string;
}

/**
 * One end of a flow: a construct of this library (`SecuredPostgres`: its instances, `Pooler`:
 * its PgBouncer pods), a cdk8s-plus workload, `{ namespace, labels }`, a pod as the report names
 * it (`shop/web`, `shop/orders-db instances`), or a non-pod peer (`world:<ip>`,
 * `kube-apiserver`, `host`, `remote-node`, `ingress`, `unmanaged:<ip>`).
 */
export type TrafficEnd = string | PodSpec | object;

/** The flow a matcher checks. */
export interface TrafficQuery {
  readonly from: TrafficEnd;
  readonly to: TrafficEnd;
  /** Destination port (not for ICMP). */
  readonly port?: number;
  /** @default 'TCP' */
  readonly proto?: FlowProto;
  /** An HTTP request on the connection: checks the L7 rules too. */
  readonly http?: HttpRequestSpec;
  /** A DNS query name carried by the flow (to a DNS server). */
  readonly dns?: string;
  /** Agent settings (`version`, `allowLocalhost`, ...). @default Cilium 1.19 defaults */
  readonly env?: Partial<VerifyEnv>;
}

/** The outcome of a query, for custom assertions. */
export interface TrafficVerdict {
  readonly verdict: FlowResult['verdict'];
  readonly result: FlowResult;
  /** How the ends were named in the evaluation. */
  readonly src: string;
  readonly dst: string;
  /** `CiliumNetworkPolicy ns/name spec.ingress[1]`, when a policy decided. */
  readonly decidingPolicy?: string;
  /** Objects of the chart that change enforcement but that the verdict does not include (host policies, egress gateways, ...). */
  readonly notEvaluated: readonly string[];
}

/** Synthesized manifest objects of a chart, an app, or a list of objects. */
export function manifestsOf(subject: any): any[] {
  if (Array.isArray(subject)) return subject;
  if (subject && typeof subject.toJson === 'function' && subject.node) return subject.toJson();
  if (subject && Array.isArray(subject.charts)) return subject.charts.flatMap((c: any) => c.toJson());
  throw new Error('expected a cdk8s Chart, an App or a list of manifest objects');
}

function chartNamespace(c: any): string | undefined {
  // constructs' Chart.of without importing cdk8s: walk up to the closest chart with a namespace
  let cur = c?.node;
  while (cur) {
    const s = cur.host;
    if (s && typeof s.namespace === 'string' && typeof s.toJson === 'function' && Array.isArray(s.apiObjects)) return s.namespace;
    cur = cur.scope?.node;
  }
  return undefined;
}

function podLabel(labels: Readonly<Record<string, string>>, ns: string): string {
  const keys = Object.keys(labels).sort();
  return `${keys.length ? `pods ${keys.map((k) => `${k}=${labels[k]}`).join(',')}` : 'any pod'} (${ns})`;
}

interface Resolved {
  readonly name: string;
  readonly endpoint?: EndpointDef;
}

function resolveEnd(end: TrafficEnd, pods: readonly EndpointDef[]): Resolved {
  if (typeof end === 'string') {
    return { name: end };
  }
  const e: any = end;
  if (!e || typeof e !== 'object') throw new Error(`not a flow end: ${JSON.stringify(end)}`);
  // SecuredPostgres: its instances
  if (e.instanceSelector && typeof e.name === 'string' && typeof e.namespace === 'string') {
    return { name: `${e.namespace}/${e.name} instances` };
  }
  // Pooler: its PgBouncer pods
  if (e.type !== undefined && e.selector && typeof e.name === 'string' && typeof e.namespace === 'string' && e.serviceHost) {
    return { name: `${e.namespace}/${e.name} pooler` };
  }
  // cdk8s-plus workload or pod
  if (typeof e.toPodSelectorConfig === 'function' && e.metadata) {
    const ns = e.metadata.namespace ?? chartNamespace(e) ?? 'default';
    const name = `${ns}/${e.name}`;
    if (pods.some((p) => p.name === name)) return { name };
    const labels: Record<string, string> = e.matchLabels ?? {};
    return { name: podLabel(labels, ns), endpoint: { name: podLabel(labels, ns), namespace: ns, labels } };
  }
  if (typeof e.namespace === 'string' && e.labels && typeof e.labels === 'object') {
    const name = podLabel(e.labels, e.namespace);
    return { name, endpoint: { name, namespace: e.namespace, labels: { ...e.labels }, serviceAccount: e.serviceAccount } };
  }
  throw new Error(`not a flow end: ${JSON.stringify(end)}; give { namespace, labels }, a pod name, a peer such as 'world:203.0.113.10', or a construct`);
}

/** Evaluates one flow against the policies of `subject` (a Chart, an App or manifest objects). */
export function evaluateTraffic(subject: any, query: TrafficQuery): TrafficVerdict {
  const objects = manifestsOf(subject);
  const pods: EndpointDef[] = podsFromManifests(objects).map((p) => ({
    name: p.name, namespace: p.namespace, labels: p.labels, serviceAccount: p.serviceAccount, namedPorts: p.namedPorts,
  }));
  const src = resolveEnd(query.from, pods);
  let dst = resolveEnd(query.to, pods);
  const extra: EndpointDef[] = [];
  for (const r of [src, dst]) if (r.endpoint && !extra.some((x) => x.name === r.name)) extra.push(r.endpoint);
  // traffic between two pods of the same workload: evaluate against a second replica
  if (src.name === dst.name) {
    const base = [...pods, ...extra].find((p) => p.name === dst.name);
    if (base) {
      const twin = { ...base, name: `${base.name} (another replica)` };
      extra.push(twin);
      dst = { name: twin.name, endpoint: twin };
    }
  }
  const all = [...pods, ...extra.filter((x) => !pods.some((p) => p.name === x.name))];
  const engine = new PolicyEngine(objects, { env: query.env, endpoints: all });
  for (const [r, role] of [[src, 'from'], [dst, 'to']] as const) {
    if (!engine.resolvePeer(r.name)) {
      const known = pods.map((p) => p.name).sort();
      throw new Error(`unknown ${role} ${JSON.stringify(r.name)}: the chart has the pods ${known.length ? known.join(', ') : '(none)'}; ` +
        'give { namespace, labels } for other pods, or a peer such as world:203.0.113.10, kube-apiserver, host, remote-node, ingress');
    }
  }
  const flow: FlowInput = {
    src: src.name,
    dst: dst.name,
    proto: query.proto ?? 'TCP',
    port: query.port,
    http: query.http,
    dns: query.dns,
  };
  const result = engine.explain(flow);
  const decidingPolicy = result.policy ? `${formatPolicyRef(result.policy)}${result.rule ? ` ${result.rule}` : ''}` : undefined;
  return {
    verdict: result.verdict, result, src: src.name, dst: dst.name.replace(/ \(another replica\)$/, ''), decidingPolicy,
    notEvaluated: engine.unevaluated.map((u) => u.message),
  };
}

function describeFlow(q: TrafficQuery, v: TrafficVerdict): string {
  const what = q.http ? `${q.http.method ?? 'GET'} ${q.http.path ?? '/'} on ` : q.dns ? `DNS ${q.dns} on ` : '';
  return `${what}${q.proto ?? 'TCP'}${q.port !== undefined ? `/${q.port}` : ''} from ${v.src} to ${v.dst}`;
}

function explanation(v: TrafficVerdict): string {
  const lines = [`  ${v.result.reason}`];
  if (v.decidingPolicy) lines.push(`  deciding policy: ${v.decidingPolicy}`);
  for (const d of [v.result.egress, v.result.ingress]) {
    if (!d) continue;
    const where = d.policy ? ` by ${formatPolicyRef(d.policy)}${d.rule ? ` ${d.rule}` : ''}` : '';
    lines.push(`  ${d.direction}: ${d.verdict}${where}${d.enforced ? '' : ' (not enforced: no policy with this direction selects the pod)'}`);
  }
  for (const u of v.notEvaluated) lines.push(`  warning: ${u}`);
  return lines.join('\n');
}

type MatcherResult = { pass: boolean; message: () => string };

function check(received: any, query: TrafficQuery, want: 'allow' | 'deny', isNot: boolean): MatcherResult {
  let v: TrafficVerdict;
  try {
    v = evaluateTraffic(received, query);
  } catch (e: any) {
    return { pass: isNot, message: () => `cannot evaluate the flow: ${e && e.message ? e.message : e}` };
  }
  const allowed = v.verdict === 'ALLOW';
  const pass = want === 'allow' ? allowed : !allowed;
  const expected = want === 'allow' ? 'allowed' : 'denied';
  return {
    pass,
    message: () => (pass
      ? `expected ${describeFlow(query, v)} not to be ${expected}, but it is ${v.verdict}\n${explanation(v)}`
      : `expected ${describeFlow(query, v)} to be ${expected}, but it is ${v.verdict}\n${explanation(v)}`),
  };
}

/** The matchers, for `expect.extend(ciliumMatchers)`. */
export const ciliumMatchers = {
  /** Passes when the flow is forwarded (verdict ALLOW). */
  toAllowTraffic(this: { isNot?: boolean } | void, received: any, query: TrafficQuery): MatcherResult {
    return check(received, query, 'allow', !!(this && (this as any).isNot));
  },
  /** Passes when the flow is dropped at L3/L4 or its request refused at L7 (DROP or L7_DENY). */
  toDenyTraffic(this: { isNot?: boolean } | void, received: any, query: TrafficQuery): MatcherResult {
    return check(received, query, 'deny', !!(this && (this as any).isNot));
  },
};

/** Registers `toAllowTraffic` and `toDenyTraffic` with jest's global `expect`. */
export function installCiliumMatchers(): void {
  const g: any = globalThis as any;
  if (!g.expect || typeof g.expect.extend !== 'function') {
    throw new Error('installCiliumMatchers() must run inside jest (no global expect.extend)');
  }
  g.expect.extend(ciliumMatchers);
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace jest {
    interface Matchers<R, T = {}> {
      /** The flow is forwarded by the chart's Cilium policies (verdict ALLOW). */
      toAllowTraffic(query: TrafficQuery): R;
      /** The flow is dropped, or its request refused at L7, by the chart's Cilium policies. */
      toDenyTraffic(query: TrafficQuery): R;
    }
  }
}

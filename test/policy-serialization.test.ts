/**
 * A policy serializes its spec directly (sorted keys, no cdk8s token resolution) unless the app
 * has resolvers of its own or CDK8S_DISABLE_SORT is set; every path gives the manifest cdk8s
 * would give, and JSON patches apply to the rendered spec.
 */
import { App, Chart, IResolver, JsonPatch, ResolutionContext, Testing } from 'cdk8s';
import { CiliumClusterwidePolicy, CiliumPolicy, HttpPath, HttpRule, Peer, PodSelector, Port } from '../src';

function policy(chart: Chart): CiliumPolicy {
  const p = new CiliumPolicy(chart, 'Api', { namespace: 'shop', selector: PodSelector.labels({ app: 'api', tier: 'b' }), isolateEgress: true });
  p.allowIngress({ peers: [Peer.pods(PodSelector.labels({ app: 'web' }), 'shop')], ports: [Port.tcp(8080)], http: [HttpRule.get(HttpPath.prefix('/v1/'))] });
  p.allowEgress({ peers: [Peer.cidr('192.0.2.0/24')], ports: [Port.tcp(443), Port.tcpRange(9000, 9100)] });
  return p;
}

/** Keys of every object, in order, depth first. */
function keyOrder(v: any, out: string[] = []): string[] {
  if (Array.isArray(v)) {
    v.forEach((x) => keyOrder(x, out));
  } else if (v && typeof v === 'object') {
    for (const k of Object.keys(v)) {
      out.push(k);
      keyOrder(v[k], out);
    }
  }
  return out;
}

class UpperCaseHttpPaths implements IResolver {
  public resolve(context: ResolutionContext): void {
    if (context.key[context.key.length - 1] === 'path' && typeof context.value === 'string' && context.value !== context.value.toUpperCase()) {
      context.replaceValue(context.value.toUpperCase());
    }
  }
}

describe('policy serialization', () => {
  test('the direct path gives the manifest of the cdk8s path, byte for byte, with sorted keys', () => {
    const direct = Testing.synth(((): Chart => { const c = Testing.chart(); policy(c); return c; })());
    const prev = process.env.CDK8S_DISABLE_SORT;
    let slow: any[];
    try {
      // the cdk8s path, without key sorting: same data, other key order
      process.env.CDK8S_DISABLE_SORT = '1';
      slow = Testing.synth(((): Chart => { const c = Testing.chart(); policy(c); return c; })());
    } finally {
      if (prev === undefined) delete process.env.CDK8S_DISABLE_SORT; else process.env.CDK8S_DISABLE_SORT = prev;
    }
    expect(direct).toEqual(slow);
    const keys = keyOrder(direct[0].spec);
    expect(keys).toContain('toCIDRSet');
    // every object's keys in direct output are sorted
    const check = (v: any): void => {
      if (Array.isArray(v)) return v.forEach(check);
      if (v && typeof v === 'object') {
        const k = Object.keys(v);
        expect(k).toEqual([...k].sort());
        k.forEach((x) => check(v[x]));
      }
    };
    check(direct[0]);
    expect(Object.keys(direct[0])).toEqual(['apiVersion', 'kind', 'metadata', 'spec']);
  });

  test('an app with resolvers of its own has them applied to the spec', () => {
    const app = new App({ outdir: Testing.app().outdir, resolvers: [new UpperCaseHttpPaths()] });
    const chart = new Chart(app, 'c');
    policy(chart);
    const [obj] = Testing.synth(chart);
    expect(obj.spec.ingress[0].toPorts[0].rules.http[0].path).toBe('/V1(/.*)?');
  });

  test('JSON patches apply to the rendered spec and to the metadata', () => {
    const chart = Testing.chart();
    const p = policy(chart);
    p.addJsonPatch(JsonPatch.add('/spec/ingress/0/toPorts/0/ports/0/port', '8443'), JsonPatch.add('/metadata/annotations', { owner: 'team-a' }));
    const [obj] = Testing.synth(chart);
    expect(obj.spec.ingress[0].toPorts[0].ports[0].port).toBe('8443');
    expect(obj.metadata.annotations).toEqual({ owner: 'team-a' });
  });

  test('a patch or a change to one manifest never reaches another policy sharing the same peer', () => {
    const chart = Testing.chart();
    const web = Peer.pods(PodSelector.labels({ app: 'web' }), 'shop');
    const a = new CiliumPolicy(chart, 'A', { namespace: 'shop', selector: PodSelector.labels({ app: 'a' }) });
    const b = new CiliumPolicy(chart, 'B', { namespace: 'shop', selector: PodSelector.labels({ app: 'b' }) });
    a.allowIngress({ peers: [web], ports: [Port.tcp(80)] });
    b.allowIngress({ peers: [web], ports: [Port.tcp(80)] });
    a.addJsonPatch(JsonPatch.replace('/spec/ingress/0/fromEndpoints/0/matchLabels/app', 'patched'));
    const first = a.toJson();
    first.spec.ingress[0].fromEndpoints[0].matchLabels.extra = 'changed by a caller';
    const [pa, pb] = Testing.synth(chart);
    expect(pa.spec.ingress[0].fromEndpoints[0].matchLabels).toEqual({ 'app': 'patched', 'k8s:io.kubernetes.pod.namespace': 'shop' });
    expect(pb.spec.ingress[0].fromEndpoints[0].matchLabels).toEqual({ 'app': 'web', 'k8s:io.kubernetes.pod.namespace': 'shop' });
  });

  test('a cluster-wide policy in a chart with a namespace has none', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'c', { namespace: 'shop' });
    const p = new CiliumClusterwidePolicy(chart, 'Cw', { selector: PodSelector.labels({ app: 'x' }), isolateIngress: true });
    expect(p.apiObject).toBe(p);
    const [obj] = Testing.synth(chart);
    expect(obj.kind).toBe('CiliumClusterwideNetworkPolicy');
    expect(obj.metadata.namespace).toBeUndefined();
    expect(obj.spec).toEqual(expect.objectContaining({ endpointSelector: { matchLabels: { app: 'x' } }, ingress: [{}] }));
  });
});

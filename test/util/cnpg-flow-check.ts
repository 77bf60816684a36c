import { createEngine, parseScenarioObject, PolicyEngine } from '../../src/verify';

/**
 * Flow verdicts come from the project's verifier (src/verify, full Cilium semantics); the
 * structural helpers below (`selecting`, `isolated`) are a deliberately small L3/L4 reading of CiliumNetworkPolicies for the SecuredPostgres and
 * Pooler tests, used until the project's verifier (src/verify) is available. It implements the
 * subset of Cilium semantics these policies use (reference/cilium-semantics.md §2, §4, §5, §15):
 * per-direction default deny triggered by a non-empty section of any selecting policy,
 * implicit namespace on subjects and on peer selectors without a namespace key, entities
 * kube-apiserver/host/remote-node/world/cluster/all, CIDR and FQDN peers (FQDN only when the
 * source has a DNS rule), numeric ports with TCP/UDP/ANY, local host always allowed
 * (allow-localhost=always), deny sections and enableDefaultDeny: false are refused (never
 * generated here). L7 rules other than DNS are not evaluated.
 */
export interface Endpoint {
  namespace: string;
  labels: { [k: string]: string };
  ip?: string;
}

export interface Flow {
  src: string;
  dst: string;
  proto: string;
  port?: number;
  expect?: string;
}

const NS = 'io.kubernetes.pod.namespace';

function strip(key: string): string {
  return key.replace(/^(k8s|any):/, '');
}

function endpointLabels(ep: Endpoint): { [k: string]: string } {
  const out: { [k: string]: string } = {};
  for (const k of Object.keys(ep.labels ?? {})) {
    out[strip(k)] = ep.labels[k];
  }
  out[NS] = ep.namespace;
  return out;
}

function matches(selector: any, labels: { [k: string]: string }, defaultNs?: string): boolean {
  const ml: { [k: string]: string } = {};
  for (const k of Object.keys(selector?.matchLabels ?? {})) {
    ml[strip(k)] = selector.matchLabels[k];
  }
  const exprs = (selector?.matchExpressions ?? []).map((e: any) => ({ ...e, key: strip(e.key) }));
  const hasNs = NS in ml || exprs.some((e: any) => e.key === NS);
  if (defaultNs !== undefined && !hasNs) {
    ml[NS] = defaultNs;
  }
  for (const k of Object.keys(ml)) {
    if (labels[k] !== ml[k]) {
      return false;
    }
  }
  for (const e of exprs) {
    const has = e.key in labels;
    switch (e.operator) {
      case 'Exists': if (!has) return false; break;
      case 'DoesNotExist': if (has) return false; break;
      case 'In': if (!has || !e.values.includes(labels[e.key])) return false; break;
      case 'NotIn': if (has && e.values.includes(labels[e.key])) return false; break;
      default: throw new Error(`unsupported operator ${e.operator}`);
    }
  }
  return true;
}

function ipInCidr(ip: string, cidr: string): boolean {
  const [net, bits] = cidr.split('/');
  const toInt = (s: string) => s.split('.').reduce((a, o) => (a << 8) + Number(o), 0) >>> 0;
  const mask = Number(bits) === 0 ? 0 : (~0 << (32 - Number(bits))) >>> 0;
  return ((toInt(ip) & mask) >>> 0) === ((toInt(net) & mask) >>> 0);
}

type Peer = { kind: 'pod'; name: string; ep: Endpoint } | { kind: 'entity'; name: string; ip?: string };

export class FlowChecker {
  private readonly policies: any[];
  private readonly engine: PolicyEngine;

  constructor(
    manifests: any[],
    private readonly endpoints: { [name: string]: Endpoint },
    private readonly dns: { [name: string]: string[] } = {},
  ) {
    this.policies = manifests.filter((m) => m.kind === 'CiliumNetworkPolicy');
    this.engine = createEngine(parseScenarioObject({ endpoints, dns, flows: [] }, 'cnpg-flow-check'), manifests);
    for (const p of this.policies) {
      if (p.spec.ingressDeny || p.spec.egressDeny) {
        throw new Error(`${p.metadata.name}: deny sections are not supported by this checker`);
      }
      if (p.spec.enableDefaultDeny && p.spec.enableDefaultDeny.ingress === false) {
        throw new Error(`${p.metadata.name}: enableDefaultDeny.ingress false is not supported by this checker`);
      }
    }
  }

  /** The policies selecting a pod endpoint. */
  public selecting(ep: Endpoint): any[] {
    const labels = endpointLabels(ep);
    return this.policies.filter((p) => p.metadata.namespace === ep.namespace && matches(p.spec.endpointSelector, labels, ep.namespace));
  }

  /** Whether the pod is in default deny in the direction. */
  public isolated(ep: Endpoint, dir: 'ingress' | 'egress'): boolean {
    // a policy with enableDefaultDeny.<dir> false adds its allows without isolating the pods
    return this.selecting(ep).some((p) => (p.spec[dir] ?? []).length > 0 && p.spec.enableDefaultDeny?.[dir] !== false);
  }

  public verdict(flow: Flow): 'ALLOW' | 'DROP' {
    const scenario = parseScenarioObject({ endpoints: this.endpoints, dns: this.dns, flows: [flow] }, 'cnpg-flow-check');
    return this.engine.explain(scenario.flows[0]).verdict as 'ALLOW' | 'DROP';
  }

  /** The interim evaluator's verdict, kept for comparison. */
  public simpleVerdict(flow: Flow): 'ALLOW' | 'DROP' {
    const src = this.peer(flow.src);
    const dst = this.peer(flow.dst);
    if (src.kind === 'pod' && !this.allowedDir(src.ep, 'egress', dst, flow)) {
      return 'DROP';
    }
    if (dst.kind === 'pod') {
      if (src.kind === 'entity' && src.name === 'host') {
        return 'ALLOW';
      }
      if (!this.allowedDir(dst.ep, 'ingress', src, flow)) {
        return 'DROP';
      }
    }
    return 'ALLOW';
  }

  private peer(name: string): Peer {
    if (this.endpoints[name]) {
      return { kind: 'pod', name, ep: this.endpoints[name] };
    }
    if (name.startsWith('world:')) {
      return { kind: 'entity', name: 'world', ip: name.slice(6) };
    }
    if (['kube-apiserver', 'host', 'remote-node', 'health', 'ingress'].includes(name)) {
      return { kind: 'entity', name };
    }
    throw new Error(`unknown flow peer ${name}`);
  }

  private allowedDir(subject: Endpoint, dir: 'ingress' | 'egress', other: Peer, flow: Flow): boolean {
    const policies = this.selecting(subject);
    if (!policies.some((p) => (p.spec[dir] ?? []).length > 0)) {
      return true;
    }
    for (const p of policies) {
      for (const rule of p.spec[dir] ?? []) {
        if (this.ruleMatches(p, subject, rule, dir, other, flow)) {
          return true;
        }
      }
    }
    return false;
  }

  private ruleMatches(policy: any, subject: Endpoint, rule: any, dir: 'ingress' | 'egress', other: Peer, flow: Flow): boolean {
    const pre = dir === 'ingress' ? 'from' : 'to';
    const ns = policy.metadata.namespace;
    let l3 = false;
    const endpoints = rule[`${pre}Endpoints`];
    const entities: string[] | undefined = rule[`${pre}Entities`];
    const cidrs = rule[`${pre}CIDRSet`] ?? rule[`${pre}CIDR`];
    const fqdns = dir === 'egress' ? rule.toFQDNs : undefined;
    if (!endpoints && !entities && !cidrs && !fqdns) {
      return false; // `{}` or an L4-only rule; this checker does not expect L4-only rules
    }
    if (endpoints && other.kind === 'pod') {
      l3 = endpoints.some((s: any) => matches(s, endpointLabels(other.ep), ns));
    }
    if (entities && !l3) {
      const name = other.kind === 'pod' ? 'pod' : other.name;
      l3 = entities.includes('all')
        || (entities.includes('cluster') && name !== 'world')
        || entities.includes(name)
        || (entities.includes('remote-node') && name === 'kube-apiserver');
    }
    if (cidrs && !l3 && other.kind === 'entity' && other.ip) {
      l3 = cidrs.some((c: any) => ipInCidr(other.ip!, typeof c === 'string' ? c : c.cidr) && !(c.except ?? []).some((e: string) => ipInCidr(other.ip!, e)));
    }
    if (fqdns && !l3 && other.kind === 'entity' && other.ip && this.hasDnsProxy(subject)) {
      l3 = fqdns.some((f: any) => Object.keys(this.dns).some((name) => this.dns[name].includes(other.ip!)
        && (f.matchName ? f.matchName === name : new RegExp(`^${f.matchPattern.replace(/\./g, '\\.').replace(/\*/g, '[-a-z0-9_]*')}$`).test(name))));
    }
    if (!l3) {
      return false;
    }
    const toPorts = rule.toPorts;
    if (!toPorts || toPorts.length === 0) {
      return true;
    }
    return toPorts.some((tp: any) => (tp.ports ?? []).some((pp: any) => {
      const port = Number(pp.port);
      const end = pp.endPort !== undefined ? Number(pp.endPort) : port;
      const proto = pp.protocol ?? 'ANY';
      return (proto === 'ANY' || proto === flow.proto) && (port === 0 || (flow.port! >= port && flow.port! <= end));
    }));
  }

  private hasDnsProxy(subject: Endpoint): boolean {
    return this.selecting(subject).some((p) => (p.spec.egress ?? []).some((r: any) => (r.toPorts ?? []).some((tp: any) => (tp.rules?.dns ?? []).length > 0)));
  }
}

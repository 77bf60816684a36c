/**
 * jsii-friendly facade of the offline Cilium policy verifier (usable from Python, Java, .NET
 * and Go through the generated bindings).
 */
import { PolicyEngine } from './engine';
import { createEngine, runScenario } from './index';
import { loadManifests, parseManifests } from './intake/manifests';
import { DEFAULT_ENV, EndpointDef, FlowInput, formatPolicyRef, NamespaceDef, ServiceDef, VerifyEnv } from './model';
import { loadScenario } from './scenario';

/** Outcome of a flow. */
export enum Verdict {
  /** The packet is forwarded (for HTTP/DNS flows: the request is accepted). */
  ALLOW = 'ALLOW',
  /** The datapath drops it at L3/L4. */
  DROP = 'DROP',
  /** The connection is accepted but the request is refused (HTTP 403, DNS REFUSED). */
  L7_DENY = 'L7_DENY',
}

/** Protocol of a flow. */
export enum FlowProtocol {
  TCP = 'TCP',
  UDP = 'UDP',
  SCTP = 'SCTP',
  /** ICMP (ICMPv6 when an end has an IPv6 address). */
  ICMP = 'ICMP',
}

/** Cilium's `policyEnforcementMode`. */
export enum PolicyEnforcementMode {
  DEFAULT = 'default',
  ALWAYS = 'always',
  NEVER = 'never',
}

/** A pod managed by Cilium. */
export interface VerifierEndpoint {
  readonly name: string;
  /** @default "default" */
  readonly namespace?: string;
  readonly labels?: { [key: string]: string };
  /** @default "default" */
  readonly serviceAccount?: string;
  readonly ip?: string;
  /** Container ports by name, "<port>/<protocol>". */
  readonly namedPorts?: { [name: string]: string };
}

/** Labels of a namespace. */
export interface VerifierNamespace {
  readonly name: string;
  readonly labels?: { [key: string]: string };
}

/** A Kubernetes Service, for `toServices` rules. */
export interface VerifierService {
  readonly name: string;
  /** @default "default" */
  readonly namespace?: string;
  /** Pod selector; without it the service is backed by `endpoints`. */
  readonly selector?: { [key: string]: string };
  readonly endpoints?: string[];
  readonly labels?: { [key: string]: string };
}

/** Cluster settings and workloads the verdicts are computed for. */
export interface VerifierOptions {
  /** Cilium minor version, "1.16" .. "1.19". @default "1.19" */
  readonly version?: string;
  /** @default PolicyEnforcementMode.DEFAULT */
  readonly policyEnforcementMode?: PolicyEnforcementMode;
  /** `allowLocalhost: always` (true) or `policy` (false). @default true */
  readonly allowLocalhostAlways?: boolean;
  /** @default true */
  readonly enableNonDefaultDenyPolicies?: boolean;
  /** @default true */
  readonly enableL7Proxy?: boolean;
  /** @default "default" */
  readonly clusterName?: string;
  /** `policyCidrMatchMode: nodes`. @default false */
  readonly policyCidrMatchNodes?: boolean;
  /** Node IPs by peer name (`host`, `remote-node`). */
  readonly nodeIps?: { [peer: string]: string };
  readonly endpoints?: VerifierEndpoint[];
  readonly namespaces?: VerifierNamespace[];
  readonly services?: VerifierService[];
  /** What names resolve to, for toFQDNs rules. */
  readonly dns?: { [name: string]: string[] };
}

/** An HTTP request carried by a flow. */
export interface FlowHttpRequest {
  /** @default "GET" */
  readonly method?: string;
  /** @default "/" */
  readonly path?: string;
  readonly host?: string;
  readonly headers?: { [name: string]: string };
}

/** A flow between two endpoints or peers (`world:<ip>`, `host`, `remote-node`, `kube-apiserver`, `health`, `ingress`, `unmanaged:<ip>`, `init`). */
export interface FlowSpec {
  readonly src: string;
  readonly dst: string;
  readonly protocol: FlowProtocol;
  /** Destination port (ICMP: the ICMP type; default echo request). */
  readonly port?: number;
  readonly http?: FlowHttpRequest;
  /** DNS query name carried to a DNS server. */
  readonly dnsName?: string;
}

/** The verdict of a flow and why. */
export interface FlowVerdict {
  readonly verdict: Verdict;
  readonly reason: string;
  /** The deciding policy, e.g. `CiliumNetworkPolicy default/x`. */
  readonly policy?: string;
  /** The deciding rule inside the policy, e.g. `spec.ingress[0]`. */
  readonly rule?: string;
  /** `ingress` or `egress`: the side that decided. */
  readonly direction?: string;
  /** Policies that exist but have no effect on this flow's ends, and pruned fields. */
  readonly notes: string[];
}

/** A flow of a scenario file with its outcome. */
export interface ScenarioFlowResult {
  readonly index: number;
  readonly flow: FlowSpec;
  readonly verdict: FlowVerdict;
  /** The verdict the scenario expects, when it has one. */
  readonly expected?: Verdict;
  /** Whether the verdict matches `expected` (true when nothing is expected). */
  readonly ok: boolean;
}

function toEnv(o: VerifierOptions): VerifyEnv {
  return {
    ...DEFAULT_ENV,
    version: o.version ?? DEFAULT_ENV.version,
    policyEnforcementMode: o.policyEnforcementMode ?? 'default',
    allowLocalhost: o.allowLocalhostAlways === false ? 'policy' : 'always',
    enableNonDefaultDenyPolicies: o.enableNonDefaultDenyPolicies ?? true,
    enableL7Proxy: o.enableL7Proxy ?? true,
    clusterName: o.clusterName ?? 'default',
    policyCidrMatchMode: o.policyCidrMatchNodes ? 'nodes' : '',
    nodes: o.nodeIps ?? DEFAULT_ENV.nodes,
  } as VerifyEnv;
}

function toFlowInput(f: FlowSpec): FlowInput {
  return { src: f.src, dst: f.dst, proto: f.protocol, port: f.port, http: f.http, dns: f.dnsName };
}

function fromFlowInput(f: FlowInput): FlowSpec {
  return {
    src: f.src,
    dst: f.dst,
    protocol: f.proto === 'ICMPV6' ? FlowProtocol.ICMP : (f.proto as FlowProtocol),
    port: f.port,
    http: f.http,
    dnsName: f.dns,
  };
}

/** Evaluates flows against CiliumNetworkPolicy / CiliumClusterwideNetworkPolicy manifests offline, with Cilium's semantics. */
export class Verifier {
  /** A verifier for manifests given as objects (other kinds are ignored). */
  public static fromManifests(objects: any[], options: VerifierOptions = {}): Verifier {
    const namespaces: Record<string, NamespaceDef> = {};
    for (const n of options.namespaces ?? []) namespaces[n.name] = { labels: n.labels ?? {} };
    const endpoints: EndpointDef[] = (options.endpoints ?? []).map((e) => ({
      name: e.name,
      namespace: e.namespace ?? 'default',
      labels: e.labels ?? {},
      serviceAccount: e.serviceAccount,
      ip: e.ip,
      namedPorts: e.namedPorts,
    }));
    const services: ServiceDef[] = (options.services ?? []).map((s) => ({
      name: s.name,
      namespace: s.namespace ?? 'default',
      selector: s.selector,
      endpoints: s.endpoints,
      labels: s.labels,
    }));
    const scenario = {
      env: toEnv(options),
      policies: [],
      namespaces,
      endpoints,
      services,
      dns: options.dns ?? {},
      flows: [],
    };
    return new Verifier(createEngine(scenario, objects.map((object) => ({ object }))), []);
  }

  /** A verifier for manifests given as (multi-document) YAML text. */
  public static fromYaml(yaml: string, options: VerifierOptions = {}): Verifier {
    return Verifier.fromManifests(
      parseManifests(yaml).map((m) => m.object),
      options,
    );
  }

  /** A verifier for a scenario file (its env, workloads and inline policies) plus manifest files or folders. */
  public static fromScenarioFile(scenarioPath: string, manifestPaths: string[] = []): Verifier {
    const scenario = loadScenario(scenarioPath);
    const engine = createEngine(scenario, loadManifests(manifestPaths));
    return new Verifier(engine, scenario.flows.map((f) => f));
  }

  private readonly engine: PolicyEngine;
  private readonly flows: FlowInput[];

  private constructor(engine: PolicyEngine, flows: FlowInput[]) {
    this.engine = engine;
    this.flows = flows;
  }

  /** The verdict of one flow, the deciding policy and rule, and the reason. */
  public explain(flow: FlowSpec): FlowVerdict {
    const r = this.engine.explain(toFlowInput(flow));
    return {
      verdict: r.verdict as Verdict,
      reason: r.reason,
      policy: r.policy ? formatPolicyRef(r.policy) : undefined,
      rule: r.rule,
      direction: r.decidedBy,
      notes: [...r.notes],
    };
  }

  /** Whether the flow gets the expected verdict. */
  public check(flow: FlowSpec, expected: Verdict): boolean {
    return this.explain(flow).verdict === expected;
  }

  /** Every flow of the scenario the verifier was created from, with its outcome. */
  public runScenarioFlows(): ScenarioFlowResult[] {
    const report = runScenario({ env: this.engine.env, policies: [], namespaces: {}, endpoints: [], services: [], dns: {}, flows: this.flows }, [], this.engine);
    return report.outcomes.map((o) => ({
      index: o.index,
      flow: fromFlowInput(o.flow),
      verdict: {
        verdict: o.result.verdict as Verdict,
        reason: o.result.reason,
        policy: o.result.policy ? formatPolicyRef(o.result.policy) : undefined,
        rule: o.result.rule,
        direction: o.result.decidedBy,
        notes: [...o.result.notes],
      },
      expected: o.flow.expect as Verdict | undefined,
      ok: o.ok ?? true,
    }));
  }

  /** Policies (`Kind namespace/name`) whose rules select the endpoint. */
  public policiesSelecting(endpoint: string): string[] {
    return this.engine.policiesSelecting(endpoint).map(formatPolicyRef);
  }

  /** Policies that exist but have no effect (rejected by the API server or the agent), with the reason. */
  public get inertPolicies(): string[] {
    return this.engine.inert.map((i) => i.message);
  }

  /** The Cilium version the verdicts are for. */
  public get version(): string {
    return this.engine.env.version;
  }
}

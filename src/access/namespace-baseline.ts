import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { DnsServer } from '../common/dns-server';
import { _OutputOrder } from '../common/output-order';
import { CiliumPolicy } from '../policy/cilium-policy';
import { _libraryPolicy } from '../policy/policy-base';
import { _inputError, _throwProblems } from '../policy/errors';
import { DnsRule } from '../policy/l7';
import { _checkNamespaceName } from '../policy/labels';
import { _joinName } from '../policy/names';
import { Peer } from '../policy/peer';
import { Port } from '../policy/port';
import { PodSelector } from '../policy/selector';
import { _recordBaseline } from './client-dns-check';

/** Props of a `NamespaceBaseline`. */
export interface NamespaceBaselineProps {
  /**
   * The namespace.
   * @default - the chart's namespace
   */
  readonly namespace?: string;
  /**
   * Put every pod of the namespace into ingress default deny.
   * @default true
   */
  readonly denyIngress?: boolean;
  /**
   * Put every pod of the namespace into egress default deny.
   * @default true
   */
  readonly denyEgress?: boolean;
  /**
   * Let every pod of the namespace query the cluster DNS, on port 53 over UDP and TCP.
   * @default true
   */
  readonly allowDns?: boolean;
  /**
   * The DNS servers.
   * @default [DnsServer.kubeDns()]
   */
  readonly dnsServers?: DnsServer[];
  /**
   * Send the namespace's DNS queries through Cilium's DNS proxy, every name admitted. Needed
   * when pods of the namespace reach names with `toFQDNs` rules that do not come with their own
   * DNS rule (a grant to `AccessTarget.fqdn()` brings one), and gives per-query visibility in
   * Hubble. DNS then depends on the agent's proxy being up.
   * @default false
   */
  readonly dnsVisibility?: boolean;
  /**
   * Names the pods reach by FQDN (`toFQDNs`): DNS queries go through Cilium's DNS proxy, which
   * learns their addresses. Every name stays resolvable; with `restrictDnsNames` only these.
   * @default - none; DNS is allowed at L4 without the proxy unless `dnsVisibility` is set
   */
  readonly fqdnEgress?: DnsRule[];
  /**
   * Admit only the `fqdnEgress` names at the DNS proxy; every other query is answered REFUSED.
   * List the cluster names the pods resolve too (e.g. `DnsRule.pattern('*.*.svc.cluster.local')`,
   * and the search-path expansions musl-based images try). A grant whose client is in this
   * namespace must then be declared with `clientDns: false`: its own DNS rule would widen this
   * one, and synthesis refuses it.
   * @default false
   */
  readonly restrictDnsNames?: boolean;
  /**
   * Keep traffic between pods of the namespace open (ingress from and egress to every pod of
   * the same namespace, every port).
   * @default false
   */
  readonly allowWithinNamespace?: boolean;
}

/**
 * Puts a namespace into ingress and egress default deny, with cluster DNS allowed; grants then
 * open exactly what is needed. The deny-all is Cilium's `ingress: [{}]` / `egress: [{}]`, not
 * the empty lists that deny nothing.
 *
 * @example
 * new NamespaceBaseline(chart, 'Backend', { namespace: 'backend' });
 */
export class NamespaceBaseline extends Construct {
  /** The namespace. */
  public readonly namespace: string;
  /** The default-deny policy, unless both directions are kept open. */
  public readonly denyPolicy?: CiliumPolicy;
  /** The DNS policy, unless DNS is turned off. */
  public readonly dnsPolicy?: CiliumPolicy;
  /** The within-namespace policy, with `allowWithinNamespace`. */
  public readonly withinNamespacePolicy?: CiliumPolicy;
  /** Whether the DNS proxy admits only the `fqdnEgress` names (`restrictDnsNames`). */
  public readonly dnsNamesRestricted: boolean;

  constructor(scope: Construct, id: string, props: NamespaceBaselineProps = {}) {
    super(scope, id);
    const ns = props.namespace ?? Chart.of(this).namespace;
    if (!ns) {
      throw _inputError(this, 'namespace', 'no namespace given and the chart has none', 'set the namespace prop');
    }
    const problems = _checkNamespaceName('namespace', ns);
    if (problems.length) {
      throw _inputError(this, problems[0].field, problems[0].problem, problems[0].fix);
    }
    this.namespace = ns;
    this.dnsNamesRestricted = !!props.restrictDnsNames;
    _recordBaseline(this);
    _OutputOrder.of(this).own(this);
    const denyIngress = props.denyIngress ?? true;
    const denyEgress = props.denyEgress ?? true;
    const allowDns = props.allowDns ?? true;
    const fqdn = props.fqdnEgress ?? [];
    if (!denyIngress && !denyEgress && !allowDns && !props.allowWithinNamespace) {
      throw _inputError(this, 'denyIngress/denyEgress/allowDns', 'every switch is off, the baseline would render nothing', 'keep at least one of them on, or drop the construct');
    }
    if (!allowDns && (fqdn.length > 0 || props.dnsVisibility || props.restrictDnsNames)) {
      throw _inputError(this, 'allowDns', 'DNS is turned off but fqdnEgress, dnsVisibility or restrictDnsNames asks for DNS rules', 'keep allowDns on, or drop the DNS options');
    }
    // Checked even when they only open the DNS proxy (restrictDnsNames off): a wrong name is
    // a mistake whichever way it is used.
    fqdn.forEach((d, i) => _throwProblems(this, '', d._problems(`fqdnEgress[${i}]`)));
    if (props.restrictDnsNames && fqdn.length === 0) {
      throw _inputError(this, 'restrictDnsNames', 'no name is listed in fqdnEgress, so every query would be refused', 'list the names the pods may resolve in fqdnEgress');
    }
    const all = `every pod of namespace ${ns}`;
    if (denyIngress || denyEgress) {
      const dirs = [denyIngress ? 'ingress' : '', denyEgress ? 'egress' : ''].filter(Boolean).join(' and ');
      this.denyPolicy = new CiliumPolicy(this, 'DefaultDeny', _libraryPolicy({
        name: _joinName([ns, 'default-deny']),
        namespace: ns,
        selector: PodSelector.all(),
        description: `${all}: default deny for ${dirs}; traffic is allowed only by other policies`,
        isolateIngress: denyIngress,
        isolateEgress: denyEgress,
      }));
    }
    if (allowDns) {
      const proxied = fqdn.length > 0 || !!props.dnsVisibility;
      const names = !proxied ? undefined : props.restrictDnsNames ? fqdn : [DnsRule.anyName()];
      const servers = props.dnsServers ?? [DnsServer.kubeDns()];
      const how = !proxied ? '' : props.restrictDnsNames
        ? ` through the DNS proxy, only ${fqdn.map((d) => d._render().matchName ?? d._render().matchPattern).join(', ')}`
        : ' through the DNS proxy, every name';
      const dnsProps = {
        name: _joinName([ns, 'allow-dns']),
        namespace: ns,
        selector: PodSelector.all(),
        description: `${all}: may query DNS (${servers.map((d) => `${d.selector._describe()} in ${d.namespace} on port ${d.port}`).join(', ')}, UDP and TCP)${how}`,
      };
      // Without a DNS server the policy has no rule: its checks at synthesis say so.
      this.dnsPolicy = new CiliumPolicy(this, 'Dns', servers.length > 0 ? _libraryPolicy(dnsProps) : dnsProps);
      for (const d of servers) {
        this.dnsPolicy.allowEgress({ peers: [Peer.pods(d.selector, d.namespace)], ports: [Port.anyProtocol(d.port)], dns: names });
      }
    }
    if (props.allowWithinNamespace) {
      const peer = Peer.allPodsInNamespace(ns);
      this.withinNamespacePolicy = new CiliumPolicy(this, 'WithinNamespace', _libraryPolicy({
        name: _joinName([ns, 'allow-within-namespace']),
        namespace: ns,
        selector: PodSelector.all(),
        description: `${all}: may reach, and be reached by, every pod of namespace ${ns} on every port`,
      }));
      this.withinNamespacePolicy.allowIngress({ peers: [peer] });
      this.withinNamespacePolicy.allowEgress({ peers: [peer] });
    }
  }
}

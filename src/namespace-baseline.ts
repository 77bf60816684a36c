import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { _inputError } from './policy/errors';
import { DnsRule } from './policy/l7';
import { _checkNamespaceName } from './policy/labels';
import { _joinName } from './policy/names';
import { Peer } from './policy/peer';
import { CiliumPolicy } from './policy/policy';
import { Port } from './policy/port';
import { PodSelector } from './policy/selector';
import { DnsServer } from './secured-postgres';

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
   * Let every pod of the namespace query the cluster DNS. The queries pass Cilium's DNS
   * proxy (a DNS rule admitting every name), which is what `toFQDNs` destinations need.
   * @default true
   */
  readonly allowDns?: boolean;
  /**
   * The DNS servers.
   * @default [DnsServer.kubeDns()]
   */
  readonly dnsServers?: DnsServer[];
  /**
   * Restrict the DNS names the pods may resolve (DNS rule patterns). Names the pods reach by
   * FQDN must be included.
   * @default - every name ("*")
   */
  readonly dnsNames?: DnsRule[];
}

/**
 * Puts a namespace into ingress and egress default deny, with cluster DNS allowed through
 * Cilium's DNS proxy. Grants then open exactly what is needed.
 */
export class NamespaceBaseline extends Construct {
  /** The namespace. */
  public readonly namespace: string;
  /** The deny-all policy. */
  public readonly denyPolicy?: CiliumPolicy;
  /** The DNS policy. */
  public readonly dnsPolicy?: CiliumPolicy;

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
    const denyIngress = props.denyIngress ?? true;
    const denyEgress = props.denyEgress ?? true;
    if (!denyIngress && !denyEgress && props.allowDns === false) {
      throw _inputError(this, 'denyIngress/denyEgress/allowDns', 'every switch is off, the baseline would render nothing', 'keep at least one of them on, or drop the construct');
    }
    if (denyIngress || denyEgress) {
      this.denyPolicy = new CiliumPolicy(this, 'DefaultDeny', {
        name: _joinName([ns, 'default-deny']),
        namespace: ns,
        selector: PodSelector.all(),
        description: `every pod of namespace ${ns}: default deny for ${[denyIngress ? 'ingress' : '', denyEgress ? 'egress' : ''].filter(Boolean).join(' and ')}`,
        isolateIngress: denyIngress,
        isolateEgress: denyEgress,
      });
    }
    if (props.allowDns ?? true) {
      this.dnsPolicy = new CiliumPolicy(this, 'Dns', {
        name: _joinName([ns, 'allow-dns']),
        namespace: ns,
        selector: PodSelector.all(),
      });
      for (const d of props.dnsServers ?? [DnsServer.kubeDns()]) {
        this.dnsPolicy.allowEgress({
          peers: [Peer.pods(d.selector, d.namespace)],
          ports: [Port.anyProtocol(d.port)],
          dns: props.dnsNames ?? [DnsRule.anyName()],
        });
      }
    }
  }
}

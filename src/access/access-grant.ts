import { Construct } from 'constructs';
import { DnsServer } from '../common/dns-server';
import { CiliumPolicy } from '../policy/cilium-policy';
import { _inputError } from '../policy/errors';
import { DnsRule, HttpRule } from '../policy/l7';
import { _checkNamespaceName } from '../policy/labels';
import { _joinName } from '../policy/names';
import { Port, Protocol } from '../policy/port';
import { AccessClient } from './access-client';
import { AccessTarget } from './access-target';
import { _recordDnsClient } from './client-dns-check';
import { _GrantRegistry } from './grant-registry';

/** Metadata type of the warnings grants record on their construct node. */
export const GRANT_WARNING = 'cdk8s-secured-postgres:warning';

/** Props of an `AccessGrant`. */
export interface AccessGrantProps {
  /** Who is granted access. */
  readonly client: AccessClient;
  /** What the client may reach. */
  readonly target: AccessTarget;
  /**
   * Ports opened.
   * @default - the target's default ports (5432 for a database or pooler)
   */
  readonly ports?: Port[];
  /**
   * HTTP requests allowed (TCP targets other than PostgreSQL only). Other requests get 403.
   * Enforced by the target pods' ingress rule (the client's egress rule stays L4, so requests
   * pass Cilium's proxy once); for FQDN, CIDR and entity targets, by the client's egress rule.
   * @default - the target's HTTP rules, if any; else no HTTP filtering
   */
  readonly http?: HttpRule[];
  /**
   * Set when the client's egress is managed elsewhere: only the target side is rendered.
   * @default false
   */
  readonly clientEgressManagedElsewhere?: boolean;
  /**
   * The DNS servers the client resolves names with (its egress to them is allowed).
   * @default [DnsServer.kubeDns()]
   */
  readonly dnsServers?: DnsServer[];
  /**
   * Allow the client pods to query DNS in their egress policy: on port 53 (UDP and TCP) for
   * pod, CIDR and entity targets; through Cilium's DNS proxy (every name admitted) for FQDN
   * targets, whose addresses are learnt from the answers. Turn it off when the client's DNS is
   * allowed elsewhere; required when the client's namespace has a `NamespaceBaseline` with
   * `restrictDnsNames` (the grant's DNS rule would widen that restriction, so synthesis fails).
   * FQDN targets then need a DNS rule admitting the name in another policy of the chart.
   * @default true
   */
  readonly clientDns?: boolean;
}

/**
 * "This client may reach that target", rendered on both sides: an ingress rule on the target
 * pods and an egress rule (plus DNS) on the client pods when the client is pods we can name.
 *
 * Policies are named `<target>-from-<client>` (in the target's namespace) and
 * `<client>-to-<target>` (in the client's), and their descriptions list what they allow.
 * Like any Cilium policy with an ingress or egress section, they put the pods they select into
 * default deny for that direction: the target then admits only granted clients, and a client
 * workload reaches only what it is granted (least privilege; use
 * `clientEgressManagedElsewhere` when its egress is written elsewhere). A whole-namespace client
 * (`allPodsOfNamespace`) is the exception: its egress rule opens the path without isolating
 * the namespace (`enableDefaultDeny.egress: false`); a `NamespaceBaseline` decides the rest.
 *
 * Grants between the same client and target merge into one policy per side, duplicates
 * collapse, and the output does not depend on the order grants are declared in.
 *
 * @example
 * new AccessGrant(chart, 'FlaskToDb', {
 *   client: AccessClient.fromWorkload(flask),
 *   target: AccessTarget.of(db),
 * });
 */
export class AccessGrant extends Construct {
  /** The policy on the target side, if any (shared with other grants to the same target from the same client). */
  public readonly targetPolicy?: CiliumPolicy;
  /** The policy on the client side, if any. */
  public readonly clientPolicy?: CiliumPolicy;

  constructor(scope: Construct, id: string, props: AccessGrantProps) {
    super(scope, id);
    const { client, target } = props;
    const ports = props.ports ?? target.defaultPorts;
    const http = props.http ?? target.defaultHttp;
    if (ports.length === 0) {
      throw _inputError(this, 'ports', 'no port given and the target has no default port', 'name the ports, e.g. ports: [Port.tcp(8080)]');
    }
    if (http.length > 0 && target._postgres) {
      throw _inputError(this, 'http', `HTTP rules towards the PostgreSQL target "${target.name}"`,
        'Cilium has no PostgreSQL L7 parser: PostgreSQL can only be restricted at L3/L4 (who may connect, on which port); drop the HTTP rules');
    }
    for (const p of http.length > 0 ? ports : []) {
      if (p.protocol !== Protocol.TCP) {
        throw _inputError(this, 'http', `HTTP rules on ${p}: Cilium applies L7 rules to TCP ports only (not UDP, SCTP or ANY)`,
          'open the port with Port.tcp(), or grant the non-TCP port in a separate grant without HTTP rules');
      }
    }
    // Report problems of the two ends with this grant's path, not the generated policy's.
    for (const [end, problems] of [['client', client._peer()._problems], ['target', target._peer()._problems]] as const) {
      if (problems.length > 0) {
        throw _inputError(this, `${end} ${problems[0].field}`, problems[0].problem, problems[0].fix);
      }
    }
    if (client._hasPods && target._isPods && client.namespace === target.namespace && client.selector!._json === target.selector!._json) {
      throw _inputError(this, 'client', `the client and the target are the same pods (${target.selector!._describe()} in ${target.namespace})`,
        'a grant connects two different sets of pods; pods reaching each other need a rule of their own (CiliumPolicy with Peer.pods)');
    }
    if (!target._isPods && !client._hasPods) {
      throw _inputError(this, 'client', `an egress-only target (${target.name}) needs a client whose pods can be named`, 'use AccessClient.fromWorkload(), fromPods(), podsInNamespace() or allPodsOfNamespace()');
    }
    if (!target._isPods && props.clientEgressManagedElsewhere) {
      throw _inputError(this, 'clientEgressManagedElsewhere', `the target ${target.name} is egress-only, so the grant would render nothing`, 'drop the grant, or let it render the client\'s egress');
    }
    for (const p of ports) {
      if (target._exposed && !target._exposed.some((e) => e.protocol === p.protocol && e.startPort === p.startPort)) {
        const warning = `[${this.node.path}] ports: ${p} is not exposed by the target "${target.name}" (exposed: ${target._exposed.join(', ')}); the grant opens it anyway, check the port`;
        // cdk8s has no Annotations API: the warning is recorded on the construct node and printed.
        this.node.addMetadata(GRANT_WARNING, warning);
        // eslint-disable-next-line no-console
        console.warn(`warning: ${warning}`);
      }
    }
    if (target._isPods) {
      const problems = _checkNamespaceName('target namespace', target.namespace!);
      if (problems.length) {
        throw _inputError(this, problems[0].field, problems[0].problem, problems[0].fix);
      }
    }
    if (client._hasPods) {
      const problems = _checkNamespaceName('client namespace', client.namespace!);
      if (problems.length) {
        throw _inputError(this, problems[0].field, problems[0].problem, problems[0].fix);
      }
    }
    const registry = _GrantRegistry.of(this);
    const l7 = http.length ? http : undefined;
    if (target._isPods) {
      // PostgreSQL targets (SecuredPostgres instances, poolers) are in egress default deny by
      // construction; their grant policies isolate egress too, so that no single policy of
      // theirs is what keeps them isolated.
      const policy = registry.policy(
        _joinName([target.name, 'from', client.name]), target.namespace!, target.selector!, target._postgres);
      policy.allowIngress({ peers: [client._peer()], ports, http: l7 });
      this.targetPolicy = policy;
    }
    if (client._hasPods && !props.clientEgressManagedElsewhere) {
      // Pods we name are put into egress default deny (least privilege). A whole namespace is
      // not: the grant opens the path (enableDefaultDeny.egress false) and the namespace's own
      // baseline decides whether the rest of its egress is denied.
      const policy = registry.policy(
        _joinName([client.name, 'to', target.name]), client.namespace!, client.selector!, false,
        client.selector!.selectsAll ? false : undefined);
      // HTTP rules are enforced once, by the target's ingress proxy; only destinations without
      // pods of ours (FQDN, CIDR, entities) get them on the client's egress.
      policy.allowEgress({ peers: [target._peer()], ports, http: target._isPods ? undefined : l7 });
      if (props.clientDns ?? true) {
        _recordDnsClient(this, client.namespace!);
        for (const d of props.dnsServers ?? [DnsServer.kubeDns()]) {
          // FQDN destinations are learnt from DNS answers the proxy sees: their DNS goes through
          // it. Other clients resolve Service names: plain port 53, no proxy dependency.
          policy.allowEgress({
            peers: [d._peer()],
            ports: [d._port()],
            dns: target._isFqdn ? [DnsRule.anyName()] : undefined,
          });
        }
      }
      this.clientPolicy = policy;
    }
  }
}

/**
 * The checks of one rule on its own, before it is recorded: its peers, ports, ICMP types and L7
 * rules, and how they combine. (Checks between rules, such as shadowing, are in `rule-merge.ts`.)
 */
import { _Problem } from './errors';
import { PeerKind } from './peer';
import { Protocol } from './port';
import { AllowRule, Direction } from './rule';

/**
 * The problems of rule `index` of a policy (numbered across both directions), in the order
 * they are reported.
 *
 * @internal
 */
export function _checkRule(direction: Direction, rule: AllowRule, index: number, deny: boolean): _Problem[] {
  // Loops by index, no iterators (allocation 210 → 148 MB at 1,000 clusters with §4's other fixes, bench/RESULTS.md).
  const field = `${direction}${deny ? 'Deny' : ''} rule ${index}`;
  const problems: _Problem[] = [];
  const peers = rule.peers ?? [];
  if (peers.length === 0) {
    problems.push({ field: `${field} peers`, problem: 'no peer given', fix: 'name the peers, or use Peer.anyPeer() for an L4-only rule that admits every peer' });
  }
  for (let i = 0; i < peers.length; i++) {
    const p = peers[i];
    for (let j = 0; j < p._problems.length; j++) {
      problems.push({ ...p._problems[j], field: `${field} ${p._problems[j].field}` });
    }
    if (direction === Direction.INGRESS && (p.kind === PeerKind.FQDN || p.kind === PeerKind.SERVICES)) {
      problems.push({ field: `${field} peers`, problem: `${p.kind} peer "${p.description}" can only be an egress destination`, fix: 'use pods, entities or CIDRs as ingress peers' });
    }
    if (deny && p.kind === PeerKind.FQDN) {
      problems.push({ field: `${field} peers`, problem: `FQDN peer "${p.description}" cannot be denied: toFQDNs is not in the deny schema and would be pruned, leaving a deny-nothing rule`, fix: 'deny CIDRs instead, or allow only the names you need' });
    }
  }
  const ports = rule.ports ?? [];
  for (let i = 0; i < ports.length; i++) {
    if (!ports[i]._valid) {
      problems.push(...ports[i]._problems(`${field} port`));
    }
  }
  const icmps = rule.icmps ?? [];
  for (const i of icmps) {
    problems.push(...i._problems(`${field} icmp`));
  }
  if (icmps.length > 0 && ports.length > 0) {
    problems.push({ field, problem: 'a rule cannot have both ports and ICMP types', fix: 'write the ICMP types in a separate rule' });
  }
  const http = rule.http ?? [];
  const dns = rule.dns ?? [];
  if (http.length > 0 && dns.length > 0) {
    problems.push({ field, problem: 'a rule cannot have both HTTP and DNS rules', fix: 'write them in separate rules' });
  }
  if (http.length > 0 || dns.length > 0) {
    const kind = http.length > 0 ? 'HTTP' : 'DNS';
    if (ports.length === 0) {
      problems.push({ field, problem: `${kind} rules without ports`, fix: kind === 'DNS' ? 'give the DNS port, e.g. Port.anyProtocol(53)' : 'give the TCP ports the HTTP rules apply to, e.g. Port.tcp(8080)' });
    }
    for (const port of ports) {
      if (port.startPort === 0) {
        problems.push({ field: `${field} port`, problem: `${kind} rules on ${port} (every port)`, fix: 'L7 rules need specific ports' });
      }
      if (kind === 'HTTP' && port.protocol !== Protocol.TCP) {
        problems.push({ field: `${field} port`, problem: `HTTP rules on ${port}: L7 rules apply to TCP only (protocol ANY is rejected too)`, fix: `use Port.tcp(${port.startPort ?? port.name})` });
      }
      if (kind === 'DNS' && port.endPort !== undefined) {
        problems.push({ field: `${field} port`, problem: `DNS rules on the port range ${port}`, fix: 'DNS rules need single ports, e.g. Port.anyProtocol(53)' });
      }
    }
    if (kind === 'DNS' && direction === Direction.INGRESS) {
      problems.push({ field, problem: 'DNS rules on ingress', fix: 'DNS rules apply to egress towards a DNS server only' });
    }
  }
  for (let i = 0; i < http.length; i++) {
    if (!http[i]._valid) {
      problems.push(...http[i]._problems(`${field} http`));
    }
  }
  for (let i = 0; i < dns.length; i++) {
    problems.push(...dns[i]._problems(`${field} dns`));
  }
  return problems;
}

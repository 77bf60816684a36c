/**
 * Explanation: the verdict of one flow with the policy and rule that decided it (semantics
 * reference §12 `verdict_dir` and `flow`): egress at the source, ingress at the destination,
 * each read from the identity's direction policy (`resolve/direction-policy.ts`, the same one the
 * connectivity matrix reads) and, when L3/L4 lets the flow through, the L7 step.
 */
import { dnsSelectorMatches, fqdn } from '../cilium/dns';
import { parseIp } from '../cilium/net';
import { Selector } from './identity/labels';
import { Dir, InertPolicy } from './intake/rules';
import { AllowMatch, decideL7, L7Request } from './l7/verdict';
import { DirectionResult, FlowInput, FlowResult, formatPolicyRef, InputError, Peer, VerifyEnv } from './model';
import { DirectionPolicy, passMask, PolicyEntry } from './resolve/direction-policy';
import { L4Flow, L4Proto, PortMatcher } from './resolve/l4';
import { PeerMatching } from './resolve/peer-match';

/** A direction's result, and whether DNS rules covered it (the DNS proxy then sees the traffic). */
export interface DirEval extends DirectionResult {
  readonly dnsProxied?: boolean;
}

/** What explanation reads from the engine. */
export interface ExplainContext {
  readonly env: VerifyEnv;
  readonly minor: number;
  readonly ports: PortMatcher;
  readonly peers: PeerMatching;
  resolve(name: string): Peer | undefined;
  policyFor(subject: Peer, dir: Dir): DirectionPolicy;
  learned(src: Peer, name: string): boolean;
  /** Policies without effect and notes on admitted ones; a flow they concern carries them as notes. */
  readonly notices: readonly InertPolicy[];
}

function describeL4(flow: L4Flow): string {
  if (flow.proto === 'ICMP') return `${flow.family === 6 ? 'ICMPv6' : 'ICMP'} type ${flow.port}`;
  return `${flow.proto}/${flow.port}`;
}

/** One direction of a flow at `subject` (§12 `verdict_dir`). */
export function evalDirection(ctx: ExplainContext, subject: Peer, dir: Dir, peer: Peer, flow: L4Flow, req: L7Request): DirEval {
  const p = ctx.policyFor(subject, dir);
  const base = { direction: dir, enforced: p.enforced, defaultDeny: p.defaultDeny };
  if (!p.enforced) {
    const reason = p.notEnforced === 'enforcement-off'
      ? 'policy enforcement is disabled (policyEnforcementMode never)'
      : `no policy selects ${subject.name} for ${dir}: not enforced`;
    return { ...base, verdict: 'ALLOW', reason };
  }
  const denied: PolicyEntry | undefined = p.deny.find((e) => ctx.peers.peersSelect(e.item.peers, peer, subject, dir) && ctx.ports.covers(e.item, flow, dir, subject));
  const matches: AllowMatch[] = [];
  if (!denied) {
    for (const e of p.allow) {
      if (!ctx.peers.peersSelect(e.item.peers, peer, subject, dir)) continue;
      for (const m of ctx.ports.matches(e.item, flow, dir, subject)) matches.push({ rule: e.rule, item: e.item, path: m.path, l7: m.l7 });
    }
  }
  const host = peer.kind === 'host' ? 1 : 0;
  const passes = (passMask(p, denied ? 1 : 0, matches.length > 0 ? 1 : 0, host) & 1) === 1;
  if (!passes) {
    if (denied) {
      return { ...base, verdict: 'DROP', policy: denied.rule.policy, rule: denied.item.path, reason: `denied by ${formatPolicyRef(denied.rule.policy)} ${denied.item.path}` };
    }
    return {
      ...base,
      verdict: 'DROP',
      policy: p.defaultDenyRule?.policy,
      reason: `${subject.name} is in ${dir} default deny (${p.defaultDenyBy}) and no rule allows ${describeL4(flow)} ${dir === 'ingress' ? 'from' : 'to'} ${peer.name}${fqdnHint(ctx, p, peer, subject)}`,
    };
  }
  if (host && p.localhostAllowed) {
    // §15.2: the local host always reaches local endpoints, L7 included
    return { ...base, verdict: 'ALLOW', reason: 'traffic from the local host is always allowed (allowLocalhost always)' };
  }
  if (matches.length === 0) {
    return { ...base, verdict: 'ALLOW', reason: `${subject.name} is not in ${dir} default deny (every selecting policy has enableDefaultDeny.${dir}: false)` };
  }
  const dnsProxied = matches.some((m) => m.l7 && m.l7.kind === 'dns');
  return { ...base, ...decideL7(matches, req, subject.name, dir, p.defaultDeny, ctx.minor), dnsProxied };
}

/** Why a toFQDNs rule naming the peer's address did not apply (the name was not learned through the DNS proxy). */
function fqdnHint(ctx: ExplainContext, p: DirectionPolicy, peer: Peer, subject: Peer): string {
  if (p.direction !== 'egress' || peer.kind !== 'world') return '';
  for (const e of p.allow) {
    if (e.item.peers.kind !== 'list') continue;
    for (const m of e.item.peers.matchers) {
      if (m.kind !== 'fqdn') continue;
      const name = ctx.peers.namesOf(peer).find((n) => dnsSelectorMatches(m.sel, n, ctx.minor));
      if (name && !ctx.learned(subject, name)) {
        return ` (${formatPolicyRef(e.rule.policy)} ${e.item.path} names ${fqdn(name)}, but no egress rule with rules.dns towards the DNS server admits that name, so the DNS proxy never learns its addresses)`;
      }
    }
  }
  return '';
}

/** The notices (inert policies, pruned fields) that concern a flow between `src` and `dst`. */
function notesFor(ctx: ExplainContext, src: Peer, dst: Peer): string[] {
  const touches = (subjects: readonly (Selector | undefined)[]): boolean => {
    if (subjects.length === 0) return true;
    return subjects.some((s) => s === undefined || (src.hasPolicy && ctx.peers.selects(s, src)) || (dst.hasPolicy && ctx.peers.selects(s, dst)));
  };
  return ctx.notices.filter((n) => touches(n.subjects)).map((n) => n.message);
}

/** Evaluates one flow. Throws InputError when an end is unknown. */
export function explainFlow(ctx: ExplainContext, flow: FlowInput): FlowResult {
  const src = ctx.resolve(flow.src);
  if (!src) throw new InputError('flow', 'src', `unknown endpoint or peer ${JSON.stringify(flow.src)}`);
  const dst = ctx.resolve(flow.dst);
  if (!dst) throw new InputError('flow', 'dst', `unknown endpoint or peer ${JSON.stringify(flow.dst)}`);
  const isIcmp = flow.proto === 'ICMP' || flow.proto === 'ICMPV6';
  let family: 4 | 6 = flow.proto === 'ICMPV6' ? 6 : 4;
  for (const p of [src, dst]) {
    const ip = p.ip ? parseIp(p.ip) : undefined;
    if (ip && ip.family === 6 && (p.kind === 'world' || p.kind === 'unmanaged' || p.kind === 'pod')) family = 6;
  }
  const l4: L4Flow = {
    proto: isIcmp ? 'ICMP' : (flow.proto as L4Proto),
    port: flow.port !== undefined ? flow.port : isIcmp ? (family === 6 ? 128 : 8) : flow.dns !== undefined ? 53 : 0,
    family,
  };
  const req = { http: flow.http, dns: flow.dns };
  const notes = notesFor(ctx, src, dst);

  if (src.kind === 'pod' && dst.kind === 'pod' && src.endpoint === dst.endpoint) {
    return { verdict: 'ALLOW', reason: `${src.name} talks to itself: the traffic does not leave the pod`, notes };
  }
  const strip = (d?: DirEval): DirectionResult | undefined => {
    if (!d) return undefined;
    const { dnsProxied: _ignored, ...rest } = d;
    void _ignored;
    return rest;
  };
  const eg = strip(src.hasPolicy ? evalDirection(ctx, src, 'egress', dst, l4, req) : undefined);
  const ing = strip(dst.hasPolicy ? evalDirection(ctx, dst, 'ingress', src, l4, req) : undefined);
  const withNotes = (reason: string): string => (notes.length ? `${reason}; note: ${notes.join('; note: ')}` : reason);
  const decide = (d: DirectionResult, side: string): FlowResult => ({
    verdict: d.verdict,
    reason: withNotes(`${side}: ${d.reason}`),
    decidedBy: d.direction,
    policy: d.policy,
    rule: d.rule,
    egress: eg,
    ingress: ing,
    notes,
  });
  if (eg && eg.verdict === 'DROP') return decide(eg, `egress of ${src.name}`);
  if (ing && ing.verdict === 'DROP') return decide(ing, `ingress of ${dst.name}`);
  if (eg && eg.verdict === 'L7_DENY') return decide(eg, `egress of ${src.name}`);
  if (ing && ing.verdict === 'L7_DENY') return decide(ing, `ingress of ${dst.name}`);
  const parts: string[] = [];
  if (eg) parts.push(`egress of ${src.name}: ${eg.reason}`);
  if (ing) parts.push(`ingress of ${dst.name}: ${ing.reason}`);
  if (parts.length === 0) parts.push(`neither ${src.name} nor ${dst.name} is a Cilium endpoint with a policy: nothing applies`);
  const decider = ing && ing.enforced ? ing : eg && eg.enforced ? eg : ing ?? eg;
  return {
    verdict: 'ALLOW',
    reason: withNotes(parts.join('; ')),
    decidedBy: decider?.direction,
    policy: decider?.policy,
    rule: decider?.rule,
    egress: eg,
    ingress: ing,
    notes,
  };
}

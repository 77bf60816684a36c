/**
 * The policy of one identity in one direction, as the agent resolves it before any packet is
 * seen (semantics reference §2 and §12: `computePolicyEnforcementAndRules`, then the deny and
 * allow entries of the selecting rules), and the L3/L4 precedence that decides a flow from it
 * (§11: deny wins; the local host passes under default deny when allow-localhost is `always`;
 * otherwise an allow entry is needed under default deny).
 *
 * Both consumers read exactly this: `explain.ts` for one flow (with the reason), `matrix.ts` for
 * every pair of identities at once (on bitsets). The precedence is one function, `passMask`, on
 * 32-bit masks of peers: explain calls it with one-bit masks.
 */
import { Dir, NormItem, NormRule } from '../intake/rules';
import { formatPolicyRef, Peer, VerifyEnv } from '../model';

/** A rule item that applies to the identity, with the rule it belongs to. */
export interface PolicyEntry {
  readonly rule: NormRule;
  readonly item: NormItem;
}

/** What one direction of one identity is subject to. */
export interface DirectionPolicy {
  readonly direction: Dir;
  /** False: every flow passes (nothing selects the identity for this direction, or enforcement is off). */
  readonly enforced: boolean;
  /** Why the direction is not enforced: enforcement is off (`never`), or no rule selects the identity. */
  readonly notEnforced?: 'enforcement-off' | 'not-selected';
  readonly defaultDeny: boolean;
  /** What puts it in default deny: `policyEnforcementMode always`, `the init identity`, or a policy. */
  readonly defaultDenyBy?: string;
  /** The first rule that puts it in default deny. */
  readonly defaultDenyRule?: NormRule;
  /** The selecting rules with a section for this direction, in admission order. */
  readonly rules: readonly NormRule[];
  readonly deny: readonly PolicyEntry[];
  readonly allow: readonly PolicyEntry[];
  /** The local host passes under default deny (ingress with allow-localhost `always`, §15.2). */
  readonly localhostAllowed: boolean;
}

/** Every bit set: every peer passes. */
export const ALL_PASS = -1;

/**
 * The L3/L4 precedence of a direction, on masks of peers (one bit per peer): the peers whose
 * traffic passes, given which of them a deny entry covers, which an allow entry covers, and
 * which are the local host.
 */
export function passMask(p: DirectionPolicy, denied: number, allowed: number, host: number): number {
  if (!p.enforced) return ALL_PASS;
  const open = p.defaultDeny ? allowed | (p.localhostAllowed ? host : 0) : ALL_PASS;
  return ~denied & open;
}

/** Resolves the direction policy of `subject` from the rules that select it (§2.1, §12 `enforced`, `defaultDeny`). */
export function resolveDirectionPolicy(env: VerifyEnv, subject: Peer, dir: Dir, selecting: readonly NormRule[]): DirectionPolicy {
  const localhostAllowed = dir === 'ingress' && env.allowLocalhost === 'always';
  if (env.policyEnforcementMode === 'never') {
    return {
      direction: dir, enforced: false, defaultDeny: false, rules: [], deny: [], allow: [], localhostAllowed,
      notEnforced: 'enforcement-off',
    };
  }
  const rules = selecting.filter((r) => r[dir].hasSection);
  const forced = env.policyEnforcementMode === 'always' ? 'policyEnforcementMode always' : subject.kind === 'init' ? 'the init identity' : undefined;
  if (!forced && rules.length === 0) {
    return {
      direction: dir, enforced: false, defaultDeny: false, rules, deny: [], allow: [], localhostAllowed,
      notEnforced: 'not-selected',
    };
  }
  const defaultDenyRule = rules.find((r) => r[dir].defaultDeny);
  const deny: PolicyEntry[] = [];
  const allow: PolicyEntry[] = [];
  for (const rule of rules) {
    for (const item of rule[dir].deny) deny.push({ rule, item });
    for (const item of rule[dir].allow) allow.push({ rule, item });
  }
  return {
    direction: dir,
    enforced: true,
    defaultDeny: forced !== undefined || defaultDenyRule !== undefined,
    defaultDenyBy: forced ?? (defaultDenyRule ? formatPolicyRef(defaultDenyRule.policy) : undefined),
    defaultDenyRule,
    rules,
    deny,
    allow,
    localhostAllowed,
  };
}

/**
 * The rules of one direction of a policy: recorded after their checks, rendered into canonical
 * Cilium rule items (de-duplicated, merged per peer and port, sorted).
 */
import { _Problem } from './errors';
import { PeerKind } from './peer';
import { AllowRule, DenyRule, Direction } from './rule';
import { _checkRule } from './rule-checks';
import { _renderItems } from './rule-json';
import { _mergeByPeer, _shadowing } from './rule-merge';

/**
 * Renders rules of one direction into canonical Cilium rule items (in the shape of the
 * imported L1 types): validated, de-duplicated, merged per peer and port, sorted.
 *
 * @internal
 */
export class _RuleSet {
  private readonly allowRules: AllowRule[] = [];
  /** Allow rules with L7 rules: shadowing is checked only when there is one (nothing to shadow otherwise). */
  private l7Rules = 0;
  /** Allow rules naming an FQDN peer: the FQDN check at synthesis skips policies without one. */
  private fqdnRules = 0;
  /** Made with the first deny (most policies have none). */
  private denyRules?: DenyRule[];

  constructor(public readonly direction: Direction) {}

  public get isEmpty(): boolean {
    return this.allowRules.length === 0 && !this.denyRules;
  }

  public get hasAllow(): boolean {
    return this.allowRules.length > 0;
  }

  public get hasDeny(): boolean {
    return !!this.denyRules;
  }

  public get allowRulesView(): readonly AllowRule[] {
    return this.allowRules;
  }

  public get denyRulesView(): readonly DenyRule[] {
    return this.denyRules ?? [];
  }

  /** Whether an allow rule names an FQDN peer (validation looks for their DNS rules). */
  public get hasFqdnPeers(): boolean {
    return this.fqdnRules > 0;
  }

  /** Validates and records an allow rule; returns problems (nothing recorded on problems). */
  public addAllow(rule: AllowRule, index: number): _Problem[] {
    const problems = _checkRule(this.direction, rule, index, false);
    if (problems.length === 0) {
      this.allowRules.push(rule);
      if ((rule.http ?? []).length > 0 || (rule.dns ?? []).length > 0) {
        this.l7Rules++;
      }
      // Conflicts and shadowing need an L7 rule: without one there is nothing to check.
      if (this.l7Rules > 0) {
        problems.push(..._shadowing(this.direction, this.allowRules));
      }
      if (problems.length > 0) {
        this.allowRules.pop();
        if ((rule.http ?? []).length > 0 || (rule.dns ?? []).length > 0) {
          this.l7Rules--;
        }
      } else if (rule.peers.some((p) => p.kind === PeerKind.FQDN)) {
        this.fqdnRules++;
      }
    }
    return problems;
  }

  public addDeny(rule: DenyRule, index: number): _Problem[] {
    const problems = _checkRule(this.direction, rule, index, true);
    if (problems.length === 0) {
      (this.denyRules ??= []).push(rule);
    }
    return problems;
  }

  /**
   * Renders allow items: fresh objects with their keys sorted, as written to the manifest
   * (nothing is shared with another item or policy).
   */
  public renderAllow(): any[] {
    return this.allowRules.length === 0 ? [] : _renderItems(this.direction, _mergeByPeer(this.direction, this.allowRules).states, false);
  }

  /** Renders deny items (like `renderAllow`). */
  public renderDeny(): any[] {
    return !this.denyRules ? [] : _renderItems(this.direction, _mergeByPeer(this.direction, this.denyRules).states, true);
  }
}

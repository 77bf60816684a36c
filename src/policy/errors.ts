import { IConstruct } from 'constructs';

/**
 * Formats an input error the way every construct of this library reports it: the construct
 * path, the field, what is wrong with the given value and what is accepted instead.
 *
 * @internal
 */
export function _inputError(scope: IConstruct | undefined, field: string, problem: string, fix: string): Error {
  const where = scope ? `[${scope.node.path}] ` : '';
  return new Error(`${where}${field}: ${problem}; ${fix}`);
}

/**
 * A problem found in a value object (a port, a peer, an HTTP rule) before it is attached to a
 * policy. The policy reports it with its own construct path.
 *
 * @internal
 */
export interface _Problem {
  readonly field: string;
  readonly problem: string;
  readonly fix: string;
}

/**
 * The first problem a check finds in a value, found once per value and reported with the
 * field of each caller (values such as label keys and regular expressions repeat across rules).
 *
 * @internal
 */
export class _CheckedOnce {
  /** Per distinct value, its first problem (null: valid): repeated values are not re-checked (one of the construction fixes, bench/RESULTS.md §4). */
  private readonly found = new Map<string, { problem: string; fix: string } | null>();

  constructor(private readonly check: (field: string, value: string) => _Problem[]) {}

  public problems(field: string, value: string): _Problem[] {
    let found = this.found.get(value);
    if (found === undefined) {
      const problems = this.check(field, value);
      found = problems.length ? { problem: problems[0].problem, fix: problems[0].fix } : null;
      this.found.set(value, found);
    }
    return found ? [{ field, ...found }] : [];
  }
}

/** @internal */
export function _throwProblems(scope: IConstruct, context: string, problems: _Problem[]): void {
  if (problems.length === 0) {
    return;
  }
  const p = problems[0];
  throw _inputError(scope, context ? `${context}: ${p.field}` : p.field, p.problem, p.fix);
}

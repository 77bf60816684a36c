import { Chart } from 'cdk8s';

/**
 * A list this library keeps per chart (its policies, its namespace baselines), so that
 * validations find them without walking the construct tree. The chart holds it, under a
 * symbol of this library: a `WeakMap` keyed by the chart would make V8 mark everything the list
 * reaches as an ephemeron, in the last, single-threaded pause of a full garbage collection
 * (0.2 s with 27,000 policies, bench/RESULTS.md §6).
 *
 * @internal
 */
export function _chartList<T>(chart: Chart, key: symbol): T[] {
  let list = (chart as any)[key] as T[] | undefined;
  if (!list) {
    list = [];
    Object.defineProperty(chart, key, { value: list, enumerable: false, configurable: false, writable: false });
  }
  return list;
}

/** The list, without creating it. @internal */
export function _chartListIfAny<T>(chart: Chart, key: symbol): readonly T[] {
  return ((chart as any)[key] as T[] | undefined) ?? [];
}

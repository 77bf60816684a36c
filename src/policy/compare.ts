/** Compares strings by code unit (the order of every sorted list this library writes). @internal */
export function _cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

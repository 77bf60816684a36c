/** How the operator spreads instances over nodes. */
export enum PodAntiAffinityType {
  /** Prefer different nodes; still schedules when there are too few. */
  PREFERRED = 'preferred',
  /** Require different nodes; instances stay pending when there are too few. */
  REQUIRED = 'required',
}

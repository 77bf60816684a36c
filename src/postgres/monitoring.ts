import { PodSelector } from '../policy/selector';

/** Options of monitoring access. */
export interface PostgresMonitoringOptions {
  /** The Prometheus pods, within `scraperNamespace`. */
  readonly scraperSelector: PodSelector;
  /** The namespace of the Prometheus pods. */
  readonly scraperNamespace: string;
}

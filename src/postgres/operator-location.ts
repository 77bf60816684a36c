import { Peer } from '../policy/peer';
import { PodSelector } from '../policy/selector';

/**
 * Where the CloudNativePG operator runs: its namespace and its pod labels. The operator
 * connects to every instance on port 8000, so the instances' ingress admits exactly these pods.
 *
 * @see https://cloudnative-pg.io/documentation/current/installation_upgrade/
 */
export class OperatorLocation {
  /** The peer, made once and shared by every cluster with this operator (one of the construction fixes of bench/RESULTS.md §4). */
  private podsPeer?: Peer;

  /**
   * The operator installed from the release manifest (`releases/cnpg-<version>.yaml`):
   * namespace `cnpg-system`, pods labelled `app.kubernetes.io/name: cloudnative-pg`.
   */
  public static yamlManifest(): OperatorLocation {
    OperatorLocation.releaseManifest ??= new OperatorLocation('cnpg-system', PodSelector.labels({ 'app.kubernetes.io/name': 'cloudnative-pg' }), 'the operator installed from the release manifest');
    return OperatorLocation.releaseManifest;
  }

  /** The default of every cluster: one instance, so its peer is made once (bench/RESULTS.md §4). */
  private static releaseManifest?: OperatorLocation;

  /**
   * The operator installed with the `cloudnative-pg` Helm chart: pods labelled
   * `app.kubernetes.io/name: <nameOverride or cloudnative-pg>` and
   * `app.kubernetes.io/instance: <release>`, in the release namespace.
   *
   * @param release the Helm release name, e.g. `cnpg`
   * @param namespace the release namespace, e.g. `cnpg-system`
   * @param nameOverride the chart's `nameOverride` value, if set
   */
  public static helm(release: string, namespace: string, nameOverride?: string): OperatorLocation {
    return new OperatorLocation(namespace, PodSelector.labels({
      'app.kubernetes.io/name': nameOverride ?? 'cloudnative-pg',
      'app.kubernetes.io/instance': release,
    }), `the operator of Helm release ${release}`);
  }

  /**
   * Any other installation (OLM, kustomize overlays): the operator pods are `selector` in
   * `namespace`.
   */
  public static custom(selector: PodSelector, namespace: string): OperatorLocation {
    return new OperatorLocation(namespace, selector, 'the operator');
  }

  /** The operator's namespace. */
  public readonly namespace: string;
  /** The operator's pods, within `namespace`. */
  public readonly selector: PodSelector;
  /** A short description. */
  public readonly description: string;

  private constructor(namespace: string, selector: PodSelector, description: string) {
    this.namespace = namespace;
    this.selector = selector;
    this.description = description;
  }

  /** The operator pods as a policy peer. @internal */
  public _peer(): Peer {
    this.podsPeer ??= Peer.pods(this.selector, this.namespace);
    return this.podsPeer;
  }
}

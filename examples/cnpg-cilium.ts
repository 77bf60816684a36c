import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import {
  AccessClient, AccessGrant, AccessTarget, OperatorLocation, PodSelector, PoolerType, SecuredPostgres,
} from '../src';

/**
 * Scenario 1 (`cnpg-cilium`), CNPG's own Cilium guide done right: the CNPG cluster
 * `cluster-example` in namespace `default`, operator installed from the release manifest
 * (`cnpg-system`, `app.kubernetes.io/name: cloudnative-pg`). Instances, bootstrap/join Jobs and
 * the pooler are in ingress and egress default deny, with exactly the flows CNPG needs:
 * operator → instances 8000, instances ↔ instances 5432 and 8000, Jobs and pooler → instances
 * 5432, every pod → API server and DNS, API server → instances 8000 (`kubectl cnpg status`).
 *
 * Application access (the guide's grants 1 and 3: `role: backend` in `default`, every pod of
 * namespace `backend`) is declared with `AccessGrant` against `db`.
 */
export class CnpgCiliumExample extends Chart {
  /** The secured cluster. */
  public readonly db: SecuredPostgres;

  constructor(scope: Construct, id: string) {
    super(scope, id);

    this.db = new SecuredPostgres(this, 'ClusterExample', {
      name: 'cluster-example',
      namespace: 'default',
      operator: OperatorLocation.yamlManifest(),
    });
    this.db.addPooler('PoolerRw', { type: PoolerType.RW });

    // Grant 1: pods labelled role=backend in the cluster's own namespace.
    new AccessGrant(this, 'BackendPods', {
      client: AccessClient.pods('backend', PodSelector.labels({ role: 'backend' }), 'default'),
      target: AccessTarget.of(this.db),
    });
    // Grant 3: every pod of namespace backend.
    new AccessGrant(this, 'BackendNamespace', {
      client: AccessClient.allPodsOfNamespace('backend'),
      target: AccessTarget.of(this.db),
    });
  }
}

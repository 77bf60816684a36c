import { Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import {
  AccessClient, AccessGrant, AccessTarget, HttpPath, HttpRule, Port, SecuredPostgres,
} from '../src';

/**
 * A Flask front end and its PostgreSQL in namespace `db`: Flask (3 replicas, `app: flask-app`,
 * port 5000, Service port 80) may reach the CNPG cluster `mydb` on 5432; any client may send
 * `GET /` to Flask on 5000 and nothing else (`/metrics` and other methods get 403).
 */
export class FlaskPostgresExample extends Chart {
  constructor(scope: Construct, id: string) {
    super(scope, id, { namespace: 'db' });

    const db = new SecuredPostgres(this, 'mydb', { name: 'mydb', instances: 3 });

    const flask = new kplus.Deployment(this, 'flask-app', {
      metadata: { name: 'flask-app' },
      replicas: 3,
      select: false,
      podMetadata: { labels: { app: 'flask-app' } },
      containers: [{
        name: 'flask',
        image: 'flask-app:1.0.0',
        portNumber: 5000,
        envVariables: { DATABASE_HOST: kplus.EnvValue.fromValue(db.rwServiceHost) },
      }],
    });
    flask.select(kplus.LabelSelector.of({ labels: { app: 'flask-app' } }));
    flask.exposeViaService({ name: 'flask-app', ports: [{ port: 80, targetPort: 5000 }] });

    new AccessGrant(this, 'FlaskToDb', { client: AccessClient.fromWorkload(flask), target: AccessTarget.of(db) });

    // The walkthrough's L7 policy has no source selector: every client, the ingress proxy
    // included, may send GET / on 5000. Written out explicitly.
    new AccessGrant(this, 'AnyoneToFlask', {
      client: AccessClient.anyone(),
      target: AccessTarget.workload(flask, [Port.tcp(5000)]),
      http: [HttpRule.get(HttpPath.exact('/'))],
    });
  }
}

import { App } from 'cdk8s';
import { CnpgCiliumExample } from './cnpg-cilium';
import { FlaskPostgresExample } from './flask-postgres';
import { FrontendBackendExample } from './frontend-backend';
import { GatewayDemoExample } from './gateway-demo';
import { PolicyLayerExample } from './policy-layer';

/**
 * Synthesizes every example as its own chart: dist/<example>.k8s.yaml.
 */
const app = new App();
new PolicyLayerExample(app, 'policy-layer');
new CnpgCiliumExample(app, 'cnpg-cilium');
new FlaskPostgresExample(app, 'flask-postgres');
new GatewayDemoExample(app, 'gateway-demo');
new FrontendBackendExample(app, 'frontend-backend');
app.synth();

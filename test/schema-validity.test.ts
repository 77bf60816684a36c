import * as os from 'os';
import * as path from 'path';
import { App } from 'cdk8s';
import { CnpgCiliumExample } from '../examples/cnpg-cilium';
import { FlaskPostgresExample } from '../examples/flask-postgres';
import { FrontendBackendExample } from '../examples/frontend-backend';
import { GatewayDemoExample } from '../examples/gateway-demo';
import { PolicyLayerExample } from '../examples/policy-layer';
import { CRD_DIR_HINT, loadCrdSchemas, validateStrict } from './util/crd-schema';

const schemas = loadCrdSchemas();
const run = schemas ? test : test.skip;
if (!schemas) {
  // eslint-disable-next-line no-console
  console.warn(CRD_DIR_HINT);
}

describe('schema validity |', () => {
  run('every object of every example validates against both Cilium CRD versions and the CNPG CRDs, unknown fields included', () => {
    const app = new App({ outdir: path.join(os.tmpdir(), 'schema-validity') });
    new PolicyLayerExample(app, 'policy-layer');
    new CnpgCiliumExample(app, 'cnpg-cilium');
    new FlaskPostgresExample(app, 'flask-postgres');
    new GatewayDemoExample(app, 'gateway-demo');
    new FrontendBackendExample(app, 'frontend-backend');
    const objects = app.charts.flatMap((c) => c.toJson());
    const checked = objects.filter((o: any) => /cilium\.io|cnpg\.io/.test(o.apiVersion));
    expect(checked.length).toBeGreaterThan(40);
    for (const o of checked) {
      expect({ object: `${o.kind}/${o.metadata.name}`, errors: validateStrict(o) }).toEqual({ object: `${o.kind}/${o.metadata.name}`, errors: [] });
    }
  });

  run('the validator refuses what the API server would refuse or prune', () => {
    const bad = { apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name: 'x' }, spec: { endpointSelector: {}, ingress: [{ fromEndpoint: [{}] }] } };
    expect(validateStrict(bad).join('\n')).toMatch(/fromEndpoint/);
  });
});

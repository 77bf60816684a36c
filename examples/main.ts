import { App } from 'cdk8s';
import { CnpgCiliumExample } from './cnpg-cilium';
import { PolicyLayerExample } from './policy-layer';

/**
 * Synthesizes every example as its own chart: dist/<example>.k8s.yaml.
 */
const app = new App();
new PolicyLayerExample(app, 'policy-layer');
new CnpgCiliumExample(app, 'cnpg-cilium');
app.synth();

import { App } from 'cdk8s';
import { PolicyLayerExample } from './policy-layer';

/**
 * Synthesizes every example as its own chart: dist/<example>.k8s.yaml.
 */
const app = new App();
new PolicyLayerExample(app, 'policy-layer');
app.synth();

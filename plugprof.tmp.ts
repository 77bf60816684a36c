import { ValidationContext } from 'cdk8s-cli/plugins';
import { CiliumPolicyValidation } from './src/plugin/validation';
import * as fs from 'fs';
import * as path from 'path';
const size = process.argv[2] ?? '100';
const dir = `/tmp/plug-${size}`;
fs.mkdirSync(dir, { recursive: true });
const f = path.join(dir, 'estate.k8s.yaml');
fs.copyFileSync(`/tmp/vb/ours-single-${size}.yaml`, f);
(async () => {
  const t = Date.now();
  const ctx = new ValidationContext([f], 'cdk8s-secured-postgres', '0.1.0', {}, false);
  await new CiliumPolicyValidation({ report: '{outdir}/{chart}.connectivity.md' }).validate(ctx);
  console.log('plugin ms', Date.now() - t, ctx.report.success, fs.statSync(path.join(dir, 'estate.connectivity.md')).size);
})();

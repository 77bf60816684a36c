import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const CRD_DIR = process.env.CRD_DIR;
const maybe = CRD_DIR ? test : test.skip;
if (!CRD_DIR) {
  // eslint-disable-next-line no-console
  console.warn('CRD_DIR is not set: skipping the imports/ freshness check. Fetch the pinned CRDs with `node scripts/fetch-crds.js ./crds && CRD_DIR=./crds npm test`.');
}

describe('imports |', () => {
  maybe('imports/ is what `npm run import` generates from the pinned CRDs', () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'imports-'));
    execFileSync(process.execPath, [path.join(__dirname, '..', 'scripts', 'import-crds.js')], {
      env: { ...process.env, IMPORTS_OUT: out },
      stdio: 'pipe',
    });
    for (const f of ['cilium.io.ts', 'postgresql.cnpg.io.ts']) {
      const fresh = fs.readFileSync(path.join(out, f), 'utf8');
      const committed = fs.readFileSync(path.join(__dirname, '..', 'imports', f), 'utf8');
      expect(fresh === committed).toBe(true);
    }
    fs.rmSync(out, { recursive: true, force: true });
  });
});

#!/usr/bin/env node
/*
 * Regenerates imports/ from the pinned upstream CRDs.
 *
 * The CRD files are read from $CRD_DIR (layout: cilium/*.yaml, cnpg/*.yaml). Without
 * CRD_DIR, run `node scripts/fetch-crds.js <dir>` first (it downloads the pinned files
 * listed in cdk8s.yaml) and point CRD_DIR at that directory.
 *
 * CRDs of one API group are concatenated into one multi-document input, because
 * `cdk8s import` writes one file per API group and a second import of the same group
 * would overwrite the first.
 */
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const { execFileSync } = require('child_process');

const GROUPS = [
  { group: 'cilium.io', files: ['cilium/ciliumnetworkpolicies.yaml', 'cilium/ciliumclusterwidenetworkpolicies.yaml'] },
  {
    group: 'postgresql.cnpg.io',
    files: [
      'cnpg/postgresql.cnpg.io_clusters.yaml',
      'cnpg/postgresql.cnpg.io_poolers.yaml',
      'cnpg/postgresql.cnpg.io_backups.yaml',
      'cnpg/postgresql.cnpg.io_scheduledbackups.yaml',
    ],
  },
];

const crdDir = process.env.CRD_DIR;
if (!crdDir) {
  console.error('CRD_DIR is not set: point it at a folder with the pinned CRDs (cilium/, cnpg/).');
  console.error('Fetch them with: node scripts/fetch-crds.js ./crds && CRD_DIR=./crds npm run import');
  process.exit(2);
}
const root = path.resolve(__dirname, '..');
// IMPORTS_OUT lets tests regenerate into a scratch folder and compare with the committed files.
const outDir = process.env.IMPORTS_OUT ? path.resolve(process.env.IMPORTS_OUT) : path.join(root, 'imports');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'crd-import-'));
for (const { group, files } of GROUPS) {
  const docs = files.map((f) => {
    const p = path.join(crdDir, f);
    if (!fs.existsSync(p)) {
      console.error(`missing CRD file ${p}`);
      process.exit(2);
    }
    return fs.readFileSync(p, 'utf8').replace(/^---\s*\n/, '');
  });
  const input = path.join(tmp, `${group}.yaml`);
  fs.writeFileSync(input, docs.map((d) => `---\n${d}`).join('\n'));
  execFileSync(path.join(root, 'node_modules', '.bin', 'cdk8s'), ['import', '--no-save', '--check-upgrade=false', '-l', 'typescript', '-o', outDir, input], {
    cwd: root,
    stdio: process.env.IMPORTS_OUT ? 'pipe' : 'inherit',
  });
}
fs.rmSync(tmp, { recursive: true, force: true });
// The verifier's copy of the policy schema comes from the same files; the NetworkPolicy schema
// from the Kubernetes OpenAPI excerpt vendored in scripts/k8s-openapi/.
if (!process.env.IMPORTS_OUT) {
  execFileSync(process.execPath, [path.join(__dirname, 'gen-schema.js')], { stdio: 'inherit', env: process.env });
  execFileSync(process.execPath, [path.join(__dirname, 'gen-k8s-schema.js')], { stdio: 'inherit', env: process.env });
}

#!/usr/bin/env node
/*
 * Downloads the pinned upstream CRDs (scripts/crd-sources.json: Cilium v1.19 schema,
 * Cilium v1.18 branch point, CloudNativePG v1.30.0) into the given folder, so that
 * `CRD_DIR=<folder> npm run import` and `CRD_DIR=<folder> npm test` work on a machine
 * that has network access.
 *
 *   node scripts/fetch-crds.js ./crds
 */
'use strict';
const fs = require('fs');
const https = require('https');
const path = require('path');

const out = process.argv[2];
if (!out) {
  console.error('usage: node scripts/fetch-crds.js <folder>');
  process.exit(2);
}
const sources = require('./crd-sources.json');

function get(url) {
  return new Promise((resolve, reject) => {
    https.get(url, (res) => {
      if (res.statusCode !== 200) {
        reject(new Error(`GET ${url}: HTTP ${res.statusCode}`));
        res.resume();
        return;
      }
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve(Buffer.concat(chunks)));
    }).on('error', reject);
  });
}

(async () => {
  for (const rel of Object.keys(sources).sort()) {
    const dest = path.join(out, rel);
    fs.mkdirSync(path.dirname(dest), { recursive: true });
    fs.writeFileSync(dest, await get(sources[rel]));
    console.log(`fetched ${rel}`);
  }
})().catch((e) => {
  console.error(e.message);
  process.exit(1);
});

/**
 * Loading Kubernetes manifests: YAML text (multi-document), files and folders of `*.yaml`.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as YAML from 'yaml';
import { InputError, PolicyManifest } from '../model';

/** Parses YAML text into documents the way kubectl reads them (YAML 1.1 scalars). */
export function parseYamlDocuments(text: string, file: string): any[] {
  let docs: YAML.Document.Parsed[];
  try {
    docs = YAML.parseAllDocuments(text, { version: '1.1', prettyErrors: false, uniqueKeys: false });
  } catch (e: any) {
    throw new InputError(file, '', `cannot parse YAML: ${e && e.message ? e.message : e}`);
  }
  const out: any[] = [];
  docs.forEach((d, i) => {
    if (d.errors && d.errors.length > 0) {
      const err = d.errors[0];
      const where = docs.length > 1 ? `document ${i + 1}` : '';
      throw new InputError(file, where, `cannot parse YAML: ${err.message.split('\n')[0]}`);
    }
    const v = d.toJS({ maxAliasCount: 1000 });
    if (v !== null && v !== undefined) out.push(v);
  });
  return out;
}

/** Expands `kind: List` objects. */
function flatten(objs: any[]): any[] {
  const out: any[] = [];
  for (const o of objs) {
    if (o && typeof o === 'object' && !Array.isArray(o) && typeof o.kind === 'string' && /List$/.test(o.kind) && Array.isArray(o.items)) {
      out.push(...flatten(o.items));
    } else {
      out.push(o);
    }
  }
  return out;
}

/** Parses manifests from YAML text. */
export function parseManifests(text: string, file = '<input>'): PolicyManifest[] {
  return flatten(parseYamlDocuments(text, file)).map((object, i) => ({ object, source: `${file}#${i + 1}` }));
}

function listYamlFiles(dir: string): string[] {
  const out: string[] = [];
  const entries = fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...listYamlFiles(p));
    else if (/\.(ya?ml|json)$/i.test(e.name)) out.push(p);
  }
  return out;
}

/** Loads manifests from files and folders (recursively, `*.yaml`, `*.yml`, `*.json`). */
export function loadManifests(paths: readonly string[]): PolicyManifest[] {
  const out: PolicyManifest[] = [];
  for (const p of paths) {
    let st: fs.Stats;
    try {
      st = fs.statSync(p);
    } catch (e: any) {
      throw new InputError(p, '', `cannot read: ${e && e.code === 'ENOENT' ? 'no such file or directory' : e && e.message ? e.message : e}`);
    }
    const files = st.isDirectory() ? listYamlFiles(p) : [p];
    for (const f of files) {
      let text: string;
      try {
        text = fs.readFileSync(f, 'utf8');
      } catch (e: any) {
        throw new InputError(f, '', `cannot read: ${e && e.message ? e.message : e}`);
      }
      out.push(...parseManifests(text, f));
    }
  }
  return out;
}

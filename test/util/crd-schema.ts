/**
 * Test helper: the pinned upstream CRD schemas, read from $CRD_DIR (layout `cilium/*.yaml`,
 * `cilium/v1.18-branchpoint/*.yaml`, `cnpg/*.yaml`; fetch them with
 * `node scripts/fetch-crds.js ./crds && CRD_DIR=./crds npm test`), and a strict validator for
 * synthesized objects: unknown fields are errors here, not pruned, because a generator that
 * emits a field the API server would drop has a bug.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as YAML from 'yaml';
import { applySchema } from '../../src/verify/intake/schema';

/** The openAPIV3Schema of every CRD the project emits objects for. */
export interface CrdSchemas {
  readonly cnp119: any;
  readonly ccnp119: any;
  readonly cnp118: any;
  readonly ccnp118: any;
  readonly cnpg: { readonly Cluster: any; readonly Pooler: any; readonly Backup: any; readonly ScheduledBackup: any };
}

const FILES = {
  cnp119: 'cilium/ciliumnetworkpolicies.yaml',
  ccnp119: 'cilium/ciliumclusterwidenetworkpolicies.yaml',
  cnp118: 'cilium/v1.18-branchpoint/ciliumnetworkpolicies.yaml',
  ccnp118: 'cilium/v1.18-branchpoint/ciliumclusterwidenetworkpolicies.yaml',
  Cluster: 'cnpg/postgresql.cnpg.io_clusters.yaml',
  Pooler: 'cnpg/postgresql.cnpg.io_poolers.yaml',
  Backup: 'cnpg/postgresql.cnpg.io_backups.yaml',
  ScheduledBackup: 'cnpg/postgresql.cnpg.io_scheduledbackups.yaml',
};

/** The message a test prints when it skips for want of the CRD files. */
export const CRD_DIR_HINT = 'CRD_DIR is not set: fetch the pinned CRDs with `node scripts/fetch-crds.js ./crds && CRD_DIR=./crds npm test`';

let cache: { dir: string; schemas: CrdSchemas } | undefined;

function served(crd: any, version: string, file: string): any {
  const v = (crd?.spec?.versions ?? []).find((x: any) => x.name === version);
  if (!v?.schema?.openAPIV3Schema) {
    throw new Error(`${file}: no served version ${version} with an openAPIV3Schema`);
  }
  return v.schema.openAPIV3Schema;
}

/**
 * Reads the CRD schemas from $CRD_DIR; undefined when CRD_DIR is unset. Throws when CRD_DIR is
 * set but a file is missing (a broken setup should fail, not skip).
 */
export function loadCrdSchemas(): CrdSchemas | undefined {
  const dir = process.env.CRD_DIR;
  if (!dir) {
    return undefined;
  }
  if (cache && cache.dir === dir) {
    return cache.schemas;
  }
  const read = (rel: string, version: string) => {
    const file = path.join(dir, rel);
    if (!fs.existsSync(file)) {
      throw new Error(`CRD_DIR=${dir}: missing ${rel} (run node scripts/fetch-crds.js ${dir})`);
    }
    return served(YAML.parse(fs.readFileSync(file, 'utf8')), version, file);
  };
  const schemas: CrdSchemas = {
    cnp119: read(FILES.cnp119, 'v2'),
    ccnp119: read(FILES.ccnp119, 'v2'),
    cnp118: read(FILES.cnp118, 'v2'),
    ccnp118: read(FILES.ccnp118, 'v2'),
    cnpg: {
      Cluster: read(FILES.Cluster, 'v1'),
      Pooler: read(FILES.Pooler, 'v1'),
      Backup: read(FILES.Backup, 'v1'),
      ScheduledBackup: read(FILES.ScheduledBackup, 'v1'),
    },
  };
  cache = { dir, schemas };
  return schemas;
}

/** The schemas (labelled) a kind is checked against; undefined for kinds without a CRD here. */
function schemasFor(obj: any, s: CrdSchemas): { label: string; schema: any }[] | undefined {
  const api = obj?.apiVersion;
  const kind = obj?.kind;
  if (api === 'cilium.io/v2' && kind === 'CiliumNetworkPolicy') {
    return [{ label: 'cilium v1.19', schema: s.cnp119 }, { label: 'cilium v1.18', schema: s.cnp118 }];
  }
  if (api === 'cilium.io/v2' && kind === 'CiliumClusterwideNetworkPolicy') {
    return [{ label: 'cilium v1.19', schema: s.ccnp119 }, { label: 'cilium v1.18', schema: s.ccnp118 }];
  }
  if (api === 'postgresql.cnpg.io/v1' && Object.prototype.hasOwnProperty.call(s.cnpg, kind)) {
    return [{ label: 'cnpg', schema: (s.cnpg as any)[kind] }];
  }
  return undefined;
}

/**
 * Validates a synthesized object against the matching CRD(s) with unknown fields reported as
 * errors: both Cilium schemas (v1.19 and v1.18) for Cilium policy kinds, the CNPG CRD for CNPG
 * kinds. Returns "[schema] path: message" strings; empty when valid. Objects of other kinds
 * (core Kubernetes, cilium.io kinds without a CRD here) return an error only when their
 * apiVersion is a CRD group this project knows (cilium.io, postgresql.cnpg.io); others pass.
 * Throws when CRD_DIR is unset: call `loadCrdSchemas()` first and skip.
 */
export function validateStrict(obj: any): string[] {
  const s = loadCrdSchemas();
  if (!s) {
    throw new Error(CRD_DIR_HINT);
  }
  const targets = schemasFor(obj, s);
  if (!targets) {
    const api = String(obj?.apiVersion ?? '');
    if (api.startsWith('cilium.io/') || api.startsWith('postgresql.cnpg.io/')) {
      return [`${api} ${obj?.kind}: no such resource (no CRD for this apiVersion/kind)`];
    }
    return [];
  }
  const errors: string[] = [];
  for (const t of targets) {
    const res = applySchema(obj, t.schema, { strict: true });
    for (const e of res.errors) {
      errors.push(`[${t.label}] ${e}`);
    }
  }
  if (!obj?.metadata?.name) {
    errors.push('metadata.name: required');
  }
  return errors;
}

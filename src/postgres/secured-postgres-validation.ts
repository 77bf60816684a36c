/**
 * The checks of `SecuredPostgresProps` that need more than one line: the cluster name, the
 * image, sizes, identifiers, backups and external clusters. Each throws the first problem, with
 * the construct path, the field, the value and what is accepted instead.
 */
import { IConstruct } from 'constructs';
import { _inputError, _throwProblems } from '../policy/errors';
import { PeerKind } from '../policy/peer';
import { PostgresBackup } from './backup';
import { ExternalClusterOptions } from './external-cluster';

export function validateName(scope: IConstruct, name: string): void {
  if (typeof name !== 'string' || !/^[a-z]([-a-z0-9]*[a-z0-9])?$/.test(name)) {
    throw _inputError(scope, 'name', `"${name}" is not a valid CNPG cluster name`, 'use a DNS-1035 label: lower-case letters, digits and "-", starting with a letter and ending with a letter or digit');
  }
  if (name.length > 50) {
    throw _inputError(scope, 'name', `"${name}" is ${name.length} characters long`, 'use at most 50 characters (CloudNativePG\'s limit for cluster names)');
  }
}

export function validateImage(scope: IConstruct, image: string): void {
  const at = image.indexOf('@');
  const ref = at >= 0 ? image.slice(0, at) : image;
  const digest = at >= 0 ? image.slice(at + 1) : undefined;
  if (digest !== undefined) {
    if (!/^sha256:[a-f0-9]{64}$/.test(digest)) {
      throw _inputError(scope, 'imageName', `"${image}" has an invalid digest`, 'write the digest as sha256:<64 hex characters>');
    }
    return;
  }
  const lastSlash = ref.lastIndexOf('/');
  const colon = ref.lastIndexOf(':');
  const tag = colon > lastSlash ? ref.slice(colon + 1) : undefined;
  if (!tag) {
    throw _inputError(scope, 'imageName', `"${image}" is not pinned`, 'pin a tag or a digest, e.g. "ghcr.io/cloudnative-pg/postgresql:17.5" or "...@sha256:<digest>"');
  }
  if (tag === 'latest') {
    throw _inputError(scope, 'imageName', `"${image}" uses the moving tag "latest"`, 'pin a version tag or a digest, e.g. "ghcr.io/cloudnative-pg/postgresql:17.5"');
  }
}

export function validateQuantity(scope: IConstruct, field: string, q: string): void {
  const m = /^([0-9]+(?:\.[0-9]+)?)(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$/.exec(q ?? '');
  if (!m) {
    throw _inputError(scope, field, `"${q}" is not a Kubernetes quantity`, 'write a size such as "10Gi" or "500Mi"');
  }
  if (Number(m[1]) <= 0) {
    throw _inputError(scope, field, `"${q}" is not a positive size`, 'give a size greater than zero, such as "10Gi"');
  }
}

export function validateIdentifier(scope: IConstruct, field: string, value: string): void {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(value ?? '')) {
    throw _inputError(scope, field, `"${value}" is not a plain PostgreSQL identifier`, 'use lower-case letters, digits and "_", starting with a letter or "_", at most 63 characters');
  }
  if (['postgres', 'template0', 'template1'].includes(value)) {
    throw _inputError(scope, field, `"${value}" is reserved by PostgreSQL or CloudNativePG`, 'choose another name, e.g. "app"');
  }
}

export function validateBackup(scope: IConstruct, backup: PostgresBackup): void {
  if (backup.destinations.length === 0) {
    throw _inputError(scope, 'backup.destinations', 'no destination given, so the pods could not reach the object store', 'give the object store as Destination.fqdn(...), Destination.cidrs(...) or Destination.pods(...)');
  }
  backup.destinations.forEach((d, i) => _throwProblems(scope, '', d._problems(`backup.destinations[${i}]`)));
  if (backup._plugin && !/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(backup._plugin.objectStoreName ?? '')) {
    throw _inputError(scope, 'backup.objectStoreName', `"${backup._plugin.objectStoreName}" is not a valid object name`, 'give the name of the ObjectStore resource');
  }
  const inTree = backup._inTree;
  if (inTree) {
    if (!/^(s3|gs|https?):\/\/\S+$/.test(inTree.destinationPath ?? '')) {
      throw _inputError(scope, 'backup.destinationPath', `"${inTree.destinationPath}" is not an object store path`, 'write it as s3://bucket/path');
    }
    if (!inTree.s3CredentialsSecret && !inTree.inheritFromIamRole) {
      throw _inputError(scope, 'backup.s3CredentialsSecret', 'no credentials given', 'name a secret with ACCESS_KEY_ID and ACCESS_SECRET_KEY, or set inheritFromIamRole');
    }
    if (inTree.retentionPolicy !== undefined && !/^[1-9][0-9]*[dwm]$/.test(inTree.retentionPolicy)) {
      throw _inputError(scope, 'backup.retentionPolicy', `"${inTree.retentionPolicy}" is not a retention policy`, 'write a number followed by d, w or m, e.g. "30d"');
    }
  }
  if (backup.schedule !== undefined && backup.schedule.trim().split(/\s+/).length !== 6) {
    throw _inputError(scope, 'backup.schedule', `"${backup.schedule}" is not a six-field cron schedule`, 'CNPG schedules have seconds first, e.g. "0 0 2 * * *" for 02:00 daily');
  }
}

export function validateExternalClusters(scope: IConstruct, externals: ExternalClusterOptions[]): void {
  const seen = new Set<string>();
  externals.forEach((e, i) => {
    const field = `externalClusters[${i}]`;
    if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(e.name ?? '')) {
      throw _inputError(scope, `${field}.name`, `"${e.name}" is not a valid name`, 'use lower-case letters, digits and "-"');
    }
    if (seen.has(e.name)) {
      throw _inputError(scope, `${field}.name`, `"${e.name}" is used twice`, 'give every external cluster its own name');
    }
    seen.add(e.name);
    if (!e.host) {
      throw _inputError(scope, `${field}.host`, 'empty host', 'give the host name or address the pods connect to');
    }
    _throwProblems(scope, '', e.destination._problems(`${field}.destination`));
    if (e.destination._peers.some((p) => p.kind === PeerKind.FQDN) && e.destination.description !== e.host && !e.destination.description.includes('*')) {
      throw _inputError(scope, `${field}.destination`, `destination "${e.destination.description}" does not match host "${e.host}"`, `use Destination.fqdn("${e.host}", port)`);
    }
  });
}

/**
 * The connectivity matrix of an estate: every pair of endpoints (grouped by identity) on every
 * probed port, from the per-identity policy map (`policy-map.ts`).
 */
import type { PolicyEngine } from './engine';
import { EndpointDef, MatrixPort, VerdictName } from './model';
import { cellMembers, matrixVerdictCodes, VERDICT_CODES } from './policy-map';

/** Endpoints with the same identity (and named ports) behave the same; the matrix evaluates one of each. */
export interface IdentityGroup {
  readonly key: string;
  readonly members: readonly string[];
}

export interface ConnectivityMatrix {
  readonly groups: readonly IdentityGroup[];
  readonly ports: readonly MatrixPort[];
  /** verdicts[srcGroup][dstGroup][port]. Cells with the same verdicts share one (frozen) array. */
  readonly verdicts: readonly (readonly (readonly VerdictName[])[])[];
  /**
   * Same shape as verdicts. Computed with `explain` on first access, one call per cell: on large
   * matrices prefer `reason()` / `reasonAt()`.
   */
  readonly reasons: readonly (readonly (readonly string[])[])[];
  /** Verdict between two endpoint (or peer) names. */
  verdict(src: string, dst: string, port: MatrixPort): VerdictName | undefined;
  /** Verdict of a cell by group and port indexes. */
  verdictAt(srcGroup: number, dstGroup: number, port: number): VerdictName;
  /** Why `verdict(src, dst, port)` is what it is (computed on demand with `explain`). */
  reason(src: string, dst: string, port: MatrixPort): string | undefined;
  /** Why a cell has its verdict, by group and port indexes (computed on demand with `explain`). */
  reasonAt(srcGroup: number, dstGroup: number, port: number): string;
}

/**
 * Connectivity between every pair of the given endpoints (default: all scenario endpoints)
 * on every port, for connections without HTTP or DNS payload. Endpoints are grouped by
 * identity labels and named ports, so the cost grows with the number of distinct identities,
 * not pods. Verdicts come from a per-identity policy map (`matrix.ts`) and equal
 * `engine.explain()` for the cell's members; reasons are computed with `explain` when asked.
 */
export function connectivityMatrix(engine: PolicyEngine, ports: readonly MatrixPort[], names?: readonly string[]): ConnectivityMatrix {
  const list = names ?? engine.endpoints.map((e: EndpointDef) => e.name);
  const groupsByKey = new Map<string, string[]>();
  for (const n of list) {
    const p = engine.resolvePeer(n);
    if (!p) throw new Error(`unknown endpoint or peer ${JSON.stringify(n)}`);
    const np = p.endpoint?.namedPorts ?? {};
    const sig = Object.keys(np)
      .map((k) => `${k.toLowerCase()}=${np[k]}`)
      .sort()
      .join(',');
    const key = `${p.kind}|${p.identityKey}|${sig}|${p.kind === 'pod' ? '' : p.ip ?? ''}`;
    const g = groupsByKey.get(key);
    if (g) g.push(n);
    else groupsByKey.set(key, [n]);
  }
  const groups: IdentityGroup[] = [...groupsByKey.entries()].map(([key, members]) => ({ key, members }));
  const n = groups.length;
  const np = ports.length;
  const { codes } = matrixVerdictCodes(engine, groups, ports);

  // cells share one frozen array per combination of verdicts
  const shared = new Map<number | string, readonly VerdictName[]>();
  const small = np <= 16; // a number keys the combination
  const cellOf = (at: number): readonly VerdictName[] => {
    let key: number | string;
    if (small) {
      key = 0;
      for (let p = 0; p < np; p++) key = key * 3 + codes[at + p];
    } else {
      key = codes.subarray(at, at + np).join('');
    }
    let cell = shared.get(key);
    if (!cell) {
      cell = Object.freeze(Array.from(codes.subarray(at, at + np), (c) => VERDICT_CODES[c]));
      shared.set(key, cell);
    }
    return cell;
  };
  const verdicts: (readonly VerdictName[])[][] = [];
  for (let s = 0; s < n; s++) {
    const row: (readonly VerdictName[])[] = new Array(n);
    for (let d = 0; d < n; d++) row[d] = cellOf((s * n + d) * np);
    verdicts.push(row);
  }

  const index = new Map<string, number>();
  groups.forEach((g, i) => g.members.forEach((m) => index.set(m, i)));
  const portIndex = (port: MatrixPort) => ports.findIndex((p) => p.proto === port.proto && p.port === port.port);
  const reasonAt = (si: number, di: number, pi: number): string => {
    const cell = cellMembers(groups, si, di);
    return engine.explain({ src: cell.src, dst: cell.dst, proto: ports[pi].proto, port: ports[pi].port }).reason;
  };
  let reasons: string[][][] | undefined;
  return {
    groups,
    ports,
    verdicts,
    get reasons(): readonly (readonly (readonly string[])[])[] {
      if (!reasons) reasons = groups.map((_s, si) => groups.map((_d, di) => ports.map((_p, pi) => reasonAt(si, di, pi))));
      return reasons;
    },
    verdict(src: string, dst: string, port: MatrixPort): VerdictName | undefined {
      const si = index.get(src);
      const di = index.get(dst);
      const pi = portIndex(port);
      if (si === undefined || di === undefined || pi < 0) return undefined;
      return VERDICT_CODES[codes[(si * n + di) * np + pi]];
    },
    verdictAt(si: number, di: number, pi: number): VerdictName {
      return VERDICT_CODES[codes[(si * n + di) * np + pi]];
    },
    reason(src: string, dst: string, port: MatrixPort): string | undefined {
      const si = index.get(src);
      const di = index.get(dst);
      const pi = portIndex(port);
      if (si === undefined || di === undefined || pi < 0) return undefined;
      return reasonAt(si, di, pi);
    },
    reasonAt,
  };
}

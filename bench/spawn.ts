/** One measured run of bench/child.ts in a fresh Node process (so that its maxRSS is its own). */
import { spawnSync } from 'child_process';
import * as path from 'path';

/** What bench/child.ts prints: wall, CPU and main-thread CPU time, max RSS and RSS at the start, the output. */
export interface Run {
  ms: number; cpuMs: number; mainCpuMs: number; maxRssMb: number; baseRssMb: number;
  bytes: number; hash: string; objects: number; status?: string;
  /** One whole-app pass of cdk8s (child argument `passes`). */
  passMs?: number;
}

const ROOT = path.resolve(__dirname, '..');

/** The child's result, `'timeout'`, or why it failed (its exit code and last lines of stderr). */
export function runChild(variant: string, size: number, workdir: string, layout: string, extra: string[], timeoutS: number): Run | 'timeout' | string {
  const r = spawnSync(process.execPath, ['-r', 'ts-node/register/transpile-only', path.join(__dirname, 'child.ts'), variant, String(size), workdir, layout, ...extra], {
    cwd: ROOT,
    env: { ...process.env, TS_NODE_PROJECT: path.join(ROOT, 'tsconfig.dev.json'), TS_NODE_TRANSPILE_ONLY: '1' },
    encoding: 'utf8',
    timeout: timeoutS * 1000,
    maxBuffer: 1 << 24,
  });
  if ((r.error && (r.error as any).code === 'ETIMEDOUT') || r.signal === 'SIGTERM') {
    return 'timeout';
  }
  if (r.status !== 0) {
    return `exit ${r.status}: ${(r.stderr || '').split('\n').filter((l) => l.trim()).slice(-3).join(' | ')}`;
  }
  const line = r.stdout.trim().split('\n').pop()!;
  return JSON.parse(line);
}

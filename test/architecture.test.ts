/**
 * The layout of `src/` as ARCHITECTURE.md describes it, kept so: every import (type-only imports,
 * re-exports and `require` included) runs from a higher layer to a lower one or stays inside its
 * own folder, no two files import each other (nor any longer circle), and no hand-written file
 * is over 500 lines.
 */
import * as fs from 'fs';
import * as path from 'path';

const ROOT = path.join(__dirname, '..');
const SRC = path.join(ROOT, 'src');

/**
 * Layers, lowest first. A file may import from a lower layer, or from its own layer's files.
 * Within the verifier the stages are layers of their own (ARCHITECTURE.md, "The verifier").
 */
const LAYERS: readonly (readonly string[])[] = [
  ['src/cilium/'],
  ['src/policy/', 'src/verify/model.ts', 'src/verify/cli-io.ts'],
  ['src/common/', 'src/verify/identity/'],
  ['src/access/', 'src/verify/intake/'],
  ['src/postgres/', 'src/verify/scenario.ts', 'src/verify/resolve/', 'src/verify/l7/'],
  ['src/verify/explain.ts'],
  ['src/verify/engine.ts'],
  ['src/verify/policy-map.ts'],
  ['src/verify/matrix.ts'],
  ['src/verify/index.ts', 'src/verify/lint/'],
  ['src/verify/replay/', 'src/verify/verifier.ts', 'src/verify/cli.ts', 'src/report/'],
  ['src/testing/', 'src/plugin/', 'src/cli/'],
  ['src/index.ts'],
];

/** Folders that may not import each other although one sits above the other. */
const APART: readonly [string, string][] = [
  // the verifier stack never depends on the constructs, and the constructs never on the verifier
  ['src/verify/', 'src/policy/'],
  ['src/verify/', 'src/common/'],
  ['src/verify/', 'src/access/'],
  ['src/verify/', 'src/postgres/'],
  ['src/report/', 'src/policy/'],
  ['src/report/', 'src/common/'],
  ['src/report/', 'src/access/'],
  ['src/report/', 'src/postgres/'],
  ['src/access/', 'src/report/'],
  ['src/postgres/', 'src/report/'],
];

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...filesUnder(p));
    else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) out.push(p);
  }
  return out.sort();
}

function rel(p: string): string {
  return path.relative(ROOT, p).split(path.sep).join('/');
}

/** The project files a source file imports (relative specifiers only; `imports/` and packages are not layers). */
function importsOf(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  const specs = new Set<string>();
  for (const m of text.matchAll(/\b(?:from|import)\s*\(?\s*['"](\.[^'"]+)['"]/g)) specs.add(m[1]);
  for (const m of text.matchAll(/\brequire\(\s*['"](\.[^'"]+)['"]\s*\)/g)) specs.add(m[1]);
  const out: string[] = [];
  for (const s of specs) {
    const base = path.resolve(path.dirname(file), s);
    const target = [`${base}.ts`, path.join(base, 'index.ts')].find((c) => fs.existsSync(c));
    if (target && target.startsWith(SRC + path.sep)) out.push(target);
  }
  return out.sort();
}

function layerOf(file: string): { layer: number; unit: string } {
  const r = rel(file);
  for (let i = 0; i < LAYERS.length; i++) {
    for (const prefix of LAYERS[i]) if (r === prefix || (prefix.endsWith('/') && r.startsWith(prefix))) return { layer: i, unit: prefix };
  }
  throw new Error(`${r} is in no layer of test/architecture.test.ts: add it to LAYERS (and to ARCHITECTURE.md)`);
}

const files = filesUnder(SRC);
const graph = new Map(files.map((f) => [f, importsOf(f)] as const));

describe('src/ layers', () => {
  test('every file belongs to a layer', () => {
    for (const f of files) expect(() => layerOf(f)).not.toThrow();
  });

  test('imports run down the layers (or inside a folder), never up or sideways', () => {
    const wrong: string[] = [];
    for (const [f, deps] of graph) {
      const from = layerOf(f);
      for (const d of deps) {
        const to = layerOf(d);
        const ok = to.layer < from.layer || to.unit === from.unit;
        const apart = APART.some(([a, b]) => rel(f).startsWith(a) && rel(d).startsWith(b));
        if (!ok || apart) wrong.push(`${rel(f)} -> ${rel(d)}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  test('no file imports itself back through others (no circles)', () => {
    // Tarjan's strongly connected components over the import graph
    let index = 0;
    const idx = new Map<string, number>();
    const low = new Map<string, number>();
    const stack: string[] = [];
    const on = new Set<string>();
    const circles: string[][] = [];
    const visit = (v: string): void => {
      idx.set(v, index);
      low.set(v, index++);
      stack.push(v);
      on.add(v);
      for (const w of graph.get(v) ?? []) {
        if (!idx.has(w)) {
          visit(w);
          low.set(v, Math.min(low.get(v)!, low.get(w)!));
        } else if (on.has(w)) {
          low.set(v, Math.min(low.get(v)!, idx.get(w)!));
        }
      }
      if (low.get(v) === idx.get(v)) {
        const scc: string[] = [];
        let w: string;
        do {
          w = stack.pop()!;
          on.delete(w);
          scc.push(rel(w));
        } while (w !== v);
        if (scc.length > 1 || (graph.get(v) ?? []).includes(v)) circles.push(scc.sort());
      }
    };
    for (const f of files) if (!idx.has(f)) visit(f);
    expect(circles).toEqual([]);
  });

  test('the check can fail: a circle and an upward import are found', () => {
    // the same walk over a made-up graph, so that an empty result above means something
    const fake = new Map<string, string[]>([['a', ['b']], ['b', ['a']]]);
    const seen = new Set<string>();
    const circle = (v: string, trail: string[]): boolean => {
      if (trail.includes(v)) return true;
      if (seen.has(v)) return false;
      seen.add(v);
      return (fake.get(v) ?? []).some((w) => circle(w, [...trail, v]));
    };
    expect(circle('a', [])).toBe(true);
    expect(layerOf(path.join(SRC, 'policy', 'peer.ts')).layer).toBeLessThan(layerOf(path.join(SRC, 'verify', 'engine.ts')).layer);
    expect(importsOf(path.join(SRC, 'verify', 'engine.ts')).map(rel)).toContain('src/verify/explain.ts');
  });

  test('no hand-written file in src/ is over 500 lines', () => {
    const long = files
      .filter((f) => !f.endsWith('.generated.ts'))
      .map((f) => [rel(f), fs.readFileSync(f, 'utf8').split('\n').length] as const)
      .filter(([, n]) => n > 500);
    expect(long).toEqual([]);
  });
});

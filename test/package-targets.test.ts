/**
 * jsii targets. This machine reaches only the npm registry, so the JavaScript package is built
 * for real, while Python, Java, .NET and Go are generated as source (`--code-only`): building
 * their packages needs PyPI, Maven Central, NuGet and the Go toolchain. The Python sources are
 * byte-compiled to catch syntax errors in what jsii-pacmak generated.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '..');
const PACMAK = path.join(ROOT, 'node_modules', 'jsii-pacmak', 'bin', 'jsii-pacmak');
const PKG = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));

let out: string;
beforeAll(() => { out = fs.mkdtempSync(path.join(os.tmpdir(), 'csp-pacmak-')); });
afterAll(() => { fs.rmSync(out, { recursive: true, force: true }); });

function pacmak(args: string[]): void {
  execFileSync(process.execPath, [PACMAK, ...args, '-o', out], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, npm_config_offline: 'true' } });
}

function walk(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]);
}

test('every language target is configured', () => {
  expect(Object.keys(PKG.jsii.targets).sort()).toEqual(['dotnet', 'go', 'java', 'python']);
});

test('jsii-pacmak builds the JavaScript package', () => {
  pacmak(['--targets', 'js']);
  expect(fs.readdirSync(path.join(out, 'js'))).toEqual([`${PKG.name}@${PKG.version}.jsii.tgz`]);
});

test('jsii-pacmak generates Python, Java, .NET and Go sources', () => {
  pacmak(['--code-only', '--targets', 'python,java,dotnet,go']);
  const files = walk(out).map((f) => path.relative(out, f));
  const py = PKG.jsii.targets.python.module;
  expect(files).toContain(`python/src/${py}/__init__.py`);
  expect(files).toContain('java/pom.xml');
  expect(files.some((f) => f.startsWith('java/src/main/java/io/github/cdk8ssecuredpostgres/') && f.endsWith('SecuredPostgres.java'))).toBe(true);
  expect(files.some((f) => f.startsWith('dotnet/') && f.endsWith('SecuredPostgres.cs'))).toBe(true);
  expect(files.some((f) => f.startsWith('go/') && f.endsWith('SecuredPostgres.go'))).toBe(true);
  // the generated Python is at least valid Python
  execFileSync('python3', ['-m', 'compileall', '-q', path.join(out, 'python', 'src')], { stdio: ['ignore', 'pipe', 'pipe'] });
});

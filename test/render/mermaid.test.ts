/**
 * Every Mermaid diagram of the connectivity reports renders: the `mermaid` package in a real
 * headless Chromium (test/util/mermaid.ts) parses and renders each block, and the drawing has
 * a node for every pod and peer the block names, a title for every namespace and a label for
 * every edge, with the text the report wrote.
 *
 * The blocks: every example chart's report as `npm run synth` writes it (the plugin, with the
 * scenarios of cdk8s.yaml) and as `cilium-verify report` writes it from the manifests alone;
 * the flowcharts of `cilium-verify diff` on changes of the examples (test/util/example-diffs.ts);
 * reports of a made-up input with the characters labels may carry; and broken blocks, to show
 * that the harness fails. To add diagrams of another command, add its blocks to BLOCKS.
 *
 * Needs Chromium (`apt-get install -y --no-install-recommends chromium`): without it the tests
 * are skipped with a message, or fail when REQUIRE_CHROMIUM=1 (CI sets it).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Yaml } from 'cdk8s';
import { ValidationContext } from 'cdk8s-cli/plugins';
import * as YAML from 'yaml';
import { CiliumPolicyValidation } from '../../src/plugin';
import { connectivityReport, readScenario } from '../../src/report';
import { exampleDiffs } from '../util/example-diffs';
import { EXAMPLE_CHARTS, ROOT, exampleReports, scenarioBindings, synthExample } from '../util/example-reports';
import { CHROMIUM_HINT, MermaidResult, extractMermaidBlocks, findChromium, withMermaidBrowser } from '../util/mermaid';

jest.setTimeout(180_000);

const CHROMIUM = findChromium();
const REQUIRED = process.env.REQUIRE_CHROMIUM === '1';

/** A Mermaid block and where it comes from. */
interface Block {
  readonly name: string;
  readonly block: string;
}

// ---------------------------------------------------------------------------------------------
// What the report writes in a block, read back: node, subgraph and edge labels.

const ENTITIES: Record<string, string> = { quot: '"', amp: '&', lt: '<', gt: '>', apos: "'", nbsp: '\u00a0' };

/** The text Mermaid shows for a label: its entity codes (`#quot;`, `#35;`) decoded. */
function shown(label: string): string {
  return label.replace(/#([a-z]+|[0-9]+);/gi, (all, code: string) => {
    if (/^[0-9]+$/.test(code)) return String.fromCodePoint(Number(code));
    return ENTITIES[code.toLowerCase()] ?? all;
  }).replace(/\s+/g, ' ').trim();
}

interface Expected {
  readonly nodes: string[];
  readonly clusters: string[];
  readonly edges: string[];
}

/** The labels a report block declares (the report's own syntax: `n1["..."]`, `n1(["..."])`, `subgraph x["..."]`, `a -->|"..."| b`, the diff's `a -.->|"..."| b`). */
function declared(block: string): Expected {
  const nodes: string[] = [];
  const clusters: string[] = [];
  const edges: string[] = [];
  for (const line of block.split('\n')) {
    let m = /^\s*subgraph\s+\S+?\["(.*)"\]\s*$/.exec(line);
    if (m) { clusters.push(shown(m[1])); continue; }
    m = /^\s*n\d+(?:\["(.*)"\]|\(\["(.*)"\]\))\s*$/.exec(line);
    if (m) { nodes.push(shown(m[1] ?? m[2])); continue; }
    m = /^\s*n\d+\s+(?:-->|-\.->)\|"(.*)"\|\s+n\d+\s*$/.exec(line);
    if (m) edges.push(shown(m[1]));
  }
  return { nodes, clusters, edges };
}

const sorted = (xs: readonly string[]): string[] => [...xs].sort();

/** Fails unless the block rendered, with one node per declared pod or peer and the declared texts. */
function expectRendered(b: Block, r: MermaidResult | undefined): void {
  expect({ block: b.name, error: r?.error }).toEqual({ block: b.name, error: undefined });
  expect(r!.svg).toMatch(/^<svg[\s>]/);
  const want = declared(b.block);
  expect(want.nodes.length).toBeGreaterThan(0);
  expect(sorted(r!.nodeLabels!)).toEqual(sorted(want.nodes));
  expect(sorted(r!.clusterLabels!)).toEqual(sorted(want.clusters));
  expect(sorted(r!.edgeLabels!)).toEqual(sorted(want.edges));
}

// ---------------------------------------------------------------------------------------------
// The blocks.

const REPORTS = exampleReports();
const EXAMPLE_BLOCKS: Block[] = REPORTS.flatMap((r) => extractMermaidBlocks(r.markdown)
  .map((block, i) => ({ name: `${r.chart} (${r.variant}) #${i + 1}`, block })));

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'csp-mermaid-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/**
 * A made-up input whose report puts awkward characters in the diagram: scenario endpoint names,
 * HTTP paths and header values, CIDRs and FQDNs (`/`, quotes, `:`, parentheses, brackets,
 * braces, `|`, `&`, `*`, `=`), and, with `angles`, `<`, `>` and `#` as well.
 */
function charactersReport(angles: boolean): string {
  const inNs = (ns: string) => ({ 'k8s:io.kubernetes.pod.namespace': ns });
  const http = (port: string, rules: any[]) => ({ ports: [{ port, protocol: 'TCP' }], rules: { http: rules } });
  const policy = {
    apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name: 'api', namespace: 'shop' },
    spec: {
      endpointSelector: { matchLabels: { app: 'api' } },
      ingress: [
        { fromEndpoints: [{ matchLabels: { app: 'web', ...inNs('web') } }], toPorts: [http('8080', [
          { method: 'GET', path: angles ? '/items/(?<id>[0-9]+)' : '/items/[0-9]+' },
          { method: 'POST', path: '/search/"x"' },
        ])] },
        { fromEndpoints: [{ matchLabels: { app: 'admin', ...inNs('web') } }], toPorts: [http('9090', [
          { method: 'GET', path: angles ? '/admin/(a|b)#top;' : '/admin/(a|b)', headers: [angles ? 'X-Role: a<b>c' : 'X-Role: a=b'] },
        ])] },
        { fromEndpoints: [{ matchLabels: { app: 'batch', ...inNs('jobs') } }], toPorts: [http('9091', [
          { method: 'PUT', path: '/x/[a-z]{2,4}', headerMatches: [{ name: 'X-Mode', value: angles ? "it's <on>" : 'it\'s "on" & off' }] },
        ])] },
        { fromCIDR: ['203.0.113.0/24'], toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }] },
      ],
      egress: [
        { toFQDNs: [{ matchName: 'api.example.com' }], toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }] },
        { toEndpoints: [{ matchLabels: { 'k8s-app': 'kube-dns', ...inNs('kube-system') } }],
          toPorts: [{ ports: [{ port: '53', protocol: 'ANY' }], rules: { dns: [{ matchPattern: '*.example.com' }] } }] },
      ],
    },
  };
  const names = angles
    ? { web: 'web/frontend <v1>', admin: '"admin" <console>', batch: 'batch #1' }
    : { web: 'web/frontend (v1)', admin: '"admin" console', batch: 'batch: nightly [a] {b}' };
  const scenario = {
    namespaces: { 'web': {}, 'shop': {}, 'jobs': {}, 'kube-system': {} },
    endpoints: {
      [names.web]: { namespace: 'web', labels: { app: 'web' } },
      [names.admin]: { namespace: 'web', labels: { app: 'admin' } },
      [names.batch]: { namespace: 'jobs', labels: { app: 'batch' } },
      'api': { namespace: 'shop', labels: { app: 'api' } },
      'kube-dns': { namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' } },
    },
    dns: { 'api.example.com': ['203.0.113.10'] },
    flows: [
      { src: names.web, dst: 'api', proto: 'TCP', port: 8080, expect: 'ALLOW' },
      { src: 'api', dst: 'world:203.0.113.10', proto: 'TCP', port: 443, expect: 'ALLOW' },
      { src: 'world:203.0.113.10', dst: 'api', proto: 'TCP', port: 8080, expect: 'DROP' },
    ],
  };
  const file = path.join(tmp, `characters-${angles ? 'angles' : 'plain'}.connectivity.yaml`);
  fs.writeFileSync(file, YAML.stringify(scenario));
  const withScenario = connectivityReport({ objects: [policy], scenarios: [readScenario(file)] });
  if (withScenario.failures.length) throw new Error(`the made-up scenario does not hold: ${JSON.stringify(withScenario.failures)}`);
  // and without the scenario: stand-ins named after the selectors, the CIDR and FQDN peers
  return withScenario.markdown + connectivityReport({ objects: [policy] }).markdown;
}

const PLAIN_BLOCKS: Block[] = extractMermaidBlocks(charactersReport(false)).map((block, i) => ({ name: `characters #${i + 1}`, block }));
const ANGLE_BLOCKS: Block[] = extractMermaidBlocks(charactersReport(true)).map((block, i) => ({ name: `characters <># #${i + 1}`, block }));

/** Blocks that must not render: the mistakes a report generator could make. */
const BROKEN: Block[] = [
  { name: 'a quote left unescaped in a label', block: 'flowchart LR\n  n0["the "admin" pod"]\n  n1["api"]\n  n0 -->|"TCP/80"| n1' },
  { name: 'an unbalanced bracket', block: 'flowchart LR\n  n0["api"\n  n1["db"]\n  n0 -->|"TCP/5432"| n1' },
  { name: 'an edge label not closed', block: 'flowchart LR\n  n0["api"]\n  n1["db"]\n  n0 -->|"TCP/5432| n1' },
  { name: 'an end without its subgraph', block: 'flowchart LR\n  subgraph ns_0["namespace a"]\n    n0["api"]\n  end\n  end' },
  { name: 'no diagram type', block: 'n0["api"] --> n1["db"]' },
];

/** The flowcharts of the changed edges of `cilium-verify diff`: green added edges, red dashed removed ones (linkStyle). */
const DIFF_BLOCKS: Block[] = exampleDiffs().flatMap((d) => extractMermaidBlocks(d.markdown).map((block, i) => ({ name: `diff: ${d.name} #${i + 1}`, block })));

const BLOCKS: Block[] = [...EXAMPLE_BLOCKS, ...DIFF_BLOCKS, ...PLAIN_BLOCKS, ...ANGLE_BLOCKS, ...BROKEN];

// ---------------------------------------------------------------------------------------------

describe('extractMermaidBlocks', () => {
  test('finds the ```mermaid fences, in order, and nothing else', () => {
    const md = [
      '# r', '', '```mermaid', 'flowchart LR', '  a --> b', '```', '', '```yaml', 'x: 1', '```', '',
      '~~~mermaid', 'flowchart TB', '  c', '~~~', '````mermaid', 'flowchart LR', '```', '  d', '````', '',
    ].join('\n');
    expect(extractMermaidBlocks(md)).toEqual(['flowchart LR\n  a --> b', 'flowchart TB\n  c', 'flowchart LR\n```\n  d']);
    expect(extractMermaidBlocks('```mermaid\r\nflowchart LR\r\n  a\r\n```\r\n')).toEqual(['flowchart LR\r\n  a']);
    expect(extractMermaidBlocks('no diagram')).toEqual([]);
  });
});

describe('the blocks under test', () => {
  test('every example chart is reported, with the scenarios cdk8s.yaml binds to it', () => {
    const main = fs.readFileSync(path.join(ROOT, 'examples', 'main.ts'), 'utf8');
    const charts = [...main.matchAll(/new \w+\(app, '([^']+)'\)/g)].map((m) => m[1]);
    expect(sorted(Object.keys(EXAMPLE_CHARTS))).toEqual(sorted(charts));
    const scenarioFiles = fs.readdirSync(path.join(ROOT, 'examples')).filter((f) => f.endsWith('.connectivity.yaml')).map((f) => `examples/${f}`);
    expect(sorted(Object.values(scenarioBindings()).flat())).toEqual(sorted(scenarioFiles));
    for (const r of REPORTS) {
      expect({ chart: r.chart, variant: r.variant, blocks: extractMermaidBlocks(r.markdown).length > 0 })
        .toEqual({ chart: r.chart, variant: r.variant, blocks: true });
    }
    // the scenario reports carry their checks
    for (const r of REPORTS.filter((x) => x.variant === 'plugin' && scenarioBindings()[x.chart])) {
      expect(r.markdown).toMatch(/## Scenario checks\n\n(\d+) of \1 expected verdicts hold\./);
    }
  });

  test('the plugin variant is what the validation plugin writes on `npm run synth` (cdk8s.yaml\'s properties)', async () => {
    const dist = path.join(tmp, 'dist');
    fs.mkdirSync(dist);
    const manifests = Object.keys(EXAMPLE_CHARTS).map((chart) => {
      const f = path.join(dist, `${chart}.k8s.yaml`);
      fs.writeFileSync(f, Yaml.stringify(...synthExample(chart)));
      return f;
    });
    const props = YAML.parse(fs.readFileSync(path.join(ROOT, 'cdk8s.yaml'), 'utf8')).validations[0].properties;
    const cwd = process.cwd();
    const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      process.chdir(ROOT);
      const ctx = new ValidationContext(manifests, 'cdk8s-secured-postgres', '0.1.0', {}, false);
      await new CiliumPolicyValidation({ ...props, report: props.report.split('{outdir}').join(dist) }).validate(ctx);
      expect(ctx.report.success).toBe(true);
    } finally {
      process.chdir(cwd);
      log.mockRestore();
    }
    for (const r of REPORTS.filter((x) => x.variant === 'plugin')) {
      expect({ chart: r.chart, markdown: fs.readFileSync(path.join(dist, `${r.chart}.connectivity.md`), 'utf8') }).toEqual({ chart: r.chart, markdown: r.markdown });
    }
  });

  test('the diff blocks: every kind of change, added and removed edges styled by index', () => {
    expect(DIFF_BLOCKS.map((b) => b.name)).toEqual([
      'diff: world to the database #1', 'diff: instances ingress removed #1', 'diff: both ways #1', 'diff: HTTP routes changed #1', 'diff: NetworkPolicy default deny #1',
    ]);
    for (const b of DIFF_BLOCKS) {
      const edges = b.block.split('\n').filter((l) => / (-->|-\.->)\|/.test(l)).length;
      expect(b.block.split('\n').filter((l) => /^  linkStyle \d+ /.test(l)).map((l) => Number(l.split(' ')[3]))).toEqual([...Array(edges).keys()]);
    }
    expect(DIFF_BLOCKS.find((b) => b.name.startsWith('diff: HTTP'))!.block).toContain('(GET /health; POST /login)');
  });

  test('the made-up input puts the awkward characters in the labels', () => {
    const plain = PLAIN_BLOCKS.map((b) => b.block).join('\n');
    for (const s of ['web/frontend (v1)', '#quot;admin#quot;', 'batch: nightly [a] {b}', '203.0.113.0/24 (203.0.113.1)', 'api.example.com (',
      'GET /admin/(a|b)', '/search/#quot;x#quot;', 'X-Role: a=b', "it's #quot;on#quot; & off", 'DNS *.example.com', 'the internet (world)', 'pods app=web (web)']) {
      expect(plain).toContain(s);
    }
    const angles = ANGLE_BLOCKS.map((b) => b.block).join('\n');
    // escaped in the block (#35; #lt; #gt;), shown as written (checked in Chromium below)
    for (const s of ['#lt;v1#gt;', '#lt;console#gt;', 'batch #35;1', '(?#lt;id#gt;[0-9]+)', '#35;top;', 'a#lt;b#gt;c', '#lt;on#gt;']) expect(angles).toContain(s);
  });
});

const suite = CHROMIUM ? describe : describe.skip;

if (!CHROMIUM) {
  if (REQUIRED) {
    test('Chromium is installed (REQUIRE_CHROMIUM=1)', () => { throw new Error(CHROMIUM_HINT); });
  } else {
    // eslint-disable-next-line no-console
    console.log(`test/render/mermaid.test.ts: Mermaid rendering skipped: ${CHROMIUM_HINT}`);
  }
}

suite('Mermaid blocks rendered in headless Chromium', () => {
  const results = new Map<string, MermaidResult>();
  let png: { file: string; bytes: Buffer } | undefined;

  beforeAll(async () => {
    await withMermaidBrowser(async (r) => {
      for (const b of BLOCKS) results.set(b.name, await r.render(b.block));
      const file = path.join(tmp, 'diagram.png');
      await r.png(EXAMPLE_BLOCKS[0].block, file, { width: 1200 });
      png = { file, bytes: fs.readFileSync(file) };
    });
  });

  test.each(EXAMPLE_BLOCKS.map((b) => [b.name, b] as const))('example %s', (_name, b) => {
    expectRendered(b, results.get(b.name));
  });

  test.each(DIFF_BLOCKS.map((b) => [b.name, b] as const))('%s', (_name, b) => {
    expectRendered(b, results.get(b.name));
    // the edges are drawn in the diff's colours: added green, removed red and dashed
    const svg = results.get(b.name)!.svg!;
    if (b.block.includes(' -->|')) expect(svg).toMatch(/stroke:#1a7f37/);
    if (b.block.includes(' -.->|')) expect(svg).toMatch(/stroke:#cf222e[^"]*stroke-dasharray/);
  });

  test.each(PLAIN_BLOCKS.map((b) => [b.name, b] as const))('%s: slashes, quotes, colons, parentheses, brackets, | & * =', (_name, b) => {
    expectRendered(b, results.get(b.name));
  });

  test('the blocks with < > and # parse and render', () => {
    for (const b of ANGLE_BLOCKS) expect({ block: b.name, error: results.get(b.name)?.error }).toEqual({ block: b.name, error: undefined });
  });

  // Mermaid drops `<...>` as HTML and reads `#top;` as an entity code unless the report escapes
  // `#`, `<` and `>` (#35;, #lt;, #gt;) as well as `"`: the text must come out as written.
  test('labels with < > and # show the text the report wrote', () => {
    for (const b of ANGLE_BLOCKS) expectRendered(b, results.get(b.name));
  });

  test.each(BROKEN.map((b) => [b.name, b] as const))('a broken block fails: %s', (_name, b) => {
    const r = results.get(b.name)!;
    expect(r.svg).toBeUndefined();
    expect(r.error).toMatch(/^(parse|render) error: \S/);
  });

  test('the error names the line of the mistake', () => {
    expect(results.get(BROKEN[0].name)!.error).toMatch(/Parse error on line 2:[\s\S]*the "admin"/);
    expect(results.get('no diagram type')!.error).toMatch(/No diagram type detected/);
  });

  test('a block that takes too long fails with a timeout instead of hanging', async () => {
    const started = Date.now();
    const r = await withMermaidBrowser((b) => b.render(EXAMPLE_BLOCKS[0].block), { timeoutMs: 1 });
    expect(r).toEqual({ error: 'timeout: no result within 1 ms' });
    expect(Date.now() - started).toBeLessThan(60_000);
  });

  test('a PNG of a diagram: the requested width, taller than a line of text', () => {
    const b = png!.bytes;
    expect(b.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect(b.readUInt32BE(16)).toBe(1200); // IHDR width
    expect(b.readUInt32BE(20)).toBeGreaterThan(100); // IHDR height
  });
});

/**
 * Writes the README's picture of a connectivity-report diagram: the Mermaid flowchart of one
 * namespace of an example's report (as `npm run synth` writes the report), rendered with the
 * test harness of test/render/mermaid.test.ts (test/util/mermaid.ts: the pinned `mermaid` in
 * headless Chromium) and saved as a PNG under docs/.
 *
 *     npm run docs:diagrams
 *     # = npx ts-node --transpile-only -P tsconfig.dev.json scripts/render-diagrams.ts
 *
 * Needs Chromium (`apt-get install -y --no-install-recommends chromium`, or CHROMIUM_PATH).
 */
import * as path from 'path';
import { ROOT, exampleReport } from '../test/util/example-reports';
import { extractMermaidBlocks, withMermaidBrowser } from '../test/util/mermaid';

interface Diagram {
  /** Example chart (examples/main.ts). */
  readonly chart: string;
  /** The report section whose diagram is drawn. */
  readonly namespace: string;
  /** Output, relative to the project. */
  readonly file: string;
  /** Width of the PNG in pixels. */
  readonly width: number;
}

const DIAGRAMS: readonly Diagram[] = [
  { chart: 'cnpg-cilium', namespace: 'backend', file: 'docs/connectivity-cnpg-cilium-backend.png', width: 1200 },
];

/** The Mermaid block of a report's `## Namespace \`ns\`` section. */
function namespaceBlock(markdown: string, namespace: string): string {
  const sections = markdown.split(/^(?=## )/m);
  const section = sections.find((s) => s.startsWith(`## Namespace \`${namespace}\`\n`));
  if (!section) throw new Error(`the report has no section for namespace ${namespace}`);
  const [block] = extractMermaidBlocks(section);
  if (!block) throw new Error(`the section of namespace ${namespace} has no diagram`);
  return block;
}

async function main(): Promise<void> {
  await withMermaidBrowser(async (r) => {
    for (const d of DIAGRAMS) {
      const block = namespaceBlock(exampleReport(d.chart, 'plugin').markdown, d.namespace);
      await r.png(block, path.join(ROOT, d.file), { width: d.width });
      console.log(`render-diagrams: ${d.file} (${d.chart}, namespace ${d.namespace})`);
    }
  });
}

main().catch((e) => {
  console.error(`render-diagrams: ${e instanceof Error ? e.message : e}`);
  process.exit(1);
});

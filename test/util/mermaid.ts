/**
 * Renders Mermaid diagrams the way a Markdown viewer does: the `mermaid` package's browser
 * bundle (node_modules/mermaid/dist/mermaid.min.js, pinned in package.json) in a real headless
 * Chromium (Debian's `chromium`, driven by `playwright-core`, which downloads no browser).
 * Nothing is fetched: the bundle is injected from disk and every request of the page is refused.
 *
 * Usage:
 *
 *     const blocks = extractMermaidBlocks(markdown);           // the ```mermaid fences
 *     const results = await renderMermaid(blocks);             // one browser for all of them
 *     // results[i].error: the parse or render error text; else results[i].svg and the labels
 *
 *     await withMermaidBrowser(async (r) => {                  // several calls, one browser
 *       await r.render(block);
 *       await r.png(block, 'docs/diagram.png');
 *     });
 *
 * `findChromium()` says where the browser is (env CHROMIUM_PATH, /usr/bin/chromium, or
 * `chromium` on PATH); CHROMIUM_HINT says how to install it.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { Browser, Page } from 'playwright-core';

/** What rendering one block gave. */
export interface MermaidResult {
  /** The SVG markup, when the block parsed and rendered. */
  readonly svg?: string;
  /** The parse or render error (its message text), or a timeout. */
  readonly error?: string;
  /** Text of every node of the diagram (`g.node`), in document order. */
  readonly nodeLabels?: readonly string[];
  /** Text of every subgraph title (`g.cluster-label`). */
  readonly clusterLabels?: readonly string[];
  /** Text of every edge label (`g.edgeLabel`, empty ones left out). */
  readonly edgeLabels?: readonly string[];
}

/** Options of the browser. */
export interface MermaidBrowserOptions {
  /** The Chromium binary; default `findChromium()`. */
  readonly executablePath?: string;
  /** Milliseconds one block may take to parse and render before it counts as failed; default 20,000. */
  readonly timeoutMs?: number;
}

/** Options of a PNG. */
export interface MermaidPngOptions {
  /** Width of the image in pixels (the diagram is scaled to it, plus a margin); default 1400. */
  readonly width?: number;
  /** Margin around the diagram in pixels; default 24. */
  readonly margin?: number;
}

/** A renderer backed by one browser page. */
export interface MermaidRenderer {
  /** Parses (`mermaid.parse`) then renders (`mermaid.render`) one block. Never throws for a bad block. */
  render(block: string): Promise<MermaidResult>;
  /** Renders the blocks one after the other. */
  renderAll(blocks: readonly string[]): Promise<MermaidResult[]>;
  /** Renders a block and writes a screenshot of it: white background, `width` pixels wide. Throws when the block does not render. */
  png(block: string, pngPath: string, options?: MermaidPngOptions): Promise<void>;
}

/** How to get the browser, for skip and failure messages. */
export const CHROMIUM_HINT = 'no Chromium found (env CHROMIUM_PATH, /usr/bin/chromium, or chromium on PATH): '
  + 'install it with `apt-get install -y --no-install-recommends chromium` (Debian), or set CHROMIUM_PATH';

/** Where the mermaid browser bundle is. */
export const MERMAID_BUNDLE = require.resolve('mermaid/dist/mermaid.min.js');

/** The Chromium binary to use: env CHROMIUM_PATH, else /usr/bin/chromium, else `chromium` on PATH; undefined when none exists. */
export function findChromium(): string | undefined {
  const isFile = (p: string): boolean => {
    try { return fs.statSync(p).isFile(); } catch { return false; }
  };
  const fromEnv = process.env.CHROMIUM_PATH;
  if (fromEnv) return isFile(fromEnv) ? fromEnv : undefined;
  if (isFile('/usr/bin/chromium')) return '/usr/bin/chromium';
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (dir && isFile(path.join(dir, 'chromium'))) return path.join(dir, 'chromium');
  }
  return undefined;
}

/** The bodies of the ```mermaid fences of a Markdown text, in order, without the fences. */
export function extractMermaidBlocks(markdown: string): string[] {
  const out: string[] = [];
  const re = /^(`{3,}|~{3,})[ \t]*mermaid[ \t]*\r?\n([\s\S]*?)^\1[ \t]*$/gm;
  for (let m = re.exec(markdown); m; m = re.exec(markdown)) out.push(m[2].replace(/\r?\n$/, ''));
  return out;
}

// Flags that keep Chromium quiet on a closed network and working as root in a container.
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
  '--font-render-hinting=none',
];

const MERMAID_CONFIG = {
  startOnLoad: false,
  securityLevel: 'strict',
  theme: 'default',
  deterministicIds: true,
  suppressErrorRendering: true,
  fontFamily: '"DejaVu Sans", "Liberation Sans", Arial, sans-serif',
};

const PAGE = '<!doctype html><html><head><meta charset="utf-8"><style>'
  + 'html,body{margin:0;padding:0;background:#ffffff}#shot{display:inline-block;background:#ffffff}'
  + '</style></head><body><div id="shot"></div></body></html>';

/** Starts one headless Chromium, gives `fn` a renderer, and closes the browser whatever happens. */
export async function withMermaidBrowser<T>(fn: (r: MermaidRenderer) => Promise<T>, options: MermaidBrowserOptions = {}): Promise<T> {
  const executablePath = options.executablePath ?? findChromium();
  if (!executablePath) throw new Error(CHROMIUM_HINT);
  const timeoutMs = options.timeoutMs ?? 20_000;
  // playwright-core is loaded here, not at the top, so that a test file can skip without it
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { chromium } = require('playwright-core') as typeof import('playwright-core');
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'mermaid-chromium-'));
  let browser: Browser | undefined;
  try {
    browser = await chromium.launch({
      executablePath,
      headless: true,
      args: CHROMIUM_ARGS,
      timeout: 60_000,
      // a fresh, empty profile and home: nothing of the user's browser is read
      env: { ...process.env, HOME: home, XDG_CONFIG_HOME: path.join(home, '.config'), XDG_CACHE_HOME: path.join(home, '.cache') },
    });
    const b = browser;
    let page: Page | undefined;
    let seq = 0;

    const openPage = async (): Promise<Page> => {
      const p = await b.newPage({ viewport: { width: 1600, height: 1200 }, deviceScaleFactor: 1 });
      await p.route('**/*', (route) => route.abort()); // no network, ever
      await p.setContent(PAGE);
      await p.addScriptTag({ path: MERMAID_BUNDLE });
      await p.evaluate((config) => (globalThis as any).mermaid.initialize(config), MERMAID_CONFIG);
      return p;
    };

    const withTimeout = async <R>(what: Promise<R>): Promise<R | 'timeout'> => {
      let timer: NodeJS.Timeout | undefined;
      const expired = new Promise<'timeout'>((resolve) => { timer = setTimeout(() => resolve('timeout'), timeoutMs); });
      try {
        return await Promise.race([what, expired]);
      } finally {
        clearTimeout(timer);
      }
    };

    const render = async (block: string, keep = false): Promise<MermaidResult> => {
      page = page ?? await openPage();
      const p = page;
      const id = `mermaid-${++seq}`;
      const run = p.evaluate(async ({ code, id: elementId, keepIt }) => {
        // runs in the page: the DOM is reached through globalThis (no DOM types in this project)
        const { mermaid, document } = globalThis as any;
        const message = (e: any): string => String((e && (e.message ?? e.str)) || e);
        try {
          await mermaid.parse(code);
        } catch (e) {
          return { error: `parse error: ${message(e)}` };
        }
        let svg: string;
        try {
          svg = (await mermaid.render(elementId, code)).svg;
        } catch (e) {
          return { error: `render error: ${message(e)}` };
        }
        const shot = document.getElementById('shot');
        shot.innerHTML = svg;
        const texts = (selector: string): string[] => Array.from(shot.querySelectorAll(selector) as ArrayLike<any>)
          .map((el) => String(el.textContent ?? '').replace(/\s+/g, ' ').trim());
        const result = {
          svg,
          nodeLabels: texts('g.node'),
          clusterLabels: texts('g.cluster-label'),
          edgeLabels: texts('g.edgeLabel').filter((t) => t !== ''),
        };
        if (!keepIt) shot.innerHTML = '';
        return result;
      }, { code: block, id, keepIt: keep });
      const r = await withTimeout(run);
      if (r === 'timeout') {
        // a page stuck in a layout loop is dropped; the next block gets a fresh one
        page = undefined;
        p.close().catch(() => undefined);
        run.catch(() => undefined);
        return { error: `timeout: no result within ${timeoutMs} ms` };
      }
      return r;
    };

    const renderer: MermaidRenderer = {
      render: (block) => render(block),
      renderAll: async (blocks) => {
        const out: MermaidResult[] = [];
        for (const block of blocks) out.push(await render(block));
        return out;
      },
      png: async (block, pngPath, o = {}) => {
        const width = o.width ?? 1400;
        const margin = o.margin ?? 24;
        const r = await render(block, true);
        if (r.error) throw new Error(`the diagram does not render: ${r.error}`);
        const p = page!;
        // the SVG scaled to the width (it is vector: text stays sharp), white, with a margin
        await p.evaluate(({ w, m }) => {
          const shot = (globalThis as any).document.getElementById('shot');
          const svg = shot.querySelector('svg');
          const vb = svg.viewBox.baseVal;
          const inner = w - 2 * m;
          svg.removeAttribute('width');
          svg.style.maxWidth = 'none';
          svg.style.width = `${inner}px`;
          svg.style.height = `${Math.round(inner * vb.height / vb.width)}px`;
          svg.style.display = 'block';
          svg.style.backgroundColor = '#ffffff';
          shot.style.padding = `${m}px`;
        }, { w: width, m: margin });
        await p.setViewportSize({ width: width + 100, height: 1200 });
        fs.mkdirSync(path.dirname(path.resolve(pngPath)), { recursive: true });
        await p.locator('#shot').screenshot({ path: pngPath, animations: 'disabled', omitBackground: false, timeout: timeoutMs });
        await p.evaluate(() => {
          const shot = (globalThis as any).document.getElementById('shot');
          shot.innerHTML = '';
          shot.style.padding = '0';
        });
      },
    };
    return await fn(renderer);
  } finally {
    if (browser) await browser.close().catch(() => undefined);
    fs.rmSync(home, { recursive: true, force: true });
  }
}

/** Renders every block in one browser; the results are in the order of the blocks. */
export function renderMermaid(blocks: readonly string[], options: MermaidBrowserOptions = {}): Promise<MermaidResult[]> {
  return withMermaidBrowser((r) => r.renderAll(blocks), options);
}

/** Renders one block and writes its PNG (see `MermaidRenderer.png`). */
export function mermaidToPng(block: string, pngPath: string, options: MermaidBrowserOptions & MermaidPngOptions = {}): Promise<void> {
  return withMermaidBrowser((r) => r.png(block, pngPath, options), options);
}

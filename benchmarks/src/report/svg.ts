/**
 * Mermaid charts to SVG in Debian's Chromium (installed by the harness when missing): one page
 * loads Mermaid's browser bundle once and renders every chart in turn. (mermaid-cli opens a page
 * and loads the 3.5 MB bundle again for each chart: about 6 s a chart on two cores, against
 * tens of milliseconds here.) A chart Mermaid cannot parse fails the whole render.
 */
import { createRequire } from 'node:module';
import puppeteer from 'puppeteer';
import { ensurePrograms } from 'harness';
import type { Chart } from './charts.ts';

const require = createRequire(import.meta.url);
const MERMAID_BUNDLE = require.resolve('mermaid/dist/mermaid.min.js');

interface MermaidApi {
  initialize(config: Record<string, unknown>): void;
  render(id: string, definition: string): Promise<{ svg: string }>;
}

/** Adds a white background to the root element's own style (Mermaid always writes one). */
export function withWhiteGround(svg: string): string {
  const root = /^<svg\b[^>]*>/.exec(svg)?.[0] ?? '';
  const styled = /\sstyle="/.test(root) ? root.replace(/\sstyle="/, ' style="background-color: white; ') : root.replace(/^<svg\b/, '<svg style="background-color: white;"');
  return styled + svg.slice(root.length);
}

/**
 * Charts already rendered in this process, by id and definition (the id names the SVG's elements):
 * a report written again with the same charts (latest/ beside the dated copy, a test) reuses them
 * instead of starting Chromium again.
 */
const rendered = new Map<string, string>();
const cacheKey = (chart: Pick<Chart, 'id' | 'mermaid'>) => `${chart.id}\n${chart.mermaid}`;

/** Each chart's SVG, by its id, in the order of `charts` (the report relies on the order). */
export async function renderSvgs(charts: Pick<Chart, 'id' | 'mermaid'>[]): Promise<Map<string, string>> {
  const missing = charts.filter((chart) => !rendered.has(cacheKey(chart)));
  if (missing.length > 0) await renderInChromium(missing);
  return new Map(charts.map((chart) => [chart.id, rendered.get(cacheKey(chart)) ?? '']));
}

async function renderInChromium(charts: Pick<Chart, 'id' | 'mermaid'>[]): Promise<void> {
  const { chromium } = ensurePrograms(['chromium']);
  const browser = await puppeteer.launch({
    executablePath: chromium,
    headless: true,
    // As root Chromium needs --no-sandbox; the background-networking flags keep it from trying
    // to reach Google's services, which this machine's closed network refuses.
    args: [
      ...(process.getuid?.() === 0 ? ['--no-sandbox'] : []),
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  try {
    const page = await browser.newPage();
    await page.setContent('<!doctype html><html><head><meta charset="utf-8"></head><body></body></html>');
    await page.addScriptTag({ path: MERMAID_BUNDLE });
    for (const chart of charts) {
      const svg = await page.evaluate(async (id: string, definition: string) => {
        const mermaid = (globalThis as unknown as { mermaid: MermaidApi }).mermaid;
        mermaid.initialize({ startOnLoad: false, securityLevel: 'strict' });
        return (await mermaid.render(id, definition)).svg;
      }, `chart-${chart.id}`, chart.mermaid);
      // A white ground, as on a printed page, whatever the viewer's background.
      rendered.set(cacheKey(chart), withWhiteGround(svg));
    }
  } finally {
    await browser.close();
  }
}

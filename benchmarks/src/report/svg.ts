/**
 * Mermaid charts to SVG with mermaid-cli, in Debian's Chromium (installed by the harness when
 * missing). One browser renders every chart of a report.
 */
import puppeteer from 'puppeteer';
import { renderMermaid } from '@mermaid-js/mermaid-cli';
import { ensurePrograms } from 'harness';
import type { Chart } from './charts.ts';

export async function renderSvgs(charts: Chart[]): Promise<Map<string, string>> {
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
    const svgs = new Map<string, string>();
    for (const chart of charts) {
      const { data } = await renderMermaid(browser, chart.mermaid, 'svg', { backgroundColor: 'white', svgId: `chart-${chart.id}` });
      svgs.set(chart.id, new TextDecoder().decode(data));
    }
    return svgs;
  } finally {
    await browser.close();
  }
}

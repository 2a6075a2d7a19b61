/**
 * The report generator, fed a fixed results.json: its tables and charts carry that file's numbers,
 * and the HTML page shows one rendered SVG per chart, with no console errors, in headless Chromium.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium as playwright, type Browser } from 'playwright-core';
import { ensurePrograms } from 'harness';
import type { Results } from '../src/results.ts';
import { charts } from '../src/report/charts.ts';
import { renderMarkdown } from '../src/report/markdown.ts';
import { renderReport } from '../src/report/write.ts';

/** The browser's getComputedStyle, inside page functions (this file is typed for Node, not the DOM). */
interface Styles { getComputedStyle(element: unknown): { backgroundColor: string; fill: string; stroke: string } }

const fixture = JSON.parse(readFileSync(new URL('./fixtures/results.json', import.meta.url), 'utf8')) as Results;
const out = mkdtempSync(join(tmpdir(), 'lab-report-'));
const number = (v: number, digits = 0) => v.toLocaleString('en', { maximumFractionDigits: digits, minimumFractionDigits: digits });

beforeAll(async () => { await renderReport(fixture, null, out); }, 120_000);
afterAll(() => { rmSync(out, { recursive: true, force: true }); });

describe('report.md', () => {
  const markdown = renderMarkdown(fixture, null);

  it('names the machine, versions, commit and load parameters', () => {
    expect(markdown).toContain(fixture.machine.cpuModel);
    expect(markdown).toContain(`fastify ${fixture.machine.packages.fastify ?? ''}`);
    expect(markdown).toContain(fixture.machine.gitCommit.slice(0, 12));
    expect(markdown).toContain(`${fixture.load.connections} connections`);
  });

  it('has a table row with the figures of every measurement', () => {
    for (const r of fixture.throughput) expect(markdown).toContain(`| ${r.endpoint} | ${r.target} | ${number(r.requestsPerSecond)} |`);
    for (const c of fixture.capacity) for (const s of c.steps) expect(markdown).toContain(`| ${c.phase} | ${number(s.sessions)} |`);
    for (const f of fixture.failover) expect(markdown).toContain(`| ${f.phase} | ${f.fault} | ${f.requests} | ${f.failed} |`);
    for (const h of fixture.headlines) expect(markdown).toContain(`| ${h.name} |`);
    for (const run of fixture.cutover ?? []) {
      for (const step of run.steps) expect(markdown).toContain(`| ${step.share} % | ${number(step.seconds, 1)} | ${number(step.requests)} | ${number(step.failures)} |`);
      expect(markdown).toContain(`${run.moved} of ${run.users} sessions were answered by phase 2`);
    }
    expect(fixture.cutover?.map((run) => run.name)).toEqual(['forward', 'rollback']);
    for (const p of fixture.peers ?? []) expect(markdown).toContain(`| ${p.target} | ${number(p.read.requestsPerSecond)} |`);
    expect(fixture.peers?.length).toBe(4);
  });

  it('charts the same numbers', () => {
    const list = charts(fixture);
    const info = list.find((c) => c.id === 'stateless-info');
    const rows = fixture.throughput.filter((r) => r.endpoint === 'stateless info');
    const scale = rows.reduce((m, r) => Math.max(m, r.requestsPerSecond), 0) > 10_000 ? 1000 : 1;
    expect(info?.mermaid).toContain(`bar [${rows.map((r) => Math.round((r.requestsPerSecond / scale) * 10) / 10).join(', ')}]`);
    expect(info?.mermaid).toContain(`x-axis [${rows.map((r) => `"${r.target}"`).join(', ')}]`);
    expect(info?.mermaid).toContain(`plotColorPalette: "${(info?.legend ?? []).map((l) => l.colour).join(', ')}"`);
    // Phase 1 and phase 2 on one axis, for every operation both measured.
    const compared = list.find((c) => c.id === 'phases-by-operation');
    expect(compared?.legend.map((l) => l.label)).toEqual(['phase 2 direct (bars)', 'phase 1 (line)']);
    expect(compared?.mermaid).toContain(`line [${fixture.throughput.filter((r) => r.target === 'phase1-mock' && fixture.throughput.some((t) => t.target === 'phase2 direct' && t.endpoint === r.endpoint)).map((r) => Math.round((r.requestsPerSecond / (fixture.throughput.filter((t) => t.target === 'phase1-mock' || t.target === 'phase2 direct').reduce((m, t) => Math.max(m, t.requestsPerSecond), 0) > 10_000 ? 1000 : 1)) * 10) / 10).join(', ')}]`);
    for (const f of fixture.failover) {
      const chart = list.find((c) => c.title.startsWith(`${f.phase}, ${f.fault}`));
      expect(chart?.mermaid).toContain(`line [${f.timeline.map((t) => t.failed).join(', ')}]`);
    }
    for (const run of fixture.cutover ?? []) {
      const chart = list.find((c) => c.id === `cutover-${run.name}`);
      expect(chart?.mermaid).toContain(`line [${run.timeline.map((t) => t.share).join(', ')}]`);
      // The trigger's own series is drawn for the run that was rolled back, as percent.
      if (run.rollback) expect(chart?.mermaid).toContain(`line [${run.timeline.map((t) => Math.round((t.errorRatio ?? 0) * 1000) / 10).join(', ')}]`);
    }
    expect(list.filter((c) => c.id.startsWith('cutover-'))).toHaveLength(2);
    expect(markdown.match(/```mermaid/g)).toHaveLength(list.length);
  });

  it('charts the open model: p99 by arrival rate for every target on one chart, the percentiles at average load, the spike per 100 ms', () => {
    const list = charts(fixture);
    const arrival = fixture.arrival ?? [];
    expect(arrival.map((a) => a.target)).toEqual(['phase1-mock', 'phase2 direct', 'phase2 via nginx']);
    const knee = list.find((c) => c.id === 'arrival-knee');
    expect(knee?.legend.map((l) => l.label)).toEqual([...arrival.map((a) => `${a.target} (line)`), "the knee's bound, 50 ms (line)"]);
    for (const a of arrival) expect(knee?.mermaid).toContain(`line [${a.grid.map((s) => Math.round(Math.min(s.latencyUs.p99 / 1000, 200) * 100) / 100).join(', ')}]`);
    const spike = list.find((c) => c.id === 'arrival-spike');
    for (const a of arrival) {
      const timeline = a.shapes.find((s) => s.shape === 'spike')?.result.timeline ?? [];
      expect(spike?.mermaid).toContain(`line [${timeline.map((b) => (b.due > 0 && b.failed === b.due ? 200 : Math.round(Math.min(b.p99Us / 1000, 200) * 100) / 100)).join(', ')}]`);
    }
    expect(list.find((c) => c.id === 'arrival-percentiles')?.legend).toHaveLength(arrival.length);
    // Its tables: each target's knee, and every shape each target took.
    for (const a of arrival) {
      expect(markdown).toContain(`| ${a.target} | ${a.knee === null ? 'below' : `${number(a.knee)} req/s`}`);
      for (const shape of a.shapes) expect(markdown).toContain(`| ${a.target} | ${shape.shape} | ${number(shape.peakRate)} | ${number(shape.result.offered)} |`);
    }
    // The seeds' throughput is answered by the knee.
    expect(markdown).toContain(`| phase 1 throughput | about 100 req/s | ${number(arrival[0]?.knee ?? 0)} req/s sustained`);
  });

  it('charts and tables the connections sweep, every target on one chart', () => {
    const sweep = fixture.sweep ?? [];
    const targets = [...new Set(sweep.map((p) => p.target))];
    expect(targets).toEqual(['phase1-mock', 'phase2 direct', 'phase2 via nginx']);
    const chart = charts(fixture).find((c) => c.id === 'sweep-latency');
    for (const t of targets) expect(chart?.mermaid).toContain(`line [${sweep.filter((p) => p.target === t).map((p) => Math.round(p.p99Ms * 100) / 100).join(', ')}]`);
    for (const p of sweep) expect(markdown).toContain(`| ${p.target} | ${p.connections} | ${number(p.requestsPerSecond)} | ${number(p.p50Ms, 2)} | ${number(p.p99Ms, 2)} |`);
  });

  it('opens each section with what to see, then its charts, then its tables', () => {
    for (const [heading, table] of [['## Throughput and latency', '| operation |'], ['## Open model', '| target | knee'], ['## Session capacity', '| phase | live sessions'], ['## Failover under a steady load', '| phase | fault |']] as const) {
      const section = markdown.slice(markdown.indexOf(heading));
      expect(section.indexOf('See '), heading).toBeGreaterThan(0);
      expect(section.indexOf('See '), heading).toBeLessThan(section.indexOf('```mermaid'));
      expect(section.indexOf('```mermaid'), heading).toBeLessThan(section.indexOf(table));
    }
    expect(markdown).not.toContain('## Charts');
  });
});

describe('index.html in headless Chromium', () => {
  // One browser for the page's tests: Debian's Chromium, as the report's own rendering uses.
  let browser: Browser;
  beforeAll(async () => {
    const { chromium } = ensurePrograms(['chromium']);
    browser = await playwright.launch({
      executablePath: chromium,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
  }, 120_000);
  afterAll(() => browser.close());

  it('shows one rendered SVG per chart and logs no errors', async () => {
    const page = await browser.newPage();
    try {
      const problems: string[] = [];
      page.on('console', (message) => { if (message.type() === 'error') problems.push(message.text()); });
      page.on('pageerror', (error) => { problems.push(error.message); });
      await page.goto(`file://${join(out, 'index.html')}`);
      const svgs = page.locator('.chart svg');
      expect(await svgs.count()).toBe(charts(fixture).length);
      // Rendered, not empty: each SVG has drawn marks and a visible size.
      for (let i = 0; i < (await svgs.count()); i += 1) {
        const box = await svgs.nth(i).boundingBox();
        expect(box?.width).toBeGreaterThan(100);
        expect(await svgs.nth(i).locator('rect, path').count()).toBeGreaterThan(3);
      }
      expect(await page.locator('table').count()).toBeGreaterThanOrEqual(4);
      expect(problems).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it('gives every chart a legend whose colours are the ones its series are drawn in, each distinct, and prints no meaningless figure', async () => {
    const page = await browser.newPage();
    try {
      await page.goto(`file://${join(out, 'index.html')}`);
      const figures = page.locator('.chart');
      expect(await figures.count()).toBe(charts(fixture).length);
      for (let i = 0; i < (await figures.count()); i += 1) {
        const figure = figures.nth(i);
        const swatches = await figure.locator('.legend .swatch').evaluateAll((spans) => spans.map((span) => (globalThis as unknown as Styles).getComputedStyle(span).backgroundColor));
        expect(swatches.length, `chart ${i}`).toBeGreaterThan(0);
        expect(new Set(swatches).size, `chart ${i}: distinct colours`).toBe(swatches.length);
        // The colours Mermaid drew with, as the browser computes them (fill of bars, stroke of lines).
        const drawn = await figure.locator('svg rect, svg path').evaluateAll((marks) => marks.flatMap((mark) => [(globalThis as unknown as Styles).getComputedStyle(mark).fill, (globalThis as unknown as Styles).getComputedStyle(mark).stroke]));
        for (const colour of swatches) expect(drawn, `chart ${i}: ${colour} drawn`).toContain(colour);
      }
      // No figure the run could not mean: nothing undefined, not a number, infinite, or negative in a table.
      const text = await page.locator('body').innerText();
      expect(text).not.toMatch(/undefined|NaN|Infinity/);
      const cells = await page.locator('td').allInnerTexts();
      expect(cells.filter((cell) => /^-\d/.test(cell.trim()))).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it('presents one section per screen on S, moves with the keys, and returns to the page on Escape', async () => {
    const page = await browser.newPage();
    try {
      const problems: string[] = [];
      page.on('pageerror', (error) => { problems.push(error.message); });
      await page.goto(`file://${join(out, 'index.html')}`);
      const sections = page.locator('section.slide');
      const visibleSections = async () => {
        const shown: number[] = [];
        for (let i = 0; i < (await sections.count()); i += 1) if (await sections.nth(i).isVisible()) shown.push(i);
        return shown;
      };
      // The title's section, then one per second-level heading of the report.
      expect(await sections.count()).toBe((await page.locator('h2').count()) + 1);
      expect((await visibleSections()).length).toBe(await sections.count());

      await page.keyboard.press('s');
      expect(await visibleSections()).toEqual([0]);
      expect(page.url()).toMatch(/#slides$/);
      await page.keyboard.press('ArrowRight');
      await page.keyboard.press('PageDown');
      expect(await visibleSections()).toEqual([2]);
      expect(await page.locator('.slide-number').innerText()).toBe(`3 / ${String(await sections.count())}`);
      await page.keyboard.press('ArrowLeft');
      expect(await visibleSections()).toEqual([1]);
      await page.keyboard.press('End');
      expect(await visibleSections()).toEqual([(await sections.count()) - 1]);
      // Past the last, it stays there.
      await page.keyboard.press('ArrowRight');
      expect(await visibleSections()).toEqual([(await sections.count()) - 1]);
      await page.keyboard.press('Escape');
      expect((await visibleSections()).length).toBe(await sections.count());

      // Opened at #slides it starts presenting; printed, every section is on paper.
      await page.goto('about:blank');
      await page.goto(`file://${join(out, 'index.html')}#slides`);
      expect(await visibleSections()).toEqual([0]);
      await page.emulateMedia({ media: 'print' });
      expect((await visibleSections()).length).toBe(await sections.count());
      expect(await page.locator('.present').isVisible()).toBe(false);
      expect(problems).toEqual([]);
    } finally {
      await page.close();
    }
  });
});

describe('report.md of a partial run', () => {
  it('shows only the sections the run measured, says "not measured" where a seed has no figure, and "—" for a headline the previous run lacked', () => {
    const throughputOnly: Results = { ...fixture, capacity: [], budget: [], failover: [], labCost: null };
    const previous: Results = { ...fixture, headlines: fixture.headlines.slice(1) };
    const markdown = renderMarkdown(throughputOnly, previous);
    expect(markdown).toContain('## Throughput and latency');
    for (const heading of ['## Session capacity', '## The same memory budget', '## Failover under a steady load', '## What the live lab costs']) expect(markdown).not.toContain(heading);
    expect(markdown).toMatch(/\| phase 1 sessions held \| about 100 \| not measured \|/);
    const first = fixture.headlines[0];
    expect(markdown).toMatch(new RegExp(`\\| ${(first?.name ?? '').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\| — \\|`));
  });

  it('reports what the lab costs, stage by stage, as ratios of the lab off', () => {
    const row = (target: string, rps: number, p99: number) => ({ ...(fixture.throughput[0] as Results['throughput'][number]), target, requestsPerSecond: rps, p99Ms: p99 });
    const stage = (name: 'lab off' | 'monitoring' | 'monitoring and virtual users', phase1: number, phase2: number, processes: string[]) => ({
      name,
      rows: [row('phase1-mock', phase1, 10), row('phase2 via nginx', phase2, 20)],
      processes: processes.map((p) => ({ name: p, cpuPercentOfOneCore: 5, rssBytes: 10 * 1048576 })),
    });
    const markdown = renderMarkdown({
      ...fixture,
      labCost: {
        operation: 'stateful counter read',
        scrapeTargets: 10,
        scrapeIntervalSeconds: 1,
        stages: [stage('lab off', 2000, 1000, []), stage('monitoring', 1900, 950, ['prometheus']), stage('monitoring and virtual users', 1500, 800, ['prometheus', 'virtual-users'])],
        crowd: [{ phase: 'phase1-mock', users: 18, requestsPerSecond: 35 }],
      },
    }, null);
    expect(markdown).toContain('## What the live lab costs');
    expect(markdown).toContain('| phase1-mock | 2,000 | 1,900 | 1,500 | 0.95× | 0.75× | 10.0 | 10.0 | 10.0 |');
    expect(markdown).toContain('| phase2 via nginx | 1,000 | 950 | 800 | 0.95× | 0.80× | 20.0 | 20.0 | 20.0 |');
    expect(markdown).toContain('prometheus 5.0 %, 10.0 MiB; virtual-users 5.0 %, 10.0 MiB');
    expect(markdown).toContain('18 on phase1-mock sending 35.0 req/s');
  });
});

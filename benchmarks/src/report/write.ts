/**
 * Writes a run's results.json, report.md and index.html into <reports>/<date>/ and <reports>/latest/
 * (earlier runs stay, by date; the report compares with the previous one).
 */
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Results } from '../results.ts';
import { charts } from './charts.ts';
import { formatHeadline, formatTarget, renderMarkdown } from './markdown.ts';
import { renderHtml } from './html.ts';
import { renderSvgs } from './svg.ts';

export async function renderReport(results: Results, previous: Results | null, dir: string): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const markdown = renderMarkdown(results, previous);
  const list = charts(results);
  const svgs = await renderSvgs(list);
  writeFileSync(join(dir, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(join(dir, 'report.md'), markdown);
  writeFileSync(join(dir, 'index.html'), renderHtml(markdown, list.map((chart) => ({ svg: svgs.get(chart.id) ?? '', legend: chart.legend }))));
}

/**
 * Into `out` alone (tests, one-off runs), or into `reportsDir`'s dated folder and latest/, compared
 * with the run latest/ held before. Returns what it wrote.
 */
export async function writeReport(results: Results, where: { out: string } | { reportsDir: string }): Promise<string[]> {
  if ('out' in where) {
    await renderReport(results, null, where.out);
    return [where.out];
  }
  const { reportsDir } = where;
  const latest = join(reportsDir, 'latest');
  const previousFile = join(latest, 'results.json');
  const previous = existsSync(previousFile) ? (JSON.parse(readFileSync(previousFile, 'utf8')) as Results) : null;
  const dated = join(reportsDir, results.startedAt.slice(0, 16).replace(':', '-'));
  await renderReport(results, previous, dated);
  rmSync(latest, { recursive: true, force: true });
  cpSync(dated, latest, { recursive: true });
  return [dated, latest];
}

export function printSummary(results: Results): void {
  console.log(`\n== Benchmark headlines (${results.profile} profile; every process on one ${results.machine.cores}-core machine)`);
  console.log('| what | measured | target | verdict |');
  console.log('|---|---:|---:|---|');
  for (const h of results.headlines) {
    console.log(`| ${h.name} | ${formatHeadline(h)} | ${formatTarget(h)} | ${h.verdict} |`);
  }
  for (const failed of results.failedScenarios ?? []) console.log(`\nFAILED scenario ${failed.scenario}: ${failed.error} (its figures are missing from the report; the others are there)`);
}

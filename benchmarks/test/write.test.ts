/**
 * Where reports go: `--out` gets one report; the reports directory keeps one folder per run and
 * latest/, and a run's report compares itself with the one latest/ held before it.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Results } from '../src/results.ts';
import { writeReport } from '../src/report/write.ts';

const fixture = JSON.parse(readFileSync(new URL('./fixtures/results.json', import.meta.url), 'utf8')) as Results;
const scratch = mkdtempSync(join(tmpdir(), 'lab-reports-'));
afterAll(() => { rmSync(scratch, { recursive: true, force: true }); });

describe('writeReport', () => {
  it('writes one report into --out, with nothing to compare', async () => {
    const out = join(scratch, 'out');
    expect(await writeReport(fixture, { out })).toEqual([out]);
    for (const name of ['results.json', 'report.md', 'index.html']) expect(existsSync(join(out, name)), name).toBe(true);
    expect(readFileSync(join(out, 'report.md'), 'utf8')).not.toContain('Compared with the previous run');
  }, 120_000);

  it('keeps each run by date and latest/, comparing a run with the one before it', async () => {
    const reportsDir = join(scratch, 'reports');
    const first = await writeReport(fixture, { reportsDir });
    expect(first).toEqual([join(reportsDir, fixture.startedAt.slice(0, 16).replace(':', '-')), join(reportsDir, 'latest')]);
    expect(readFileSync(join(reportsDir, 'latest', 'report.md'), 'utf8')).not.toContain('Compared with the previous run');

    const later = { ...fixture, startedAt: '2031-01-02T03:04:05.000Z' };
    const second = await writeReport(later, { reportsDir });
    expect(second[0]).toBe(join(reportsDir, '2031-01-02T03-04'));
    // The first run's folder stays; latest/ is now the second, compared with the first.
    expect(existsSync(join(first[0] ?? '', 'results.json'))).toBe(true);
    const latest = readFileSync(join(reportsDir, 'latest', 'report.md'), 'utf8');
    expect(latest).toContain(`## Compared with the previous run (${fixture.startedAt.slice(0, 16).replace('T', ' ')}`);
    expect((JSON.parse(readFileSync(join(reportsDir, 'latest', 'results.json'), 'utf8')) as Results).startedAt).toBe(later.startedAt);
  }, 120_000);
});

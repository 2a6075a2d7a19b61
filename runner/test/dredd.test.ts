/**
 * The contract check must be able to fail: Dredd run against a phase that is not there is never
 * taken for a pass. (The
 * passing runs are `npm test`'s contract step and `npm start`'s first step.)
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { freePort } from 'harness';
import { allPassed, contractExitCode, EXPECTED_TRANSACTIONS, printContractTable } from '../src/contract-run.ts';
import { contractPassed, declaredSkips, runDredd } from '../src/dredd.ts';

const scratch = mkdtempSync(join(tmpdir(), 'lab-dredd-test-'));
afterAll(() => { rmSync(scratch, { recursive: true, force: true }); });

describe('the contract check against nothing', () => {
  it('is never taken for a pass: Dredd either counts every transaction as an error, or stops with no summary, which fails the run', async () => {
    const port = await freePort();
    const nobody = { name: 'phase1-mock' as const, url: `http://127.0.0.1:${port}`, maintenanceFile: join(scratch, 'maintenance'), processes: [], stop: () => Promise.resolve(), restart: () => Promise.reject(new Error('not restartable')) };
    // Which of the two depends on where Dredd's hooks first meet the missing server; both are failures.
    const outcome = await runDredd(nobody, { quiet: true }).then((summary) => summary, (error: unknown) => (error instanceof Error ? error : new Error(String(error))));
    if (outcome instanceof Error) {
      expect(outcome.message).toMatch(/^Dredd exited with code [1-9]\d* and printed no summary/);
    } else {
      expect(outcome.entry).toBe('direct');
      expect(outcome.passing).toBe(0);
      expect(outcome.errors + outcome.failing).toBeGreaterThan(0);
      expect(contractPassed(outcome)).toBe(false);
      expect(allPassed([outcome, outcome])).toBe(false);
    }
  }, 120_000);

  it('prints a failing summary in the table as it is', () => {
    const failing = { phase: 'phase1-mock', entry: 'direct' as const, passing: 0, failing: 0, errors: EXPECTED_TRANSACTIONS, skipped: 0, total: EXPECTED_TRANSACTIONS, seconds: 1.5, line: '' };
    expect(contractPassed(failing)).toBe(false);
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      printContractTable([failing]);
      expect(log.mock.calls.map((call) => String(call[0])).join('\n')).toContain(`| phase1-mock | directly, http | ${EXPECTED_TRANSACTIONS} | 0 | 0 | ${EXPECTED_TRANSACTIONS} | 0 | 1.5 |`);
    } finally {
      log.mockRestore();
    }
  });
});

describe('the exit code of npm run contract and npm start', () => {
  const passing = (phase: string, entry: 'direct' | 'public') => {
    const skipped = Object.keys(declaredSkips(entry)).length;
    return { phase, entry, passing: EXPECTED_TRANSACTIONS - skipped, failing: 0, errors: 0, skipped, total: EXPECTED_TRANSACTIONS, seconds: 1, line: '' };
  };

  it('is 0 when every phase passed, saying nothing more; 1 with the reason when one did not', () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      const both = [passing('phase1-mock', 'direct'), passing('phase2-production', 'public')];
      expect(contractExitCode(both, 'contract')).toBe(0);
      expect(error).not.toHaveBeenCalled();
      const [first, second] = both;
      if (!first || !second) throw new Error('two summaries');
      expect(contractExitCode([first, { ...second, passing: second.passing - 1, failing: 1 }], 'start')).toBe(1);
      expect(String(error.mock.calls[0]?.[0])).toContain('start: some transactions did not pass');
      // A phase that was never checked is not a pass either.
      expect(contractExitCode([first], 'contract')).toBe(1);
    } finally {
      error.mockRestore();
    }
  });
});

describe("the learner's path (docs/README.md, section 5)", () => {
  it('quotes the summary lines Dredd prints for each phase: the documented responses, and the skips declared for its entry', () => {
    const path = readFileSync(new URL('../../docs/README.md', import.meta.url), 'utf8');
    const section = path.slice(path.indexOf('## 5.'), path.indexOf('## 6.'));
    expect(section).toContain(`one request per documented response (${EXPECTED_TRANSACTIONS})`);
    for (const entry of ['direct', 'public'] as const) {
      const skipped = Object.keys(declaredSkips(entry)).length;
      expect(section.replace(/\n/g, ' ')).toContain(`complete: ${EXPECTED_TRANSACTIONS - skipped} passing, 0 failing, 0 errors, ${skipped} skipped, ${EXPECTED_TRANSACTIONS} total`);
    }
  });
});

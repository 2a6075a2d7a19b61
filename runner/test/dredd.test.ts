/**
 * The contract check must be able to fail: Dredd run against a phase that is not there reports
 * every transaction as an error, and neither the summary nor the run is taken for a pass. (The
 * passing runs are `npm test`'s contract step and `npm start`'s first step.)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { freePort } from 'harness';
import { allPassed, EXPECTED_TRANSACTIONS, printContractTable } from '../src/contract-run.ts';
import { contractPassed, runDredd } from '../src/dredd.ts';
import { callerPath } from '../src/paths.ts';

const scratch = mkdtempSync(join(tmpdir(), 'lab-dredd-test-'));
afterAll(() => { rmSync(scratch, { recursive: true, force: true }); });

describe('the contract check against nothing', () => {
  it('counts every transaction as an error, and is not a pass', async () => {
    const port = await freePort();
    const nobody = { name: 'phase1-mock' as const, url: `http://127.0.0.1:${port}`, maintenanceFile: join(scratch, 'maintenance'), processes: [], stop: () => Promise.resolve(), restart: () => Promise.reject(new Error('not restartable')) };
    const summary = await runDredd(nobody, { quiet: true });
    expect(summary.entry).toBe('direct');
    expect(summary.total).toBe(EXPECTED_TRANSACTIONS);
    expect(summary.passing).toBe(0);
    expect(summary.errors + summary.failing).toBeGreaterThan(0);
    expect(contractPassed(summary)).toBe(false);
    expect(allPassed([summary, summary])).toBe(false);

    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      printContractTable([summary]);
      expect(log.mock.calls.map((call) => String(call[0])).join('\n')).toMatch(new RegExp(`\\| phase1-mock \\| directly, http \\| ${EXPECTED_TRANSACTIONS} \\| 0 \\|`));
    } finally {
      log.mockRestore();
    }
  }, 120_000);
});

describe('callerPath', () => {
  it('resolves a path from where the command was typed (INIT_CWD, set by npm), or from here', () => {
    const saved = process.env.INIT_CWD;
    try {
      process.env.INIT_CWD = '/somewhere/else';
      expect(callerPath('out')).toBe('/somewhere/else/out');
      expect(callerPath('/absolute')).toBe('/absolute');
      delete process.env.INIT_CWD;
      expect(callerPath('out')).toBe(join(process.cwd(), 'out'));
    } finally {
      if (saved !== undefined) process.env.INIT_CWD = saved;
    }
  });
});

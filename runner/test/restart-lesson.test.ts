/**
 * The lesson `npm start` prints, run for real: state in a token survives a restart of the process
 * in both phases; state in a session survives only in phase 2, where it lives in Redis.
 */
import { afterAll, describe, expect, it, vi } from 'vitest';
import { Cleanup } from 'harness';
import { printRestartLessons, runRestartLessons } from '../src/restart-lesson.ts';

const cleanup = new Cleanup();
afterAll(() => cleanup.run(), 60_000);

describe('what survives a restart of the app process', () => {
  it('the token in both phases, the session only in phase 2; the table says so', async () => {
    const lessons = await runRestartLessons(cleanup);
    expect(lessons).toEqual([
      { phase: 'phase1-mock', counterBeforeRestart: 3, tokenAfterRestart: 200, sessionAfterRestart: 401, counterAfterRestart: null },
      { phase: 'phase2-production', counterBeforeRestart: 3, tokenAfterRestart: 200, sessionAfterRestart: 200, counterAfterRestart: 3 },
    ]);
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    printRestartLessons(lessons);
    const printed = log.mock.calls.map((call) => String(call[0])).join('\n');
    log.mockRestore();
    expect(printed).toContain('| phase1-mock | 3 | 200: survived | 401: lost | - |');
    expect(printed).toContain('| phase2-production | 3 | 200: survived | 200: survived | 3 |');
  }, 120_000);
});

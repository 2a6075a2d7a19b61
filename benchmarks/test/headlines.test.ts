/**
 * The headlines' verdicts from figures made up for the purpose: a ratio is met only when its worst
 * round meets the target, missed when its best does not, and within noise when the rounds'
 * range straddles it; a headline whose rows were not measured is left out.
 */
import { describe, expect, it } from 'vitest';
import { headlines } from '../src/headlines.ts';
import type { CutoverRun, PeerRow, Round, ThroughputRow } from '../src/results.ts';

/** A throughput row with these rounds' requests per second. */
function measured(endpoint: string, target: string, perRound: number[]): ThroughputRow {
  const rounds = perRound.map((requestsPerSecond) => ({ requestsPerSecond }) as Round);
  const mean = perRound.reduce((a, b) => a + b, 0) / perRound.length;
  return { endpoint, target, rounds, requestsPerSecond: mean } as ThroughputRow;
}

const byName = (list: ReturnType<typeof headlines>, name: string) => list.find((h) => h.name === name);

describe('headline verdicts', () => {
  it('met, missed and within noise, from the range over the rounds', () => {
    const list = headlines([
      measured('stateless info', 'baseline-node-http', [1000, 1000]),
      // 0.75–0.8 of node:http: every round meets 0.7.
      measured('stateless info', 'phase2 direct', [750, 800]),
      // 0.2–0.3: no round reaches 0.5.
      measured('stateful counter read', 'phase2 direct', [200, 300]),
      // 0.3–0.5: the range straddles 0.4.
      measured('stateful increment', 'phase2 direct', [300, 500]),
    ], [], []);
    expect(byName(list, 'phase 2 stateless, direct ÷ bare node:http')).toMatchObject({ verdict: 'met', low: 0.75, high: 0.8, value: 0.775 });
    expect(byName(list, 'phase 2 stateful read, direct ÷ bare node:http')?.verdict).toBe('missed');
    expect(byName(list, 'phase 2 increment, direct ÷ bare node:http')?.verdict).toBe('within noise');
    // Nothing measured for phase 1 or the other baselines: those headlines are absent, not zero.
    expect(byName(list, 'phase 1 stateless ÷ bare Express')).toBeUndefined();
    expect(byName(list, 'bare Fastify ÷ bare node:http')).toBeUndefined();
  });

  it('a ratio without a target is information, and a zero denominator gives no headline', () => {
    const list = headlines([
      measured('stateless info', 'baseline-node-http', [1000]),
      measured('stateless info', 'baseline-fastify', [900]),
      measured('stateless info', 'phase2 direct', [0]),
      measured('stateless info', 'phase2 via nginx', [100]),
    ], [], []);
    expect(byName(list, 'bare Fastify ÷ bare node:http')).toMatchObject({ verdict: 'info', target: null, value: 0.9 });
    expect(byName(list, 'phase 2 via nginx ÷ phase 2 direct (stateless)')).toBeUndefined();
  });
});

describe('the peers\' and the cutover\'s headlines', () => {
  const peer = (target: string, read: number[], increment: number[], acknowledged: number, finalValue: number): PeerRow => ({
    target, read: measured('stateful counter read', target, read), increment: measured('stateful increment', target, increment), acknowledged, finalValue, lostUpdates: Math.max(0, acknowledged - finalValue), resurrected: 0, trials: 5,
  });

  it('compares phase 2 with the faster peer of each operation, and holds only the phases to losing nothing', () => {
    const list = headlines([], [], [], [], [
      peer('phase2 direct', [3000], [2000], 100, 100),
      peer('phase1-mock', [9000], [9000], 100, 100),
      peer('express-session + connect-redis', [1000], [900], 100, 20),
      peer('@fastify/session + connect-redis', [1200], [800], 100, 15),
    ]);
    // The faster peer differs by operation; phase 1 is not a peer, however fast.
    expect(byName(list, 'phase 2 stateful read ÷ the faster peer')).toMatchObject({ value: 2.5, target: 2, verdict: 'met' });
    expect(byName(list, 'phase 2 stateful read ÷ the faster peer')?.explanation).toContain('@fastify/session');
    expect(byName(list, 'phase 2 increment ÷ the faster peer')).toMatchObject({ value: 2000 / 900, verdict: 'met' });
    expect(byName(list, 'phase2 direct: concurrent increments lost')).toMatchObject({ value: 0, target: 0, verdict: 'met' });
    expect(byName(list, 'express-session + connect-redis: concurrent increments lost')).toMatchObject({ value: 80, target: null, verdict: 'info' });
    // Without peers, no comparison.
    expect(byName(headlines([], [], [], [], [peer('phase2 direct', [1], [1], 1, 1)]), 'phase 2 stateful read ÷ the faster peer')).toBeUndefined();
  });

  it('counts a session left unreadable as lost, and says how each run went', () => {
    const run = (name: CutoverRun['name'], rollback: CutoverRun['rollback'], unreadable: number): CutoverRun => ({
      name, users: 10, planned: [50, 100], fault: name === 'rollback' ? 'PostgreSQL stopped' : null, steps: [], rollback, events: [], timeline: [],
      final: { sessions: 10, acknowledged: 500, sessionsLost: 0, acknowledgedLost: 0, unreadable, overCounted: 0 }, moved: 4, handovers: 8,
    });
    const list = headlines([], [], [], [run('forward', null, 0), run('rollback', { atMs: 40_000, triggers: ['ErrorRateAbove1Percent'] }, 1)]);
    expect(byName(list, 'cutover forward: sessions lost')).toMatchObject({ value: 0, verdict: 'met' });
    expect(byName(list, 'cutover forward: sessions lost')?.explanation).toContain('50 → 100 %');
    expect(byName(list, 'cutover rollback: sessions lost')).toMatchObject({ value: 1, verdict: 'missed' });
    expect(byName(list, 'cutover rollback: sessions lost')?.explanation).toContain('rolled back by ErrorRateAbove1Percent');
    expect(byName(headlines([], [], [], [{ ...run('rollback', null, 0), fault: null }]), 'cutover rollback: sessions lost')?.explanation).toContain('canary with no fault, not rolled back');
    expect(byName(list, 'cutover rollback: acknowledged changes lost')).toMatchObject({ value: 0, verdict: 'met' });
  });
});

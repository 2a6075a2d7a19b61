/**
 * The headlines' verdicts from figures made up for the purpose: a ratio is met only when its worst
 * round meets the target, missed when its best does not, and within noise when the rounds'
 * range straddles it; a headline whose rows were not measured is left out.
 */
import { describe, expect, it } from 'vitest';
import { headlines } from '../src/headlines.ts';
import type { Round, ThroughputRow } from '../src/results.ts';

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

/** What the scenarios take for granted of every profile, and the figures they derive from a measurement. */
import { describe, expect, it } from 'vitest';
import { PROFILES } from '../src/profiles.ts';
import { bytesPerSession } from '../src/scenarios/capacity.ts';
import { HEAP_MIN_SESSIONS } from '../src/results.ts';

describe('the profiles', () => {
  it.each(Object.values(PROFILES))('$name: capacity steps grow from above 0, so each creates sessions', (profile) => {
    expect(profile.capacitySteps.length).toBeGreaterThan(0);
    profile.capacitySteps.forEach((step, i) => { expect(step).toBeGreaterThan(i === 0 ? 0 : (profile.capacitySteps[i - 1] ?? 0)); });
  });
});

describe('memory per session', () => {
  it('is given for Redis at every step, and for a V8 heap only from HEAP_MIN_SESSIONS sessions on', () => {
    expect(bytesPerSession(true, 100, 26_100)).toBe(261);
    expect(bytesPerSession(false, 500, 160_000)).toBeNull();
    expect(bytesPerSession(false, HEAP_MIN_SESSIONS, 3_210_000)).toBe(321);
  });

  it('is no figure at all where memory did not grow: a collection between the readings, not a negative size', () => {
    expect(bytesPerSession(false, 100_000, -27_637 * 100_000)).toBeNull();
    expect(bytesPerSession(true, 1000, 0)).toBeNull();
  });
});

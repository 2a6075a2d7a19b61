/** What the scenarios take for granted of every profile, checked here rather than at run time. */
import { describe, expect, it } from 'vitest';
import { PROFILES } from '../src/profiles.ts';

describe('the profiles', () => {
  it.each(Object.values(PROFILES))('$name: capacity steps grow from above 0, so each creates sessions', (profile) => {
    expect(profile.capacitySteps.length).toBeGreaterThan(0);
    profile.capacitySteps.forEach((step, i) => { expect(step).toBeGreaterThan(i === 0 ? 0 : (profile.capacitySteps[i - 1] ?? 0)); });
  });
});

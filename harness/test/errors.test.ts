/** What the commands print for something thrown. */
import { describe, expect, it } from 'vitest';
import { describeError } from '../src/errors.ts';

describe('describeError', () => {
  it('prints an Error\'s message, with its cause\'s, or its stack when asked', () => {
    expect(describeError(new Error('fetch failed', { cause: new Error('connect ECONNREFUSED 127.0.0.1:9') }))).toBe('fetch failed: connect ECONNREFUSED 127.0.0.1:9');
    expect(describeError(new Error('plain', { cause: 'not an Error' }))).toBe('plain');
    const crash = new Error('crash');
    expect(describeError(crash, { stack: true })).toBe(crash.stack);
    crash.stack = undefined;
    expect(describeError(crash, { stack: true })).toBe('crash');
  });

  it('prints anything else thrown as a string', () => {
    expect(describeError('a string')).toBe('a string');
    expect(describeError(42)).toBe('42');
  });
});

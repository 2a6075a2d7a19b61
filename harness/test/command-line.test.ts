/** What each CLI says of a command line it cannot read: one sentence for each of parseArgs's errors. */
import { parseArgs } from 'node:util';
import { describe, expect, it } from 'vitest';
import { sentenceFor } from '../src/cli/command-line.ts';

const errorOf = (args: string[], allowPositionals = false): unknown => {
  try {
    parseArgs({ args, allowPositionals, options: { seconds: { type: 'string' }, lab: { type: 'boolean' } } });
  } catch (error) {
    return error;
  }
  throw new Error(`${args.join(' ')} was read without an error`);
};

describe('sentenceFor', () => {
  it('names the unknown option, the option without its value, the value a flag does not take, and the stray argument', () => {
    expect(sentenceFor(errorOf(['--bogus']))).toBe('unknown option --bogus');
    expect(sentenceFor(errorOf(['--seconds']))).toBe('--seconds needs a value');
    expect(sentenceFor(errorOf(['--lab=yes']))).toBe('--lab takes no value');
    expect(sentenceFor(errorOf(['kill-everything']))).toBe('unexpected argument kill-everything');
  });

  it('leaves any other error to the caller', () => {
    expect(sentenceFor(new Error('not a parse error'))).toBeNull();
    expect(sentenceFor(new TypeError('a TypeError of another kind'))).toBeNull();
    expect(sentenceFor('a string')).toBeNull();
  });
});

/** Paths given to a command resolve from where it was typed, though npm runs it elsewhere. */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { callerPath } from '../src/paths.ts';

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

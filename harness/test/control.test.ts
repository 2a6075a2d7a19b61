/** The fault command's body, as `npm run up`'s control server reads it before running anything. */
import { describe, expect, it } from 'vitest';
import { parseFaultCommand } from '../src/control.ts';

describe('parseFaultCommand', () => {
  it('takes an empty body, a target and a duration', () => {
    expect(parseFaultCommand('')).toEqual({ target: undefined, seconds: undefined });
    expect(parseFaultCommand('{"target":"api-2","seconds":3}')).toEqual({ target: 'api-2', seconds: 3 });
    expect(parseFaultCommand('{}')).toEqual({ target: undefined, seconds: undefined });
  });

  it('says what is wrong with anything else, echoing no more than a field name', () => {
    expect(parseFaultCommand('{not json')).toBe('the body is not JSON');
    expect(parseFaultCommand('[1]')).toBe('the body must be a JSON object');
    expect(parseFaultCommand('null')).toBe('the body must be a JSON object');
    expect(parseFaultCommand('{"target":"api 2; rm -rf /"}')).toMatch(/^target must be/);
    expect(parseFaultCommand('{"seconds":"5"}')).toMatch(/^seconds must be/);
    expect(parseFaultCommand('{"seconds":0}')).toMatch(/^seconds must be/);
    expect(parseFaultCommand('{"seconds":1e9}')).toMatch(/^seconds must be/);
    expect(parseFaultCommand(`{"${'k'.repeat(100)}":1}`)).toBe(`unknown field: "${'k'.repeat(40)}"`);
  });
});

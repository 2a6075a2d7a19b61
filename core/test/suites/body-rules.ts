/**
 * What counts as a body, the same in both phases: zero bytes are no body whatever the
 * Content-Type says; JSON that is not an object is a body of the wrong type (VALIDATION_FAILED);
 * MALFORMED_BODY is for what does not parse. Each phase runs this table through its own stack.
 */
import { describe, expect, it } from 'vitest';

/** Sends a POST with exactly this payload (none when undefined); the answer's status and code. */
export type RawPost = (url: string, headers: Record<string, string>, payload: string | undefined) => Promise<{ status: number; code: string | undefined; text: string }>;

const JSON_TYPE = { 'content-type': 'application/json' };

/** [case, payload, headers, createSession's answer, incrementStatelessCounter's answer]; '' for a success. */
const TABLE: [string, string | undefined, Record<string, string>, [number, string], [number, string]][] = [
  ['no body at all', undefined, {}, [201, ''], [400, 'VALIDATION_FAILED']],
  ['zero bytes said to be JSON', '', JSON_TYPE, [201, ''], [400, 'VALIDATION_FAILED']],
  ['JSON null', 'null', JSON_TYPE, [400, 'VALIDATION_FAILED'], [400, 'VALIDATION_FAILED']],
  ['a JSON number', '123', JSON_TYPE, [400, 'VALIDATION_FAILED'], [400, 'VALIDATION_FAILED']],
  ['JSON that does not parse', '{"value": 4', JSON_TYPE, [400, 'MALFORMED_BODY'], [400, 'MALFORMED_BODY']],
];

export function describeBodyRules(name: string, make: () => Promise<RawPost>): void {
  describe(`what counts as a body: ${name}`, () => {
    it.each(TABLE)('%s', async (_case, payload, headers, session, counter) => {
      const post = await make();
      for (const [url, [status, code]] of [['/api/stateful/sessions', session], ['/api/stateless/counter', counter]] as const) {
        const answer = await post(url, headers, payload);
        expect(answer.status, `${url}: ${answer.text}`).toBe(status);
        if (code !== '') expect(answer.code, `${url}: ${answer.text}`).toBe(code);
      }
    });
  });
}

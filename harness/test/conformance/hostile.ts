/**
 * Requests no HTTP library would send, written byte for byte on a raw socket: the shapes a broken
 * client, a scanner or an attacker sends around the contract's operations. A path segment that
 * names a property every JavaScript object has (`constructor`, `__proto__`), a NUL or a byte that
 * is not UTF-8, the path in another case or with a trailing slash, a prototype key in a JSON body,
 * a charset parameter, a target, a header or a body over its limit, a missing or doubled Host,
 * `OPTIONS *`, HEAD, an absolute-form target, bare LF line endings. Each is sent to every target
 * and checked: below 500, problem+json for an error, nothing of the input sent back; the phases
 * are then compared on status and code.
 */
import fc from 'fast-check';
import { rawRequest } from '../../src/raw-http.ts';
import { startSession, type SessionClient } from '../../src/load.ts';
import { valid, type FuzzOperation } from './cases.ts';

export interface HostileShape {
  operation: FuzzOperation;
  method: string;
  /** The path with its parameters filled in (percent-encoding, if any, as sent). */
  path: string;
  /** What the path was made into: as is, a hostile parameter, upper case, a trailing slash. */
  pathLabel: string;
  query: '' | 'within the target limit' | 'over the target limit' | 'over the head limit';
  form: 'origin' | 'absolute' | 'asterisk';
  host: 'one' | 'none' | 'two' | 'empty' | 'none, HTTP/1.0';
  fields: 'few' | 'past the field count' | 'one past the head limit';
  body: { label: string; contentType: string; text: string } | null;
  lineEnding: '\r\n' | '\n';
  /** Strings of the input that an error must not send back. */
  echo: string[];
}

/** A target of the raw requests: its base URL, and the CA its TLS certificate verifies with. */
export interface RawTarget {
  name: string;
  url: string;
  ca?: string;
  accessToken: string;
}

export interface RawOutcome {
  status: number;
  code: string | null;
  violations: string[];
}

/** Long runs of one letter, so that an echo is found however the input was cut or encoded. */
const PAD = { query: 'q', header: 'h', body: 'p' } as const;
const run = (letter: string) => letter.repeat(12);

const HOSTILE_SEGMENTS = ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'kb-001%00', '%ff%fe', 'a%0Ab', '%7f', '%2e%2e', '%E0%A4%A'];

type PathVariant = { path: string; label: string; echo: string[] };

function paths(operation: FuzzOperation): fc.Arbitrary<PathVariant> {
  const fill = (value: string) => operation.path.replace(/\{\w+\}/g, value);
  const plain = fill('kb-001');
  const asIs = fc.constant<PathVariant>({ path: plain, label: 'as is', echo: [] });
  const variants: fc.Arbitrary<PathVariant>[] = [
    fc.constant({ path: plain.toUpperCase(), label: 'upper case', echo: [] }),
    fc.constant({ path: `${plain}/`, label: 'a trailing slash', echo: [] }),
  ];
  if (operation.path.includes('{')) {
    variants.push(fc.constantFrom(...HOSTILE_SEGMENTS).map((segment) => ({ path: fill(segment), label: `the parameter ${segment}`, echo: [segment] })));
  }
  return fc.oneof({ weight: 4, arbitrary: asIs }, ...variants);
}

/** A valid body for the operation as JSON text, or `{}` for one that takes none. */
function validBodies(operation: FuzzOperation): fc.Arbitrary<string> {
  if (!operation.bodySchema) return fc.constant('{"value":1}');
  return valid(operation.bodySchema).map((value) => {
    if (operation.operationId === 'createSession' || operation.operationId === 'issueTokens') return JSON.stringify({ username: 'alice', password: 'wonderland' });
    return JSON.stringify(value);
  });
}

/** A key placed first in a JSON object's text (JSON.stringify would drop or rename a `__proto__`). */
function withKeyFirst(text: string, key: string): string {
  return text === '{}' ? `{${key}}` : text.startsWith('{') ? `{${key},${text.slice(1)}` : text;
}

function bodies(operation: FuzzOperation): fc.Arbitrary<HostileShape['body']> {
  const json = (label: string, text: string, parameter = '') => ({ label, contentType: `application/json${parameter}`, text });
  const oversized = fc.constant(json('a 20 KiB body', `{"pad":"${PAD.body.repeat(20_480)}"}`));
  if (!operation.bodySchema) return fc.oneof({ weight: 6, arbitrary: fc.constant(null) }, oversized);
  return validBodies(operation).chain((text) => fc.oneof(
    { weight: 3, arbitrary: fc.constant(json('valid', text)) },
    fc.constant(json('a __proto__ key', withKeyFirst(text, '"__proto__":{"polluted":1}'))),
    fc.constant(json('a constructor.prototype key', withKeyFirst(text, '"constructor":{"prototype":{"polluted":1}}'))),
    fc.constantFrom('; charset=utf-8', '; charset=UTF-8', '; charset="utf-8"', '; charset=utf-16', '; charset=latin1', '; foo=bar', ';;').map((parameter) => json(`Content-Type with ${parameter.slice(2) || ';'}`, text, parameter)),
    oversized,
  ));
}

function methods(operation: FuzzOperation): fc.Arbitrary<string> {
  const own = operation.method.toUpperCase();
  return mostly(own, 6, own === 'GET' ? 'HEAD' : 'GET', 'OPTIONS', 'TRACE');
}

/**
 * Mostly the well-formed value, so that most shapes break one rule and reach the rules behind it
 * (a body is only judged once the head passes); now and then several break at once, which is
 * where the order of the checks shows.
 */
function mostly<T>(wellFormed: T, weight: number, ...broken: T[]): fc.Arbitrary<T> {
  return fc.oneof({ weight, arbitrary: fc.constant(wellFormed) }, fc.constantFrom(...broken));
}

export function hostileShapes(operations: FuzzOperation[]): fc.Arbitrary<HostileShape> {
  return fc.constantFrom(...operations).chain((operation) => fc.record({
    operation: fc.constant(operation),
    method: methods(operation),
    pathAndLabel: paths(operation),
    query: mostly<HostileShape['query']>('', 6, 'within the target limit', 'over the target limit', 'over the head limit'),
    form: mostly<HostileShape['form']>('origin', 8, 'absolute', 'asterisk'),
    host: mostly<HostileShape['host']>('one', 8, 'none', 'two', 'empty', 'none, HTTP/1.0'),
    fields: mostly<HostileShape['fields']>('few', 8, 'past the field count', 'one past the head limit'),
    body: bodies(operation),
    lineEnding: mostly<HostileShape['lineEnding']>('\r\n', 12, '\n'),
  }).map(({ pathAndLabel, ...shape }) => ({ ...shape, path: pathAndLabel.path, pathLabel: pathAndLabel.label, echo: pathAndLabel.echo })));
}

const QUERY_BYTES: Record<HostileShape['query'], number> = { '': 0, 'within the target limit': 7000, 'over the target limit': 9000, 'over the head limit': 20_000 };

/** The request's bytes for one target: its host, its own session and token where the operation checks them. */
function requestText(shape: HostileShape, host: string, credentials: { session: SessionClient | null; accessToken: string }): string {
  const query = QUERY_BYTES[shape.query] > 0 ? `?pad=${PAD.query.repeat(QUERY_BYTES[shape.query])}` : '';
  const target = shape.form === 'asterisk' ? '*' : shape.form === 'absolute' ? `http://${host}${shape.path}${query}` : `${shape.path}${query}`;
  const method = shape.form === 'asterisk' ? 'OPTIONS' : shape.method;
  const version = shape.host === 'none, HTTP/1.0' ? '1.0' : '1.1';
  const headers: [string, string][] = [];
  if (shape.host === 'one' || shape.host === 'two') headers.push(['Host', host]);
  if (shape.host === 'two') headers.push(['Host', 'elsewhere.test']);
  if (shape.host === 'empty') headers.push(['Host', '']);
  if (credentials.session) headers.push(['Cookie', credentials.session.cookie], ['X-CSRF-Token', credentials.session.csrf]);
  if (shape.operation.credential === 'bearer') headers.push(['Authorization', `Bearer ${credentials.accessToken}`]);
  if (shape.operation.parameters.some((p) => p.in === 'header' && p.name === 'Idempotency-Key')) headers.push(['Idempotency-Key', crypto.randomUUID()]);
  // Far past the limit of 100, so that the few fields nginx adds on its way cannot decide it.
  if (shape.fields === 'past the field count') for (let i = 0; i < 150; i += 1) headers.push([`X-Field-${String(i)}`, 'v']);
  if (shape.fields === 'one past the head limit') headers.push(['X-Long', PAD.header.repeat(20_000)]);
  if (shape.body) headers.push(['Content-Type', shape.body.contentType], ['Content-Length', String(Buffer.byteLength(shape.body.text))]);
  headers.push(['Connection', 'close']);
  const end = shape.lineEnding;
  return `${method} ${target} HTTP/${version}${end}${headers.map(([name, value]) => `${name}: ${value}${end}`).join('')}${end}${shape.body?.text ?? ''}`;
}

/** The shape in one line, for a failure message. */
export function describeShape(shape: HostileShape): string {
  const method = shape.form === 'asterisk' ? 'OPTIONS *' : `${shape.method} ${shape.path}`;
  return `${shape.operation.operationId}: ${method} (path ${shape.pathLabel}, ${shape.form}-form, query ${shape.query || 'none'}, Host ${shape.host}, fields ${shape.fields}, `
    + `body ${shape.body?.label ?? 'none'}, ${shape.lineEnding === '\n' ? 'bare LF' : 'CRLF'})`;
}

export async function sendHostile(shape: HostileShape, target: RawTarget): Promise<RawOutcome> {
  const host = new URL(target.url).host;
  let session: SessionClient | null = null;
  if (shape.operation.credential === 'session') {
    const started = await startSession(target.url);
    if (!started.client) throw new Error(`a new session on ${target.url} answered ${String(started.status)}`);
    session = started.client;
  }
  const answer = await rawRequest(target.url, requestText(shape, host, { session, accessToken: target.accessToken }), { ca: target.ca, timeoutMs: 20_000 });
  const violations: string[] = [];
  const type = answer.headers.get('content-type') ?? '';
  const head = shape.form !== 'asterisk' && shape.method === 'HEAD';
  if (!Number.isInteger(answer.status) || answer.status < 100) violations.push(`no HTTP answer: ${JSON.stringify(answer.body.slice(0, 60))}`);
  if (answer.status >= 500) violations.push(`a server error for a client's request: ${String(answer.status)}`);
  if (!answer.headers.has('x-request-id')) violations.push('no X-Request-Id');
  let code: string | null = null;
  if (answer.status >= 400) {
    if (!type.startsWith('application/problem+json')) violations.push(`an error as ${type || 'no content type'}`);
    // A HEAD is answered without a body: its status and content type are all there is to check.
    if (!head) {
      let problem: Record<string, unknown> = {};
      try {
        problem = JSON.parse(answer.body) as Record<string, unknown>;
      } catch {
        violations.push(`a problem that is not JSON: ${JSON.stringify(answer.body.slice(0, 60))}`);
      }
      code = typeof problem.code === 'string' ? problem.code : null;
      if (problem.status !== answer.status) violations.push(`a problem whose status says ${String(problem.status)}`);
      // `instance` is the path of a request whose path was acceptable (the contract's Problem).
      const { instance: _path, ...rest } = problem;
      const told = JSON.stringify(rest);
      for (const input of [...shape.echo, run(PAD.query), run(PAD.header), run(PAD.body), 'polluted', 'elsewhere.test']) {
        if (told.includes(input)) violations.push(`the problem sends back ${JSON.stringify(input)}: ${told.slice(0, 200)}`);
      }
      if (typeof problem.instance === 'string' && problem.instance.length > 1024) violations.push(`an instance of ${String(problem.instance.length)} characters`);
    }
  }
  return { status: answer.status, code, violations };
}

/**
 * The shapes an independent attack found the phases answering differently, sent first on every
 * run (fast-check's examples) so that each is checked whatever the seed draws.
 */
export function foundShapes(operations: FuzzOperation[]): HostileShape[] {
  const byId = (id: string) => {
    const operation = operations.find((o) => o.operationId === id);
    if (!operation) throw new Error(`the contract has no operation ${id}`);
    return operation;
  };
  const json = (label: string, text: string, parameter = '') => ({ label, contentType: `application/json${parameter}`, text });
  const shape = (id: string, overrides: Partial<HostileShape> = {}): HostileShape => {
    const operation = byId(id);
    const path = operation.path.replace(/\{\w+\}/g, 'kb-001');
    return { operation, method: operation.method.toUpperCase(), path, pathLabel: 'as is', query: '', form: 'origin', host: 'one', fields: 'few', body: null, lineEnding: '\r\n', echo: [], ...overrides };
  };
  const counter = (label: string, text: string, parameter = '') => shape('incrementStatelessCounter', { body: json(label, text, parameter) });
  return [
    shape('removeCartItem', { path: '/api/stateful/cart/items/constructor', pathLabel: 'the parameter constructor', echo: ['constructor'] }),
    shape('getProduct', { path: '/api/products/__proto__', pathLabel: 'the parameter __proto__', echo: ['__proto__'] }),
    counter('a __proto__ key', '{"value":1,"__proto__":{"polluted":1}}'),
    counter('a constructor.prototype key', '{"value":1,"constructor":{"prototype":{"polluted":1}}}'),
    counter('Content-Type with charset=utf-16', '{"value":1}', '; charset=utf-16'),
    counter('Content-Type with charset=latin1', '{"value":1}', '; charset=latin1'),
    counter('Content-Type with charset=UTF-8', '{"value":1}', '; charset=UTF-8'),
    shape('getProduct', { path: '/api/products/kb-001%00', pathLabel: 'the parameter kb-001%00', echo: ['kb-001%00'] }),
    shape('getProduct', { path: '/api/products/%ff%fe', pathLabel: 'the parameter %ff%fe', echo: ['%ff%fe', 'malformed uri'] }),
    shape('listProducts', { query: 'within the target limit' }),
    shape('listProducts', { query: 'over the target limit' }),
    shape('listProducts', { fields: 'past the field count' }),
    shape('listProducts', { fields: 'one past the head limit' }),
    shape('listProducts', { method: 'HEAD' }),
    shape('listProducts', { path: '/API/PRODUCTS', pathLabel: 'upper case' }),
    shape('listProducts', { path: '/api/products/', pathLabel: 'a trailing slash' }),
    shape('getProduct', { path: '/api/products/kb-001/', pathLabel: 'a trailing slash' }),
    shape('listProducts', { lineEnding: '\n' }),
    shape('listProducts', { form: 'asterisk' }),
    shape('listProducts', { form: 'absolute' }),
    shape('listProducts', { host: 'none' }),
    shape('listProducts', { host: 'none, HTTP/1.0' }),
    shape('listProducts', { host: 'two' }),
    shape('incrementSessionCounter', { body: json('a 20 KiB body', `{"pad":"${PAD.body.repeat(20_480)}"}`) }),
    shape('removeCartItem', { body: json('a 20 KiB body', `{"pad":"${PAD.body.repeat(20_480)}"}`) }),
    shape('listProducts', { method: 'TRACE' }),
  ];
}

/**
 * Requests generated from contract/openapi.yaml, valid and invalid, as fast-check arbitraries.
 * Each operation's parameters and body schema are read from the contract (converted to JSON
 * Schema by the contract package) and turned into arbitraries; invalid variants break one rule at
 * a time (a required property missing, a wrong type, a value out of range, an extra property, JSON
 * that is not an object, text that is not JSON, a wrong media type, a body where none is taken,
 * an unknown or malformed query parameter, a path parameter off its pattern, a bad header).
 * Credentials are symbolic (`own`, `none`, `garbage`): the runner turns them into a real session
 * or token on each target, so both phases see the same request about the same kind of state.
 */
import fc from 'fast-check';
import { contractOperations, loadContract, toJsonSchema, type ContractOperation } from 'contract';

type Schema = {
  type?: string | string[];
  enum?: unknown[];
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  minItems?: number;
  maxItems?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  default?: unknown;
};

interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  schema: Schema;
}

export interface FuzzOperation extends ContractOperation {
  parameters: Parameter[];
  bodySchema: Schema | null;
  /** Which credential the operation checks: the session cookie, a bearer token, or none. */
  credential: 'session' | 'bearer' | 'none';
  statuses: string[];
  /** Response headers the contract documents, by status. */
  headers: Record<string, string[]>;
}

export type Credential = 'own' | 'none' | 'garbage';

export type Body =
  | { kind: 'none' }
  | { kind: 'json'; value: unknown; label: string }
  | { kind: 'raw'; contentType: string; text: string; label: string };

export interface FuzzCase {
  operation: FuzzOperation;
  pathParams: Record<string, string>;
  query: [string, string][];
  /** Header values the case sets itself (Idempotency-Key, X-Request-Id). */
  headers: Record<string, string>;
  session: Credential;
  csrf: Credential | 'empty';
  bearer: Credential;
  body: Body;
  /** For refreshTokens: send a refresh token the target issued just before. */
  ownRefreshToken: boolean;
  /** For Credentials bodies: a demo user's username and password. */
  demoUser: boolean;
}

type Ref = { $ref?: string };

function resolve<T>(doc: ReturnType<typeof loadContract>, node: T & Ref): T {
  let current: unknown = node;
  while (current !== null && typeof current === 'object' && typeof (current as Ref).$ref === 'string') {
    current = ((current as Ref).$ref ?? '').slice(2).split('/').reduce<unknown>((at, part) => (at as Record<string, unknown>)[part], doc);
  }
  return current as T;
}

/** The contract's operations with what the generators need, read once. */
export function fuzzOperations(): FuzzOperation[] {
  const doc = loadContract();
  return contractOperations(doc).map((operation) => {
    const item = doc.paths[operation.path] as Record<string, unknown> & { parameters?: unknown[] };
    const raw = item[operation.method] as { parameters?: unknown[]; requestBody?: unknown; security?: Record<string, unknown>[]; responses: Record<string, unknown> };
    const parameters = [...(item.parameters ?? []), ...(raw.parameters ?? [])].map((p) => toJsonSchema(p, doc) as Parameter);
    const requestBody = raw.requestBody ? resolve(doc, raw.requestBody as { content?: Record<string, { schema?: unknown }> }) : null;
    const bodySchema = requestBody?.content?.['application/json']?.schema;
    const schemes = (raw.security ?? []).flatMap((requirement) => Object.keys(requirement));
    const credential = schemes.includes('sessionCookie') ? 'session' : schemes.includes('bearerAuth') ? 'bearer' : 'none';
    const headers = Object.fromEntries(Object.entries(raw.responses).map(([status, response]) => [
      status,
      Object.keys(resolve(doc, response as { headers?: Record<string, unknown> }).headers ?? {}),
    ]));
    return {
      ...operation,
      parameters,
      bodySchema: bodySchema === undefined ? null : (toJsonSchema(bodySchema, doc) as Schema),
      credential,
      statuses: Object.keys(raw.responses),
      headers,
    };
  });
}

const INT32_MAX = 2 ** 31 - 1;

/** Values that satisfy a schema (the subset of JSON Schema the contract uses). */
export function valid(schema: Schema): fc.Arbitrary<unknown> {
  if (schema.enum) return fc.constantFrom(...schema.enum);
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case 'object': {
      const properties = schema.properties ?? {};
      return fc.record(Object.fromEntries(Object.entries(properties).map(([name, sub]) => [name, name === 'productId' ? productIds(sub) : valid(sub)])), { requiredKeys: schema.required ?? [] });
    }
    case 'array':
      return fc.array(valid(schema.items ?? {}), { minLength: schema.minItems ?? 0, maxLength: Math.min(schema.maxItems ?? 5, 5) });
    case 'integer': {
      const min = schema.minimum ?? -1000;
      const max = schema.maximum ?? 1000;
      // fast-check's integers are 32-bit; a bound past that is still tried as itself.
      return max > INT32_MAX ? fc.oneof(fc.integer({ min, max: INT32_MAX }), fc.constant(max)) : fc.integer({ min, max });
    }
    case 'boolean':
      return fc.boolean();
    case 'string': {
      const minLength = schema.minLength ?? 0;
      const maxLength = Math.min(schema.maxLength ?? 40, 300);
      if (schema.pattern) return fc.stringMatching(new RegExp(schema.pattern)).filter((s) => s.length >= minLength && s.length <= maxLength);
      return fc.string({ minLength, maxLength: Math.min(maxLength, 40), unit: 'grapheme-ascii' });
    }
    default:
      return fc.constant(null);
  }
}

/** One value that breaks the schema, with what it breaks. */
function wrongValue(schema: Schema): fc.Arbitrary<unknown> {
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  const choices: fc.Arbitrary<unknown>[] = [fc.constant(null), fc.constant({ nested: true })];
  if (type !== 'string') choices.push(fc.constant('text'));
  if (type !== 'integer') choices.push(fc.constant(7));
  if (type === 'integer') {
    choices.push(fc.constant(1.5));
    if (schema.minimum !== undefined) choices.push(fc.constant(schema.minimum - 1));
    if (schema.maximum !== undefined && schema.maximum < Number.MAX_SAFE_INTEGER) choices.push(fc.constant(schema.maximum + 1));
  }
  if (type === 'string') {
    if ((schema.minLength ?? 0) > 0 || schema.pattern) choices.push(fc.constant(''));
    if (schema.maxLength !== undefined) choices.push(fc.constant('x'.repeat(schema.maxLength + 1)));
    if (schema.pattern) choices.push(fc.constantFrom('UPPER case', '-leading', '../etc', '<script>'));
  }
  return fc.oneof(...choices);
}

/** An object body breaking one rule of its schema. */
function invalidObject(schema: Schema): fc.Arbitrary<{ value: unknown; label: string }> {
  const properties = Object.entries(schema.properties ?? {});
  const base = valid(schema) as fc.Arbitrary<Record<string, unknown>>;
  const variants: fc.Arbitrary<{ value: unknown; label: string }>[] = [
    base.map((value) => ({ value: { ...value, unexpected: 1 }, label: 'an extra property' })),
  ];
  for (const name of schema.required ?? []) {
    variants.push(base.map((value) => {
      const { [name]: _dropped, ...rest } = value;
      return { value: rest, label: `${name} missing` };
    }));
  }
  for (const [name, sub] of properties) {
    variants.push(fc.tuple(base, wrongValue(sub)).map(([value, wrong]) => ({ value: { ...value, [name]: wrong }, label: `${name} = ${JSON.stringify(wrong).slice(0, 40)}` })));
  }
  return fc.oneof(...variants);
}

const NOT_AN_OBJECT = fc.constantFrom<{ value: unknown; label: string }>(
  { value: null, label: 'JSON null' },
  { value: 123, label: 'a JSON number' },
  { value: [], label: 'a JSON array' },
  { value: 'text', label: 'a JSON string' },
);

const NOT_JSON = fc.constantFrom('{"value":', '{', 'nul', "{'a':1}", '{"a":1}}');

function bodies(operation: FuzzOperation): fc.Arbitrary<Body> {
  const schema = operation.bodySchema;
  const rawJson = (text: fc.Arbitrary<string>, label: string) => text.map((t): Body => ({ kind: 'raw', contentType: 'application/json', text: t, label }));
  if (!schema) {
    // An operation that takes no body, sent one anyway: the contract says it is ignored.
    return fc.oneof(
      { weight: 4, arbitrary: fc.constant<Body>({ kind: 'none' }) },
      fc.constant<Body>({ kind: 'json', value: { value: 1 }, label: 'a JSON body to an operation that takes none' }),
      fc.constant<Body>({ kind: 'raw', contentType: 'text/plain', text: 'hello', label: 'a text body to an operation that takes none' }),
      rawJson(NOT_JSON, 'unparsable JSON to an operation that takes none'),
    );
  }
  return fc.oneof(
    { weight: 4, arbitrary: valid(schema).map((value): Body => ({ kind: 'json', value, label: 'valid' })) },
    { weight: 3, arbitrary: invalidObject(schema).map(({ value, label }): Body => ({ kind: 'json', value, label })) },
    NOT_AN_OBJECT.map(({ value, label }): Body => ({ kind: 'json', value, label })),
    rawJson(NOT_JSON, 'unparsable JSON'),
    fc.constant<Body>({ kind: 'raw', contentType: 'application/json', text: '', label: 'an empty body' }),
    valid(schema).map((value): Body => ({ kind: 'raw', contentType: 'text/plain', text: JSON.stringify(value), label: 'JSON sent as text/plain' })),
    fc.constant<Body>({ kind: 'none' }),
  );
}

/** Mostly products the catalog has (or a random id would never find one), sometimes any valid id. */
function productIds(schema: Schema): fc.Arbitrary<unknown> {
  return fc.oneof({ weight: 3, arbitrary: fc.constantFrom('kb-001', 'ms-002', 'mn-003', 'la-010') }, valid(schema));
}

function pathValue(parameter: Parameter): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 2, arbitrary: productIds(parameter.schema).map(String) },
    fc.constantFrom('UPPER', '-leading', 'a'.repeat(65), 'with space', 'a.b', '%ff', 'ä'),
  );
}

function queryPairs(parameters: Parameter[]): fc.Arbitrary<[string, string][]> {
  const query = parameters.filter((p) => p.in === 'query');
  const documented = query.map((p) => fc.option(fc.oneof(
    { weight: 3, arbitrary: valid(p.schema).map((v) => [p.name, String(v)] as [string, string]) },
    wrongValue(p.schema).map((v) => [p.name, typeof v === 'string' ? v : JSON.stringify(v)] as [string, string]),
    fc.constant([p.name, ''] as [string, string]),
  ), { nil: undefined }));
  const unknown = fc.option(fc.constantFrom<[string, string]>(['x', '1'], ['cacheBust', '1733'], ['limit[]', '2']), { nil: undefined, freq: 4 });
  return fc.tuple(fc.tuple(...documented), unknown).map(([pairs, extra]) => [...pairs, extra].filter((pair): pair is [string, string] => pair !== undefined));
}

const IDEMPOTENCY_KEYS = fc.oneof(
  { weight: 3, arbitrary: fc.uuid() },
  fc.constantFrom('', 'has space', 'x'.repeat(256), 'tab\there'),
);

const REQUEST_IDS = fc.oneof(
  fc.constantFrom('trace-1.a:b', 'x'.repeat(128)),
  fc.constantFrom('a"b', 'x'.repeat(129), '<tag>', ''),
);

export function cases(operations: FuzzOperation[]): fc.Arbitrary<FuzzCase> {
  const credential = fc.constantFrom<Credential>('own', 'own', 'none', 'garbage');
  return fc.constantFrom(...operations).chain((operation) => {
    const pathParameters = operation.parameters.filter((p) => p.in === 'path');
    const takesKey = operation.parameters.some((p) => p.in === 'header' && p.name === 'Idempotency-Key');
    return fc.record({
      operation: fc.constant(operation),
      pathParams: fc.record(Object.fromEntries(pathParameters.map((p) => [p.name, pathValue(p)]))),
      query: queryPairs(operation.parameters),
      headers: fc.record({
        ...(takesKey ? { 'Idempotency-Key': IDEMPOTENCY_KEYS } : {}),
        'X-Request-Id': REQUEST_IDS,
      }, { requiredKeys: [] }),
      session: operation.credential === 'session' ? credential : fc.constant<Credential>('none'),
      csrf: operation.credential === 'session' ? fc.constantFrom<Credential | 'empty'>('own', 'own', 'none', 'garbage', 'empty') : fc.constant<Credential>('none'),
      bearer: operation.credential === 'bearer' ? credential : fc.constant<Credential>('none'),
      body: bodies(operation),
      ownRefreshToken: fc.boolean(),
      demoUser: fc.boolean(),
    });
  });
}

/** The request of a case in one line, for a failure message. */
export function describeCase(c: FuzzCase): string {
  const body = c.body.kind === 'none' ? 'no body' : c.body.label;
  const query = c.query.length > 0 ? `?${new URLSearchParams(c.query).toString()}` : '';
  return `${c.operation.operationId}: ${c.operation.method.toUpperCase()} ${c.operation.path}${query} ${JSON.stringify(c.pathParams)} `
    + `session=${c.session} csrf=${c.csrf} bearer=${c.bearer} headers=${JSON.stringify(c.headers)} body: ${body}`;
}

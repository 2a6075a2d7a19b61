/**
 * Response schemas. Dredd's OpenAPI 3 adapter gives gavel only the example body, so gavel would
 * check that the example's keys are present and nothing else (an optional field in the example
 * would even be demanded). Instead each transaction gets the contract's own schema for that
 * response, as JSON Schema: types, enums, required fields and nullability are then all checked.
 * The schemas come from the contract package's conversion (src/schemas.ts), which the runner
 * writes to the file CONTRACT_SCHEMAS names before it starts Dredd.
 */
const { readFileSync } = require('node:fs');
const { keyOf } = require('./lib.cjs');

const file = process.env.CONTRACT_SCHEMAS;
if (!file) throw new Error('the Dredd hooks need CONTRACT_SCHEMAS, the JSON file of the contract\'s response schemas');
const schemas = JSON.parse(readFileSync(file, 'utf8'));

/** The same key as the contract package's responseKey(). */
function schemaFor(transaction) {
  const [path, , status, mediaType] = transaction.name.split(' > ');
  return schemas[`${transaction.request.method.toUpperCase()} ${path} ${status} ${mediaType}`] || null;
}

function prepareValidation(transaction) {
  const schema = schemaFor(transaction);
  const mediaType = transaction.name.split(' > ')[3] || '';
  // A JSON response the file has no schema for means the lookup went wrong: fail loudly rather
  // than fall back to Dredd's example-keys check.
  if (!schema && /json/.test(mediaType)) transaction.fail = `no contract schema for ${transaction.name}`;
  if (schema && schema.type === 'object') transaction.expected.bodySchema = schema;

  // Gavel compares Content-Type as a whole string, so `application/json; charset=utf-8` would not
  // match `application/json`. The charset parameter is legal (and UTF-8 is JSON's only encoding),
  // so only that parameter is dropped before comparing; any other difference still fails.
  const real = transaction.real && transaction.real.headers;
  if (real && typeof real['content-type'] === 'string') real['content-type'] = real['content-type'].replace(/;\s*charset=utf-8$/i, '');
  // /metrics is a text format whose content changes with every scrape; checks.cjs checks it.
  if (keyOf(transaction) === 'GET /metrics 200') delete transaction.expected.body;
}

module.exports = { prepareValidation };

/**
 * Checks a response against the contract's schema for its operation and status (the JSON Schemas
 * of schemas.ts, compiled by Ajv). Used by the benchmarks to validate a sample of what they get.
 */
import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { contractOperations, documentedResponses, loadContract } from './document.ts';
import { responseKey, responseSchemas } from './schemas.ts';

export type ResponseValidator = (method: string, pathTemplate: string, status: number, contentType: string, body: unknown) => string[];

export function responseValidator(): ResponseValidator {
  const doc = loadContract();
  const schemas = responseSchemas(doc);
  const operations = new Set(contractOperations(doc).map(({ method, path }) => `${method.toUpperCase()} ${path}`));
  const documented = new Set(documentedResponses(doc).map(({ method, path, status }) => `${method} ${path} ${status}`));
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats.default(ajv);
  ajv.addFormat('password', true);
  const cache = new Map<string, ValidateFunction>();

  return (method, pathTemplate, status, contentType, body) => {
    if (!operations.has(`${method.toUpperCase()} ${pathTemplate}`)) return [`the contract has no ${method} ${pathTemplate}`];
    if (!documented.has(`${method.toUpperCase()} ${pathTemplate} ${status}`)) return [`the contract documents no ${status} for ${method} ${pathTemplate}`];
    const prefix = responseKey(method, pathTemplate, status, '');
    const key = Object.keys(schemas).find((candidate) => candidate.startsWith(prefix) && contentType.startsWith(candidate.slice(prefix.length)));
    if (!key) return [`the contract documents no ${contentType} body for ${status} of ${method} ${pathTemplate}`];
    let validate = cache.get(key);
    if (!validate) {
      validate = ajv.compile(schemas[key] as object);
      cache.set(key, validate);
    }
    return validate(body) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? 'is invalid'}`);
  };
}

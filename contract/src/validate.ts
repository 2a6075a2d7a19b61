/**
 * Checks a response against the contract's schema for its operation and status, with Ajv (which
 * understands OpenAPI's `nullable`). Used by the benchmarks to validate a sample of what they get.
 */
import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { loadContract } from './document.ts';

interface Content {
  schema?: unknown;
}

export type ResponseValidator = (method: string, pathTemplate: string, status: number, contentType: string, body: unknown) => string[];

export function responseValidator(): ResponseValidator {
  const doc = loadContract();
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats.default(ajv);
  ajv.addFormat('password', true);
  ajv.addSchema({ ...doc, $id: 'contract' });
  const cache = new Map<string, ValidateFunction | null>();

  const pointer = (...parts: string[]) => parts.map((p) => p.replaceAll('~', '~0').replaceAll('/', '~1')).join('/');

  return (method, pathTemplate, status, contentType, body) => {
    const operation = doc.paths[pathTemplate]?.[method.toLowerCase()];
    if (!operation) return [`the contract has no ${method} ${pathTemplate}`];
    let response = operation.responses[String(status)] as { $ref?: string; content?: Record<string, Content> } | undefined;
    if (!response) return [`the contract documents no ${status} for ${method} ${pathTemplate}`];
    let responsePointer = pointer('paths', pathTemplate, method.toLowerCase(), 'responses', String(status));
    if (response.$ref) {
      responsePointer = response.$ref.slice(2);
      const name = response.$ref.split('/').pop() ?? '';
      response = (doc as unknown as { components: { responses: Record<string, typeof response> } }).components.responses[name];
    }
    const mediaType = Object.keys(response?.content ?? {}).find((type) => contentType.startsWith(type.split(';')[0] ?? type));
    if (!mediaType) return [`the contract documents no ${contentType} body for ${status} of ${method} ${pathTemplate}`];
    const key = `${responsePointer}/content/${mediaType}`;
    if (!cache.has(key)) cache.set(key, ajv.getSchema(`contract#/${responsePointer}/content/${pointer(mediaType)}/schema`) ?? null);
    const validate = cache.get(key);
    if (!validate) return [];
    return validate(body) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? 'is invalid'}`);
  };
}

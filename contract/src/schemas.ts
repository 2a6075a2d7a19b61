/**
 * The contract's response schemas as plain JSON Schema (draft 7): `$ref`s inlined, OpenAPI 3.0's
 * `nullable` turned into a `null` type, documentation keywords dropped. One conversion, used by the
 * response validator here and, written to a file at run time, by the Dredd hooks (Dredd's own
 * OpenAPI 3 adapter hands its validator only the example's keys).
 */
import { loadContract, contractOperations, type OpenApiDocument } from './document.ts';

type Node = unknown;

function resolver(doc: OpenApiDocument): (node: Node) => Node {
  return (node) => {
    let current = node;
    while (current !== null && typeof current === 'object' && typeof (current as { $ref?: unknown }).$ref === 'string') {
      const pointer = ((current as { $ref: string }).$ref).slice(2).split('/');
      current = pointer.reduce<unknown>((at, part) => (at as Record<string, unknown>)[part.replace(/~1/g, '/').replace(/~0/g, '~')], doc);
    }
    return current;
  };
}

/** One OpenAPI 3.0 schema as JSON Schema draft 7. */
export function toJsonSchema(node: Node, doc: OpenApiDocument = loadContract()): Node {
  const resolve = resolver(doc);
  const convert = (input: Node): Node => {
    const schema = resolve(input);
    if (Array.isArray(schema)) return schema.map(convert);
    if (schema === null || typeof schema !== 'object') return schema;
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(schema)) {
      if (key === 'example' || key === 'nullable' || key === 'description') continue;
      if (key === 'properties') out.properties = Object.fromEntries(Object.entries(value as Record<string, Node>).map(([name, sub]) => [name, convert(sub)]));
      else if (key === 'items' || key === 'allOf' || key === 'oneOf' || key === 'anyOf' || key === 'additionalProperties') out[key] = typeof value === 'boolean' ? value : convert(value);
      else out[key] = value;
    }
    if ((schema as { nullable?: unknown }).nullable === true && typeof out.type === 'string') out.type = [out.type, 'null'];
    return out;
  };
  return convert(node);
}

/** `METHOD /path/{template} status media/type`: how a response schema is looked up. */
export function responseKey(method: string, path: string, status: number | string, mediaType: string): string {
  return `${method.toUpperCase()} ${path} ${String(status)} ${mediaType}`;
}

/** Every documented response body's schema, as JSON Schema, by responseKey. */
export function responseSchemas(doc: OpenApiDocument = loadContract()): Record<string, Node> {
  const resolve = resolver(doc);
  const out: Record<string, Node> = {};
  for (const { method, path } of contractOperations(doc)) {
    for (const [status, response] of Object.entries(doc.paths[path]?.[method]?.responses ?? {})) {
      const content = (resolve(response) as { content?: Record<string, { schema?: Node }> } | undefined)?.content ?? {};
      for (const [mediaType, media] of Object.entries(content)) {
        if (media.schema !== undefined) out[responseKey(method, path, status, mediaType)] = { $schema: 'http://json-schema.org/draft-07/schema#', ...(toJsonSchema(media.schema, doc) as object) };
      }
    }
  }
  return out;
}

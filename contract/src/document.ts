/**
 * The contract document: where the file is, its parsed form, and the lists read from it (its
 * operations, its documented responses). Both phases load the YAML file itself at start, so there is
 * one description of the API and nothing restated by hand.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

export const contractPath = fileURLToPath(new URL('../openapi.yaml', import.meta.url));

/** The parts of an OpenAPI 3.0 document this project reads; the file itself is the full truth. */
export interface OpenApiDocument {
  openapi: string;
  info: { title: string; version: string };
  paths: Record<string, Record<string, { operationId?: string; requestBody?: { required?: boolean }; responses: Record<string, unknown> }>>;
  components: { schemas: Record<string, unknown> };
}

export function loadContract(): OpenApiDocument {
  return parse(readFileSync(contractPath, 'utf8')) as OpenApiDocument;
}

export const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'] as const;


export interface ContractOperation {
  operationId: string;
  /** Lower case, as in the document. */
  method: (typeof HTTP_METHODS)[number];
  /** The path template, `/api/products/{productId}`. */
  path: string;
  /** Whether a body may be sent: 'required', 'optional' (no body is valid too), or 'none'. */
  body: 'required' | 'optional' | 'none';
}

/** Every operation of the contract, in document order. */
export function contractOperations(doc: OpenApiDocument = loadContract()): ContractOperation[] {
  const out: ContractOperation[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of HTTP_METHODS) {
      const operation = item[method];
      if (!operation?.operationId) continue;
      const body = operation.requestBody ? (operation.requestBody.required === true ? 'required' : 'optional') : 'none';
      out.push({ operationId: operation.operationId, method, path, body });
    }
  }
  return out;
}

/** Every (method, path, status) the contract documents: what Dredd turns into transactions. */
export function documentedResponses(doc: OpenApiDocument = loadContract()): { method: string; path: string; status: string }[] {
  return contractOperations(doc).flatMap(({ method, path }) =>
    Object.keys(doc.paths[path]?.[method]?.responses ?? {}).map((status) => ({ method: method.toUpperCase(), path, status })),
  );
}

let pathOperations: { pattern: RegExp; operations: ContractOperation[] }[] | undefined;

function operationsAtPath(pathname: string): ContractOperation[] {
  if (!pathOperations) {
    const byPath = new Map<string, ContractOperation[]>();
    for (const operation of contractOperations()) byPath.set(operation.path, [...(byPath.get(operation.path) ?? []), operation]);
    pathOperations = [...byPath].map(([template, operations]) => ({
      pattern: new RegExp(`^${template.split(/\{[^}]+\}/).map((part) => part.replace(/[.*+?^$()|[\]\\]/g, '\\$&')).join('[^/]+')}$`),
      operations,
    }));
  }
  return pathOperations.find((entry) => entry.pattern.test(pathname))?.operations ?? [];
}

/**
 * The methods the contract serves at a concrete path, upper case and sorted, with HEAD wherever
 * GET is (both frameworks answer it); empty when no path of the contract matches. What a 405's
 * `Allow` header lists.
 */
export function allowedMethods(pathname: string): string[] {
  const methods = new Set(operationsAtPath(pathname).flatMap((operation) => (operation.method === 'get' ? ['GET', 'HEAD'] : [operation.method.toUpperCase()])));
  return [...methods].sort();
}

/** The operation a request names (HEAD finds GET's), if the contract has one. */
export function operationAt(method: string, pathname: string): ContractOperation | undefined {
  const wanted = method.toLowerCase() === 'head' ? 'get' : method.toLowerCase();
  return operationsAtPath(pathname).find((operation) => operation.method === wanted);
}

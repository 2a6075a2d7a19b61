/** The contract package: the OpenAPI document, what is read from it, its schemas as JSON Schema, and a response validator. */
export { contractPath, loadContract, documentedResponses, contractOperations, allowedMethods, operationAt, HTTP_METHODS, type OpenApiDocument, type ContractOperation } from './document.ts';
export { responseSchemas, responseKey, toJsonSchema } from './schemas.ts';
export { responseValidator, type ResponseValidator } from './validate.ts';

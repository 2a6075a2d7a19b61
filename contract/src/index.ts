/** The contract package: the OpenAPI document, what is read from it, and a response validator. */
export { contractPath, loadContract, documentedResponses, contractOperations, HTTP_METHODS, type OpenApiDocument, type ContractOperation } from './document.ts';
export { responseValidator, type ResponseValidator } from './validate.ts';

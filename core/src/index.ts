/**
 * What both phases share because it does not depend on where state lives or which framework
 * serves it: the store interfaces, cart pricing, password hashes, tokens, problem codes, request
 * ids, health checks and the maintenance switch. Each phase implements the interfaces its own way.
 */
export * from './sessions.ts';
export * from './catalog.ts';
export * from './passwords.ts';
export * from './users.ts';
export * from './tokens.ts';
export * from './problems.ts';
export * from './request-id.ts';
export * from './health.ts';
export * from './maintenance.ts';
export * from './views.ts';
export * from './metrics.ts';

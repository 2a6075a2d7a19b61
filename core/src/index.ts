/**
 * What both phases share because it does not depend on where state lives or which framework
 * serves it: the contract's operations, the component interfaces they use (sessions, catalog,
 * users, refresh tokens), cart pricing, password hashes, tokens, problem codes and domain errors,
 * request ids, health checks and the maintenance switch. Each phase adapts the operations to its
 * framework and implements the interfaces with its own components.
 */
export * from './sessions.ts';
export * from './catalog.ts';
export * from './passwords.ts';
export * from './users.ts';
export * from './sign-in-attempts.ts';
export * from './tokens.ts';
export * from './problems.ts';
export * from './request-id.ts';
export * from './http-body.ts';
export * from './request-shape.ts';
export * from './health.ts';
export * from './maintenance.ts';
export * from './views.ts';
export * from './metrics.ts';
export * from './errors.ts';
export * from './operations/index.ts';
export * from './settings.ts';
export * from './handover.ts';

/** The behaviour suites each phase runs against its own components (`core/test-suites`). */
export { describeSessionStore, type SessionStoreUnderTest } from './session-store.ts';
export { describeRefreshTokenStore } from './refresh-token-store.ts';
export { describeIdempotentRetries, type RetriesUnderTest, type Send, type Sent } from './idempotent-retries.ts';
export { describeBodyRules, type RawPost } from './body-rules.ts';
export { describeSignInAttempts, describeUserSignInLimit, type SignIn } from './sign-in-attempts.ts';

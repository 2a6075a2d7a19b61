/** Core's refresh-token-store behaviour suite, against phase 1's Map. */
import { describeRefreshTokenStore } from 'core/test-suites';
import { MemoryRefreshTokenStore } from '../../src/auth/refresh-token-store.ts';

describeRefreshTokenStore('MemoryRefreshTokenStore (a Map)', () => Promise.resolve(new MemoryRefreshTokenStore()));

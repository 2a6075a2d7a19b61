/**
 * What every test run needs made once, before any test starts: the system programs the
 * integration tests run (installed in one process, so apt-get never runs twice at once) and the
 * lab's CA with nginx's certificate (made here rather than raced for).
 */
import { ensurePrograms } from './infra/binaries.ts';
import { labTls } from './infra/tls.ts';

export function prepareTestMachine(): void {
  ensurePrograms(['redis-server', 'redis-cli', 'initdb', 'postgres', 'nginx', 'chromium', 'openssl']);
  labTls();
}

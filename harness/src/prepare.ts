/**
 * What every test run needs made once, before any test starts: every system program a test runs
 * (installed here in one apt-get, so that two test processes never run apt-get at once) and the
 * lab's CA with nginx's certificate (made here rather than raced for).
 */
import { ensurePrograms } from './infra/binaries.ts';
import { labTls } from './infra/tls.ts';

export function prepareTestMachine(): void {
  ensurePrograms([
    'redis-server', 'redis-cli', 'initdb', 'postgres', 'nginx', 'chromium', 'openssl',
    'prometheus', 'promtool', 'prometheus-redis-exporter', 'prometheus-postgres-exporter', 'prometheus-nginx-exporter',
  ]);
  labTls();
}

/**
 * What every test run needs made once, before any test starts: every system program a test runs
 * (installed here in one apt-get, so that two test processes never run apt-get at once) and the
 * lab's CA with nginx's certificate (made here rather than raced for).
 */
import { RUN_PROGRAMS, ensurePrograms } from './infra/binaries.ts';
import { labTls } from './infra/tls.ts';

export function prepareTestMachine(): void {
  // promtool checks the alert rules in a test; pgbouncer and pg_basebackup are installed by the tests of --postgres replica.
  ensurePrograms([...RUN_PROGRAMS, 'promtool']);
  labTls();
}

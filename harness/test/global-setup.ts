/**
 * Runs once before any test file: installs the system programs the integration tests start, in
 * one process, so test files running in parallel never run apt-get at the same time.
 */
import { ensurePrograms } from '../src/infra/binaries.ts';
import { labTls } from '../src/infra/tls.ts';

export default function setup(): void {
  ensurePrograms(['redis-server', 'redis-cli', 'initdb', 'postgres', 'nginx', 'chromium', 'openssl']);
  // The lab's CA and nginx's certificate, made once here rather than raced for by test files.
  labTls();
}

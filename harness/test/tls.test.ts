/**
 * `npm run tls` as the README quotes it: it makes the lab's CA and nginx's certificate once, keeps
 * them across runs, and what it prints is what a client verifies phase 2 with.
 */
import { spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../src/paths.ts';
import { labTls } from '../src/infra/tls.ts';

const scratch = mkdtempSync(join(tmpdir(), 'lab-tls-test-'));
afterAll(() => { rmSync(scratch, { recursive: true, force: true }); });

describe('npm run tls', () => {
  it('shows a CA and a certificate for localhost and 127.0.0.1 that it signed, the same on every run', () => {
    const run = () => spawnSync('npm', ['run', 'tls'], { cwd: repoRoot, encoding: 'utf8', timeout: 120_000 });
    const first = run();
    expect(first.status, first.stderr).toBe(0);
    const caFile = /CA certificate:\s+(\S+)/.exec(first.stdout)?.[1] ?? '';
    const certFile = /server certificate:\s+(\S+)/.exec(first.stdout)?.[1] ?? '';
    const ca = new X509Certificate(readFileSync(caFile));
    const server = new X509Certificate(readFileSync(certFile));
    expect(ca.ca).toBe(true);
    expect(server.ca).toBe(false);
    expect(server.verify(ca.publicKey)).toBe(true);
    expect(server.checkIssued(ca)).toBe(true);
    expect(server.checkHost('localhost')).toBe('localhost');
    expect(server.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(new Date(server.validTo).getTime()).toBeGreaterThan(Date.now() + 30 * 24 * 3600 * 1000);
    // Kept: the CA a learner has trusted is the one the next run uses.
    const second = run();
    expect(second.stdout).toBe(first.stdout);
    expect(new X509Certificate(readFileSync(caFile)).fingerprint256).toBe(ca.fingerprint256);
  });
});

describe('the lab CA kept across runs', () => {
  const fingerprint = (file: string) => new X509Certificate(readFileSync(file)).fingerprint256;

  it('renews a missing or broken server certificate with the same CA, and leaves a good one alone', () => {
    const dir = join(scratch, 'tls');
    const first = labTls(dir);
    const ca = fingerprint(first.caFile);
    const server = fingerprint(first.certFile);
    expect(fingerprint(labTls(dir).certFile)).toBe(server);

    rmSync(first.certFile);
    const renewed = labTls(dir);
    expect(fingerprint(renewed.caFile)).toBe(ca);
    expect(fingerprint(renewed.certFile)).not.toBe(server);
    expect(new X509Certificate(readFileSync(renewed.certFile)).checkIssued(new X509Certificate(readFileSync(renewed.caFile)))).toBe(true);

    // Not signed by this CA any more (another CA's certificate put in its place): made again.
    writeFileSync(renewed.certFile, readFileSync(renewed.caFile));
    const again = labTls(dir);
    expect(fingerprint(again.caFile)).toBe(ca);
    expect(new X509Certificate(readFileSync(again.certFile)).ca).toBe(false);
  });

  it('makes a new CA when its key is gone', () => {
    const dir = join(scratch, 'tls-2');
    const first = labTls(dir);
    const ca = fingerprint(first.caFile);
    rmSync(join(dir, 'ca-key.pem'));
    rmSync(first.certFile);
    expect(fingerprint(labTls(dir).caFile)).not.toBe(ca);
  });
});

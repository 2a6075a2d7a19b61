/**
 * `npm run tls` as the README quotes it: it makes the lab's CA and nginx's certificate once, keeps
 * them across runs, and what it prints is what a client verifies phase 2 with.
 */
import { spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../src/paths.ts';

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

/**
 * How the harness finds or installs the system programs it runs. The fresh-machine check removes
 * packages and runs `npm run up` for real; here a stand-in package system (a temporary directory
 * for PATH, a recorder for apt-get) checks each decision without touching the machine.
 */
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { ensurePrograms, findProgram, installBeforeMeasuring, measuringOver, runQuietly, type PackageSystem } from '../src/infra/binaries.ts';

const scratch = mkdtempSync(join(tmpdir(), 'lab-binaries-'));
afterAll(() => { rmSync(scratch, { recursive: true, force: true }); });

let systems = 0;
/** A package system whose "apt-get install" puts the programs each package `provides` into its own bin directory. */
function standIn(options: { root: boolean; provides?: Record<string, string[]>; failWith?: string; policyExists?: boolean }) {
  const dir = join(scratch, `system-${String((systems += 1))}`);
  const bin = join(dir, 'bin');
  const policyFile = join(dir, 'policy-rc.d');
  const calls: { command: string; args: string[]; policyInPlace: boolean }[] = [];
  const install = (name: string) => {
    writeFileSync(join(bin, name), '#!/bin/sh\n');
    chmodSync(join(bin, name), 0o755);
  };
  runQuietly('mkdir', ['-p', bin]);
  if (options.policyExists) writeFileSync(policyFile, '#!/bin/sh\nexit 0\n');
  const system: PackageSystem = {
    searchDirs: () => ['', bin],
    canInstall: () => options.root,
    run: (command, args) => {
      calls.push({ command, args, policyInPlace: existsSync(policyFile) });
      if (options.failWith) throw new Error(options.failWith);
      if (args.includes('install')) for (const name of args.flatMap((arg) => options.provides?.[arg] ?? [])) install(name);
    },
    policyFile,
    updated: false,
  };
  return { system, calls, install, bin, policyFile };
}

describe('ensurePrograms', () => {
  it('returns what is found and installs nothing', () => {
    const { system, calls, install, bin } = standIn({ root: true });
    install('nginx');
    expect(ensurePrograms(['nginx'], system)).toEqual({ nginx: join(bin, 'nginx') });
    expect(calls).toEqual([]);
  });

  it('not root: gives the exact command, each package once', () => {
    const { system, calls } = standIn({ root: false });
    expect(() => ensurePrograms(['prometheus', 'promtool', 'redis-cli'], system)).toThrow(
      'missing system programs: prometheus, promtool, redis-cli. Install them with:\n  sudo apt-get update && sudo apt-get install -y --no-install-recommends prometheus redis-tools',
    );
    expect(calls).toEqual([]);
  });

  it('root: updates once, installs with services held off by its own policy-rc.d, then removes it', () => {
    const { system, calls, bin, policyFile } = standIn({ root: true, provides: { postgresql: ['postgres', 'initdb'], openssl: ['openssl'] } });
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      expect(ensurePrograms(['postgres', 'initdb'], system)).toEqual({ postgres: join(bin, 'postgres'), initdb: join(bin, 'initdb') });
      expect(log).toHaveBeenCalledWith('harness: installing postgresql (missing: postgres, initdb)');
      expect(calls.map((c) => [c.command, ...c.args].join(' '))).toEqual([
        'apt-get -o DPkg::Lock::Timeout=300 update',
        'apt-get -o DPkg::Lock::Timeout=300 install -y --no-install-recommends postgresql',
      ]);
      expect(calls.every((c) => c.policyInPlace)).toBe(true);
      expect(existsSync(policyFile)).toBe(false);

      ensurePrograms(['openssl'], system);
      expect(calls.map((c) => c.args.at(-1))).toEqual(['update', 'postgresql', 'openssl']);
    } finally {
      log.mockRestore();
    }
  });

  it('leaves a machine\'s own policy-rc.d in place, and removes its own when apt-get fails', () => {
    const kept = standIn({ root: true, provides: { 'nginx-light': ['nginx'] }, policyExists: true });
    const failing = standIn({ root: true, failWith: 'apt-get install failed (exit 100)' });
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      ensurePrograms(['nginx'], kept.system);
      expect(existsSync(kept.policyFile)).toBe(true);
      expect(() => ensurePrograms(['nginx'], failing.system)).toThrow('apt-get install failed (exit 100)');
      expect(existsSync(failing.policyFile)).toBe(false);
    } finally {
      log.mockRestore();
    }
  });

  it('says so when a package installed but the program is still not there', () => {
    const { system } = standIn({ root: true, provides: {} });
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      expect(() => ensurePrograms(['chromium'], system)).toThrow('chromium is still missing after installing chromium');
    } finally {
      log.mockRestore();
    }
  });
});

describe('findProgram and runQuietly on this machine', () => {
  it('finds a program on PATH (sh is everywhere), and nothing for a name no package provides', () => {
    expect(findProgram('apt-get' as const)).toMatch(/\/apt-get$/);
    expect(findProgram('no-such-program' as never)).toBeNull();
  });

  it('shows a failed command\'s last lines and exit code, and nothing of one that succeeds', () => {
    expect(() => { runQuietly('sh', ['-c', 'true']); }).not.toThrow();
    expect(() => { runQuietly('sh', ['-c', 'echo first; echo last >&2; exit 3']); }).toThrow(/^sh -c .* failed \(exit 3\):\nfirst\nlast$/);
  });
});

describe('installBeforeMeasuring', () => {
  it('installs every missing program in one apt-get before the run, and refuses any other program afterwards, installed or not', () => {
    const { system, calls, install, bin } = standIn({ root: true, provides: { 'nginx-light': ['nginx'], 'redis-server': ['redis-server'] } });
    install('openssl');
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      expect(installBeforeMeasuring(['nginx', 'redis-server', 'openssl'], system)).toEqual(['nginx', 'redis-server']);
      expect(calls.filter((c) => c.args.includes('install')).map((c) => c.args.slice(-2))).toEqual([['nginx-light', 'redis-server']]);
      // Asked for again while measuring: found, nothing installed.
      expect(ensurePrograms(['nginx'], system)).toEqual({ nginx: join(bin, 'nginx') });
      expect(calls.filter((c) => c.args.includes('install'))).toHaveLength(1);
      // A program the run did not install up front is refused, even one this machine has.
      install('pgbouncer');
      expect(() => ensurePrograms(['pgbouncer'], system)).toThrow('pgbouncer asked for after the run began: add it to RUN_PROGRAMS');
      measuringOver();
      expect(ensurePrograms(['pgbouncer'], system)).toEqual({ pgbouncer: join(bin, 'pgbouncer') });
    } finally {
      measuringOver();
      log.mockRestore();
    }
  });
});

/**
 * The system programs the harness runs, found on PATH or where Debian puts them. A missing one is
 * installed with apt-get when we are root (as `playwright install --with-deps` does); otherwise
 * the error gives the exact command to run.
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';

export type SystemProgram =
  | 'redis-server'
  | 'redis-cli'
  | 'postgres'
  | 'initdb'
  | 'pg_basebackup'
  | 'pgbouncer'
  | 'nginx'
  | 'chromium'
  | 'openssl'
  | 'prometheus'
  | 'promtool'
  | 'prometheus-redis-exporter'
  | 'prometheus-postgres-exporter'
  | 'prometheus-nginx-exporter';

/** The Debian package that provides each program. */
const PACKAGES: Record<SystemProgram, string> = {
  'redis-server': 'redis-server',
  'redis-cli': 'redis-tools',
  postgres: 'postgresql',
  initdb: 'postgresql',
  pg_basebackup: 'postgresql',
  pgbouncer: 'pgbouncer',
  nginx: 'nginx-light',
  chromium: 'chromium',
  openssl: 'openssl',
  prometheus: 'prometheus',
  promtool: 'prometheus',
  'prometheus-redis-exporter': 'prometheus-redis-exporter',
  'prometheus-postgres-exporter': 'prometheus-postgres-exporter',
  'prometheus-nginx-exporter': 'prometheus-nginx-exporter',
};

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Debian installs PostgreSQL's server programs in /usr/lib/postgresql/<version>/bin, off PATH. */
function postgresDirs(): string[] {
  try {
    return readdirSync('/usr/lib/postgresql')
      .filter((version) => /^\d+$/.test(version))
      .sort((a, b) => Number(b) - Number(a))
      .map((version) => `/usr/lib/postgresql/${version}/bin`);
  } catch {
    return [];
  }
}

/**
 * Where programs are looked for and how missing ones are installed: Debian's, below. Tests give
 * ensurePrograms another, to check what it decides without installing anything on the machine.
 */
export interface PackageSystem {
  /** Directories searched for a program, in order. */
  searchDirs(): string[];
  /** Whether packages can be installed here (root, with apt-get). */
  canInstall(): boolean;
  /** Runs a command, quietly; throws with its last lines when it fails. */
  run(command: string, args: string[]): void;
  /** Debian's policy-rc.d: while it exists and exits 101, installed services are not started. */
  policyFile: string;
  /** Whether apt-get update has run in this process (once is enough). */
  updated: boolean;
}

/** Quiet: a command's output is shown only when it fails (its last lines, with the command). */
export function runQuietly(command: string, args: string[]): void {
  const result = spawnSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }, maxBuffer: 64 * 1024 * 1024 });
  if (result.status !== 0) {
    const tail = `${result.stdout}${result.stderr}`.trim().split('\n').slice(-15).join('\n');
    throw new Error(`${command} ${args.join(' ')} failed (exit ${String(result.status)}):\n${tail}`);
  }
}

export const debian: PackageSystem = {
  searchDirs: () => [...(process.env.PATH ?? '').split(delimiter), '/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin', ...postgresDirs()],
  canInstall: () => process.getuid?.() === 0 && findProgram('apt-get', debian) !== null,
  run: runQuietly,
  policyFile: '/usr/sbin/policy-rc.d',
  updated: false,
};

export function findProgram(name: SystemProgram | 'apt-get', system: PackageSystem = debian): string | null {
  for (const dir of system.searchDirs()) {
    const candidate = join(dir, name);
    if (dir !== '' && executable(candidate)) return candidate;
  }
  return null;
}

/**
 * The paths of the programs asked for, installing the missing ones when that can be done here.
 * Throws with the command to run by hand when it cannot.
 */
export function ensurePrograms(names: SystemProgram[], system: PackageSystem = debian): Record<SystemProgram, string> {
  if (prepared !== null) {
    const unprepared = names.filter((name) => !prepared?.has(name));
    if (unprepared.length > 0) throw new Error(`${unprepared.join(', ')} asked for after the run began: add ${unprepared.length === 1 ? 'it' : 'them'} to RUN_PROGRAMS (harness/src/infra/binaries.ts), which are installed before anything is measured`);
  }
  const found = {} as Record<SystemProgram, string>;
  const missing = names.filter((name) => {
    const path = findProgram(name, system);
    if (path) found[name] = path;
    return !path;
  });
  if (missing.length === 0) return found;

  const packages = [...new Set(missing.map((name) => PACKAGES[name]))];
  const command = `apt-get install -y --no-install-recommends ${packages.join(' ')}`;
  if (!system.canInstall()) {
    throw new Error(`missing system programs: ${missing.join(', ')}. Install them with:\n  sudo apt-get update && sudo ${command}`);
  }
  console.log(`harness: installing ${packages.join(', ')} (missing: ${missing.join(', ')})`);
  // Debian's redis-server, postgresql and nginx packages start a system service on install. The
  // harness runs its own servers on free ports and wants none of those: while it installs, a
  // policy-rc.d (the standard way, https://people.debian.org/~hmh/invokerc.d-policyrc.d-specification.txt)
  // forbids service starts, unless the machine already has a policy of its own.
  const ownPolicy = !existsSync(system.policyFile);
  if (ownPolicy) writeFileSync(system.policyFile, '#!/bin/sh\n# written by the harness while it installs packages\nexit 101\n', { mode: 0o755 });
  try {
    if (!system.updated) {
      system.run('apt-get', ['-o', 'DPkg::Lock::Timeout=300', 'update']);
      system.updated = true;
    }
    // Wait for dpkg's lock instead of failing if another installer holds it.
    system.run('apt-get', ['-o', 'DPkg::Lock::Timeout=300', 'install', '-y', '--no-install-recommends', ...packages]);
  } finally {
    if (ownPolicy) rmSync(system.policyFile, { force: true });
  }
  for (const name of missing) {
    const path = findProgram(name, system);
    if (!path) throw new Error(`${name} is still missing after installing ${PACKAGES[name]}`);
    found[name] = path;
  }
  return found;
}

/** Every system program `npm start` and `npm run bench` run: the contract's servers, the benchmarks' stacks, the lab's monitoring, the report's browser. */
export const RUN_PROGRAMS: SystemProgram[] = [
  'redis-server', 'redis-cli', 'initdb', 'postgres', 'nginx', 'chromium', 'openssl',
  'prometheus', 'prometheus-redis-exporter', 'prometheus-postgres-exporter', 'prometheus-nginx-exporter',
];

/** While a run measures: the programs installed before it began, the only ones it may ask for. */
let prepared: ReadonlySet<SystemProgram> | null = null;

/**
 * Finds or installs, in one step, every program a run needs, before it measures anything: an
 * apt-get between two rounds would be measured with them. Afterwards, asking for any other
 * program throws (even one that happens to be on this machine), so a scenario that needs a
 * program not listed fails on every machine, not only on a fresh one mid-run. Returns what was
 * missing, for the progress line.
 */
export function installBeforeMeasuring(names: SystemProgram[], system: PackageSystem = debian): SystemProgram[] {
  prepared = null;
  const missing = names.filter((name) => findProgram(name, system) === null);
  ensurePrograms(names, system);
  prepared = new Set(names);
  return missing;
}

/** The run is over: programs may be asked for (and installed) freely again. */
export function measuringOver(): void {
  prepared = null;
}

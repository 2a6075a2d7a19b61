/**
 * nginx in front of phase 2 instances, from phase2-production/deployment/nginx.conf.template,
 * rendered into a temp dir and run in the foreground. Its upstream list never changes while it
 * runs: an instance that stops hands its connections over itself (decision 9), so nothing needs
 * the reload that would close clients' idle keep-alive connections. It serves https with the
 * lab's certificate (./tls.ts), and plain HTTP only to redirect there; this process's fetch is
 * made to trust the lab's CA, so every check through nginx verifies the certificate.
 */
import { chownSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Cleanup } from '../cleanup.ts';
import { freePort } from '../ports.ts';
import { startProcess, type ManagedProcess } from '../processes.ts';
import { phase2Dir } from '../paths.ts';
import { ensurePrograms } from './binaries.ts';
import { labTls, trustLabCa } from './tls.ts';

export interface Upstream {
  port: number;
}

export interface RunningNginx {
  /** The public entry: https, with the lab's certificate. */
  url: string;
  port: number;
  /** Plain HTTP, which only redirects to `url` (308). */
  httpUrl: string;
  /** The CA that signed nginx's certificate: what a client verifies it with. */
  caFile: string;
  /** nginx's stub_status page, on its own loopback listener (the operators' side). */
  statusUrl: string;
  process: ManagedProcess;
  /**
   * During a cutover (started with `phase1`): the share of users phase 2 answers, 0 to 100. nginx
   * reloads its configuration; this resolves once only workers with the new shares run. The old
   * ones close their clients' idle keep-alive connections at once and finish requests in flight
   * (for at most worker_shutdown_timeout): a client's next request reaches a new worker.
   */
  setPhase2Share(percent: number): Promise<void>;
  stop(): Promise<void>;
}

/** The split of users between the phases, as nginx's split_clients takes it (a 0 % line is refused). */
export function phaseShares(phase2Percent: number): string {
  if (!Number.isInteger(phase2Percent) || phase2Percent < 0 || phase2Percent > 100) throw new Error(`phase 2's share is a whole percentage from 0 to 100, not ${String(phase2Percent)}`);
  if (phase2Percent === 0) return '* phase1;';
  if (phase2Percent === 100) return '* phase2;';
  return `${phase2Percent}% phase2;\n    * phase1;`;
}

/** The worker processes of an nginx master, from /proc. */
function workersOf(masterPid: number): Set<string> {
  return new Set(readFileSync(`/proc/${masterPid}/task/${masterPid}/children`, 'utf8').split(' ').filter((pid) => pid !== ''));
}

export const NGINX_TEMPLATE = join(phase2Dir, 'deployment', 'nginx.conf.template');

/** Fills `${NAME}` placeholders; nginx's own `$lower_case` variables are not touched. */
export function renderTemplate(template: string, values: Record<string, string>): string {
  return template.replace(/\$\{([A-Z_]+)\}/g, (whole, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`nginx template: no value for ${whole}`);
    return value;
  });
}

/** Each instance, passively checked; see the template. */
export function upstreamLines(upstreams: Upstream[]): string {
  return upstreams.map((u) => `server 127.0.0.1:${u.port} max_fails=1 fail_timeout=2s;`).join('\n    ');
}

/**
 * @param options.bodyLimitBytes the instances' own limit: nginx refuses a larger body itself
 *   (413 problem) instead of streaming it to an instance that answers 413 and closes mid-body,
 *   which nginx would report as 502.
 */
/**
 * @param options.phase1 phase 1 beside phase 2's instances, for the cutover: then
 *   `options.phase2Percent` (default 0) of users go to phase 2 and the rest to phase 1.
 */
export async function startNginx(cleanup: Cleanup, upstreams: Upstream[], options: { bodyLimitBytes: number; phase1?: Upstream; phase2Percent?: number }): Promise<RunningNginx> {
  const { nginx: binary } = ensurePrograms(['nginx']);
  const dir = mkdtempSync(join(tmpdir(), 'lab-nginx-'));
  cleanup.add(`remove ${dir}`, () => { rmSync(dir, { recursive: true, force: true }); });
  // As root, nginx's workers run as nobody and must be able to write their temp files.
  if (process.getuid?.() === 0) chownSync(dir, 65534, 65534);
  const tls = labTls();
  trustLabCa(tls.caFile);
  const port = await freePort();
  const httpPort = await freePort();
  const statusPort = await freePort();
  const configFile = join(dir, 'nginx.conf');
  const template = readFileSync(NGINX_TEMPLATE, 'utf8');
  // Without phase 1 there is no cutover: every user on phase 2.
  // Kept-alive like phase 2's instances, and closed by nginx first (1 s), before phase 1 would.
  const phase1Upstream = options.phase1 ? `upstream phase1 {\n    server 127.0.0.1:${options.phase1.port};\n    keepalive 16;\n    keepalive_timeout 1s;\n  }` : '';
  const render = (phase2Percent: number) => renderTemplate(template, {
    PHASE_SHARES: phaseShares(phase2Percent),
    EXTRA_UPSTREAMS: phase1Upstream,
    RUNTIME_DIR: dir,
    LISTEN_TLS: `127.0.0.1:${port}`,
    HTTPS_PORT: String(port),
    LISTEN: `127.0.0.1:${httpPort}`,
    LISTEN_STATUS: `127.0.0.1:${statusPort}`,
    TLS_CERT: tls.certFile,
    TLS_KEY: tls.keyFile,
    UPSTREAM_SERVERS: upstreamLines(upstreams),
    BODY_LIMIT: String(options.bodyLimitBytes),
  });
  writeFileSync(configFile, render(options.phase1 ? (options.phase2Percent ?? 0) : 100));
  const { process: child } = await startProcess({
    name: 'nginx',
    command: binary,
    args: ['-p', dir, '-c', configFile, '-e', join(dir, 'error.log'), '-g', 'daemon off;'],
    // nginx says nothing when it starts; the harness waits for the port below.
    stopSignal: 'SIGQUIT',
  });
  cleanup.add('stop nginx', () => child.stop());
  const url = `https://127.0.0.1:${port}`;
  await waitForPort(url, child);
  return {
    url,
    port,
    httpUrl: `http://127.0.0.1:${httpPort}`,
    caFile: tls.caFile,
    statusUrl: `http://127.0.0.1:${statusPort}/stub_status`,
    process: child,
    setPhase2Share: async (percent) => {
      if (!options.phase1) throw new Error('phase 2 has every user: this nginx was started without phase 1 (no cutover)');
      const before = workersOf(child.pid);
      writeFileSync(configFile, render(percent));
      child.kill('SIGHUP');
      // Done when no old worker is left: until then one may still accept a connection. A
      // configuration the master refused starts no new worker and stops no old one.
      const deadline = Date.now() + 20_000;
      while ([...workersOf(child.pid)].some((pid) => before.has(pid))) {
        if (Date.now() > deadline) throw new Error(`nginx did not take the new shares within 20 s:\n${readFileSync(join(dir, 'error.log'), 'utf8').slice(-2000)}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    stop: () => child.stop(),
  };
}

async function waitForPort(url: string, child: ManagedProcess): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exited()) throw new Error(`nginx exited at start:\n${child.recentOutput()}`);
    try {
      await fetch(`${url}/health/live`, { signal: AbortSignal.timeout(500) });
      return;
    } catch {
      if (Date.now() > deadline) throw new Error(`nginx did not listen within 10 s:\n${child.recentOutput()}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

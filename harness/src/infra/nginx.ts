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
  stop(): Promise<void>;
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
export async function startNginx(cleanup: Cleanup, upstreams: Upstream[], options: { bodyLimitBytes: number }): Promise<RunningNginx> {
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
  writeFileSync(configFile, renderTemplate(template, {
    RUNTIME_DIR: dir,
    LISTEN_TLS: `127.0.0.1:${port}`,
    HTTPS_PORT: String(port),
    LISTEN: `127.0.0.1:${httpPort}`,
    LISTEN_STATUS: `127.0.0.1:${statusPort}`,
    TLS_CERT: tls.certFile,
    TLS_KEY: tls.keyFile,
    UPSTREAM_SERVERS: upstreamLines(upstreams),
    BODY_LIMIT: String(options.bodyLimitBytes),
  }));
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

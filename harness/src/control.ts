/**
 * `npm run up` owns every process it started, so faults are injected through it: it listens on a
 * loopback port for fault commands and writes where, with its pid, to a state file that
 * `npm run fault` reads. The processes stay children of `up`, and Ctrl-C still stops them all.
 */
import { createServer, type Server } from 'node:http';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Cleanup } from './cleanup.ts';
import type { Observation } from './faults.ts';

export const STATE_FILE = join(tmpdir(), 'stateless-vs-stateful-lab', 'up.json');

export interface UpState {
  pid: number;
  controlUrl: string;
  phase1: string;
  phase2: string;
  instances: string[];
  actions: string[];
}

export type FaultHandler = (target: string | undefined, seconds: number | undefined) => Promise<Observation>;

export async function serveControl(cleanup: Cleanup, state: Omit<UpState, 'controlUrl' | 'pid' | 'actions'>, actions: Record<string, FaultHandler>): Promise<void> {
  let busy = false;
  const server: Server = createServer((req, res) => {
    const match = /^\/faults\/([a-z0-9-]+)$/.exec(req.url ?? '');
    const handler = match?.[1] ? actions[match[1]] : undefined;
    if (req.method !== 'POST' || !handler) {
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: `actions: ${Object.keys(actions).join(', ')}` }));
      return;
    }
    let body = '';
    req.on('data', (chunk: Buffer) => { body += chunk.toString(); });
    req.on('end', () => {
      if (busy) {
        res.writeHead(409, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'another fault is running' }));
        return;
      }
      busy = true;
      const { target, seconds } = (body ? JSON.parse(body) : {}) as { target?: string; seconds?: number };
      handler(target, seconds).then(
        (observation) => { res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(observation)); },
        (error: unknown) => { res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: error instanceof Error ? error.message : String(error) })); },
      ).finally(() => { busy = false; });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  mkdirSync(join(tmpdir(), 'stateless-vs-stateful-lab'), { recursive: true });
  writeFileSync(STATE_FILE, JSON.stringify({ ...state, pid: process.pid, controlUrl: `http://127.0.0.1:${port}`, actions: Object.keys(actions) } satisfies UpState, null, 2));
  cleanup.add('stop the control server', () => new Promise<void>((resolve) => { server.close(() => { resolve(); }); server.closeAllConnections(); }));
  cleanup.add(`remove ${STATE_FILE}`, () => { rmSync(STATE_FILE, { force: true }); });
}

export function readUpState(): UpState {
  let state: UpState;
  try {
    state = JSON.parse(readFileSync(STATE_FILE, 'utf8')) as UpState;
  } catch {
    throw new Error('nothing is up: start the stacks with `npm run up` in another terminal first');
  }
  try {
    process.kill(state.pid, 0);
  } catch {
    throw new Error(`the \`npm run up\` that wrote ${STATE_FILE} (pid ${state.pid}) is gone: start it again`);
  }
  return state;
}

/**
 * `npm run up` owns every process it started, so faults are injected through it: it listens on a
 * loopback port for fault commands and writes where, with its pid, to a state file that
 * `npm run fault` reads. The processes stay children of `up`, and Ctrl-C still stops them all.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createHash } from 'node:crypto';
import type { Cleanup } from './cleanup.ts';
import { repoRoot } from './paths.ts';
import { describeError } from './errors.ts';
import type { Observation } from './faults.ts';
import type { LabConsole } from './lab/console.ts';

/**
 * One per checkout: two checkouts on one machine (two courses, or a test run beside a lab) each run
 * their own `npm run up`, and `npm run fault` must reach its own. LAB_STATE_FILE, given to both,
 * names another: two labs from one checkout (say, the Sentinel topology beside the cluster).
 */
export const STATE_FILE = process.env.LAB_STATE_FILE ?? join(tmpdir(), 'stateless-vs-stateful-lab', `up-${createHash('sha256').update(repoRoot).digest('hex').slice(0, 12)}.json`);

export interface UpState {
  pid: number;
  /** The control server: fault commands, and the lab console's page. */
  controlUrl: string;
  phase1: string;
  phase2: string;
  instances: string[];
  actions: string[];
}

export type FaultHandler = (target: string | undefined, seconds: number | undefined) => Promise<Observation>;

/** Larger than any fault command; a bigger body is refused unread. */
const MAX_BODY_BYTES = 4096;

/** A fault command's body: `{ "target"?: string, "seconds"?: number }`, or an error message. */
export function parseFaultCommand(body: string): { target: string | undefined; seconds: number | undefined } | string {
  if (body.trim() === '') return { target: undefined, seconds: undefined };
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return 'the body is not JSON';
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return 'the body must be a JSON object';
  const { target, seconds, ...rest } = parsed as Record<string, unknown>;
  if (Object.keys(rest).length > 0) return `unknown field: ${Object.keys(rest).map((key) => JSON.stringify(key.slice(0, 40))).join(', ')}`;
  if (target !== undefined && (typeof target !== 'string' || !/^[a-z0-9-]{1,40}$/.test(target))) return 'target must be a name such as api-2 or redis-a';
  if (seconds !== undefined && (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds <= 0 || seconds > 3600)) return 'seconds must be a number above 0 and at most 3600';
  return { target, seconds };
}

/** The control server's errors, in the same problem+json the phases use. */
function problem(res: ServerResponse, status: number, title: string, detail: string): void {
  res.writeHead(status, { 'content-type': 'application/problem+json' }).end(JSON.stringify({ type: 'about:blank', title, status, detail }));
}

export interface ControlServer {
  url: string;
  /** Serves the lab console's page, events and metrics from here on, and tells it of each fault. */
  attach(console: LabConsole): void;
}

/**
 * The control server takes commands from this machine only, and only from `npm run fault` or the
 * console's own page: it listens on loopback, answers only requests addressed to a loopback name
 * (a web page on another site cannot rebind its name to 127.0.0.1 and reach it), and takes a fault
 * only as `application/json`, which a page on another origin cannot send without a preflight that
 * this server never grants.
 */
function fromThisMachine(req: IncomingMessage): boolean {
  const host = String(req.headers.host).replace(/:\d+$/, '');
  return host === '127.0.0.1' || host === 'localhost' || host === '[::1]';
}

/** `stateFile`: where `npm run fault` finds this server; a test gives its own, not to clobber a running lab's. */
export async function serveControl(cleanup: Cleanup, state: Omit<UpState, 'controlUrl' | 'pid' | 'actions'>, actions: Record<string, FaultHandler>, stateFile = STATE_FILE): Promise<ControlServer> {
  let busy = false;
  let labConsole: LabConsole | null = null;
  // A Map, not the object: a path such as /faults/constructor must not find Object's own properties.
  const handlers = new Map(Object.entries(actions));
  const server: Server = createServer((req, res) => {
    if (!fromThisMachine(req)) {
      problem(res, 421, 'Misdirected request', 'the lab\'s control server answers only requests addressed to 127.0.0.1 or localhost');
      return;
    }
    if (labConsole?.handle(req, res)) return;
    const action = String(/^\/faults\/([a-z0-9-]+)$/.exec(String(req.url))?.[1]);
    const handler = handlers.get(action);
    if (req.method !== 'POST' || !handler) {
      problem(res, 404, 'No such fault', `POST /faults/<action>, one of: ${Object.keys(actions).join(', ')}`);
      return;
    }
    if (!/^application\/json\s*(;|$)/i.test(String(req.headers['content-type']))) {
      problem(res, 415, 'Unsupported media type', 'a fault command is sent as application/json');
      req.resume();
      return;
    }
    let body = '';
    let received = 0;
    req.on('data', (chunk: Buffer) => {
      received += chunk.length;
      // Past the limit the rest is read (so the answer reaches the client) but not kept.
      if (received <= MAX_BODY_BYTES) body += chunk.toString();
    });
    req.on('end', () => {
      if (received > MAX_BODY_BYTES) {
        problem(res, 413, 'Body too large', `a fault command is at most ${MAX_BODY_BYTES} bytes`);
        return;
      }
      const command = parseFaultCommand(body);
      if (typeof command === 'string') {
        problem(res, 400, 'Malformed fault command', command);
        return;
      }
      if (busy) {
        problem(res, 409, 'Another fault is running', 'wait for it to finish');
        return;
      }
      busy = true;
      labConsole?.faultStarted(action, command.target);
      // A handler that throws before its promise exists (a missing target) is refused like one that rejects.
      (async () => handler(command.target, command.seconds))().then(
        (observation) => {
          labConsole?.faultFinished(action, command.target, observation);
          res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(observation));
        },
        (error: unknown) => {
          const reason = describeError(error);
          labConsole?.faultFinished(action, command.target, new Error(reason));
          problem(res, 400, 'The fault could not run', reason);
        },
      ).finally(() => { busy = false; });
    });
  });
  // The client closes an idle connection before the server does (the way round that loses no
  // request): a server that closes first races a client sending on the same connection.
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  // Listening on TCP: address() is an AddressInfo.
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  mkdirSync(dirname(stateFile), { recursive: true });
  writeFileSync(stateFile, JSON.stringify({ ...state, pid: process.pid, controlUrl: url, actions: Object.keys(actions) } satisfies UpState, null, 2));
  cleanup.add('stop the control server', () => new Promise<void>((resolve) => { labConsole?.stop(); server.close(() => { resolve(); }); server.closeAllConnections(); }));
  cleanup.add(`remove ${stateFile}`, () => { rmSync(stateFile, { force: true }); });
  return { url, attach: (console) => { labConsole = console; } };
}

export function readUpState(stateFile = STATE_FILE): UpState {
  let state: UpState;
  try {
    state = JSON.parse(readFileSync(stateFile, 'utf8')) as UpState;
  } catch {
    throw new Error('nothing is up: start the stacks with `npm run up` in another terminal first');
  }
  try {
    process.kill(state.pid, 0);
  } catch {
    throw new Error(`the \`npm run up\` that wrote ${stateFile} (pid ${state.pid}) is gone: start it again`);
  }
  return state;
}

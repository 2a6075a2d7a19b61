/**
 * Child processes the harness starts: spawned directly (no shell, so the pid is the process
 * itself), their output kept for diagnosis, and stopped by their own pid only.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { describeError } from './errors.ts';

export interface ManagedProcess {
  readonly name: string;
  readonly pid: number;
  readonly child: ChildProcess;
  /** The last lines the process wrote, for error messages. */
  recentOutput(): string;
  exited(): boolean;
  /** Resolves with the exit code or signal when the process ends. */
  readonly exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** The stop signal (SIGTERM by default), then SIGKILL after `graceMs`; resolves once the process is gone. */
  stop(graceMs?: number): Promise<void>;
  kill(signal: NodeJS.Signals): void;
}

export interface StartOptions {
  name: string;
  command: string;
  args: string[];
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Resolves the start once a line of output matches; its match is returned. */
  readyLine?: RegExp;
  timeoutMs?: number;
  /** Also copy output to this process's stdout, prefixed with the name. */
  echo?: boolean;
  /** Run as this user (the harness runs as root on CI; PostgreSQL refuses root). */
  uid?: number;
  gid?: number;
  /** The signal `stop()` sends first; SIGTERM unless the program wants another. */
  stopSignal?: NodeJS.Signals;
}

const KEEP_LINES = 200;

/**
 * Every process started here that has not exited yet. A cleanup stops what it was handed; this is
 * the net under it, for a process caught between its start and its cleanup step (a node that never
 * finished syncing, a server whose readiness check threw) when a stop or a crash ends the command.
 */
const running = new Set<ManagedProcess>();

/** Stops every process this one started that is still running, each by its own pid. */
export async function stopAllProcesses(): Promise<void> {
  await Promise.all([...running].map((child) => child.stop(5000)));
}

export async function startProcess(options: StartOptions): Promise<{ process: ManagedProcess; match: RegExpMatchArray | null }> {
  const child = spawn(options.command, options.args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(options.uid === undefined ? {} : { uid: options.uid }),
    ...(options.gid === undefined ? {} : { gid: options.gid }),
  });
  const lines: string[] = [];
  let exitedFlag = false;
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      exitedFlag = true;
      resolve({ code, signal });
    });
  });

  let onLine: ((line: string) => void) | undefined;
  const collect = (stream: NodeJS.ReadableStream | null) => {
    let partial = '';
    stream?.setEncoding('utf8');
    stream?.on('data', (chunk: string) => {
      const parts = (partial + chunk).split('\n');
      // split gives at least one part: the last, the line not finished yet.
      partial = String(parts.pop());
      for (const line of parts) {
        lines.push(line);
        if (lines.length > KEEP_LINES) lines.shift();
        if (options.echo) console.log(`[${options.name}] ${line}`);
        onLine?.(line);
      }
    });
  };
  collect(child.stdout);
  collect(child.stderr);

  const managed: ManagedProcess = {
    name: options.name,
    get pid() {
      // Read once spawned (startProcess returns after the spawn event), when the pid is set.
      return Number(child.pid);
    },
    child,
    recentOutput: () => lines.join('\n'),
    exited: () => exitedFlag,
    exit,
    kill: (signal) => {
      if (!exitedFlag && child.pid !== undefined) process.kill(child.pid, signal);
    },
    stop: async (graceMs = 10_000) => {
      if (exitedFlag) return;
      managed.kill(options.stopSignal ?? 'SIGTERM');
      const timer = setTimeout(() => { managed.kill('SIGKILL'); }, graceMs);
      await exit;
      clearTimeout(timer);
    },
  };

  await new Promise<void>((resolve, reject) => {
    child.once('error', reject);
    child.once('spawn', () => { resolve(); });
  });
  running.add(managed);
  void exit.then(() => running.delete(managed));
  if (!options.readyLine) return { process: managed, match: null };

  const readyLine = options.readyLine;
  const timeoutMs = options.timeoutMs ?? 30_000;
  try {
    const match = await new Promise<RegExpMatchArray>((resolve, reject) => {
      const timer = setTimeout(() => { reject(new Error(`${options.name} did not become ready within ${timeoutMs} ms`)); }, timeoutMs);
      const earlier = lines.map((line) => line.match(readyLine)).find((m) => m !== null);
      if (earlier) {
        clearTimeout(timer);
        resolve(earlier);
        return;
      }
      onLine = (line) => {
        const m = line.match(readyLine);
        if (m) {
          clearTimeout(timer);
          resolve(m);
        }
      };
      void exit.then(({ code, signal }) => {
        clearTimeout(timer);
        reject(new Error(`${options.name} exited (code ${String(code)}, signal ${String(signal)}) before it was ready`));
      });
    });
    return { process: managed, match };
  } catch (error) {
    await managed.stop(2000);
    throw new Error(`${describeError(error)}\n--- last output of ${options.name} ---\n${managed.recentOutput()}`, { cause: error });
  }
}

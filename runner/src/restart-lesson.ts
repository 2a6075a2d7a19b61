/**
 * The lesson the two phases exist to teach, run for real: put state in a token and in a session,
 * restart the process that answered, and see which survived. The token carries its state (and the
 * key is the same after the restart) in both phases; the session survives only where it was kept
 * outside the process (phase 2's Redis), not in the process's memory (phase 1's Map).
 */
import { randomBytes } from 'node:crypto';
import { startPhase1, startPhase2Infrastructure, startPhase2Instance, startSession, type Cleanup } from 'harness';

export interface RestartLesson {
  phase: string;
  counterBeforeRestart: number;
  tokenAfterRestart: number;
  sessionAfterRestart: number;
  counterAfterRestart: number | null;
}

/** A phase whose one app process can be restarted on the same port. */
interface Restartable {
  url: string;
  restart(): Promise<string>;
  stop(): Promise<void>;
}

async function json(url: string, init: RequestInit = {}): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> {
  const response = await fetch(url, { ...init, signal: AbortSignal.timeout(10_000) });
  // Every answer of these operations has a JSON body, problems included (application/problem+json).
  return { status: response.status, body: (await response.json()) as Record<string, unknown>, headers: response.headers };
}

export async function runLesson(phase: string, target: Restartable): Promise<RestartLesson> {
  const tokens = await json(`${target.url}/api/auth/tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'alice', password: 'wonderland' }),
  });
  const accessToken = String(tokens.body.accessToken);
  const { client: session, status } = await startSession(target.url);
  if (!session) throw new Error(`${phase}: a new session answered ${String(status)}`);
  const { cookie, csrf } = session;
  let counter = 0;
  for (let i = 0; i < 3; i += 1) {
    const increment = await json(`${target.url}/api/stateful/counter/increment`, { method: 'POST', headers: { cookie, 'x-csrf-token': csrf } });
    counter = Number(increment.body.value);
  }

  const url = await target.restart();
  const me = await json(`${url}/api/stateless/me`, { headers: { authorization: `Bearer ${accessToken}` } });
  const read = await json(`${url}/api/stateful/counter`, { headers: { cookie } });
  await target.stop();
  return { phase, counterBeforeRestart: counter, tokenAfterRestart: me.status, sessionAfterRestart: read.status, counterAfterRestart: read.status === 200 ? Number(read.body.value) : null };
}

export async function runRestartLessons(cleanup: Cleanup): Promise<RestartLesson[]> {
  const secret = { JWT_SECRET: randomBytes(32).toString('base64url') };

  let phase1 = await startPhase1(cleanup, secret);
  const lesson1 = await runLesson('phase1-mock', {
    url: phase1.url,
    restart: async () => {
      await phase1.stop();
      phase1 = await startPhase1(cleanup, { ...secret, PORT: new URL(phase1.url).port });
      return phase1.url;
    },
    stop: () => phase1.stop(),
  });

  const stack = await startPhase2Infrastructure(cleanup);
  let instance = await startPhase2Instance(cleanup, stack, 'api-1');
  const lesson2 = await runLesson('phase2-production', {
    url: instance.url,
    restart: async () => {
      await instance.process.stop();
      instance = await startPhase2Instance(cleanup, stack, 'api-1', { PORT: new URL(instance.url).port });
      return instance.url;
    },
    stop: () => instance.process.stop(),
  });
  return [lesson1, lesson2];
}

export function printRestartLessons(lessons: RestartLesson[]): void {
  const verdict = (status: number) => (status === 200 ? '200: survived' : `${status}: lost`);
  console.log('\n== What survives a restart of the app process');
  console.log('| phase | counter before restart | JWT after restart | session after restart | counter after restart |');
  console.log('|---|---:|---|---|---:|');
  for (const l of lessons) console.log(`| ${l.phase} | ${l.counterBeforeRestart} | ${verdict(l.tokenAfterRestart)} | ${verdict(l.sessionAfterRestart)} | ${l.counterAfterRestart ?? '-'} |`);
}

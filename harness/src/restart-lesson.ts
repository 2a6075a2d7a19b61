/**
 * The lesson phase 1 exists to teach, run for real: put state in a token and in a session, restart
 * the process, and see which survived. The token carries its state (and the key is the same after
 * the restart); the session lived in the process's memory.
 */
import { randomBytes } from 'node:crypto';
import type { Cleanup } from './cleanup.ts';
import { startPhase1, type RunningPhase } from './phases.ts';

export interface RestartLesson {
  phase: string;
  counterBeforeRestart: number;
  tokenAfterRestart: number;
  sessionAfterRestart: number;
}

async function json(url: string, init: RequestInit = {}): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> {
  const response = await fetch(url, init);
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {}, headers: response.headers };
}

export async function runPhase1RestartLesson(cleanup: Cleanup): Promise<RestartLesson> {
  const env = { JWT_SECRET: randomBytes(32).toString('base64url') };
  let phase: RunningPhase = await startPhase1(cleanup, env);

  const tokens = await json(`${phase.url}/api/auth/tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'alice', password: 'wonderland' }),
  });
  const accessToken = String(tokens.body.accessToken);
  const session = await json(`${phase.url}/api/stateful/sessions`, { method: 'POST' });
  const cookie = (session.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  const csrf = String(session.body.csrfToken);
  let counter = 0;
  for (let i = 0; i < 3; i += 1) {
    const increment = await json(`${phase.url}/api/stateful/counter/increment`, { method: 'POST', headers: { cookie, 'x-csrf-token': csrf } });
    counter = Number(increment.body.value);
  }

  const port = new URL(phase.url).port;
  await phase.stop();
  phase = await startPhase1(cleanup, { ...env, PORT: port });

  const me = await json(`${phase.url}/api/stateless/me`, { headers: { authorization: `Bearer ${accessToken}` } });
  const read = await json(`${phase.url}/api/stateful/counter`, { headers: { cookie } });
  await phase.stop();
  return { phase: 'phase1-mock', counterBeforeRestart: counter, tokenAfterRestart: me.status, sessionAfterRestart: read.status };
}

export function printRestartLesson(lesson: RestartLesson): void {
  const verdict = (status: number) => (status === 200 ? '200: survived' : `${status}: lost`);
  console.log('\n== What survives a restart (one process, state in memory)');
  console.log('| phase | counter before restart | JWT after restart | session after restart |');
  console.log('|---|---:|---|---|');
  console.log(`| ${lesson.phase} | ${lesson.counterBeforeRestart} | ${verdict(lesson.tokenAfterRestart)} | ${verdict(lesson.sessionAfterRestart)} |`);
}

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { afterEach } from 'vitest';
import { loadConfig, type Config } from '../src/config.ts';
import { buildApp, type Phase1App } from '../src/app.ts';

const built: Phase1App[] = [];
const tempDirs: string[] = [];

afterEach(async () => {
  for (const app of built.splice(0)) await app.close();
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

export const TEST_SECRET = 'test-secret-that-is-at-least-32-characters-long';

/** A phase 1 app built from env-style settings, closed after the test. Responses are checked against the contract too. */
export function testApp(env: Record<string, string> = {}, options: { now?: () => number } = {}): Phase1App & { config: Config } {
  const config = loadConfig({ JWT_SECRET: TEST_SECRET, VALIDATE_RESPONSES: 'true', AUTH_RATE_LIMIT_MAX: '0', ...env });
  const app = buildApp(config, options);
  built.push(app);
  return { ...app, config };
}

export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'lab-test-'));
  tempDirs.push(dir);
  return dir;
}

export interface Client {
  cookie: string;
  csrf: string;
}

export function sidFrom(setCookie: string[] | string | undefined): string {
  const all = Array.isArray(setCookie) ? setCookie : setCookie ? [setCookie] : [];
  const sid = all.find((c) => c.startsWith('sid='));
  if (!sid) throw new Error(`no sid cookie in ${JSON.stringify(setCookie)}`);
  return sid.split(';')[0] ?? '';
}

/** Starts a session (guest, or signed in with credentials) and returns what a client keeps. */
export async function startSession(app: Phase1App['app'], credentials?: { username: string; password: string }): Promise<Client> {
  const req = request(app).post('/api/stateful/sessions');
  const res = credentials ? await req.send(credentials) : await req;
  if (res.status !== 201) throw new Error(`session start failed: ${res.status} ${res.text}`);
  return { cookie: sidFrom(res.headers['set-cookie']), csrf: (res.body as { csrfToken: string }).csrfToken };
}

/** Every error must be a problem+json document with the RFC 9457 fields and our extensions. */
export function expectProblem(res: request.Response, status: number, code: string): void {
  if (res.status !== status) throw new Error(`expected ${status} ${code}, got ${res.status}: ${res.text}`);
  if (!String(res.headers['content-type']).startsWith('application/problem+json')) throw new Error(`not problem+json: ${String(res.headers['content-type'])}`);
  const body = res.body as Record<string, unknown>;
  if (body.code !== code || body.status !== status || typeof body.title !== 'string' || typeof body.type !== 'string' || body.requestId !== res.headers['x-request-id']) {
    throw new Error(`bad problem body for ${code}: ${res.text}`);
  }
}

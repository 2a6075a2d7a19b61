/**
 * Sends a generated case to one target, turning its symbolic credentials into real ones made on
 * that target just before (a fresh session, a token), and checks the answer against the contract:
 * a status the operation documents, a body valid for it, problem+json with a documented code for
 * errors, the headers the contract promises. Returns what the phases are compared on.
 */
import { request } from 'undici';
import { responseValidator } from 'contract';
import { startSession, type SessionClient } from '../../src/load.ts';
import type { Body, FuzzCase } from './cases.ts';

export interface Target {
  name: string;
  url: string;
  /** The public entry serves no operators' endpoints (nginx answers 404 ROUTE_NOT_FOUND). */
  publicEntry: boolean;
  /** An access token this target issued, made once (it lives 15 minutes). */
  accessToken: string;
}

export interface Outcome {
  status: number;
  /** The problem's code, for an error. */
  code: string | null;
  /** Which `RateLimit-*` headers came back, lower case, sorted. */
  rateLimitHeaders: string[];
  /** What is wrong with the answer, measured against the contract; empty when nothing is. */
  violations: string[];
}

const validate = responseValidator();
const OPERATORS_ONLY = new Set(['/health', '/metrics']);
const SHORT_TOKEN = /^[A-Za-z0-9._:-]{1,128}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const DEMO = { username: 'alice', password: 'wonderland' };

async function json(url: string, init: RequestInit): Promise<{ response: Response; body: Record<string, unknown> }> {
  const response = await fetch(url, init);
  return { response, body: (await response.json()) as Record<string, unknown> };
}

export async function signIn(url: string): Promise<{ accessToken: string; refreshToken: string }> {
  const { response, body } = await json(`${url}/api/auth/tokens`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(DEMO) });
  if (response.status !== 200) throw new Error(`sign-in on ${url} answered ${String(response.status)}`);
  return { accessToken: String(body.accessToken), refreshToken: String(body.refreshToken) };
}

async function freshSession(url: string): Promise<SessionClient> {
  const { client, status } = await startSession(url);
  if (!client) throw new Error(`a new session on ${url} answered ${String(status)}`);
  return client;
}

async function requestBody(c: FuzzCase, target: Target): Promise<{ contentType?: string; text?: string }> {
  const body: Body = c.body;
  if (body.kind === 'none') return {};
  if (body.kind === 'raw') return { contentType: body.contentType, text: body.text };
  let value: unknown = body.value;
  if (body.label === 'valid' && value !== null && typeof value === 'object') {
    if (c.operation.operationId === 'refreshTokens' && c.ownRefreshToken) value = { refreshToken: (await signIn(target.url)).refreshToken };
    else if ('password' in value && c.demoUser) value = { ...value, ...DEMO };
  }
  return { contentType: 'application/json', text: JSON.stringify(value) };
}

export async function send(c: FuzzCase, target: Target): Promise<Outcome> {
  const { operation } = c;
  const path = operation.path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(c.pathParams[name] ?? ''));
  const query = c.query.length > 0 ? `?${new URLSearchParams(c.query).toString()}` : '';
  const headers: Record<string, string> = { ...c.headers };
  if (c.session !== 'none' || c.csrf === 'own') {
    const session = c.session === 'garbage' ? { cookie: 'sid=not-a-session', csrf: 'not-a-token' } : c.session === 'own' ? await freshSession(target.url) : null;
    if (session) headers.cookie = session.cookie;
    if (c.csrf === 'own' && session) headers['x-csrf-token'] = session.csrf;
  }
  if (c.csrf === 'garbage') headers['x-csrf-token'] = 'garbage-token';
  if (c.csrf === 'empty') headers['x-csrf-token'] = '';
  if (c.bearer === 'own') headers.authorization = `Bearer ${target.accessToken}`;
  if (c.bearer === 'garbage') headers.authorization = 'Bearer not.a.token';
  const { contentType, text } = await requestBody(c, target);
  if (contentType !== undefined) headers['content-type'] = contentType;

  // undici's request, not fetch: fetch refuses to send a body with GET, which a client may do.
  const answer = await request(`${target.url}${path}${query}`, { method: operation.method.toUpperCase(), headers, body: text });
  const raw = await answer.body.text();
  const response = { status: answer.statusCode, headers: new Headers(Object.entries(answer.headers).flatMap(([name, value]) => (Array.isArray(value) ? value.map((v) => [name, v]) : value === undefined ? [] : [[name, value]]))) };
  const violations: string[] = [];
  const responseType = response.headers.get('content-type') ?? '';
  let body: unknown = raw;
  if (responseType.includes('json')) {
    try {
      body = JSON.parse(raw);
    } catch {
      violations.push(`a ${responseType} body that is not JSON: ${raw.slice(0, 80)}`);
    }
  }

  const status = response.status;
  const operatorsOnly = target.publicEntry && OPERATORS_ONLY.has(operation.path);
  if (operatorsOnly) {
    if (status !== 404 || (body as { code?: string }).code !== 'ROUTE_NOT_FOUND') violations.push(`the public entry served an operators' endpoint: ${String(status)}`);
  } else {
    for (const violation of status === 204 ? (raw === '' ? [] : ['a body on 204']) : validate(operation.method, operation.path, status, responseType, body)) violations.push(violation);
    if (status !== 204 && !violations.some((v) => v.includes('documents no'))) {
      for (const header of operation.headers[String(status)] ?? []) {
        // Idempotent-Replayed is sent only on a replay.
        if (header !== 'Idempotent-Replayed' && !response.headers.has(header)) violations.push(`no ${header} header on ${String(status)}`);
      }
    }
  }
  if (status >= 400) {
    if (!responseType.startsWith('application/problem+json')) violations.push(`an error as ${responseType || 'no content type'}`);
    else if ((body as { status?: unknown }).status !== status) violations.push(`a problem whose status says ${String((body as { status?: unknown }).status)}`);
  }

  const sentId = c.headers['X-Request-Id'];
  const requestId = response.headers.get('x-request-id') ?? '';
  if (sentId !== undefined && SHORT_TOKEN.test(sentId)) {
    if (requestId !== sentId) violations.push(`X-Request-Id ${JSON.stringify(sentId)} came back as ${JSON.stringify(requestId)}`);
  } else if (!UUID.test(requestId)) {
    // Its shape, not its value, so that a survey groups every such answer under one line.
    violations.push(`X-Request-Id shaped ${JSON.stringify(requestId.replace(/[0-9a-f]/g, 'h'))} is not a UUID (sent ${sentId === undefined ? 'none' : 'one it must replace'})`);
  }
  if (!response.headers.has('x-served-by')) violations.push('no X-Served-By');
  if ([...response.headers.keys()].some((name) => name.startsWith('x-ratelimit'))) violations.push('X-RateLimit-* headers (the contract says RateLimit-*)');

  return {
    status,
    code: status >= 400 ? String((body as { code?: unknown }).code) : null,
    rateLimitHeaders: [...response.headers.keys()].filter((name) => name.startsWith('ratelimit-')).sort(),
    violations,
  };
}

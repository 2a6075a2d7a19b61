/**
 * `npm run up`'s control server: the fault command's body, as it reads it before running anything,
 * and what it answers, over HTTP, with stand-in fault handlers (the real ones run in up.test.ts).
 */
import { request } from 'node:http';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cleanup } from '../src/cleanup.ts';
import { parseFaultCommand, readUpState, serveControl, type ControlServer, type FaultHandler } from '../src/control.ts';
import type { Observation } from '../src/faults.ts';

describe('parseFaultCommand', () => {
  it('takes an empty body, a target and a duration', () => {
    expect(parseFaultCommand('')).toEqual({ target: undefined, seconds: undefined });
    expect(parseFaultCommand('{"target":"api-2","seconds":3}')).toEqual({ target: 'api-2', seconds: 3 });
    expect(parseFaultCommand('{}')).toEqual({ target: undefined, seconds: undefined });
  });

  it('says what is wrong with anything else, echoing no more than a field name', () => {
    expect(parseFaultCommand('{not json')).toBe('the body is not JSON');
    expect(parseFaultCommand('[1]')).toBe('the body must be a JSON object');
    expect(parseFaultCommand('null')).toBe('the body must be a JSON object');
    expect(parseFaultCommand('{"target":"api 2; rm -rf /"}')).toMatch(/^target must be/);
    expect(parseFaultCommand('{"seconds":"5"}')).toMatch(/^seconds must be/);
    expect(parseFaultCommand('{"seconds":0}')).toMatch(/^seconds must be/);
    expect(parseFaultCommand('{"seconds":1e9}')).toMatch(/^seconds must be/);
    expect(parseFaultCommand(`{"${'k'.repeat(100)}":1}`)).toBe(`unknown field: "${'k'.repeat(40)}"`);
  });
});

describe('the control server', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'lab-control-'));
  const stateFile = join(scratch, 'up.json');
  const cleanup = new Cleanup();
  let control: ControlServer;
  let release: () => void = () => undefined;
  const observed = (action: string, target: string | undefined): Observation => ({ action, target: target ?? '', pid: null, startedAt: new Date(0).toISOString(), downAfterMs: 1, recoveredAfterMs: 2, notes: [] });
  const actions: Record<string, FaultHandler> = {
    'kill-instance': (target) => Promise.resolve(observed('kill-instance', target)),
    'slow-fault': (target) => new Promise((resolve) => { release = () => { resolve(observed('slow-fault', target)); }; }),
    'failing-fault': () => Promise.reject(new Error('api-9 is not an instance')),
    'throwing-fault': () => { throw new Error('this action needs a target'); },
  };

  beforeAll(async () => { control = await serveControl(cleanup, { phase1: 'http://p1', phase2: 'http://p2', instances: ['api-1'] }, actions, stateFile); });
  afterAll(async () => {
    await cleanup.run();
    rmSync(scratch, { recursive: true, force: true });
  });

  /** A raw request, so that the Host header and the body are exactly what a test says. */
  function send(path: string, options: { method?: string; host?: string; contentType?: string; body?: string } = {}): Promise<{ status: number; body: string; type: string }> {
    const { port } = new URL(control.url);
    return new Promise((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path, method: options.method ?? 'POST', headers: { host: options.host ?? `127.0.0.1:${port}`, ...(options.contentType ? { 'content-type': options.contentType } : {}) } }, (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => { body += chunk.toString(); });
        res.on('end', () => { resolve({ status: res.statusCode ?? 0, body, type: res.headers['content-type'] ?? '' }); });
      });
      req.on('error', reject);
      req.end(options.body);
    });
  }
  const json = 'application/json';

  it('writes where it listens, with its pid and actions, for `npm run fault` to read', () => {
    const state = readUpState(stateFile);
    expect(state).toMatchObject({ pid: process.pid, controlUrl: control.url, phase1: 'http://p1', actions: Object.keys(actions) });
  });

  it('runs a fault and answers its observation', async () => {
    const answer = await send('/faults/kill-instance', { contentType: json, body: '{"target":"api-1"}' });
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toMatchObject({ action: 'kill-instance', target: 'api-1', recoveredAfterMs: 2 });
  });

  it('refuses, in problem+json: an unknown action, another method, another host, another type, a bad or large body', async () => {
    const cases: [Parameters<typeof send>, number, string][] = [
      [['/faults/no-such-fault', { contentType: json }], 404, 'kill-instance, slow-fault'],
      // A name every object has is not an action.
      [['/faults/constructor', { contentType: json }], 404, 'kill-instance, slow-fault'],
      [['/faults/kill-instance', {}], 415, 'application/json'],
      [['/faults/kill-instance', { method: 'GET' }], 404, 'POST /faults/<action>'],
      [['/faults/kill-instance', { contentType: json, host: 'evil.example:80' }], 421, 'addressed to 127.0.0.1 or localhost'],
      [['/faults/kill-instance', { contentType: 'text/plain', body: '{}' }], 415, 'application/json'],
      [['/faults/kill-instance', { contentType: json, body: '{"target":' }], 400, 'the body is not JSON'],
      [['/faults/kill-instance', { contentType: json, body: JSON.stringify({ target: 'x'.repeat(5000) }) }], 413, 'at most 4096 bytes'],
    ];
    for (const [args, status, detail] of cases) {
      const answer = await send(...args);
      expect(answer.status, `${args[0]} ${JSON.stringify(args[1])}`).toBe(status);
      expect(answer.type).toBe('application/problem+json');
      expect((JSON.parse(answer.body) as { detail: string }).detail).toContain(detail);
    }
    // localhost and [::1] are this machine too.
    expect((await send('/faults/kill-instance', { contentType: json, host: 'localhost' })).status).toBe(200);
    expect((await send('/faults/kill-instance', { contentType: 'application/json; charset=utf-8', host: '[::1]:9' })).status).toBe(200);
  });

  it('says why a fault could not run, whether its handler rejected or threw, and serves on', async () => {
    const answer = await send('/faults/failing-fault', { contentType: json });
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body)).toMatchObject({ title: 'The fault could not run', detail: 'api-9 is not an instance' });
    const thrown = await send('/faults/throwing-fault', { contentType: json });
    expect(thrown.status).toBe(400);
    expect(JSON.parse(thrown.body)).toMatchObject({ detail: 'this action needs a target' });
    expect((await send('/faults/kill-instance', { contentType: json })).status).toBe(200);
  });

  it('runs one fault at a time: another is refused with 409 until the first is done', async () => {
    const first = send('/faults/slow-fault', { contentType: json, body: '{"target":"api-1"}' });
    // The first is running once a second one is refused.
    let second = await send('/faults/kill-instance', { contentType: json });
    for (let tries = 0; second.status !== 409 && tries < 100; tries += 1) second = await send('/faults/kill-instance', { contentType: json });
    expect(second.status).toBe(409);
    release();
    expect((await first).status).toBe(200);
    expect((await send('/faults/kill-instance', { contentType: json })).status).toBe(200);
  });

  it('removes its state file when stopped; then `npm run fault` says nothing is up, or that its lab is gone', async () => {
    await cleanup.run();
    expect(existsSync(stateFile)).toBe(false);
    expect(() => readUpState(stateFile)).toThrow('nothing is up: start the stacks with `npm run up`');
    writeFileSync(stateFile, JSON.stringify({ pid: 2 ** 22 + 1 }));
    expect(() => readUpState(stateFile)).toThrow(`the \`npm run up\` that wrote ${stateFile} (pid ${String(2 ** 22 + 1)}) is gone`);
  });
});

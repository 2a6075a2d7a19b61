/**
 * The open-model scenario end to end against real HTTP servers standing in for the three ways in,
 * each with a known capacity: one that keeps up with every rate, one that answers one request at a
 * time (a knee between the grid's rates, found by refining), one that refuses every read (no knee).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Environment } from '../src/environment.ts';
import { runArrival } from '../src/scenarios/arrival.ts';
import { headlines } from '../src/headlines.ts';
import { renderMarkdown } from '../src/report/markdown.ts';
import { charts } from '../src/report/charts.ts';
import type { Results } from '../src/results.ts';

const servers: Server[] = [];
const dir = mkdtempSync(join(tmpdir(), 'lab-arrival-'));
afterAll(async () => {
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  rmSync(dir, { recursive: true, force: true });
});

/** Sessions as phase 2 starts them; reads answered after serviceMs, one at a time when serial, or refused. */
async function phase(read: { serviceMs: number; serial: boolean; status: number }): Promise<string> {
  let queue = Promise.resolve();
  const server = createServer((request, response) => {
    if (request.method === 'POST') {
      response.writeHead(201, { 'set-cookie': 'sid=s1; Path=/; HttpOnly', 'content-type': 'application/json' }).end('{"csrfToken":"t"}');
      return;
    }
    const answer = () => new Promise<void>((resolve) => setTimeout(() => { response.writeHead(read.status).end('{}'); resolve(); }, read.serviceMs));
    if (read.serial) queue = queue.then(answer);
    else void answer();
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('the open-model scenario', () => {
  it('finds each knee (refined between the grid rates where it lies), or none, and runs the shapes at it', async () => {
    const caFile = join(dir, 'ca.pem');
    writeFileSync(caFile, 'not used over http\n');
    const env = {
      targets: {
        phase1: { name: 'phase1-mock', url: await phase({ serviceMs: 1, serial: false, status: 200 }), kind: 'phase' },
        phase2Direct: { name: 'phase2 direct', url: await phase({ serviceMs: 8, serial: true, status: 200 }), kind: 'phase' },
        phase2Nginx: { name: 'phase2 via nginx', url: await phase({ serviceMs: 1, serial: false, status: 503 }), kind: 'phase' },
      },
      topology: { nginx: { caFile } },
    } as unknown as Environment;
    const labels: string[] = [];
    // Held = a p99 within a second and under 1 % failed: the report's 50 ms is a timing a busy
    // machine can miss for a server that answers at once; what decides here is the failures (the
    // serial server's queue outgrows the 400 ms timeout) and the refusals.
    const rows = await runArrival(env, { rates: [40, 400], stepMs: 300, refine: 2, rampMs: 100, holdMs: 300, spikeMs: 100, connections: 10, timeoutMs: 400 }, (label) => labels.push(label), { p99Ms: 1000, failedShare: 0.01 });
    const [fast, serial, refusing] = rows;
    if (!fast || !serial || !refusing) throw new Error('three rows');

    // Keeps up with every rate: the knee is the grid's top, nothing to refine.
    expect(fast.grid.map((s) => s.held)).toEqual([true, true]);
    expect(fast.knee).toBe(400);
    expect(fast.refined).toEqual([]);
    // 8 ms a read, one at a time: about 125 a second. 400 does not hold; the knee lies between.
    expect(serial.grid.map((s) => s.held)).toEqual([true, false]);
    expect(serial.refined).toHaveLength(2);
    expect(serial.knee).toBeGreaterThanOrEqual(40);
    expect(serial.knee).toBeLessThan(400);
    expect(serial.shapes.map((s) => s.shape)).toEqual(['smoke', 'average load', 'stress', 'spike']);
    expect(serial.shapes.find((s) => s.shape === 'stress')?.peakRate).toBe(Math.round((serial.knee ?? 0) * 1.5));
    // Every read refused: no knee; the shapes still run, at the grid's lowest rate, and the spike never recovers.
    expect(refusing.knee).toBeNull();
    expect(refusing.grid.every((s) => s.failedShare === 1)).toBe(true);
    expect(refusing.shapes.find((s) => s.shape === 'average load')?.peakRate).toBe(20);
    expect(refusing.spikeRecoveryMs).toBeNull();
    expect(labels).toHaveLength(6);

    // The report and the headlines say so.
    const fixture = JSON.parse(readFileSync(new URL('./fixtures/results.json', import.meta.url), 'utf8')) as Results;
    const results: Results = { ...fixture, arrival: rows, headlines: headlines([], [], [], [], [], rows) };
    expect(results.headlines.find((h) => h.name === 'phase2 via nginx: the knee, stateful reads arriving at a set rate')?.explanation).toContain('Not even the lowest rate tried held');
    // No ratio of a knee that does not exist.
    expect(results.headlines.some((h) => h.name.startsWith('knee: phase 2 via nginx ÷ phase 1'))).toBe(false);
    const markdown = renderMarkdown(results, null);
    expect(markdown).toContain('| phase2 via nginx | below 40 | — | — | 40 req/s |');
    expect(markdown).toContain('| phase1-mock | 400 req/s |');
    expect(markdown).toContain('| none tried | — | — |');
    expect(markdown).toContain('phase2 via nginx not within the run');
    const knee = charts(results).find((c) => c.id === 'arrival-knee');
    // A rate at which every request failed is drawn at the chart's cap, not as a fast answer.
    expect(knee?.mermaid).toContain('line [200, 200]');
  }, 120_000);
});

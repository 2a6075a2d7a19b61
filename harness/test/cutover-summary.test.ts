/**
 * Each cutover step's figures, from the users' requests: what `npm run cutover` prints and the
 * report tabulates; and how the triggers are read from Prometheus's alerts (a stand-in answering
 * its HTTP API: what is under test is which alerts count, harness/test/cutover.test.ts fires real ones).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { prometheusTriggers, summarizeSteps, type CutoverSample, type CutoverTimeline, type CutoverUser } from '../src/cutover.ts';
import type { DurabilityCheck } from '../src/load.ts';

const check = (sessionsLost: number, acknowledgedLost: number): DurabilityCheck => ({ sessions: 2, sessionsLost, unreadable: 0, acknowledged: 10, acknowledgedLost, overCounted: 0, details: [] });

describe('a cutover step\'s summary', () => {
  it('counts requests by when they were sent, failures as 5xx or no answer, the p99, the share phase 2 answered, and the read-back\'s losses', () => {
    const timeline: CutoverTimeline = {
      steps: [{ share: 50, from: 0, to: 1000, check: check(0, 0) }, { share: 100, from: 1000, to: 2500, check: check(1, 3) }, { share: 0, from: 2500, to: 3000, check: null }],
      events: [],
      readings: [],
      rollback: null,
    };
    const samples: CutoverSample[] = [
      { at: 10, ms: 4, status: 200, phase: 'phase1' },
      { at: 20, ms: 8, status: 503, phase: 'phase2' },
      { at: 999, ms: 100, status: null, phase: null },
      { at: 1000, ms: 2, status: 401, phase: 'phase2' },
      // Sent after the last step ended: in none.
      { at: 3000, ms: 1, status: 200, phase: 'phase1' },
    ];
    expect(summarizeSteps(timeline, samples)).toEqual([
      { share: 50, seconds: 1, requests: 3, failures: 2, p99Ms: 100, servedByPhase2: 50, sessionsLost: 0, acknowledgedLost: 0 },
      { share: 100, seconds: 1.5, requests: 1, failures: 0, p99Ms: 2, servedByPhase2: 100, sessionsLost: 1, acknowledgedLost: 3 },
      // No request in it: no p99, no share, and no read-back (a step cut short by a rollback).
      { share: 0, seconds: 0.5, requests: 0, failures: 0, p99Ms: null, servedByPhase2: 0, sessionsLost: 0, acknowledgedLost: 0 },
    ]);
  });
});

describe('the rollback triggers as the cutover reads them', () => {
  /** Prometheus's HTTP API as far as the cutover reads it: /api/v1/alerts and instant queries. */
  async function prometheusAnswering(alerts: unknown, series: Record<string, number | null>): Promise<{ url: string; close(): void }> {
    const server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      res.setHeader('content-type', 'application/json');
      if (url.pathname === '/api/v1/alerts') {
        res.end(JSON.stringify({ status: 'success', data: alerts }));
        return;
      }
      const query = url.searchParams.get('query') ?? '';
      const value = Object.entries(series).find(([name]) => query.startsWith(name))?.[1];
      res.end(JSON.stringify({ status: 'success', data: { resultType: 'vector', result: value === null || value === undefined ? [] : [{ metric: {}, value: [0, String(value)] }] } }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return { url: `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`, close: () => server.close() };
  }

  it('fires on phase 2\'s rollback alerts only, and on sessions the users lost; reads the triggers\' series in ms', async () => {
    const prometheus = await prometheusAnswering({
      alerts: [
        { labels: { alertname: 'ErrorRateAbove1Percent', trigger: 'rollback', phase: 'phase2-production' }, state: 'firing' },
        { labels: { alertname: 'P99LatencyAbove500ms', trigger: 'rollback', phase: 'phase2-production' }, state: 'pending' },
        { labels: { alertname: 'ErrorRateAbove1Percent', trigger: 'rollback', phase: 'phase1-mock' }, state: 'firing' },
        { labels: { alertname: 'InstanceDown', phase: 'phase2-production' }, state: 'firing' },
        // No phase label: an alert over the whole system counts.
        { labels: { trigger: 'rollback' }, state: 'firing' },
      ],
    }, { 'phase:http_server_errors:ratio_rate1m': 0.25, 'phase:http_request_duration_seconds:p99_1m': 0.0125 });
    try {
      const users = [{ lost: true }, { lost: false }] as CutoverUser[];
      expect(await prometheusTriggers(prometheus.url, () => users).read(1500)).toEqual({
        at: 1500,
        firing: ['ErrorRateAbove1Percent', 'unnamed alert', 'SessionsLost (1 counted by the users)'],
        errorRatio: 0.25,
        p99Ms: 12.5,
      });
    } finally {
      prometheus.close();
    }
  });

  it('reads nothing firing and no series before there is traffic', async () => {
    const prometheus = await prometheusAnswering({}, { 'phase:http_server_errors:ratio_rate1m': null, 'phase:http_request_duration_seconds:p99_1m': null });
    try {
      expect(await prometheusTriggers(prometheus.url, () => []).read(0)).toEqual({ at: 0, firing: [], errorRatio: null, p99Ms: null });
    } finally {
      prometheus.close();
    }
  });
});

/** The metrics both phases expose: a scrape answers even when the session store cannot. */
import { describe, expect, it } from 'vitest';
import { createRequestMetrics } from '../src/metrics.ts';

const labels = { phase: 'phase2-production', instance: 'api-1' };

describe('createRequestMetrics', () => {
  it('counts the live sessions the store reports', async () => {
    const metrics = createRequestMetrics(labels, { store: 'redis', countLive: () => Promise.resolve(7) });
    expect(await metrics.registry.metrics()).toMatch(/^sessions_live\{store="redis",phase="phase2-production",instance="api-1"\} 7$/m);
  });

  it('leaves the gauge out when the store fails, and the scrape still answers', async () => {
    const metrics = createRequestMetrics(labels, { store: 'redis', countLive: () => Promise.reject(new Error('down')) });
    const text = await metrics.registry.metrics();
    expect(text).not.toMatch(/^sessions_live\{/m);
    expect(text).toMatch(/^process_cpu_user_seconds_total\{/m);
  });

  it('does not wait for a store that never answers (a frozen Redis): the scrape answers without the gauge', async () => {
    const metrics = createRequestMetrics(labels, { store: 'redis', countLive: () => new Promise<number>(() => { /* never settles */ }) });
    const text = await metrics.registry.metrics();
    expect(text).not.toMatch(/^sessions_live\{/m);
    metrics.observe('GET', '/api/stateful/counter', 200, 0.002);
    expect(await metrics.registry.metrics()).toMatch(/^http_requests_total\{method="GET",route="\/api\/stateful\/counter",status="200",phase="phase2-production",instance="api-1"\} 1$/m);
  });
});

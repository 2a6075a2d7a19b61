/**
 * Scenario 1, throughput and latency: the same requests against each phase (phase 2 directly to
 * one instance and through nginx) and, for the stateless info answer, against the three
 * baselines, so each gap can be put down to the framework, the state store or the proxy hop.
 */
import type { ResponseValidator } from 'contract';
import { measure, type RequestSpec } from '../measure.ts';
import type { LoadParameters, SweepPoint, ThroughputRow } from '../results.ts';
import { session, type Environment, type Target } from '../environment.ts';

export interface Endpoint {
  name: string;
  /** Requests cycled through; a function of the target, for the ones that need a session. */
  requests: (target: Target, connections: number) => Promise<RequestSpec[]>;
  baselines: boolean;
}

export const ENDPOINTS: Endpoint[] = [
  { name: 'stateless info', baselines: true, requests: () => Promise.resolve([{ method: 'GET', path: '/api/stateless/info', template: '/api/stateless/info' }]) },
  {
    name: 'stateless counter',
    baselines: false,
    requests: () => Promise.resolve([{ method: 'POST', path: '/api/stateless/counter', template: '/api/stateless/counter', body: { value: 41 } }]),
  },
  { name: 'catalog read', baselines: false, requests: () => Promise.resolve([{ method: 'GET', path: '/api/products/kb-001', template: '/api/products/{productId}' }]) },
  {
    name: 'stateful counter read',
    baselines: false,
    requests: async (target) => {
      const { cookie } = await session(target.url);
      return [{ method: 'GET', path: '/api/stateful/counter', template: '/api/stateful/counter', headers: { cookie } }];
    },
  },
  {
    name: 'stateful increment',
    baselines: false,
    requests: async (target) => {
      const { cookie, csrf } = await session(target.url);
      return [{ method: 'POST', path: '/api/stateful/counter/increment', template: '/api/stateful/counter/increment', headers: { cookie, 'x-csrf-token': csrf } }];
    },
  },
  {
    // A line is added and removed in turn, so the cart never reaches its 99-per-line limit.
    name: 'cart add/remove',
    baselines: false,
    requests: async (target, connections) => {
      // One session per connection, checked out for each add/remove pair, so pairs never interleave.
      const free = await Promise.all(Array.from({ length: connections }, () => session(target.url)));
      return [
        { method: 'POST', path: '/api/stateful/cart/items', template: '/api/stateful/cart/items', sessionPool: { free, role: 'first' }, body: { productId: 'kb-001', quantity: 1 } },
        { method: 'DELETE', path: '/api/stateful/cart/items/kb-001', template: '/api/stateful/cart/items/{productId}', sessionPool: { free, role: 'last' } },
      ];
    },
  },
];

/**
 * The stateful read at each number of connections, one round each, on phase 1 and phase 2 (direct
 * and through nginx): throughput grows with connections until the server is saturated, and from
 * there only latency does.
 */
export async function runSweep(env: Environment, load: LoadParameters, connections: number[], progress: (label: string) => void): Promise<SweepPoint[]> {
  const points: SweepPoint[] = [];
  const read = ENDPOINTS.find((e) => e.name === 'stateful counter read');
  if (!read) return points;
  for (const target of [env.targets.phase1, env.targets.phase2Direct, env.targets.phase2Nginx]) {
    progress(`stateful counter read on ${target.name} at ${connections.join(', ')} connections`);
    const specs = await read.requests(target, 1);
    for (const c of connections) {
      const row = await measure(read.name, target.name, target.url, specs, { ...load, connections: c, warmupSeconds: 0, rounds: 1 }, null);
      points.push({ target: target.name, connections: c, requestsPerSecond: row.requestsPerSecond, p50Ms: row.p50Ms, p99Ms: row.p99Ms, non2xx: row.non2xx, errors: row.errors });
    }
  }
  return points;
}

export async function runThroughput(env: Environment, load: LoadParameters, validate: ResponseValidator, progress: (label: string) => void, endpoints = ENDPOINTS): Promise<ThroughputRow[]> {
  const rows: ThroughputRow[] = [];
  const phases = [env.targets.phase1, env.targets.phase2Direct, env.targets.phase2Nginx];
  for (const endpoint of endpoints) {
    for (const target of [...(endpoint.baselines ? env.baselines : []), ...phases]) {
      progress(`${endpoint.name} on ${target.name}`);
      const specs = await endpoint.requests(target, load.connections);
      // The add/remove pair is only valid in order, so it is not validated per response here.
      rows.push(await measure(endpoint.name, target.name, target.url, specs, load, target.kind === 'phase' && specs.length === 1 ? validate : null));
    }
  }
  return rows;
}

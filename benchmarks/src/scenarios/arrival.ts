/**
 * Scenario 7, the open model: requests arrive at a set rate whatever each phase's pace
 * (src/arrival.ts), on the stateful read, through each way in (phase 1, phase 2 direct to one
 * instance, phase 2 through nginx). First every rate of the profile's grid, held in turn: the
 * latency-against-load curve, and the knee, the highest rate that keeps p99 ≤ 50 ms with under 1 %
 * failures, refined between the last rate that held and the first that did not. Then k6's load
 * shapes, scaled to that knee: smoke (a trickle), average load (half the knee), stress (half as
 * much again as the knee) and spike (a quarter of the knee, three times the knee for a moment, a
 * quarter again: how long the queue it leaves takes to drain).
 */
import { readFileSync } from 'node:fs';
import { minOf } from '../extremes.ts';
import { runArrivals, type ArrivalRequest, type ArrivalResult, type Stage } from '../arrival.ts';
import type { Profile } from '../profiles.ts';
import { ARRIVAL_KNEE, type ArrivalRow, type ArrivalShape, type ArrivalStep } from '../results.ts';
import { session, type Environment, type Target } from '../environment.ts';
import { READ } from './peers.ts';

/** Sessions the arrivals take in turn: each read is some user's, as in a real crowd. */
const SESSIONS = 20;
/** Between two runs, for the queue the last one left in the server to drain. */
const SETTLE_MS = 1000;
/** The timelines' resolution: a spike's shape in tenths of a second. */
export const ARRIVAL_BUCKET_MS = 100;

type Settings = Profile['arrival'];

/** What a rate must keep to hold: the report's criterion (ARRIVAL_KNEE) unless a test sets one. */
export type KneeCriterion = { readonly p99Ms: number; readonly failedShare: number };

const held = (result: ArrivalResult, knee: KneeCriterion) => result.latencyUs.p99 <= knee.p99Ms * 1000 && result.failedShare < knee.failedShare;

function step(rate: number, result: ArrivalResult, knee: KneeCriterion): ArrivalStep {
  return { rate, okPerSecond: result.okPerSecond, failedShare: result.failedShare, latencyUs: result.latencyUs, held: held(result, knee) };
}

/** The highest grid rate that held with every lower one holding too, and the next one up. */
export function bracket(grid: ArrivalStep[]): { low: number | null; high: number | null } {
  let low: number | null = null;
  for (const s of grid) {
    if (!s.held) return { low, high: s.rate };
    low = s.rate;
  }
  return { low, high: null };
}

/** k6's shapes, scaled to a knee: stages of the arrival rate, from a starting rate. */
/** When the spike's top ends, from the start of its shape: a calm half hold, the jump up, the top. */
export const spikeEndMs = (settings: Pick<Settings, 'holdMs' | 'spikeMs'>) => settings.holdMs / 2 + ARRIVAL_BUCKET_MS + settings.spikeMs;

export function shapes(knee: number, settings: Settings): Pick<ArrivalShape, 'shape' | 'peakRate' | 'startRate' | 'stages'>[] {
  const { rampMs, holdMs, spikeMs } = settings;
  const at = (fraction: number) => Math.max(1, Math.round(knee * fraction));
  const rampHoldDown = (peak: number): Stage[] => [{ durationMs: rampMs, target: peak }, { durationMs: holdMs, target: peak }, { durationMs: rampMs, target: 0 }];
  // A jump takes one bucket: the rate changes within a tenth of a second, as a spike does.
  const jump = ARRIVAL_BUCKET_MS;
  const smoke = Math.min(10, knee);
  return [
    { shape: 'smoke', peakRate: smoke, startRate: smoke, stages: [{ durationMs: holdMs, target: smoke }] },
    { shape: 'average load', peakRate: at(0.5), startRate: 0, stages: rampHoldDown(at(0.5)) },
    { shape: 'stress', peakRate: at(1.5), startRate: 0, stages: rampHoldDown(at(1.5)) },
    {
      shape: 'spike',
      peakRate: at(3),
      startRate: at(0.25),
      stages: [
        { durationMs: holdMs / 2, target: at(0.25) },
        { durationMs: jump, target: at(3) },
        { durationMs: spikeMs, target: at(3) },
        { durationMs: jump, target: at(0.25) },
        { durationMs: holdMs * 2, target: at(0.25) },
      ],
    },
  ];
}

/** From the end of the spike, the time until every later bucket had its due requests answered with p99 ≤ the knee's bound (null: not within the run). */
export function recoveryAfterSpike(timeline: ArrivalResult['timeline'], spikeEnd: number): number | null {
  const buckets = timeline.filter((b) => b.atMs >= spikeEnd && b.due > 0);
  const bad = (b: (typeof buckets)[number]) => b.failed > 0 || b.p99Us > ARRIVAL_KNEE.p99Ms * 1000;
  const held = buckets.slice(buckets.findLastIndex(bad) + 1);
  return held.length === 0 ? null : Math.max(0, minOf(held.map((b) => b.atMs), spikeEnd) - spikeEnd);
}

async function readRequests(target: Target): Promise<ArrivalRequest[]> {
  const sessions = await Promise.all(Array.from({ length: SESSIONS }, () => session(target.url)));
  return sessions.map((s) => ({ method: 'GET', path: '/api/stateful/counter', headers: { cookie: s.cookie } }));
}

export async function runArrival(env: Environment, settings: Settings, progress: (label: string) => void, knee: KneeCriterion = ARRIVAL_KNEE): Promise<ArrivalRow[]> {
  const ca = [readFileSync(env.topology.nginx.caFile, 'utf8')];
  const rows: ArrivalRow[] = [];
  for (const target of [env.targets.phase1, env.targets.phase2Direct, env.targets.phase2Nginx]) {
    const requests = await readRequests(target);
    const arrive = async (startRate: number, stages: Stage[]) => {
      const result = await runArrivals({ url: target.url, startRate, stages, requests, connections: settings.connections, timeoutMs: settings.timeoutMs, maxOutstanding: settings.connections * 20, ca, bucketMs: ARRIVAL_BUCKET_MS });
      await new Promise((resolve) => setTimeout(resolve, Math.min(SETTLE_MS, settings.stepMs)));
      return result;
    };
    const constant = async (rate: number) => step(rate, await arrive(rate, [{ durationMs: settings.stepMs, target: rate }]), knee);

    progress(`${target.name}: ${settings.rates.length} rates, ${settings.rates[0]} to ${settings.rates.at(-1)} req/s`);
    const grid: ArrivalStep[] = [];
    for (const rate of settings.rates) grid.push(await constant(rate));
    let { low, high } = bracket(grid);
    const refined: ArrivalStep[] = [];
    for (let i = 0; i < settings.refine && low !== null && high !== null; i += 1) {
      // Between two grid rates (a factor of 2 apart), refined at most a few times: never equal to either.
      const rate = Math.round(Math.sqrt(low * high));
      const tried = await constant(rate);
      refined.push(tried);
      if (tried.held) low = rate;
      else high = rate;
    }

    // Without a knee, the shapes are scaled to the lowest rate tried, which did not hold either.
    const scale = low ?? minOf(settings.rates, 0);
    progress(`${target.name}: k6's shapes scaled to ${scale} req/s`);
    const measuredShapes: ArrivalShape[] = [];
    let spikeRecoveryMs: number | null = null;
    for (const planned of shapes(scale, settings)) {
      const result = await arrive(planned.startRate, planned.stages);
      measuredShapes.push({ ...planned, result });
      if (planned.shape === 'spike') spikeRecoveryMs = recoveryAfterSpike(result.timeline, spikeEndMs(settings));
    }
    rows.push({ target: target.name, operation: READ, grid, refined, knee: low, shapes: measuredShapes, spikeRecoveryMs });
  }
  return rows;
}

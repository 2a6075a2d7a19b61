/**
 * Open-model load: requests arrive on a schedule whatever the server's pace, as k6's
 * ramping-arrival-rate executor and wrk2's `-R` send them. In a closed model (autocannon: each
 * connection sends its next request once the last is answered) a slow server slows the load down
 * and so under-reports its own latency. Here every latency runs from when the request was due, not
 * from when a connection got round to sending it: a server that falls behind is charged for the
 * queue it causes (coordinated omission corrected, as wrk2 and HdrHistogram define it). Latencies
 * are recorded in microseconds.
 */
import { Pool } from 'undici';
import * as hdr from 'hdr-histogram-js';

/** A k6 stage: the arrival rate moves linearly from the previous stage's target to this one over durationMs. */
export interface Stage {
  durationMs: number;
  target: number;
}

export interface ArrivalRequest {
  method: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
  body?: string;
}

export interface ArrivalOptions {
  /** Origin (scheme, host, port) the requests go to. */
  url: string;
  /** The rate at time 0; the stages move it from there. */
  startRate: number;
  stages: Stage[];
  /** Taken in turn, one per arrival. */
  requests: ArrivalRequest[];
  connections: number;
  /** A request answered later than this after it was due counts as timed out, not as an answer. */
  timeoutMs: number;
  /**
   * Requests due and not yet answered past which a new arrival is dropped (k6's
   * dropped_iterations): an overloaded server cannot grow the generator's queue without bound.
   */
  maxOutstanding: number;
  /** Trusted CA certificates for https (the lab's CA). */
  ca?: string[];
  /** The timeline's resolution. */
  bucketMs: number;
}

export interface LatencySummary {
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
}

export interface ArrivalBucket {
  /** When the requests in this bucket were due, from the start. */
  atMs: number;
  due: number;
  ok: number;
  /** Non-2xx, errors, timeouts and drops. */
  failed: number;
  /** p99 of the answers to the requests due in this bucket, µs (0 when none was answered). */
  p99Us: number;
}

export interface ArrivalResult {
  durationMs: number;
  /** Arrivals scheduled. */
  offered: number;
  offeredPerSecond: number;
  /** 2xx answered within the timeout. */
  ok: number;
  okPerSecond: number;
  statusCounts: Record<string, number>;
  /** Connection errors. */
  errors: number;
  timeouts: number;
  dropped: number;
  /** Every failure (non-2xx, error, timeout, drop) over the offered arrivals. */
  failedShare: number;
  /** Of every answer, measured from when its request was due, µs. */
  latencyUs: LatencySummary;
  /** How late the generator itself sent requests (its timer's granularity, its own CPU), µs: counted in the latencies. */
  sendLagUs: LatencySummary;
  timeline: ArrivalBucket[];
}

/** The rate at `atMs` of a run that starts at `startRate` and follows `stages`. */
export function rateAt(startRate: number, stages: Stage[], atMs: number): number {
  let from = startRate;
  let stageStart = 0;
  for (const stage of stages) {
    if (atMs < stageStart + stage.durationMs) return from + ((stage.target - from) * (atMs - stageStart)) / stage.durationMs;
    from = stage.target;
    stageStart += stage.durationMs;
  }
  return from;
}

/**
 * When each request is due, ms from the start: the k-th when the arrivals the rate has called for
 * so far reach k (the rate integrated a millisecond at a time), so a ramp from zero starts sparse
 * and thickens, and a constant rate spaces its arrivals evenly.
 */
export function arrivalTimes(startRate: number, stages: Stage[]): number[] {
  const total = stages.reduce((sum, stage) => sum + stage.durationMs, 0);
  const times: number[] = [];
  // Arrivals called for before this millisecond, and the index of the next one to place.
  let called = 0;
  let next = 0;
  for (let at = 0; at < total; at += 1) {
    const width = Math.min(1, total - at);
    const added = ((rateAt(startRate, stages, at) + rateAt(startRate, stages, at + width)) / 2) * (width / 1000);
    // The small margin keeps float rounding from adding an arrival the rate never called for.
    for (; added > 0 && next < called + added - 1e-9; next += 1) times.push(at + (width * (next - called)) / added);
    called += added;
  }
  return times;
}

const histogram = () => hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: 3 });

function summary(h: hdr.Histogram): LatencySummary {
  if (h.totalCount === 0) return { p50: 0, p90: 0, p99: 0, p999: 0, max: 0 };
  // A percentile is the top of its bucket (three significant digits): never above the largest value seen.
  const at = (percentile: number) => Math.min(h.getValueAtPercentile(percentile), h.maxValue);
  return { p50: at(50), p90: at(90), p99: at(99), p999: at(99.9), max: h.maxValue };
}

/** Sends the requests on their schedule and reports what came back, and when. */
export async function runArrivals(options: ArrivalOptions): Promise<ArrivalResult> {
  const times = arrivalTimes(options.startRate, options.stages);
  const durationMs = options.stages.reduce((sum, stage) => sum + stage.durationMs, 0);
  // Idle connections are kept a minute. nginx sends no Keep-Alive hint (it keeps them 75 s), so
  // undici would close every connection idle for its default 4 s at once, and the next burst would
  // open them again: a storm of TLS handshakes on the generator's one thread four seconds into
  // each run (p99 through nginx 319 ms at 800 req/s, against 12 ms once kept). A server that
  // sends a hint (Node: 5 s for phase 1, 72 s for phase 2) has it respected, less a second.
  const pool = new Pool(options.url, { connections: options.connections, pipelining: 1, keepAliveTimeout: 60_000, ...(options.ca ? { connect: { ca: options.ca } } : {}) });
  // Every connection opened before the clock starts, as a population of users with keep-alive
  // connections has them: otherwise the first burst opens them all at once (200 TLS handshakes
  // through nginx, which stalled the generator and nginx's one worker for a tenth of a second)
  // and the run measures the handshakes, not the server. A warm-up request that fails or does not
  // answer within the timeout is left to the run to meet again. Only GETs are sent twice this way.
  const gets = options.requests.filter((request) => request.method === 'GET');
  await Promise.all(
    Array.from({ length: gets.length > 0 ? options.connections : 0 }, (_, i) => {
      const { path, headers } = gets[i % gets.length] as ArrivalRequest;
      return pool
        .request({ method: 'GET', path, headers, signal: AbortSignal.timeout(options.timeoutMs) })
        .then((response) => response.body.dump())
        .catch(() => undefined);
    }),
  );
  const latencies = histogram();
  const lags = histogram();
  const buckets = Array.from({ length: Math.max(1, Math.ceil(durationMs / options.bucketMs)) }, (_, i) => ({ atMs: i * options.bucketMs, due: 0, ok: 0, latencies: histogram() }));
  const statusCounts: Record<string, number> = {};
  let ok = 0;
  let errors = 0;
  let timeouts = 0;
  let dropped = 0;
  let outstanding = 0;
  let finished = false;
  let allAnswered: () => void = () => undefined;
  const start = performance.now();

  const send = (dueMs: number, index: number) => {
    // Both indices are in range by construction: a due time falls within the run, and the index is
    // taken modulo the requests' count.
    const bucket = buckets[Math.min(buckets.length - 1, Math.floor(dueMs / options.bucketMs))] as (typeof buckets)[number];
    bucket.due += 1;
    if (outstanding >= options.maxOutstanding) {
      dropped += 1;
      return;
    }
    const request = options.requests[index % options.requests.length] as ArrivalRequest;
    outstanding += 1;
    pool
      .request({ method: request.method, path: request.path, headers: request.headers, ...(request.body === undefined ? {} : { body: request.body }) })
      .then(async (response) => {
        await response.body.dump();
        if (finished) return;
        const latencyUs = Math.max(1, Math.round((performance.now() - start - dueMs) * 1000));
        statusCounts[response.statusCode] = (statusCounts[response.statusCode] ?? 0) + 1;
        if (latencyUs > options.timeoutMs * 1000) {
          timeouts += 1;
          return;
        }
        latencies.recordValue(latencyUs);
        bucket.latencies.recordValue(latencyUs);
        if (response.statusCode >= 200 && response.statusCode < 300) {
          ok += 1;
          bucket.ok += 1;
        }
      })
      .catch(() => {
        if (finished) return;
        errors += 1;
      })
      .finally(() => {
        outstanding -= 1;
        if (outstanding === 0) allAnswered();
      });
  };

  await new Promise<void>((resolve) => {
    let next = 0;
    const tick = () => {
      const now = performance.now() - start;
      let due = times[next];
      while (due !== undefined && due <= now) {
        lags.recordValue(Math.max(1, Math.round((now - due) * 1000)));
        send(due, next);
        next += 1;
        due = times[next];
      }
      if (due === undefined) {
        resolve();
        return;
      }
      // Node's timers fire a millisecond or more late: wake a millisecond early, and within the
      // last millisecond check again at once rather than sleep past the due time.
      const wait = due - (performance.now() - start);
      if (wait <= 1) setImmediate(tick);
      else setTimeout(tick, wait - 1);
    };
    tick();
  });
  // What is still unanswered gets until its timeout; anything later counts as timed out.
  if (outstanding > 0) {
    await Promise.race([new Promise<void>((resolve) => { allAnswered = resolve; }), new Promise((resolve) => setTimeout(resolve, options.timeoutMs))]);
  }
  finished = true;
  timeouts += outstanding;
  await pool.destroy();

  const failures = times.length - ok;
  return {
    durationMs,
    offered: times.length,
    offeredPerSecond: times.length / (durationMs / 1000),
    ok,
    okPerSecond: ok / (durationMs / 1000),
    statusCounts,
    errors,
    timeouts,
    dropped,
    failedShare: times.length > 0 ? failures / times.length : 0,
    latencyUs: summary(latencies),
    sendLagUs: summary(lags),
    timeline: buckets.map((b) => ({ atMs: b.atMs, due: b.due, ok: b.ok, failed: b.due - b.ok, p99Us: b.latencies.totalCount > 0 ? b.latencies.getValueAtPercentile(99) : 0 })),
  };
}

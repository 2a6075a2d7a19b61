/**
 * A light, steady load for fault tests: a few workers sending requests in a loop until stopped,
 * every result kept with its time, method and status, so a test can say exactly which requests
 * failed and when. Bounded: it stops by itself after `maxMs`.
 */
export interface LoadRequest {
  method: 'GET' | 'POST' | 'DELETE';
  path: string;
  headers?: Record<string, string>;
  body?: unknown;
}

export interface LoadResult {
  atMs: number;
  method: string;
  path: string;
  status: number | null;
  servedBy: string | null;
  error: string | null;
}

export interface RunningLoad {
  results: LoadResult[];
  stop(): Promise<LoadResult[]>;
}

export function steadyLoad(baseUrl: string, next: (worker: number, i: number) => LoadRequest, options: { workers?: number; pauseMs?: number; maxMs?: number } = {}): RunningLoad {
  const results: LoadResult[] = [];
  const t0 = performance.now();
  const maxMs = options.maxMs ?? 120_000;
  let stopping = false;
  const worker = async (w: number) => {
    for (let i = 0; !stopping && performance.now() - t0 < maxMs; i += 1) {
      const request = next(w, i);
      const atMs = Math.round(performance.now() - t0);
      try {
        const response = await fetch(`${baseUrl}${request.path}`, {
          method: request.method,
          headers: { ...(request.body === undefined ? {} : { 'content-type': 'application/json' }), ...request.headers },
          body: request.body === undefined ? undefined : JSON.stringify(request.body),
          signal: AbortSignal.timeout(15_000),
        });
        await response.arrayBuffer();
        results.push({ atMs, method: request.method, path: request.path, status: response.status, servedBy: response.headers.get('x-served-by'), error: null });
      } catch (error) {
        results.push({ atMs, method: request.method, path: request.path, status: null, servedBy: null, error: error instanceof Error ? error.message : String(error) });
      }
      if (options.pauseMs) await new Promise((resolve) => setTimeout(resolve, options.pauseMs));
    }
  };
  const workers = Array.from({ length: options.workers ?? 4 }, (_, w) => worker(w));
  return {
    results,
    stop: async () => {
      stopping = true;
      await Promise.all(workers);
      return results;
    },
  };
}

/** Requests that did not succeed: no answer, or a status of 500 and above. */
export function failures(results: LoadResult[]): LoadResult[] {
  return results.filter((r) => r.status === null || r.status >= 500);
}

/** Health checks, timed, as the contract's HealthReport reports them. */
import { messageOf } from './errors.ts';

export interface Check {
  name: string;
  status: 'pass' | 'fail';
  latencyMs: number;
  detail?: string;
}

export async function timed(name: string, probe: () => Promise<string>): Promise<Check> {
  const started = performance.now();
  try {
    const detail = await probe();
    return { name, status: 'pass', latencyMs: round(performance.now() - started), detail };
  } catch (error) {
    return { name, status: 'fail', latencyMs: round(performance.now() - started), detail: messageOf(error) };
  }
}

export function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

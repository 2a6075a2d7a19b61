/**
 * What every baseline answers: the same JSON the phases send from GET /api/stateless/info, with
 * the same headers, so a gap between a phase and a baseline is the phase's own work.
 */
import { randomUUID } from 'node:crypto';

export const INFO_PATH = '/api/stateless/info';

export function infoPayload(name: string): { body: string; requestId: string } {
  const requestId = randomUUID();
  return {
    requestId,
    body: JSON.stringify({ message: 'I have no memory of you. Any instance could have answered this.', phase: name, instance: 'bench-1', requestId, timestamp: new Date().toISOString() }),
  };
}

export function announce(name: string, port: number): void {
  // The runner waits for this line and reads the address from it.
  console.log(`${name} listening on http://127.0.0.1:${port}`);
}

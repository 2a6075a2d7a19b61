/**
 * The conformance fuzzer, beside Dredd: requests generated from contract/openapi.yaml's own
 * schemas (valid and invalid, ./conformance/cases.ts) sent to phase 1, to a phase 2 instance, and
 * to phase 2's public entry (nginx, https). Every answer is checked against the contract, and the
 * phases are compared: the same request gets the same status and problem code from each. Dredd
 * checks one example per documented response; this finds what it cannot (an undocumented status,
 * a wrong code, a header missing, the phases disagreeing on an edge case).
 *
 * A second property sends what no HTTP library would, on raw sockets (./conformance/hostile.ts):
 * hostile path segments, prototype keys, charset parameters, a target, headers or a body past
 * their limits, a missing or doubled Host, `OPTIONS *`, HEAD, absolute-form targets, bare LF.
 * Every answer must be below 500, problem+json for an error, and send nothing of the input back;
 * the three targets must agree on status and code. The shapes an independent attack found the
 * phases answering differently are sent first on every run (foundShapes). One difference is by design and not compared:
 * nginx accepts bare LF line endings (RFC 9112, section 2.2 allows it), Node refuses them.
 *
 * Seeded and bounded: FUZZ_SEED (default below), FUZZ_RUNS and FUZZ_HOSTILE_RUNS choose the cases; a failure prints
 * the seed and the shrunk case, and the same seed sends the same requests again. FUZZ_SURVEY=1
 * lists every distinct problem found instead of stopping at the first.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cleanup } from '../src/cleanup.ts';
import { startPhase1 } from '../src/phases.ts';
import { startPhase2Topology } from '../src/topology.ts';
import { cases, describeCase, fuzzOperations, type FuzzCase } from './conformance/cases.ts';
import { describeShape, foundShapes, hostileShapes, sendHostile, type HostileShape, type RawOutcome, type RawTarget } from './conformance/hostile.ts';
import { send, signIn, type Outcome, type Target } from './conformance/send.ts';

const SEED = Number(process.env.FUZZ_SEED ?? 20261202);
const RUNS = Number(process.env.FUZZ_RUNS ?? 150);
const HOSTILE_RUNS = Number(process.env.FUZZ_HOSTILE_RUNS ?? 300);
/** FUZZ_SURVEY=1: run every case and list each distinct problem with its count, instead of stopping at the first. */
const SURVEY = process.env.FUZZ_SURVEY === '1';
/** High enough that a run never meets the sign-in limit, so its headers are still sent. */
const ENV = { AUTH_RATE_LIMIT_MAX: '100000' };

const cleanup = new Cleanup();
let targets: Target[] = [];
let rawTargets: RawTarget[] = [];

beforeAll(async () => {
  const phase1 = await startPhase1(cleanup, ENV);
  const topology = await startPhase2Topology(cleanup, { instances: 1, ha: false, env: ENV });
  const instance = topology.instances[0];
  if (!instance) throw new Error('no phase 2 instance');
  const entries = [
    { name: 'phase1-mock', url: phase1.url, publicEntry: false },
    { name: 'phase2 instance', url: instance.url, publicEntry: false },
    { name: 'phase2 via nginx', url: topology.url, publicEntry: true },
  ];
  targets = await Promise.all(entries.map(async (entry) => ({ ...entry, accessToken: (await signIn(entry.url)).accessToken })));
  const ca = readFileSync(topology.nginx.caFile, 'utf8');
  rawTargets = targets.map((target) => ({ name: target.name, url: target.url, accessToken: target.accessToken, ...(target.publicEntry ? { ca } : {}) }));
}, 120_000);
afterAll(() => cleanup.run(), 60_000);

function disagreement(reference: Outcome, other: Outcome): string | null {
  if (reference.status !== other.status || reference.code !== other.code) return `${String(reference.status)} ${String(reference.code)} vs ${String(other.status)} ${String(other.code)}`;
  if (reference.rateLimitHeaders.join() !== other.rateLimitHeaders.join()) return `RateLimit headers [${reference.rateLimitHeaders.join()}] vs [${other.rateLimitHeaders.join()}]`;
  return null;
}

/** What a property found: thrown at once, or under FUZZ_SURVEY=1 counted and listed at the end. */
class Findings {
  readonly #survey = new Map<string, { count: number; example: string }>();

  add(problems: string[], example: string): void {
    if (problems.length === 0) return;
    if (!SURVEY) throw new Error(`${example}\n  ${problems.join('\n  ')}`);
    for (const problem of problems) {
      const entry = this.#survey.get(problem) ?? { count: 0, example };
      entry.count += 1;
      this.#survey.set(problem, entry);
    }
  }

  /** Under FUZZ_SURVEY: each distinct problem with its count and one example; none, or the test fails. */
  report(): void {
    if (!SURVEY) return;
    console.log([...this.#survey].sort((a, b) => b[1].count - a[1].count).map(([problem, { count, example }]) => `${String(count)} × ${problem}\n      e.g. ${example}`).join('\n'));
    expect(this.#survey.size, 'problems found (listed above)').toBe(0);
  }
}

/**
 * The problems of one request sent to every target: each answer's own violations, then where an
 * answer differs from the first target's (`compared(i)` false for a target not held to it).
 */
function problemsOf<T extends { violations: string[] }>(outcomes: T[], differs: (reference: T, other: T) => string | null, compared: (i: number) => boolean): string[] {
  const problems = outcomes.flatMap((outcome, i) => outcome.violations.map((violation) => `${targets[i]?.name ?? ''}: ${violation}`));
  const [reference, ...others] = outcomes;
  if (!reference) return problems;
  others.forEach((outcome, i) => {
    const difference = compared(i + 1) ? differs(reference, outcome) : null;
    if (difference) problems.push(`${targets[0]?.name ?? ''} and ${targets[i + 1]?.name ?? ''} disagree: ${difference}`);
  });
  return problems;
}

const sameStatusAndCode = (reference: RawOutcome, other: RawOutcome) =>
  reference.status !== other.status || reference.code !== other.code ? `${String(reference.status)} ${String(reference.code)} vs ${String(other.status)} ${String(other.code)}` : null;

describe('conformance fuzzer: generated requests, both phases, checked against the contract and each other', () => {
  it(`answers every request as the contract says, the same way in each phase (seed ${String(SEED)}, ${String(RUNS)} cases)`, async () => {
    const operations = fuzzOperations();
    const seen = new Map<string, Set<number>>();
    const findings = new Findings();
    await fc.assert(
      fc.asyncProperty(cases(operations), async (c: FuzzCase) => {
        const outcomes: Outcome[] = [];
        for (const target of targets) outcomes.push(await send(c, target));
        const operatorsOnly = c.operation.path === '/health' || c.operation.path === '/metrics';
        findings.add(problemsOf(outcomes, disagreement, (i) => !(targets[i]?.publicEntry && operatorsOnly)), describeCase(c));
        const [reference] = outcomes;
        if (reference) {
          const statuses = seen.get(c.operation.operationId) ?? new Set<number>();
          statuses.add(reference.status);
          seen.set(c.operation.operationId, statuses);
        }
      }),
      { seed: SEED, numRuns: RUNS, endOnFailure: true },
    );
    findings.report();
    // The run reached every operation, and errors as well as successes.
    expect([...seen.keys()].sort()).toEqual(operations.map((o) => o.operationId).sort());
    const statuses = [...seen.values()].flatMap((set) => [...set]);
    expect(statuses.some((status) => status >= 200 && status < 300)).toBe(true);
    expect(statuses.some((status) => status >= 400 && status < 500)).toBe(true);
    console.log(`conformance: ${String(RUNS)} cases (seed ${String(SEED)}), statuses by operation: ${[...seen].map(([id, set]) => `${id} ${[...set].sort().join('/')}`).join('; ')}`);
  }, 600_000);

  it(`answers every hostile shape below 500, as problem+json, echoing nothing, the same way at every target (seed ${String(SEED)}, ${String(HOSTILE_RUNS)} shapes)`, async () => {
    const operations = fuzzOperations();
    const answers = new Map<string, number>();
    const findings = new Findings();
    await fc.assert(
      fc.asyncProperty(hostileShapes(operations), async (shape: HostileShape) => {
        const outcomes: RawOutcome[] = [];
        for (const target of rawTargets) outcomes.push(await sendHostile(shape, target));
        // By design: the operators' endpoints are private at the public entry, and nginx reads bare LF.
        const byDesign = shape.lineEnding === '\n' || shape.operation.path === '/health' || shape.operation.path === '/metrics';
        findings.add(problemsOf(outcomes, sameStatusAndCode, (i) => !(targets[i]?.publicEntry && byDesign)), describeShape(shape));
        const [reference] = outcomes;
        if (reference) {
          const answer = `${String(reference.status)} ${reference.code ?? ''}`.trim();
          answers.set(answer, (answers.get(answer) ?? 0) + 1);
        }
      }),
      { seed: SEED, numRuns: HOSTILE_RUNS, endOnFailure: true, examples: foundShapes(operations).map((shape) => [shape]) },
    );
    findings.report();
    // The shapes reached successes and each kind of refusal, not one answer over and over.
    for (const answer of ['200', '400 MALFORMED_REQUEST', '404 ROUTE_NOT_FOUND', '413 PAYLOAD_TOO_LARGE', '414 URI_TOO_LONG', '415 UNSUPPORTED_MEDIA_TYPE', '431 HEADERS_TOO_LARGE']) {
      expect([...answers.keys()], answer).toContain(answer);
    }
    console.log(`conformance, hostile shapes: ${String(HOSTILE_RUNS)} (seed ${String(SEED)}), answers: ${[...answers].sort((a, b) => b[1] - a[1]).map(([answer, count]) => `${answer} ×${String(count)}`).join(', ')}`);
  }, 600_000);
});

/** report.md: tables and charts, every figure from results.json, with what it was measured on. */
import { maxOf, minOf } from '../extremes.ts';
import { ARRIVAL_KNEE, HEAP_MIN_SESSIONS, type ArrivalRow, type Headline, type LabCostStage, type Results } from '../results.ts';
import { charts, type Chart, type ChartSection } from './charts.ts';

/** Adds many lines at once: push(...lines) would pass each as an argument, which has a limit. */
function append(lines: string[], more: readonly string[]): void {
  for (const line of more) lines.push(line);
}

const n = (v: number, digits = 0) => v.toLocaleString('en', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const pct = (v: number) => `${n(v * 100, 1)} %`;
const mib = (bytes: number) => `${n(bytes / 1048576, 1)} MiB`;

export function formatHeadline(h: Headline): string {
  const value = h.unit === '×' ? `${n(h.value, 2)}×` : `${n(h.value)} ${h.unit}`;
  return h.low === h.high ? value : `${value} (${n(h.low, 2)}–${n(h.high, 2)})`;
}

export function formatTarget(h: Headline): string {
  if (h.target === null) return '—';
  const sign = h.better === 'higher' ? '≥' : '≤';
  return `${sign} ${h.unit === '×' ? `${n(h.target, 2)}×` : `${n(h.target)} ${h.unit}`}`;
}

// Words, not symbols: they print, project and read the same everywhere.
const VERDICT = { met: '**met**', missed: '**missed**', 'within noise': 'within noise', info: '' } as const;

const knee = (r: Results, target: string) => r.arrival?.find((a) => a.target === target)?.knee ?? undefined;
const sustained = `req/s sustained (stateful reads arriving at a set rate, p99 ≤ ${ARRIVAL_KNEE.p99Ms} ms, under ${ARRIVAL_KNEE.failedShare * 100} % failed)`;

export const SEEDS = [
  { what: 'phase 1 throughput', expected: 'about 100 req/s', figure: (r: Results) => knee(r, 'phase1-mock'), unit: sustained },
  { what: 'phase 2 throughput (through nginx)', expected: 'about 1,000 req/s', figure: (r: Results) => knee(r, 'phase2 via nginx'), unit: sustained },
  { what: 'phase 1 throughput, closed model', expected: 'about 100 req/s', figure: (r: Results) => r.throughput.find((t) => t.endpoint === 'stateless info' && t.target === 'phase1-mock')?.requestsPerSecond, unit: "req/s (stateless info; each connection sends its next request once answered)" },
  { what: 'phase 2 throughput (through nginx), closed model', expected: 'about 1,000 req/s', figure: (r: Results) => r.throughput.find((t) => t.endpoint === 'stateless info' && t.target === 'phase2 via nginx')?.requestsPerSecond, unit: "req/s (stateless info; each connection sends its next request once answered)" },
  { what: 'phase 1 sessions held', expected: 'about 100', figure: (r: Results) => r.capacity.find((c) => c.phase === 'phase1-mock')?.steps.at(-1)?.sessions, unit: 'sessions (the largest step measured; not a limit)' },
  { what: 'phase 2 sessions held', expected: 'about 10,000', figure: (r: Results) => r.capacity.find((c) => c.phase === 'phase2-production')?.steps.at(-1)?.sessions, unit: 'sessions (the largest step measured; not a limit)' },
];

/** A chart under its title, then its legend in words: GitHub draws the chart but has no legend for it. */
function chartLines(c: Chart): string[] {
  return [`### ${c.title}`, '', '```mermaid', c.mermaid, '```', '', `*Legend:* ${c.legend.map((l) => `${l.colourName}: ${l.label}`).join(' · ')}`, ''];
}

const ms = (us: number) => n(us / 1000, 2);

/** The open model's tables: each target's knee, then k6's shapes as each target took them. */
function arrivalLines(arrival: ArrivalRow[]): string[] {
  const lines = [
    '| target | knee: highest rate that held | its p50 ms | its p99 ms | first rate that did not hold | its p99 ms | its failures |',
    '|---|---:|---:|---:|---:|---:|---:|',
  ];
  for (const a of arrival) {
    const tried = [...a.grid, ...a.refined];
    const atKnee = tried.find((s) => s.rate === a.knee);
    const over = tried.filter((s) => !s.held && (a.knee === null || s.rate > a.knee)).sort((x, y) => x.rate - y.rate)[0];
    lines.push(`| ${a.target} | ${a.knee === null ? `below ${n(minOf(a.grid.map((s) => s.rate), 0))}` : `${n(a.knee)} req/s`} | ${atKnee ? ms(atKnee.latencyUs.p50) : '—'} | ${atKnee ? ms(atKnee.latencyUs.p99) : '—'} | ${over ? `${n(over.rate)} req/s` : 'none tried'} | ${over ? ms(over.latencyUs.p99) : '—'} | ${over ? pct(over.failedShare) : '—'} |`);
  }
  lines.push(
    '',
    '| target | shape | peak req/s | arrivals | answered 2xx per s | failed | p50 ms | p90 ms | p99 ms | p99.9 ms | max ms | generator late, p99 ms |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  );
  for (const a of arrival) {
    for (const shape of a.shapes) {
      const r = shape.result;
      lines.push(`| ${a.target} | ${shape.shape} | ${n(shape.peakRate)} | ${n(r.offered)} | ${n(r.okPerSecond)} | ${pct(r.failedShare)} | ${ms(r.latencyUs.p50)} | ${ms(r.latencyUs.p90)} | ${ms(r.latencyUs.p99)} | ${ms(r.latencyUs.p999)} | ${ms(r.latencyUs.max)} | ${ms(r.sendLagUs.p99)} |`);
    }
  }
  lines.push(
    '',
    `After the spike, every tenth of a second held again (answered, p99 ≤ ${ARRIVAL_KNEE.p99Ms} ms) after: ${arrival.map((a) => `${a.target} ${a.spikeRecoveryMs === null ? 'not within the run' : `${n(a.spikeRecoveryMs)} ms`}`).join('; ')}.`,
    '',
    "*Failed* counts non-2xx answers, connection errors, answers later than the timeout and arrivals dropped because too many requests were outstanding (k6's dropped iterations). *Generator late* is how long after its due time the load generator itself sent a request (its timer and its own CPU, on the cores it shares with the servers); it is part of every latency above, not removed from it.",
    '',
  );
  return lines;
}

export function renderMarkdown(results: Results, previous: Results | null): string {
  const m = results.machine;
  const lines: string[] = [];
  const drawn = charts(results);
  const chartsOf = (section: ChartSection) => drawn.filter((c) => c.section === section).flatMap(chartLines);
  lines.push(`# Benchmark report: ${results.profile} profile, ${results.startedAt.slice(0, 16).replace('T', ' ')} UTC`, '');
  lines.push(`Machine: ${m.cpuModel}, ${m.cores} cores, ${mib(m.memoryBytes)}, ${m.os}. Node ${m.node}; ${Object.entries(m.packages).map(([k, v]) => `${k} ${v}`).join(', ')}. Commit \`${m.gitCommit.slice(0, 12)}\`.`, '');
  lines.push(`Load: autocannon, ${results.load.connections} connections, pipelining ${results.load.pipelining}, ${results.load.warmupSeconds} s warm-up (discarded) then ${results.load.rounds} × ${results.load.roundSeconds} s rounds per figure.`, '');
  const spreads = results.throughput.map((r) => r.spread).sort((a, b) => a - b);
  if (spreads.length > 0 && results.load.rounds > 1) {
    const middle = Math.floor(spreads.length / 2);
    const median = spreads.slice(middle, middle + 1).reduce((sum, v) => sum + v, 0);
    lines.push(`How far to trust a figure: the throughput rounds of this run spread by ${pct(median)} (median) and at most ${pct(maxOf(spreads, 0))}, max minus min over the mean. A ratio between two figures can move by about the sum of their spreads from one run to the next; a difference smaller than that is not one.`, '');
  }
  lines.push(`The load generators (autocannon, and the open model's own) run in the benchmark's process, not pinned to a core of their own: on ${m.cores} cores, pinning one (taskset) would leave ${m.cores - 1} for every server and store of both phases, and measure that instead.`, '');
  lines.push(`Topology: ${results.topology}. **The load generator, every server and every store share these ${m.cores} cores**: absolute figures are lower than on dedicated machines, and ratios measured in the same run are what to compare. A range (low–high) spans the rounds; a target inside it is marked "within noise".`, '');

  const failedScenarios = results.failedScenarios ?? [];
  if (failedScenarios.length > 0) {
    lines.push('## Scenarios that failed', '', 'These scenarios ended with an error and measured nothing in this run; every other section is complete.', '', '| scenario | error |', '|---|---|');
    for (const failed of failedScenarios) lines.push(`| ${failed.scenario} | ${failed.error.replace(/\|/g, '\\|').replace(/\n/g, ' ')} |`);
    lines.push('');
  }

  lines.push('## Headlines', '', '| what | measured | target | verdict | why |', '|---|---:|---:|---|---|');
  for (const h of results.headlines) lines.push(`| ${h.name} | ${formatHeadline(h)} | ${formatTarget(h)} | ${VERDICT[h.verdict]} | ${h.explanation} |`);
  lines.push('');

  lines.push("## The seeds' expectations beside the measurements", '', '| what | expected | measured |', '|---|---|---:|');
  for (const s of SEEDS) {
    const value = s.figure(results);
    lines.push(`| ${s.what} | ${s.expected} | ${value === undefined ? 'not measured' : `${n(value)} ${s.unit}`} |`);
  }
  lines.push('', 'The seeds guessed from typical deployments; here one small machine serves everything, the mockup is not slow per request (it does little), and its real limits are elsewhere: one process, state lost on restart, nothing shared. The measured figures say what this code does on this machine; the tables below show where each difference comes from.', '');

  if (results.throughput.length > 0) {
    append(lines, [
      '## Throughput and latency',
      '',
      `See how far each phase is from a bare server answering the same bytes, and phase 1 beside phase 2 on each operation. The baselines say what the framework costs, phase 2 direct against through nginx what the hop costs, and each stateful operation what its store costs; latencies are measured to the microsecond (printed to the hundredth of a millisecond), over ${results.load.connections} connections that each send their next request once answered (a closed model).`,
      '',
      ...chartsOf('throughput'),
    ]);
    lines.push('| operation | target | req/s | spread | p50 ms | p90 ms | p99 ms | non-2xx | errors | contract sample |', '|---|---|---:|---:|---:|---:|---:|---:|---:|---|');
    for (const r of results.throughput) {
      const sample = r.contractSample.checked === 0 ? '—' : r.contractSample.violations.length === 0 ? `${r.contractSample.checked} ok` : `${r.contractSample.violations.length} of ${r.contractSample.checked} off`;
      lines.push(`| ${r.endpoint} | ${r.target} | ${n(r.requestsPerSecond)} | ${pct(r.spread)} | ${n(r.p50Ms, 2)} | ${n(r.p90Ms, 2)} | ${n(r.p99Ms, 2)} | ${r.non2xx} | ${r.errors} | ${sample} |`);
    }
    lines.push('');
  }

  const sweep = results.sweep ?? [];
  // A part of the throughput section: the same servers, the same read.
  if (sweep.length > 0 && results.throughput.length > 0) {
    append(lines, [
      '### Connections against latency: the stateful read',
      '',
      'Throughput grows with connections until the server is saturated; from there more connections only queue, and latency grows instead.',
      '',
      '| target | connections | req/s | p50 ms | p99 ms | non-2xx | errors |',
      '|---|---:|---:|---:|---:|---:|---:|',
      ...sweep.map((p) => `| ${p.target} | ${p.connections} | ${n(p.requestsPerSecond)} | ${n(p.p50Ms, 2)} | ${n(p.p99Ms, 2)} | ${p.non2xx} | ${p.errors} |`),
      '',
    ]);
  }

  if (results.peers && results.peers.length > 0) {
    append(lines, [
      '## Beside the common session stacks',
      '',
      'See what phase 2 does a session read and an increment in, against the stacks most Node apps use, and what each keeps of concurrent changes. Speed alone would flatter the peers: they lose most concurrent updates, which phase 2 is built not to.',
      '',
      ...chartsOf('peers'),
      "The same session read and increment on phase 2 (one instance), phase 1, and the two session stacks most Node apps use, on phase 2's Redis, every connection on one shared session. The peers read the whole session when a request starts and write it whole when it ends, so concurrent increments overwrite each other, and a request still running when its user logs out can write the session back.",
      '',
      '| stack | read req/s | read p99 ms | increment req/s | increment p99 ms | increments acknowledged | counter read back | lost | alive after logout |',
      '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
    ]);
    for (const p of results.peers) {
      lines.push(`| ${p.target} | ${n(p.read.requestsPerSecond)} | ${n(p.read.p99Ms, 2)} | ${n(p.increment.requestsPerSecond)} | ${n(p.increment.p99Ms, 2)} | ${n(p.acknowledged)} | ${n(p.finalValue)} | ${n(p.lostUpdates)} (${p.acknowledged === 0 ? '—' : pct(p.lostUpdates / p.acknowledged)}) | ${p.resurrected} of ${p.trials} |`);
    }
    lines.push('', `*Lost* is what the counter fell short of the increments answered 200, over ${results.load.roundSeconds} s of ${results.load.connections} connections on one session. *Alive after logout*: a logout sent while four increments of the same session were in flight, and the session answering afterwards. Phase 2 waits for a replica (WAIT 1) on every change; the peers do not.`, '');
  }

  const arrival = results.arrival ?? [];
  if (arrival.length > 0) {
    append(lines, [
      '## Open model: requests arriving at a set rate, and the knee',
      '',
      `See the rate each way in sustains before its p99 passes ${ARRIVAL_KNEE.p99Ms} ms (the knee), and what happens past it. Requests arrive on a schedule whatever the server's pace, as users do, and each latency counts from when its request was due, so a server that falls behind is charged for its queue (coordinated omission corrected); then k6's load shapes, scaled to each knee.`,
      '',
      ...chartsOf('arrival'),
      ...arrivalLines(arrival),
    ]);
  }

  if (results.capacity.length > 0) {
    append(lines, [
      '## Session capacity',
      '',
      'See whether reading a session slows down as the store fills, and what each session costs in memory. Phase 1 holds its sessions in its own heap, so every session adds to what its one process must keep; Redis holds them outside the app, counted to the byte.',
      '',
      ...chartsOf('capacity'),
    ]);
    lines.push('| phase | live sessions | memory | bytes per session | read p50 ms | read p99 ms | created/s | creation errors |', '|---|---:|---:|---:|---:|---:|---:|---:|');
    for (const c of results.capacity) {
      for (const s of c.steps) lines.push(`| ${c.phase} | ${n(s.sessions)} | ${mib(s.memoryBytes)} | ${s.bytesPerSession === null ? '—' : n(s.bytesPerSession)} | ${n(s.readP50Ms, 2)} | ${n(s.readP99Ms, 2)} | ${n(s.createPerSecond)} | ${s.createErrors} |`);
    }
    lines.push('', `Memory: ${results.capacity.map((c) => `${c.phase}: ${c.memorySource}, ${mib(c.baselineMemoryBytes)} before the first session`).join('; ')}. Redis counts the memory it holds exactly; a V8 heap reading also holds garbage not yet collected (the lowest of three readings is taken), so phase 1's figure per session is given only from ${n(HEAP_MIN_SESSIONS)} sessions on (a dash below, or where memory did not grow).`, '');
  }

  const shards = results.shards ?? [];
  if (shards.length > 0) {
    append(lines, [
      '## Sessions across shards: phase 2 on a Redis Cluster',
      '',
      ...chartsOf('shards'),
      'The same sessions on a Redis Cluster of three shards, each a primary and a replica, one phase 2 instance in front (`npm run up -- --redis cluster`; ADR 12). Each session\'s keys are on one of 256 buckets\' slots, so every primary holds and serves about a third of them, and its memory grows with its share.',
      '',
      '| live sessions | shard primary | slots | keys | share | memory | grown since empty | read p99 ms | created/s | creation errors |',
      '|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|',
    ]);
    for (const step of shards) {
      const total = step.shards.reduce((sum, shard) => sum + shard.keys, 0);
      for (const shard of step.shards) lines.push(`| ${n(step.sessions)} | ${shard.primary} | ${n(shard.slots)} | ${n(shard.keys)} | ${total === 0 ? '—' : pct(shard.keys / total)} | ${mib(shard.usedMemoryBytes)} | ${mib(shard.grownBytes)} | ${n(step.readP99Ms, 1)} | ${n(step.createPerSecond)} | ${step.createErrors} |`);
    }
    lines.push('', 'Keys are every key a primary holds: the sessions, and on one shard the rate limits\' (none here: the benchmark turns the sign-in limit off). Memory is Redis\'s own used_memory on each primary.', '');
  }

  // Both phases run under the one budget: the first row's is the heading's.
  const [budgeted] = results.budget;
  if (budgeted) {
    lines.push(`## The same memory budget: ${mib(budgeted.budgetBytes)}`, '', '| phase | limit | sessions created | creation failures | held at the end | evicted | what happened |', '|---|---|---:|---:|---:|---:|---|');
    for (const b of results.budget) lines.push(`| ${b.phase} | ${b.limit} | ${n(b.sessionsCreated)} | ${n(b.creationFailures)} | ${n(b.sessionsHeld)} | ${n(b.evicted)} | ${b.outcome} |`);
    lines.push('', "Phase 1's budget also holds the app itself; Redis's holds sessions only. Redis could instead refuse new sessions at the limit (`noeviction`: 503 to new sign-ins, nobody logged out); `volatile-lru` logs out the idlest users instead. Phase 1 has no such choice: a process over its heap limit dies.", '');
  }

  if (results.failover.length > 0) {
    append(lines, [
      '## Failover under a steady load',
      '',
      'See each fault as the clients lived it, per tenth of a second: when answers stopped, how long they failed, and whether anything acknowledged was lost. The durability count is what matters most: what the server said yes to, read back afterwards.',
      '',
      ...chartsOf('failover'),
      'A mixed load runs through each fault, and beside it writers each increment a session of their own. Afterwards every session is read back: *acknowledged* counts the increments answered 200, *lost* what the counters fall short of that (the Jepsen-style check).',
      '',
      '| phase | fault | requests | failed | failed by method | resent by client | error window ms | sessions lost | writes acknowledged | counters read back | acknowledged writes lost | back after ms |',
      '|---|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|',
    ]);
    for (const f of results.failover) {
      const byMethod = Object.entries(f.failedByMethod ?? {}).map(([method, n]) => `${method} ${n}`).join(', ') || '—';
      const w = f.writes;
      lines.push(`| ${f.phase} | ${f.fault} | ${f.requests} | ${f.failed} | ${byMethod} | ${f.resent} | ${f.errorWindowMs} | ${f.sessionsLost + (w?.sessionsLost ?? 0)} of ${f.sessionsKnown + (w?.sessions ?? 0)} | ${w?.acknowledged ?? '—'} | ${w?.finalValue ?? '—'} | ${w?.acknowledgedLost ?? '—'} | ${f.recoveredAfterMs ?? 'did not'} |`);
    }
    append(lines, ['', ...results.failover.map((f) => `- ${f.phase}, ${f.fault}: ${f.notes.join('; ') || '—'}`), '']);
    lines.push('Async replication can still lose a write: Redis answers before its replicas have a change, so a primary that dies loses what it had not yet sent. Phase 2 acknowledges a session change only after WAIT 1 (a replica has it); a change that timed out waiting was answered 503 and may or may not survive.', '');
  }

  if (results.cutover && results.cutover.length > 0) {
    append(lines, [
      '## The cutover from phase 1 to phase 2',
      '',
      ...chartsOf('cutover'),
      "Virtual users, each with a session of their own started on phase 1, keep changing it while nginx sends a growing share of users to phase 2; a session moves to the phase that answers its user, on that user's next request (ADR 11). At each step's end every counter is read back and compared with what its user was told: lost must stay 0, forward and back.",
      '',
    ]);
    for (const run of results.cutover) {
      const f = run.final;
      lines.push(
        `### ${run.name === 'forward' ? `Forward: ${run.planned.join(' → ')} %` : `Rollback: a canary with ${run.fault ?? 'no fault'}`}, ${run.users} users`,
        '',
        '| phase 2 share of users | seconds | requests | failed (5xx or none) | p99 ms | answered by phase 2 | sessions lost | acknowledged changes lost |',
        '|---:|---:|---:|---:|---:|---:|---:|---:|',
      );
      for (const step of run.steps) lines.push(`| ${step.share} % | ${n(step.seconds, 1)} | ${n(step.requests)} | ${n(step.failures)} | ${step.p99Ms === null ? '—' : n(step.p99Ms, 1)} | ${n(step.servedByPhase2, 1)} % | ${step.sessionsLost} | ${step.acknowledgedLost} |`);
      lines.push(
        '',
        `${run.rollback ? `Rolled back at ${n(run.rollback.atMs / 1000, 1)} s by ${run.rollback.triggers.join(', ')}.` : 'No trigger fired.'} ${run.moved} of ${run.users} sessions were answered by phase 2 at some point; ${run.handovers} handovers between the phases in all. Read back at the end: ${n(f.acknowledged)} increments acknowledged, ${f.sessionsLost} sessions lost, ${f.acknowledgedLost} acknowledged lost, ${f.unreadable} unreadable, ${f.overCounted} counted twice.`,
        '',
        `Events: ${run.events.map((e) => `${n(e.atMs / 1000, 1)} s ${e.what}`).join('; ')}.`,
        '',
      );
    }
    lines.push("A request answered 503 `SESSION_MOVING` or `DEPENDENCY_UNAVAILABLE` is sent again by the users with its Idempotency-Key: the failures above are attempts, and a retried change is applied at most once. The share of requests phase 2 answers differs from its share of users: users whose requests fail wait before retrying, and send fewer.", '');
  }

  if (previous) {
    lines.push(`## Compared with the previous run (${previous.startedAt.slice(0, 16).replace('T', ' ')}, ${previous.profile} profile)`, '', '| headline | before | now |', '|---|---:|---:|');
    for (const h of results.headlines) {
      const before = previous.headlines.find((p) => p.name === h.name);
      lines.push(`| ${h.name} | ${before ? formatHeadline(before) : '—'} | ${formatHeadline(h)} |`);
    }
    lines.push('');
  }

  if (results.labCost) {
    const lab = results.labCost;
    const [off, ...on] = lab.stages;
    lines.push(
      '## What the live lab costs',
      '',
      `The same ${lab.operation} with the lab off, with its monitoring (Prometheus and its exporters scraping ${lab.scrapeTargets} targets every ${lab.scrapeIntervalSeconds} s), and with the virtual users of \`npm run up\`'s console too (in a process of their own). Ratios are against the lab off.`,
      '',
      `| phase | ${lab.stages.map((s) => `${s.name} req/s`).join(' | ')} | ${on.map((s) => `${s.name} ÷ off`).join(' | ')} | ${lab.stages.map((s) => `p99 ms, ${s.name}`).join(' | ')} |`,
      `|---|${lab.stages.map(() => '---:').join('|')}|${on.map(() => '---:').join('|')}|${lab.stages.map(() => '---:').join('|')}|`,
    );
    for (const row of off.rows) {
      // A stage that did not measure this target (it failed there) shows a dash, not a zero.
      const at = (stage: LabCostStage, show: (measured: LabCostStage['rows'][number]) => string) => {
        const measured = stage.rows.find((r) => r.target === row.target);
        return measured ? show(measured) : '—';
      };
      lines.push(`| ${row.target} | ${lab.stages.map((s) => at(s, (r) => n(r.requestsPerSecond))).join(' | ')} | ${on.map((s) => at(s, (r) => `${n(r.requestsPerSecond / row.requestsPerSecond, 2)}×`)).join(' | ')} | ${lab.stages.map((s) => at(s, (r) => n(r.p99Ms, 1))).join(' | ')} |`);
    }
    const last = lab.stages.reduce((_, stage) => stage);
    lines.push(
      '',
      `The lab's processes while measured (share of one core, resident memory): ${last.processes.map((p) => `${p.name} ${n(p.cpuPercentOfOneCore, 1)} %, ${mib(p.rssBytes)}`).join('; ')}. Virtual users: ${lab.crowd.map((c) => `${n(c.users)} on ${c.phase} sending ${n(c.requestsPerSecond, 1)} req/s`).join('; ')}. On ${m.cores} cores shared by the load generator, the phases, their stores and the lab, every core the lab uses is one the measured phase does not get; a ratio near 1× means the lab costs less than the rounds' noise.`,
      '',
    );
  }
  return lines.join('\n');
}

/**
 * The lab console in the browser: draws what the harness streams (server-sent events from
 * /events) with uPlot, and sends the fault buttons' commands to the same server. Compiled by
 * esbuild when `npm run up` starts (types stripped, nothing bundled); uPlot is loaded beside it.
 */
import type { ConsoleInit, FaultButton, LabSnapshot, PhaseDescription, TimelineEntry } from '../view.ts';

/** Okabe–Ito colours and dash patterns: series stay apart in grey print and for colour-blind eyes. */
const PALETTE = ['#0072b2', '#e69f00', '#009e73', '#cc79a7', '#56b4e9', '#d55e00', '#000000'];
const DASHES: number[][] = [[], [12, 6], [3, 4], [14, 4, 3, 4], [8, 8]];
const WINDOW_SECONDS = 300;

let history: LabSnapshot[] = [];
let phases: PhaseDescription[] = [];
const charts: { update(): void }[] = [];

function element<K extends keyof HTMLElementTagNameMap>(tag: K, attributes: Record<string, string> = {}, ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  node.append(...children);
  return node;
}

function byId(id: string): HTMLElement {
  const found = document.getElementById(id);
  if (!found) throw new Error(`the page has no #${id}`);
  return found;
}

function formatSeconds(seconds: number | null): string {
  if (seconds === null) return '–';
  return seconds < 1 ? `${(seconds * 1000).toFixed(seconds < 0.01 ? 2 : 1)} ms` : `${seconds.toFixed(2)} s`;
}

/** An axis label: milliseconds past a second read as seconds; no more than three significant digits. */
function tick(value: number, unit: string): string {
  if (unit === ' ms' && value >= 1000) return `${String(Number((value / 1000).toPrecision(3)))} s`;
  return `${String(Number(value.toPrecision(3)))}${unit}`;
}

interface SeriesSpec {
  label: string;
  read(snapshot: LabSnapshot): number | null;
}

/** A uPlot chart over the history, one line per series, redrawn on every snapshot. */
function chart(parent: HTMLElement, id: string, title: string, unit: string, series: SeriesSpec[]): void {
  const holder = element('figure', { class: 'chart', id, 'data-samples': '0', 'aria-label': title });
  parent.append(holder);
  const width = () => Math.max(320, holder.clientWidth || parent.clientWidth - 20);
  const plot = new uPlot({
    title,
    width: width(),
    height: 220,
    scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(1, max * 1.1)] } },
    axes: [
      { font: '15px system-ui', stroke: '#111' },
      { font: '15px system-ui', stroke: '#111', size: 80, values: (_u, ticks) => ticks.map((v) => tick(v, unit)) },
    ],
    // The latest values are in the figures above the charts; the legend only names the lines.
    legend: { live: false },
    series: [
      {},
      ...series.map((s, i) => ({ label: s.label, stroke: PALETTE[i % PALETTE.length] ?? '#000', width: 3, dash: DASHES[i % DASHES.length] ?? [], spanGaps: false })),
    ],
  }, [[], ...series.map(() => [])], holder);
  window.addEventListener('resize', () => { plot.setSize({ width: width(), height: 220 }); });
  charts.push({
    update() {
      const data: uPlot.AlignedData = [history.map((s) => s.t / 1000), ...series.map((spec) => history.map((s) => spec.read(s)))];
      plot.setData(data);
      holder.dataset.samples = String(history.length);
    },
  });
}

/** A row of large figures, each found again by its key (`data-figure`) to be updated. */
function figures(label: string, keys: [key: string, label: string][]): HTMLElement {
  const list = element('ul', { class: 'figures', 'aria-label': label });
  for (const [key, text] of keys) list.append(element('li', { class: 'figure', 'data-figure': key, 'data-value': '' }, element('span', { class: 'value' }, '–'), element('span', { class: 'label' }, text)));
  return list;
}

function setFigure(root: ParentNode, key: string, value: number | null, text?: string): void {
  const node = root.querySelector<HTMLElement>(`[data-figure="${key}"]`);
  if (!node) return;
  node.dataset.value = value === null ? '' : String(value);
  const shown = node.querySelector('.value');
  if (shown) shown.textContent = text ?? (value === null ? '–' : String(value));
}

function buildPhase(phase: PhaseDescription): HTMLElement {
  const column = element('article', { class: 'phase', id: `phase-${phase.name}`, 'aria-labelledby': `title-${phase.name}` });
  column.append(element('h2', { id: `title-${phase.name}` }, phase.title), element('p', { class: 'lesson' }, phase.lesson));

  column.append(element('h3', {}, 'Virtual users'));
  column.append(figures(`${phase.title}: virtual users`, [
    ['signed-in', 'stateful, still signed in'],
    ['signed-out', 'stateful, signed out'],
    ['failing', 'stateful, failing'],
    ['working', 'stateless, working'],
    ['stateless-failing', 'stateless, failing'],
  ]));

  column.append(element('h3', {}, 'Instances (X-Served-By)'));
  const tiles = element('ul', { class: 'tiles', 'aria-label': `${phase.title}: instances` });
  for (const id of phase.instances) {
    tiles.append(element('li', { class: 'tile', 'data-instance': id, 'data-status': 'unknown' }, `${id} `, element('span', { class: 'state' }, 'UNKNOWN'), element('span', { class: 'rate' }, '')));
  }
  column.append(tiles);

  column.append(figures(`${phase.title}: service`, [
    ['p50', 'p50 (5 s)'],
    ['p99', 'p99 (5 s)'],
    ['sessions', 'live sessions'],
    ['sessions-lost', 'sessions lost so far'],
    ['changes-lost', 'acknowledged changes lost'],
  ]));

  const crowd = (read: (s: LabSnapshot) => number | undefined) => (s: LabSnapshot) => read(s) ?? null;
  const view = (s: LabSnapshot) => s.phases[phase.name];
  chart(column, `chart-crowd-${phase.name}`, 'Virtual users', '', [
    { label: 'signed in', read: crowd((s) => view(s)?.crowd?.stateful['signed-in']) },
    { label: 'signed out', read: crowd((s) => view(s)?.crowd?.stateful['signed-out']) },
    { label: 'failing (stateful)', read: crowd((s) => view(s)?.crowd?.stateful.failing) },
    { label: 'failing (stateless)', read: crowd((s) => view(s)?.crowd?.stateless.failing) },
  ]);
  chart(column, `chart-requests-${phase.name}`, 'Requests per second, by instance', '/s', phase.instances.map((id) => ({
    label: id,
    read: (s: LabSnapshot) => view(s)?.instances.find((i) => i.id === id)?.requestsPerSecond ?? null,
  })));
  chart(column, `chart-errors-${phase.name}`, 'Server errors (5xx) per second, by instance', '/s', phase.instances.map((id) => ({
    label: id,
    read: (s: LabSnapshot) => view(s)?.instances.find((i) => i.id === id)?.errorsPerSecond ?? null,
  })));
  chart(column, `chart-latency-${phase.name}`, 'Response time', ' ms', [
    { label: 'p50', read: (s) => { const v = view(s)?.p50Seconds; return v === undefined || v === null ? null : v * 1000; } },
    { label: 'p99', read: (s) => { const v = view(s)?.p99Seconds; return v === undefined || v === null ? null : v * 1000; } },
  ]);
  return column;
}

function renderLatest(): void {
  const latest = history.at(-1);
  if (!latest) return;
  for (const phase of phases) {
    const root = document.getElementById(`phase-${phase.name}`);
    const view = latest.phases[phase.name];
    if (!root || !view) continue;
    const crowd = view.crowd;
    setFigure(root, 'signed-in', crowd?.stateful['signed-in'] ?? null);
    setFigure(root, 'signed-out', crowd?.stateful['signed-out'] ?? null);
    setFigure(root, 'failing', crowd?.stateful.failing ?? null);
    setFigure(root, 'working', crowd?.stateless.working ?? null);
    setFigure(root, 'stateless-failing', crowd?.stateless.failing ?? null);
    setFigure(root, 'sessions-lost', crowd?.sessionsLost ?? null);
    setFigure(root, 'changes-lost', crowd?.acknowledgedLost ?? null);
    setFigure(root, 'p50', view.p50Seconds, formatSeconds(view.p50Seconds));
    setFigure(root, 'p99', view.p99Seconds, formatSeconds(view.p99Seconds));
    setFigure(root, 'sessions', view.sessions);
    for (const instance of view.instances) {
      const tile = root.querySelector<HTMLElement>(`[data-instance="${instance.id}"]`);
      if (!tile) continue;
      tile.dataset.status = instance.status;
      const state = tile.querySelector('.state');
      if (state) state.textContent = instance.status.toUpperCase();
      const rate = tile.querySelector('.rate');
      if (rate) rate.textContent = instance.status === 'up' ? ` ${instance.requestsPerSecond.toFixed(1)} req/s` : '';
    }
  }
  const dependencies = byId('dependencies');
  const tiles: [string, string][] = [
    ...latest.redis.map((node): [string, string] => [`Redis ${node.name}`, node.role]),
    ['PostgreSQL', latest.postgres],
    ['nginx', latest.nginx],
    ['Prometheus', latest.prometheus],
  ];
  dependencies.replaceChildren(...tiles.map(([name, status]) => element('li', { class: 'tile', 'data-dependency': name, 'data-status': status }, `${name} `, element('span', { class: 'state' }, status.toUpperCase()))));
  const alerts = byId('alerts');
  alerts.dataset.count = String(latest.alerts.length);
  alerts.textContent = latest.alerts.length === 0 ? 'No alert firing.' : `Alerts firing: ${latest.alerts.join(', ')}`;
  for (const c of charts) c.update();
}

function addTimeline(entry: TimelineEntry): void {
  const list = byId('timeline');
  const time = new Date(entry.t).toLocaleTimeString([], { hour12: false });
  list.prepend(element('li', { 'data-kind': entry.kind }, element('time', { datetime: new Date(entry.t).toISOString() }, time), entry.text));
}

function buildButtons(buttons: FaultButton[]): void {
  const groups = new Map<string, FaultButton[]>();
  for (const b of buttons) groups.set(b.group, [...(groups.get(b.group) ?? []), b]);
  const container = byId('fault-groups');
  const status = byId('fault-status');
  container.replaceChildren(...[...groups].map(([group, members]) => {
    const list = element('ul');
    for (const b of members) {
      const button = element('button', { type: 'button', 'data-action': b.action, ...(b.target ? { 'data-target': b.target } : {}) }, b.label);
      button.addEventListener('click', () => { void runFault(b, status); });
      list.append(element('li', {}, button));
    }
    return element('div', { class: 'fault-group', role: 'group', 'aria-label': group }, element('h3', {}, group), list);
  }));
}

async function runFault(button: FaultButton, status: HTMLElement): Promise<void> {
  const all = [...document.querySelectorAll<HTMLButtonElement>('#fault-groups button')];
  for (const b of all) b.disabled = true;
  status.textContent = `Running “${button.label}”… watching until it serves again.`;
  try {
    const response = await fetch(`/faults/${button.action}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(button.target ? { target: button.target } : {}),
    });
    const body = (await response.json()) as { detail?: string; recoveredAfterMs?: number | null };
    status.textContent = response.ok
      ? `“${button.label}” done${typeof body.recoveredAfterMs === 'number' ? `: served again after ${String(body.recoveredAfterMs)} ms` : ''}.`
      : `“${button.label}” refused: ${body.detail ?? `HTTP ${String(response.status)}`}`;
  } catch (error) {
    status.textContent = `“${button.label}” got no answer: ${error instanceof Error ? error.message : String(error)}`;
  } finally {
    for (const b of all) b.disabled = false;
  }
}

function connect(): void {
  const connection = byId('connection');
  const events = new EventSource('/events');
  events.addEventListener('init', (event) => {
    const init = JSON.parse((event as MessageEvent<string>).data) as ConsoleInit;
    phases = init.phases;
    history = init.history;
    charts.length = 0;
    byId('phases').replaceChildren(...init.phases.map(buildPhase));
    byId('links').replaceChildren(...Object.entries(init.links).map(([name, url]) => element('li', {}, element('a', { href: url }, name))));
    buildButtons(init.buttons);
    byId('timeline').replaceChildren();
    for (const entry of init.timeline) addTimeline(entry);
    connection.dataset.state = 'live';
    connection.textContent = 'Live, every second';
    renderLatest();
  });
  events.addEventListener('snapshot', (event) => {
    history.push(JSON.parse((event as MessageEvent<string>).data) as LabSnapshot);
    const cutoff = Date.now() - WINDOW_SECONDS * 1000;
    while ((history[0]?.t ?? Infinity) < cutoff) history.shift();
    renderLatest();
  });
  events.addEventListener('timeline', (event) => { addTimeline(JSON.parse((event as MessageEvent<string>).data) as TimelineEntry); });
  events.addEventListener('error', () => {
    connection.dataset.state = 'lost';
    connection.textContent = 'Connection lost: is npm run up still running? Retrying…';
  });
}

connect();

/**
 * What the console's server streams to its page (server-sent events): shared by ./console.ts and
 * ./page/console.ts, and nothing else, so the page's program needs no Node types.
 */
export type Status = 'up' | 'down' | 'unknown';
export type RedisRole = 'primary' | 'replica' | 'down' | 'unknown';
export type StatefulState = 'signed-in' | 'signed-out' | 'failing';
export type StatelessState = 'working' | 'failing';

export interface CrowdCounts {
  stateful: Record<StatefulState, number>;
  stateless: Record<StatelessState, number>;
  /** Sessions the server forgot while their user was using them. */
  sessionsLost: number;
  /** Increments answered 200 that the server no longer holds (including those of lost sessions). */
  acknowledgedLost: number;
  /** Requests sent, and those that got no answer or a 5xx. */
  requests: number;
  failures: number;
}

export interface PhaseView {
  instances: { id: string; status: Status; requestsPerSecond: number; errorsPerSecond: number }[];
  p50Seconds: number | null;
  p99Seconds: number | null;
  sessions: number | null;
  crowd: CrowdCounts | null;
}

export interface LabSnapshot {
  /** Epoch milliseconds. */
  t: number;
  prometheus: Status;
  phases: Record<string, PhaseView>;
  redis: { name: string; role: RedisRole }[];
  postgres: Status;
  nginx: Status;
  alerts: string[];
}

export interface TimelineEntry {
  t: number;
  kind: 'fault' | 'result' | 'change';
  text: string;
}

export interface FaultButton {
  action: string;
  target?: string;
  label: string;
  group: string;
}

export interface PhaseDescription {
  name: string;
  /** The Prometheus job that scrapes it (prometheus.yml): `up` is labelled by job, not by phase. */
  job: string;
  title: string;
  /** One line on what this phase teaches. */
  lesson: string;
  instances: string[];
}

/** The first event a page receives: what to draw, and the history so far. */
export interface ConsoleInit {
  phases: PhaseDescription[];
  redisNodes: string[];
  buttons: FaultButton[];
  links: Record<string, string>;
  history: LabSnapshot[];
  timeline: TimelineEntry[];
}

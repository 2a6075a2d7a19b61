/**
 * What a command left running, found the way an operator would look: every process on the machine
 * in the session the test started the command in. The test starts it as a session leader
 * (`detached`); every process it starts, and theirs, stays in that session whoever its parent is
 * now (redis-server, nginx, PostgreSQL and the phases start none of their own), so the session id
 * finds them after the command is gone. (An environment variable would not: redis-server and
 * nginx write their process titles over the memory /proc/<pid>/environ reads.)
 */
import { readdirSync, readFileSync } from 'node:fs';

/** The processes alive now in the session `sessionId`, but not its zombies: pid and command line. */
export function processesInSession(sessionId: number): { pid: number; command: string }[] {
  const found: { pid: number; command: string }[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // After the command name in parentheses (which may hold spaces): state, ppid, pgrp, session.
      const [state, , , session] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(session) !== sessionId || state === 'Z') continue;
      found.push({ pid: Number(entry), command: readFileSync(`/proc/${entry}/cmdline`, 'utf8').replaceAll('\0', ' ').trim() });
    } catch {
      // Gone between the listing and the read.
    }
  }
  return found;
}

/** Waits, with a generous bound, until nothing runs in the session; what is still there if not. */
export async function leftInSession(sessionId: number, timeoutMs = 30_000): Promise<{ pid: number; command: string }[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const left = processesInSession(sessionId);
    if (left.length === 0 || Date.now() > deadline) return left;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

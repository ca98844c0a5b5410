import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second of /proc's CPU times (USER_HZ: 100 on Linux). */
const TICKS_PER_SECOND = 100;

/** Each live process's CPU time so far (user + system, in ticks) and its command name. */
export type CpuSnapshot = ReadonlyMap<number, { readonly command: string; readonly ticks: number }>;

export function cpuSnapshot(): CpuSnapshot {
  const snapshot = new Map<number, { command: string; ticks: number }>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) {
      continue;
    }
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // The command is in parentheses and may hold spaces; the fields after it are space-separated.
      const command = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      snapshot.set(Number(entry), { command, ticks: Number(fields[11]) + Number(fields[12]) });
    } catch {
      // The process ended between the listing and the read.
    }
  }
  return snapshot;
}

/**
 * CPU seconds each kind of process used between two snapshots, by the name `kind` gives it: a
 * process that started in between counts from zero, one that ended is not counted (the bench's
 * worker, broker and database connections live through the stages it measures).
 */
export function cpuSecondsBetween(before: CpuSnapshot, after: CpuSnapshot, kind: (pid: number, command: string) => string): Record<string, number> {
  const seconds: Record<string, number> = {};
  for (const [pid, { command, ticks }] of after) {
    const name = kind(pid, command);
    seconds[name] = (seconds[name] ?? 0) + (ticks - (before.get(pid)?.ticks ?? 0)) / TICKS_PER_SECOND;
  }
  return seconds;
}

/** CPU seconds so far of a process's main thread alone (its JavaScript thread, for Node), without its helper threads. */
export function mainThreadCpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/task/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

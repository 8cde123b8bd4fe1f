/**
 * CPU time and resident memory of a whole process tree, read from /proc (Linux only).
 *
 * A server under test may be a wrapper that spawns the real runtime, or a runtime with helper
 * processes, so every figure covers the root process and all its descendants. CPU time is
 * utime + stime (plus the cutime + cstime of children already reaped), in milliseconds.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ: 100 on every Linux that matters). */
const TICKS_PER_SECOND = 100;
const PAGE_SIZE = 4096;

interface ProcStat {
  pid: number;
  ppid: number;
  cpuTicks: number;
  rssPages: number;
}

function readStat(pid: number): ProcStat | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'latin1');
  } catch {
    return null; // gone in the meantime
  }
  // The command name (field 2) is in parentheses and may contain spaces: split after the last ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state); field N is fields[N - 3].
  const num = (field: number) => Number(fields[field - 3]);
  return {
    pid,
    ppid: num(4),
    cpuTicks: num(14) + num(15) + num(16) + num(17),
    rssPages: num(24),
  };
}

function allStats(): ProcStat[] {
  const stats: ProcStat[] = [];
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    const stat = readStat(pid);
    if (stat !== null) stats.push(stat);
  }
  return stats;
}

export interface TreeSample {
  /** Processes in the tree when sampled. */
  pids: number[];
  /** Total CPU time in milliseconds. */
  cpuMs: number;
  /** Total resident set size in bytes. */
  rssBytes: number;
}

/** Samples the tree rooted at `rootPid`; zeros if the root is gone. */
export function sampleTree(rootPid: number): TreeSample {
  const stats = allStats();
  const children = new Map<number, ProcStat[]>();
  let root: ProcStat | undefined;
  for (const stat of stats) {
    if (stat.pid === rootPid) root = stat;
    const siblings = children.get(stat.ppid);
    if (siblings === undefined) children.set(stat.ppid, [stat]);
    else siblings.push(stat);
  }
  const sample: TreeSample = { pids: [], cpuMs: 0, rssBytes: 0 };
  if (root === undefined) return sample;
  const pending = [root];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    sample.pids.push(next.pid);
    sample.cpuMs += (next.cpuTicks * 1000) / TICKS_PER_SECOND;
    sample.rssBytes += next.rssPages * PAGE_SIZE;
    pending.push(...(children.get(next.pid) ?? []));
  }
  return sample;
}

/** CPU time the whole machine spent busy (all cores, everything but idle and iowait), in ms. */
export function machineBusyMs(): number {
  const line = readFileSync('/proc/stat', 'latin1').split('\n', 1)[0]!;
  const [, user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).map(Number);
  return ((user! + nice! + system! + irq! + softirq! + steal!) * 1000) / TICKS_PER_SECOND;
}

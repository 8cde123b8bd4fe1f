/**
 * Resident memory of a server process and its descendants, from Linux's /proc: the fuzz suite
 * compares it before and after a run to catch a gross leak. `null` where /proc is not there.
 */
import { readFileSync } from 'node:fs';

function rssKiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1] ?? 0);
}

function children(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
      .split(/\s+/)
      .filter((id) => id !== '')
      .map(Number);
  } catch {
    return [];
  }
}

/** RSS in MiB of `pid` and every process below it (workerd runs under the Workers target's Node). */
export function treeRssMiB(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    let total = 0;
    const pending = [pid];
    while (pending.length > 0) {
      const next = pending.pop()!;
      total += rssKiB(next);
      pending.push(...children(next));
    }
    return total / 1024;
  } catch {
    return null;
  }
}

/** Whether the process still exists. */
export function isAlive(pid: number | undefined): boolean {
  if (pid === undefined) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

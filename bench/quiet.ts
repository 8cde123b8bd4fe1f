/**
 * The machine is shared (other test suites, other engineers): before each run, wait (bounded)
 * until the rest of the machine is nearly idle, and say how busy it was.
 */
import { machineBusyMs } from './proc-tree.ts';
import { sleep } from './timing.ts';

/** Cores the rest of the machine may keep busy for a run to start. */
export const QUIET_CORES = 0.25;
const SAMPLE_MS = 500;

/** CPU cores everything but this process used over the next `ms`. */
export async function otherLoad(ms = SAMPLE_MS): Promise<number> {
  const busy = machineBusyMs();
  const own = process.cpuUsage();
  const startedAt = performance.now();
  await sleep(ms);
  const ownUsage = process.cpuUsage(own);
  const other = machineBusyMs() - busy - (ownUsage.user + ownUsage.system) / 1000;
  return Math.max(0, other / (performance.now() - startedAt));
}

/** Waits until the other load falls below `QUIET_CORES`, at most `maxWaitMs`; returns the last reading. */
export async function waitForQuiet(maxWaitMs: number): Promise<number> {
  const until = performance.now() + maxWaitMs;
  let load = await otherLoad();
  while (load > QUIET_CORES && performance.now() < until) load = await otherLoad();
  return load;
}

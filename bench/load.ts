/**
 * A running load: worker loops that go on until told to stop, and the measurement window taken
 * while they run. The window reads the server's process-tree CPU time and the scenario's
 * operation counter at its start and end, so setup, warm-up and teardown are never counted.
 */
import { machineBusyMs, sampleTree } from './proc-tree.ts';
import type { LatencyRecorder } from './stats.ts';
import { sleep, withTimeout } from './timing.ts';

export interface WindowResult {
  ops: number;
  elapsedMs: number;
  /** Server process-tree CPU time in the window. */
  cpuMs: number;
  /** This load generator's own CPU time in the window. */
  clientCpuMs: number;
  /** CPU time everything else on the machine used in the window: the noise. */
  otherCpuMs: number;
}

export class Load {
  /** Worker loops check this and end their next iteration. */
  stopping = false;
  #error: Error | null = null;
  readonly #workers: Promise<void>[] = [];

  /** Runs a worker loop; its first error stops the whole load. */
  spawn(worker: () => Promise<void>): void {
    this.#workers.push(
      worker().catch((error: unknown) => {
        this.#error ??= error instanceof Error ? error : new Error(String(error));
        this.stopping = true;
      }),
    );
  }

  get error(): Error | null {
    return this.#error;
  }

  /** Stops the workers and waits (bounded) for them to finish; rethrows the first worker error. */
  async stop(timeoutMs = 15_000): Promise<void> {
    this.stopping = true;
    await withTimeout(Promise.all(this.#workers), timeoutMs, 'load workers to stop');
    if (this.#error !== null) throw this.#error;
  }

  /** Sleeps in small steps, failing fast when a worker failed. */
  async wait(ms: number): Promise<void> {
    const until = performance.now() + ms;
    for (let left = ms; left > 0; left = until - performance.now()) {
      if (this.#error !== null) throw this.#error;
      await sleep(Math.min(left, 100));
    }
    if (this.#error !== null) throw this.#error;
  }

  /** Warm up, then measure ops and server CPU over the window. */
  async measure(
    pid: number,
    counter: () => number,
    timing: { warmupMs: number; windowMs: number },
    latency?: LatencyRecorder,
  ): Promise<WindowResult> {
    await this.wait(timing.warmupMs);
    const startCpu = sampleTree(pid).cpuMs;
    const startClient = process.cpuUsage();
    const startBusy = machineBusyMs();
    const startOps = counter();
    const startAt = performance.now();
    if (latency) latency.recording = true;
    await this.wait(timing.windowMs);
    if (latency) latency.recording = false;
    const elapsedMs = performance.now() - startAt;
    const ops = counter() - startOps;
    const cpuMs = sampleTree(pid).cpuMs - startCpu;
    const client = process.cpuUsage(startClient);
    const clientCpuMs = (client.user + client.system) / 1000;
    const otherCpuMs = Math.max(0, machineBusyMs() - startBusy - cpuMs - clientCpuMs);
    return { ops, elapsedMs, cpuMs, clientCpuMs, otherCpuMs };
  }
}

/**
 * Starts a server under test as its own child process on 127.0.0.1 (`cluster/processes.ts` does
 * the work: piped output, SIGTERM then SIGKILL, every child killed when the benchmark exits),
 * waits for the line that says where it listens, and refuses one that listens elsewhere.
 */
import { type ChildHandle, killAllChildren, startProcess } from '../cluster/processes.ts';
import type { ServerSpec } from './servers.ts';

export interface RunningServer {
  url: string;
  pid: number;
  /** The last few KB the server printed, for error messages. */
  output(): string;
  stop(): Promise<void>;
}

export interface StartOptions {
  /** Extra arguments placed before the server's own (e.g. `--cpu-prof` for node). */
  runtimeArgs?: readonly string[];
  env?: Readonly<Record<string, string>>;
}

export async function startServer(
  spec: ServerSpec,
  cwd: string,
  options: StartOptions = {},
): Promise<RunningServer> {
  const child: ChildHandle = await startProcess(
    {
      name: spec.id,
      command: spec.command,
      args: [...(options.runtimeArgs ?? []), ...spec.args],
      cwd,
      // SOCKJS_MAX_SESSIONS: session opens at 15-20k/s, each kept for the 5 s disconnect delay,
      // would otherwise meet the demo servers' default bound of 100,000 (503s, a failed run);
      // sockjs-node has no such bound. Other servers ignore it.
      env: { HOST: '127.0.0.1', PORT: '0', SOCKJS_MAX_SESSIONS: '1000000', ...spec.env, ...options.env },
      // Whatever Node options the benchmark itself runs under are not the servers' (they run as in production).
      unsetEnv: ['NODE_OPTIONS'],
      ready: spec.ready,
      readyFrom: 'stdout',
      outputLimit: 8_000,
    },
    30_000,
  );
  const url = child.match![1]!.replace(/\/+$/, '');
  if (!url.startsWith('http://127.0.0.1:')) {
    await child.stop();
    throw new Error(`${spec.id}: refusing a server outside 127.0.0.1: ${url}`);
  }
  return { url, pid: child.pid, output: child.output, stop: () => child.stop() };
}

/** Stops every server still running (used on errors and interrupts). */
export const killAllServers = killAllChildren;

/**
 * Starts a server under test as its own child process on 127.0.0.1, waits for the line that
 * says where it listens, and stops it again (SIGTERM, then SIGKILL). Every child started here is
 * also killed when the benchmark process exits, whatever the reason.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import type { ServerSpec } from './servers.ts';

export interface RunningServer {
  url: string;
  pid: number;
  /** The last few KB the server printed, for error messages. */
  output(): string;
  stop(): Promise<void>;
}

const OUTPUT_LIMIT = 8_000;
const START_TIMEOUT_MS = 30_000;
const STOP_GRACE_MS = 5_000;

const children = new Set<ChildProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const child of children) child.kill('SIGKILL');
  });
}

export interface StartOptions {
  /** Extra arguments placed before the server's own (e.g. `--cpu-prof` for node). */
  runtimeArgs?: readonly string[];
  env?: Readonly<Record<string, string>>;
}

export function startServer(
  spec: ServerSpec,
  cwd: string,
  options: StartOptions = {},
): Promise<RunningServer> {
  installExitHook();
  const env: Record<string, string | undefined> = {
    ...process.env,
    HOST: '127.0.0.1',
    PORT: '0',
    ...spec.env,
    ...options.env,
  };
  delete env['NODE_TEST_CONTEXT'];
  delete env['NODE_OPTIONS'];
  const child = spawn(spec.command, [...(options.runtimeArgs ?? []), ...spec.args], {
    cwd,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => {
      children.delete(child);
      resolve();
    });
  });

  // Always drain both pipes: a server that logs must never block on a full pipe.
  let output = '';
  const keep = (text: string) => {
    output = (output + text).slice(-OUTPUT_LIMIT);
  };
  child.stdout!.setEncoding('utf8');
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', keep);

  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const done = await Promise.race([
      exited.then(() => true),
      new Promise<false>((resolve) => setTimeout(() => resolve(false), STOP_GRACE_MS).unref()),
    ]);
    if (!done) {
      child.kill('SIGKILL');
      await exited;
    }
  };

  return new Promise<RunningServer>((resolve, reject) => {
    let settled = false;
    let stdout = '';
    const fail = (reason: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      void stop().finally(() => reject(new Error(`${spec.id}: ${reason}\n${output}`)));
    };
    const timer = setTimeout(() => fail(`no listening line within ${START_TIMEOUT_MS} ms`), START_TIMEOUT_MS);
    child.stdout!.on('data', (text: string) => {
      keep(text);
      if (settled) return;
      stdout += text;
      const match = spec.ready.exec(stdout);
      if (match === null) return;
      settled = true;
      clearTimeout(timer);
      const url = match[1]!.replace(/\/+$/, '');
      if (!url.startsWith('http://127.0.0.1:')) {
        void stop();
        reject(new Error(`${spec.id}: refusing a server outside 127.0.0.1: ${url}`));
        return;
      }
      resolve({ url, pid: child.pid!, output: () => output, stop });
    });
    child.once('error', (error) => fail(`could not start: ${error.message}`));
    child.once('exit', (code, signal) => fail(`exited before listening (code ${code}, signal ${signal})`));
  });
}

/** Stops every server still running (used on errors and interrupts). */
export function killAllServers(): void {
  for (const child of children) child.kill('SIGKILL');
}

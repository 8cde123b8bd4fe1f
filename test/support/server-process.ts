/**
 * Runs a server under test as a real child process and finds its URL from the line it prints
 * when listening (`listening on http://127.0.0.1:<port>`).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface ServerCommand {
  command: string;
  args: readonly string[];
  /** Added to (and overriding) the test process's environment. */
  env?: Readonly<Record<string, string>>;
  cwd?: string;
  /** How long to wait for the listening line; 20 s unless told. */
  startTimeoutMs?: number;
}

export interface RunningServer {
  /** Base URL without a trailing slash, e.g. `http://127.0.0.1:41234`. */
  url: string;
  stop(): Promise<void>;
}

/** Something the conformance suite can run against. `env` adds to the defaults (e.g. timer knobs). */
export interface ConformanceTarget {
  name: string;
  start(env?: Readonly<Record<string, string>>): Promise<RunningServer>;
}

const LISTENING = /listening on (http:\/\/\S+)/;
const STDERR_LIMIT = 16_000;

const running = new Set<ChildProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Last resort: never leave a server behind when the test process exits without `stop()`.
  process.on('exit', () => {
    for (const child of running) child.kill('SIGKILL');
  });
}

export function startServer(server: ServerCommand): Promise<RunningServer> {
  installExitHook();
  const timeoutMs = server.startTimeoutMs ?? 20_000;
  const env: Record<string, string | undefined> = { ...process.env, ...server.env };
  // The node test runner marks its children with this; the server is not a test file.
  delete env['NODE_TEST_CONTEXT'];

  const child = spawn(server.command, [...server.args], {
    cwd: server.cwd,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => {
      running.delete(child);
      resolve();
    });
  });

  let stdout = '';
  let stderr = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (text: string) => {
    if (stderr.length < STDERR_LIMIT) stderr += text;
  });
  child.stdout!.setEncoding('utf8');

  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const killed = await Promise.race([
      exited.then(() => true),
      new Promise<false>((resolve) => setTimeout(() => resolve(false), 5000).unref()),
    ]);
    if (!killed) {
      child.kill('SIGKILL');
      await exited;
    }
  };

  const describeCommand = `${server.command} ${server.args.join(' ')}`;
  return new Promise<RunningServer>((resolve, reject) => {
    let settled = false;
    const fail = (reason: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      void stop().finally(() => {
        reject(new Error(`${reason}\ncommand: ${describeCommand}\nstdout:\n${stdout}\nstderr:\n${stderr}`));
      });
    };
    const timer = setTimeout(
      () => fail(`server did not print its listening line within ${timeoutMs} ms`),
      timeoutMs,
    );
    child.stdout!.on('data', (text: string) => {
      if (settled) return;
      stdout += text;
      const match = LISTENING.exec(stdout);
      if (match === null) return;
      settled = true;
      clearTimeout(timer);
      resolve({ url: match[1]!.replace(/\/+$/, ''), stop });
    });
    child.once('error', (error) => fail(`could not start the server: ${error.message}`));
    child.once('exit', (code, signal) =>
      fail(`server exited before listening (code ${code}, signal ${signal})`),
    );
  });
}

/** The repository root (this file is `test/support/server-process.ts`). */
export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

/** The Node demo server, `node --import tsx node/server.ts`, on an ephemeral port. */
export const nodeTarget: ConformanceTarget = {
  name: 'node',
  start: (env = {}) =>
    startServer({
      command: process.execPath,
      args: ['--import', 'tsx', 'node/server.ts'],
      cwd: repoRoot,
      env: { PORT: '0', ...env },
    }),
};

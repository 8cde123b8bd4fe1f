/**
 * Child processes with piped output, each ready when its output matches a pattern (or once it
 * has started), stopped with SIGTERM then SIGKILL. Every child still running when this process
 * exits is killed, whatever the reason. The one owner of these mechanics: the local cluster
 * (`cluster/cluster.ts`), the servers under test (`test/support/server-process.ts`) and the
 * benchmark's servers (`bench/server-process.ts`) all start their processes here.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import net from 'node:net';

export interface ProcessSpec {
  /** Short name for messages and output prefixes (`node`, `haproxy`, ...). */
  name: string;
  command: string;
  args: readonly string[];
  cwd?: string;
  /** Added to (and overriding) this process's environment. */
  env?: Readonly<Record<string, string>>;
  /** Variables removed from the child's environment (`NODE_TEST_CONTEXT` always is). */
  unsetEnv?: readonly string[];
  /** Ready when the output matches this (the match is returned); without it, ready once started. */
  ready?: RegExp;
  /** Which output `ready` is matched against: stdout and stderr as they come (default), or stdout only. */
  readyFrom?: 'output' | 'stdout';
  /** Called with every complete line the process prints. */
  onLine?: (line: string, stream: 'stdout' | 'stderr') => void;
  /**
   * How much output `output()` keeps (stdout and stderr as they come), in characters: the last
   * `outputLimit` (16 000 unless told), or the first with `keepOutput: 'first'` (for callers that
   * look for lines a server printed early).
   */
  outputLimit?: number;
  keepOutput?: 'last' | 'first';
}

export interface ChildExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface ChildHandle {
  name: string;
  pid: number;
  /** The match of `ready` (null when readiness was not by output). */
  match: RegExpExecArray | null;
  /** The output kept (see `ProcessSpec.outputLimit`), for error messages and log checks. */
  output(): string;
  /** Resolves when the process has exited. */
  exited: Promise<ChildExit>;
  readonly running: boolean;
  kill(signal?: NodeJS.Signals): void;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. */
  stop(graceMs?: number): Promise<void>;
}

const OUTPUT_LIMIT = 16_000;
const STOP_GRACE_MS = 5000;
const children = new Set<ChildProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Last resort: never leave a child behind when this process exits without stopping it.
  process.on('exit', killAllChildren);
}

/** SIGKILLs every child started here that is still running (on errors and interrupts). */
export function killAllChildren(): void {
  for (const child of children) child.kill('SIGKILL');
}

/**
 * Starts `spec` and resolves once it is ready; rejects (after stopping it) when it cannot be
 * spawned, exits first, or is not ready within `timeoutMs`, with its command line and output.
 */
export function startProcess(spec: ProcessSpec, timeoutMs = 30_000): Promise<ChildHandle> {
  installExitHook();
  const env: Record<string, string | undefined> = { ...process.env, ...spec.env };
  // Set by the node test runner for its own children; a server is not a test file.
  delete env['NODE_TEST_CONTEXT'];
  for (const name of spec.unsetEnv ?? []) delete env[name];
  const child = spawn(spec.command, [...spec.args], {
    cwd: spec.cwd,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  const exited = new Promise<ChildExit>((resolve) => {
    child.once('exit', (code, signal) => {
      children.delete(child);
      resolve({ code, signal });
    });
  });

  // Both pipes are always drained: a child that logs must never block on a full pipe.
  const limit = spec.outputLimit ?? OUTPUT_LIMIT;
  let output = '';
  const keep =
    spec.keepOutput === 'first'
      ? (text: string) => {
          if (output.length < limit) output = (output + text).slice(0, limit);
        }
      : (text: string) => {
          output = (output + text).slice(-limit);
        };
  let seen = '';
  let onReadyText: ((text: string, stream: 'stdout' | 'stderr') => void) | null = null;
  for (const stream of ['stdout', 'stderr'] as const) {
    let partial = '';
    const pipe = child[stream]!;
    pipe.setEncoding('utf8');
    pipe.on('data', (text: string) => {
      keep(text);
      onReadyText?.(text, stream);
      if (spec.onLine === undefined) return;
      const lines = (partial + text).split('\n');
      partial = lines.pop()!;
      for (const line of lines) spec.onLine(line, stream);
    });
  }

  const handle = (match: RegExpExecArray | null): ChildHandle => ({
    name: spec.name,
    pid: child.pid!,
    match,
    output: () => output,
    exited,
    get running() {
      return child.exitCode === null && child.signalCode === null;
    },
    kill: (signal = 'SIGTERM') => {
      child.kill(signal);
    },
    stop: async (graceMs = STOP_GRACE_MS) => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const done = await Promise.race([
        exited.then(() => true),
        new Promise<false>((resolve) => setTimeout(() => resolve(false), graceMs).unref()),
      ]);
      if (!done) {
        child.kill('SIGKILL');
        await exited;
      }
    },
  });

  return new Promise<ChildHandle>((resolve, reject) => {
    let settled = false;
    const fail = (reason: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      onReadyText = null;
      void handle(null)
        .stop()
        .finally(() =>
          reject(new Error(`${spec.name}: ${reason}\n${spec.command} ${spec.args.join(' ')}\n${output}`)),
        );
    };
    const timer = setTimeout(() => fail(`not ready within ${timeoutMs} ms`), timeoutMs);
    child.once('error', (error) => fail(`could not start: ${error.message}`));
    void exited.then(({ code, signal }) =>
      fail(`exited before it was ready (code ${code}, signal ${signal})`),
    );
    if (spec.ready === undefined) {
      // Started is ready; a missing binary is an 'error' instead of 'spawn'.
      child.once('spawn', () => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(handle(null));
      });
      return;
    }
    const ready = spec.ready;
    const readyFrom = spec.readyFrom ?? 'output';
    onReadyText = (text, stream) => {
      if (settled || (readyFrom === 'stdout' && stream !== 'stdout')) return;
      seen += text;
      const match = ready.exec(seen);
      if (match === null) return;
      settled = true;
      clearTimeout(timer);
      onReadyText = null;
      resolve(handle(match));
    };
  });
}

/** A port that was free on `host` a moment ago (bind to 0, read, close). */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Resolves once `host:port` accepts a TCP connection; rejects after `timeoutMs`. */
export async function waitForPort(host: string, port: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, host);
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on ${host}:${port} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

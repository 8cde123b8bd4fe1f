/**
 * The child processes of a local cluster: started with piped output, each ready when its output
 * matches a pattern (or a TCP port accepts connections), stopped with SIGTERM then SIGKILL.
 * Every child still running when this process exits is killed, whatever the reason.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import net from 'node:net';

export interface ProcessSpec {
  /** Short name for messages and output prefixes (`node`, `haproxy`, ...). */
  name: string;
  command: string;
  args: readonly string[];
  cwd?: string;
  /** Added to this process's environment. */
  env?: Readonly<Record<string, string>>;
  /** Ready when stdout or stderr matches this (the match is returned). */
  ready?: RegExp;
  /** Called with every complete line the process prints. */
  onLine?: (line: string, stream: 'stdout' | 'stderr') => void;
}

export interface ChildHandle {
  name: string;
  pid: number;
  /** The match of `ready` (null when readiness was not by output). */
  match: RegExpExecArray | null;
  /** The last few KB of output, for error messages. */
  output(): string;
  /** Resolves when the process has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  readonly running: boolean;
  kill(signal?: NodeJS.Signals): void;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. */
  stop(graceMs?: number): Promise<void>;
}

const OUTPUT_LIMIT = 16_000;
const children = new Set<ChildProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const child of children) child.kill('SIGKILL');
  });
}

export function startProcess(spec: ProcessSpec, timeoutMs = 30_000): Promise<ChildHandle> {
  installExitHook();
  const env: Record<string, string | undefined> = { ...process.env, ...spec.env };
  // Set by the node test runner for its own children; a server is not a test file.
  delete env['NODE_TEST_CONTEXT'];
  const child = spawn(spec.command, [...spec.args], {
    cwd: spec.cwd,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      children.delete(child);
      resolve({ code, signal });
    });
  });

  let output = '';
  let seen = '';
  let onReadyText: ((text: string) => void) | null = null;
  for (const stream of ['stdout', 'stderr'] as const) {
    let partial = '';
    const pipe = child[stream]!;
    pipe.setEncoding('utf8');
    pipe.on('data', (text: string) => {
      output = (output + text).slice(-OUTPUT_LIMIT);
      onReadyText?.(text);
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
    stop: async (graceMs = 5000) => {
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
    onReadyText = (text) => {
      if (settled) return;
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

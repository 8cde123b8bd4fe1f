/**
 * A local SockJS cluster as README ("Scaling out") describes it: Redis (unless given a URL),
 * one backend per runtime serving the demo services (Node, Deno, Bun by default), and HAProxy in
 * front with the sticky configuration of `haproxy-config.ts`. `npm run start:cluster` runs it;
 * the cluster tests start it on free ports.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_CHECK, type HealthCheck, haproxyConfig } from './haproxy-config.ts';
import { type ChildHandle, freePort, startProcess, waitForPort } from './processes.ts';

/**
 * The repository root: the nearest directory up with a wrangler.toml (this file runs as
 * `cluster/cluster.ts` under the tests, and built into `.build/cluster/` by `start:cluster`).
 */
export const repoRoot = findRoot(fileURLToPath(new URL('.', import.meta.url)));

function findRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'wrangler.toml'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no repository root above ${from}`);
  }
}

export interface BackendSpec {
  /** HAProxy server name and `SOCKJS_BACKEND_NAME` of the process. */
  name: string;
  command: string;
  args: readonly string[];
}

const bin = (name: string) => path.join(repoRoot, 'node_modules', '.bin', name);

/**
 * The demo entrypoints of the three runtimes, as `npm run start:{node,deno,bun}` run them (Node's
 * from its build, `npm run build:all`, which `start:cluster` and the tests run first).
 */
export const RUNTIME_BACKENDS: readonly BackendSpec[] = [
  { name: 'node', command: process.execPath, args: [path.join(repoRoot, '.build', 'node', 'server.mjs')] },
  { name: 'deno', command: bin('deno'), args: ['run', '--allow-net', '--allow-env', 'deno/server.ts'] },
  { name: 'bun', command: bin('bun'), args: ['run', 'bun/server.ts'] },
];

/**
 * Backends from a list of runtimes, e.g. `node,deno,bun` (the default cluster) or `node,node`:
 * a runtime named twice gets numbered names (`node-1`, `node-2`).
 */
export function backendsFor(runtimes: string): BackendSpec[] {
  const names = runtimes
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  if (names.length === 0) throw new Error('no backend runtime given');
  return names.map((runtime, index) => {
    const spec = RUNTIME_BACKENDS.find((each) => each.name === runtime);
    if (spec === undefined) throw new Error(`unknown backend runtime ${runtime} (node, deno or bun)`);
    const twice = names.filter((name) => name === runtime).length > 1;
    const number = names.slice(0, index + 1).filter((name) => name === runtime).length;
    return { ...spec, name: twice ? `${runtime}-${number}` : runtime };
  });
}

export interface ClusterOptions {
  /** Where HAProxy listens; default 127.0.0.1. Backends and Redis always use 127.0.0.1. */
  host?: string;
  /** HAProxy's port; 0 or unset: a free one. */
  port?: number;
  /** An existing Redis; unset: a `redis-server` of our own on a free port, without persistence. */
  redisUrl?: string;
  backends?: readonly BackendSpec[];
  /** Added to every backend's environment (e.g. shorter SockJS timers). */
  backendEnv?: Readonly<Record<string, string>>;
  check?: HealthCheck;
  /** HAProxy logs every request (`route <server> <method> <path> <status>`), see `routes`. */
  logRequests?: boolean;
  /** Also serve HAProxy's statistics page on a free port (`statsUrl`). */
  stats?: boolean;
  /** Every line any process prints, with the process's name. */
  onLine?: (name: string, line: string) => void;
}

/** One request as HAProxy logged it (`logRequests`). */
export interface Route {
  server: string;
  method: string;
  path: string;
  status: number;
}

export interface ClusterBackend {
  name: string;
  /** The backend's own address (bypassing HAProxy). */
  url: string;
  process: ChildHandle;
}

export interface Cluster {
  /** HAProxy's address, e.g. `http://127.0.0.1:8080`: the one URL clients use. */
  url: string;
  redisUrl: string;
  statsUrl: string | undefined;
  backends: readonly ClusterBackend[];
  haproxy: ChildHandle;
  /** Our own redis-server, if we started one. */
  redis: ChildHandle | undefined;
  /** The generated HAProxy configuration. */
  config: string;
  /** Requests HAProxy has logged so far (`logRequests`). */
  routes(): readonly Route[];
  /** HAProxy's other log lines (health checks: `Server sockjs/bun is DOWN, ...`). */
  haproxyEvents(): readonly string[];
  /** Resolves when HAProxy logs an event matching `pattern` (checks ones already logged). */
  waitForEvent(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** Stops HAProxy, the backends and our Redis; idempotent. */
  stop(): Promise<void>;
}

const ROUTE = /^route (\S+) (\S+) (\S+) (\d+)$/;
const BACKEND_LISTENING = /listening on (http:\/\/\S+)/;

async function startRedis(onLine: ClusterOptions['onLine']): Promise<{ url: string; process: ChildHandle }> {
  const port = await freePort();
  const process = await startProcess({
    name: 'redis',
    command: 'redis-server',
    // No config file (Debian's daemonizes), no persistence: a scratch broker for this cluster.
    args: ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    ready: /Ready to accept connections/,
    onLine: (line) => onLine?.('redis', line),
  });
  return { url: `redis://127.0.0.1:${port}`, process };
}

export async function startCluster(options: ClusterOptions = {}): Promise<Cluster> {
  const host = options.host ?? '127.0.0.1';
  const onLine = options.onLine;
  const started: ChildHandle[] = [];
  let workDir: string | undefined;
  const stopAll = async () => {
    // HAProxy first (no new requests), then the backends, Redis last.
    for (const child of [...started].reverse()) await child.stop();
    if (workDir !== undefined) await rm(workDir, { recursive: true, force: true });
  };

  try {
    let redisUrl = options.redisUrl;
    let redis: ChildHandle | undefined;
    if (redisUrl === undefined) {
      const own = await startRedis(onLine);
      redis = own.process;
      redisUrl = own.url;
      started.push(redis);
    }

    const specs = options.backends ?? RUNTIME_BACKENDS;
    const backends = await Promise.all(
      specs.map(async (spec): Promise<ClusterBackend> => {
        const child = await startProcess({
          name: spec.name,
          command: spec.command,
          args: spec.args,
          cwd: repoRoot,
          env: {
            ...options.backendEnv,
            HOST: '127.0.0.1',
            PORT: '0',
            REDIS_URL: redisUrl,
            SOCKJS_BACKEND_NAME: spec.name,
          },
          ready: BACKEND_LISTENING,
          onLine: (line) => onLine?.(spec.name, line),
        });
        started.push(child);
        return { name: spec.name, url: child.match![1]!.replace(/\/+$/, ''), process: child };
      }),
    );

    const port = options.port || (await freePort(host));
    const statsPort = options.stats ? await freePort() : undefined;
    const config = haproxyConfig({
      bind: { host, port },
      backends: backends.map((backend) => {
        const url = new URL(backend.url);
        return { name: backend.name, host: url.hostname, port: Number(url.port) };
      }),
      check: options.check ?? DEFAULT_CHECK,
      logRequests: options.logRequests ?? false,
      ...(statsPort === undefined ? {} : { statsPort }),
    });
    workDir = await mkdtemp(path.join(os.tmpdir(), 'sockjs-cluster-'));
    const configFile = path.join(workDir, 'haproxy.cfg');
    await writeFile(configFile, config);

    const routes: Route[] = [];
    const events: string[] = [];
    const eventWaiters = new Set<(line: string) => void>();
    const haproxy = await startProcess({
      name: 'haproxy',
      command: 'haproxy',
      // -db: foreground, no daemon; the config's log goes to stderr.
      args: ['-db', '-f', configFile],
      onLine: (line) => {
        const route = ROUTE.exec(line);
        if (route !== null) {
          routes.push({ server: route[1]!, method: route[2]!, path: route[3]!, status: Number(route[4]) });
          return;
        }
        // HAProxy prints each alert twice: with a `[WARNING]  (pid) : ` prefix and without.
        if (line.startsWith('[')) return;
        events.push(line);
        for (const wake of eventWaiters) wake(line);
        onLine?.('haproxy', line);
      },
    });
    started.push(haproxy);
    await waitForPort(host, port);

    const urlHost = host.includes(':') ? `[${host}]` : host;
    return {
      url: `http://${urlHost}:${port}`,
      redisUrl,
      statsUrl: statsPort === undefined ? undefined : `http://127.0.0.1:${statsPort}`,
      backends,
      haproxy,
      redis,
      config,
      routes: () => routes,
      haproxyEvents: () => events,
      waitForEvent: (pattern, timeoutMs = 10_000) => {
        const seen = events.find((line) => pattern.test(line));
        if (seen !== undefined) return Promise.resolve(seen);
        return new Promise((resolve, reject) => {
          const timer = setTimeout(() => {
            eventWaiters.delete(wake);
            reject(new Error(`HAProxy logged nothing matching ${pattern} within ${timeoutMs} ms`));
          }, timeoutMs);
          const wake = (line: string) => {
            if (!pattern.test(line)) return;
            clearTimeout(timer);
            eventWaiters.delete(wake);
            resolve(line);
          };
          eventWaiters.add(wake);
        });
      },
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    if (error instanceof Error && /spawn (haproxy|redis-server) ENOENT/.test(error.message)) {
      error.message += '\n(install HAProxy and Redis: npm run install:cluster-tools)';
    }
    throw error;
  }
}

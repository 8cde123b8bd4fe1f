/**
 * The servers under test. Adding one (say, a Workers entrypoint under miniflare) is one entry
 * here: the command to run, its arguments and environment, and the regex that finds its URL in
 * what it prints once it listens. Each is started with `HOST=127.0.0.1 PORT=0`.
 *
 * `kind` says which scenarios apply: `sockjs` servers serve the demo services' `/echo` and
 * `/broadcast` (PROTOCOL.md 1.10); `plain-ws` servers echo every WebSocket text message on any
 * path, with no framing at all: the limit a SockJS WebSocket transport can approach; `http-floor`
 * servers answer just the HTTP scenarios' requests with the least code the runtime allows
 * (bench/servers/floor-*.ts): the limit the HTTP transports can approach. `cluster` servers are
 * `npm run start:cluster` with N Node backends behind HAProxy, sharing topics over their own
 * Redis: only the cluster scenarios run on them.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildNodeApp } from '../scripts/build-node-apps.ts';

export type ServerKind = 'sockjs' | 'plain-ws' | 'http-floor' | 'cluster';

export interface ServerSpec {
  /** Stable id used in results, e.g. `sockjs-fetch/node`. */
  id: string;
  implementation: 'sockjs-fetch' | 'sockjs-node' | 'plain-ws' | 'http-floor';
  runtime: 'node' | 'deno' | 'bun' | 'workers';
  kind: ServerKind;
  command: string;
  args: readonly string[];
  /** Working directory (default: the repository root). */
  cwd?: string;
  env?: Readonly<Record<string, string>>;
  /** Matches the server's readiness line; group 1 is its base URL. */
  ready: RegExp;
  /** Arguments that make the runtime write a CPU profile into a directory, where supported. */
  profileArgs?: (dir: string) => string[];
  /** Caps on scenario sizes for a server that cannot take the full ones on this machine. */
  maxIdleSessions?: number;
  /** Why the server cannot run on this machine, or null when it can. */
  unavailable(): string | null;
  /** Work done once before the first run (building a Node entrypoint); may rewrite `args`. */
  prepare?(): Promise<void>;
}

export const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const fromRoot = (...parts: string[]) => path.join(repoRoot, ...parts);

/** Runtimes come from the npm packages of the same names; the native binaries, not the node shims. */
const denoBinary = [fromRoot('node_modules', 'deno', 'deno'), fromRoot('node_modules', '.bin', 'deno')].find(
  (file) => existsSync(file),
);
const bunBinary = [
  fromRoot('node_modules', 'bun', 'bin', 'bun.exe'),
  fromRoot('node_modules', '.bin', 'bun'),
].find((file) => existsSync(file));

const LISTENING = /listening on (http:\/\/\S+)/;

const nodeProfile = (dir: string) => ['--cpu-prof', `--cpu-prof-dir=${dir}`];

function needs(...files: Array<string | undefined>): () => string | null {
  return () => {
    for (const file of files) {
      if (file === undefined) return 'runtime binary not installed';
      if (!existsSync(file)) return `${path.relative(repoRoot, file)} is missing`;
    }
    return null;
  };
}

/**
 * A Node server run from its build (scripts/build-node-apps.ts: `sockjs-fetch/*` imports are the
 * package's dist/, built by `npm run bench` first), in the repository or another checkout (`cwd`,
 * whose dist/ is built here when it has a package build).
 */
function builtNodeServer(
  spec: Pick<ServerSpec, 'id' | 'implementation' | 'kind' | 'cwd' | 'unavailable'>,
  entry: string,
): ServerSpec {
  const server: ServerSpec = {
    ...spec,
    runtime: 'node',
    command: process.execPath,
    args: [entry],
    ready: LISTENING,
    profileArgs: nodeProfile,
    async prepare() {
      const cwd = spec.cwd ?? repoRoot;
      if (cwd !== repoRoot && existsSync(path.join(cwd, 'tsdown.config.ts'))) {
        const build = spawnSync('npm', ['run', 'build'], { cwd, encoding: 'utf8' });
        if (build.status !== 0) throw new Error(`npm run build failed in ${cwd}:\n${build.stderr}`);
      }
      server.args = [await buildNodeApp(cwd, entry)];
    },
  };
  return server;
}

const deno = (entry: string) => ['run', '--allow-net', '--allow-env', entry];
const bun = (entry: string) => ['run', entry];

/**
 * Miniflare driving workerd (a node process and its workerd child: the whole tree counts), with
 * wrangler's bundle of a config: the demo's wrangler.toml, or the platform floor's
 * (bench/servers/floor-workers.toml: a bare Durable Object per WebSocket, echoing).
 */
function workersServer(spec: Pick<ServerSpec, 'id' | 'implementation' | 'kind'>, config: string): ServerSpec {
  const server: ServerSpec = {
    ...spec,
    runtime: 'workers',
    command: process.execPath,
    args: ['workers/dev.ts'],
    env: { WORKERS_CONFIG: config },
    ready: LISTENING,
    async prepare() {
      server.args = [await buildNodeApp(repoRoot, 'workers/dev.ts')];
      // Bundled once, as `wrangler deploy` would (dev.ts would bundle at every server start).
      const file = path.resolve(repoRoot, config);
      const bundle = fromRoot('.wrangler', `bench-${spec.id.replace(/[^\w-]+/g, '-')}`);
      rmSync(bundle, { recursive: true, force: true });
      const build = spawnSync(
        fromRoot('node_modules', '.bin', 'wrangler'),
        ['deploy', '--dry-run', '--outdir', bundle, '--config', file],
        {
          cwd: path.dirname(file),
          encoding: 'utf8',
          env: { ...process.env, WRANGLER_SEND_METRICS: 'false' },
        },
      );
      if (build.status !== 0) throw new Error(`wrangler could not bundle ${config}:\n${build.stderr}`);
      server.env = { ...server.env, WORKERS_BUNDLE: bundle };
    },
    // Hundreds of KB resident per WebSocket session in local workerd (each its own Durable
    // Object), and handshakes slow to seconds past ~1,500 open sessions (the full run's opens
    // then time out).
    maxIdleSessions: 1000,
    unavailable: needs(
      fromRoot('workers', 'dev.ts'),
      path.resolve(repoRoot, config),
      fromRoot('node_modules', 'miniflare', 'package.json'),
    ),
  };
  return server;
}

export const SERVERS: readonly ServerSpec[] = [
  builtNodeServer(
    {
      id: 'sockjs-fetch/node',
      implementation: 'sockjs-fetch',
      kind: 'sockjs',
      unavailable: needs(fromRoot('node', 'server.ts')),
    },
    'node/server.ts',
  ),
  {
    id: 'sockjs-node/node',
    implementation: 'sockjs-node',
    runtime: 'node',
    kind: 'sockjs',
    command: process.execPath,
    args: ['bench/servers/sockjs-node.cjs'],
    ready: LISTENING,
    profileArgs: nodeProfile,
    unavailable: needs(fromRoot('node_modules', 'sockjs', 'package.json')),
  },
  builtNodeServer(
    {
      id: 'plain-ws/node',
      implementation: 'plain-ws',
      kind: 'plain-ws',
      unavailable: needs(fromRoot('bench', 'servers', 'ws-echo-node.ts')),
    },
    'bench/servers/ws-echo-node.ts',
  ),
  builtNodeServer(
    {
      id: 'http-floor/node',
      implementation: 'http-floor',
      kind: 'http-floor',
      unavailable: needs(fromRoot('bench', 'servers', 'floor-node.ts')),
    },
    'bench/servers/floor-node.ts',
  ),
  {
    id: 'sockjs-fetch/deno',
    implementation: 'sockjs-fetch',
    runtime: 'deno',
    kind: 'sockjs',
    command: denoBinary ?? 'deno',
    args: deno('deno/server.ts'),
    ready: LISTENING,
    unavailable: needs(denoBinary, fromRoot('deno', 'server.ts'), fromRoot('src', 'adapters', 'deno.ts')),
  },
  {
    id: 'plain-ws/deno',
    implementation: 'plain-ws',
    runtime: 'deno',
    kind: 'plain-ws',
    command: denoBinary ?? 'deno',
    args: deno('bench/servers/ws-echo-deno.ts'),
    ready: LISTENING,
    unavailable: needs(denoBinary),
  },
  {
    id: 'http-floor/deno',
    implementation: 'http-floor',
    runtime: 'deno',
    kind: 'http-floor',
    command: denoBinary ?? 'deno',
    args: deno('bench/servers/floor-deno.ts'),
    ready: LISTENING,
    unavailable: needs(denoBinary),
  },
  {
    id: 'sockjs-fetch/bun',
    implementation: 'sockjs-fetch',
    runtime: 'bun',
    kind: 'sockjs',
    command: bunBinary ?? 'bun',
    args: bun('bun/server.ts'),
    ready: LISTENING,
    unavailable: needs(bunBinary, fromRoot('bun', 'server.ts'), fromRoot('src', 'adapters', 'bun.ts')),
  },
  {
    id: 'plain-ws/bun',
    implementation: 'plain-ws',
    runtime: 'bun',
    kind: 'plain-ws',
    command: bunBinary ?? 'bun',
    args: bun('bench/servers/ws-echo-bun.ts'),
    ready: LISTENING,
    unavailable: needs(bunBinary),
  },
  {
    id: 'http-floor/bun',
    implementation: 'http-floor',
    runtime: 'bun',
    kind: 'http-floor',
    command: bunBinary ?? 'bun',
    args: bun('bench/servers/floor-bun.ts'),
    ready: LISTENING,
    unavailable: needs(bunBinary),
  },
  workersServer(
    { id: 'sockjs-fetch/workers', implementation: 'sockjs-fetch', kind: 'sockjs' },
    'wrangler.toml',
  ),
  workersServer(
    { id: 'plain-ws/workers', implementation: 'plain-ws', kind: 'plain-ws' },
    'bench/servers/floor-workers.toml',
  ),
  ...[1, 2, 3].map((backends): ServerSpec => {
    const server: ServerSpec = {
      id: `sockjs-fetch/cluster-${backends}`,
      implementation: 'sockjs-fetch',
      runtime: 'node',
      kind: 'cluster',
      command: process.execPath,
      args: ['cluster/start.ts'],
      // The launcher and its Node backends run built, as `npm run start:cluster` runs them.
      async prepare() {
        server.args = [await buildNodeApp(repoRoot, 'cluster/start.ts')];
      },
      env: { CLUSTER_BACKENDS: Array(backends).fill('node').join(',') },
      // Not the backends' own listening lines, which it prints first.
      ready: /SockJS cluster listening on (http:\/\/\S+)/,
      unavailable: () => {
        for (const tool of ['haproxy', 'redis-server']) {
          const found = (process.env.PATH ?? '')
            .split(path.delimiter)
            .some((dir) => dir !== '' && existsSync(path.join(dir, tool)));
          if (!found) return `${tool} not installed (npm run install:cluster-tools)`;
        }
        return null;
      },
    };
    return server;
  }),
];

/**
 * This project's Node server from another checkout (`--compare DIR`), run side by side with the
 * working tree's to measure a change before and after under the same machine noise.
 */
export function comparisonServer(dir: string): ServerSpec {
  const cwd = path.resolve(dir);
  return builtNodeServer(
    {
      id: `sockjs-fetch/node@${path.basename(cwd)}`,
      implementation: 'sockjs-fetch',
      kind: 'sockjs',
      cwd,
      unavailable: needs(path.join(cwd, 'node', 'server.ts')),
    },
    'node/server.ts',
  );
}

/** The reference every ratio is taken against. */
export const BASELINE_SERVER = 'sockjs-node/node';
/** The framing-free limit of each runtime. */
export const plainWsFor = (runtime: ServerSpec['runtime']) => `plain-ws/${runtime}`;
/** The HTTP floor of each runtime. */
export const floorFor = (runtime: ServerSpec['runtime']) => `http-floor/${runtime}`;

/**
 * Servers under test on the other runtimes, started like `nodeTarget`: a real child process on
 * an ephemeral port, found by its listening line. The `deno` and `bun` binaries come from the
 * npm packages of the same names (devDependencies), so `npm ci` is all a machine needs.
 */
import path from 'node:path';
import { builtApp } from './build.ts';
import { type ConformanceTarget, repoRoot, startServer, type TargetCapabilities } from './server-process.ts';

const bin = (name: string) => path.join(repoRoot, 'node_modules', '.bin', name);

function target(
  name: string,
  command: string,
  args: readonly string[],
  capabilities?: TargetCapabilities,
): ConformanceTarget {
  return {
    name,
    start: (env = {}) => startServer({ command, args, cwd: repoRoot, env: { PORT: '0', ...env } }),
    ...(capabilities ? { capabilities } : {}),
  };
}

/**
 * `Deno.serve`: the HTTP server itself answers a non-GET request with upgrade headers (400, empty
 * body, `Connection: close`), and a WebSocket text frame with invalid UTF-8 or a malformed close
 * frame drops the connection without a close frame. (Its HTTP server would merge small frames
 * written in one turn into one chunk; the adapter hands it one frame per turn, so every frame is
 * its own chunk here too. A frame over 64 KiB still goes out as 64 KiB chunks: Deno reads bodies
 * 64 KiB at a time, in `ext/http/response_body.rs`. The suite's frames are all smaller.)
 * A connection whose request body was left unread stays open after the answer.
 */
export const DENO_CAPABILITIES: TargetCapabilities = {
  nonGetUpgradeRequests: 'platform-400',
  invalidUtf8Text: 'drop',
  malformedClose: 'drop',
  closesAfterUnreadBody: false,
};

/**
 * `Bun.serve`: Node's behaviour. (It would write what a body yields in one tick as one chunk; the
 * adapter streams through a direct stream flushed per frame, so every frame is its own chunk.)
 */
export const BUN_CAPABILITIES: TargetCapabilities = {};

const deno = (entry: string) => ['run', '--allow-net', '--allow-env', entry];
const bun = (entry: string) => ['run', entry];

/** `deno run --allow-net --allow-env deno/server.ts` */
export const denoTarget = target('deno', bin('deno'), deno('deno/server.ts'), DENO_CAPABILITIES);

/** `bun run bun/server.ts` */
export const bunTarget = target('bun', bin('bun'), bun('bun/server.ts'), BUN_CAPABILITIES);

/** The Hono example app on Node (this package's Node adapter), built: Node's capabilities. */
export const honoNodeTarget: ConformanceTarget = {
  name: 'hono on node',
  start: (env = {}) =>
    startServer({
      command: process.execPath,
      args: [builtApp('examples/hono-node.ts')],
      cwd: repoRoot,
      env: { PORT: '0', ...env },
    }),
};

/** The Hono example app on `Deno.serve`. */
export const honoDenoTarget = target(
  'hono on deno',
  bin('deno'),
  deno('examples/hono-deno.ts'),
  DENO_CAPABILITIES,
);

/** The Hono example app on `Bun.serve`. */
export const honoBunTarget = target('hono on bun', bin('bun'), bun('examples/hono-bun.ts'), BUN_CAPABILITIES);

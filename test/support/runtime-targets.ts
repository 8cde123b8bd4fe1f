/**
 * Servers under test on the other runtimes, started like `nodeTarget`: a real child process on
 * an ephemeral port, found by its listening line. The `deno` and `bun` binaries come from the
 * npm packages of the same names (devDependencies), so `npm ci` is all a machine needs.
 */
import path from 'node:path';
import { type ConformanceTarget, repoRoot, startServer } from './server-process.ts';

const bin = (name: string) => path.join(repoRoot, 'node_modules', '.bin', name);

function target(name: string, command: string, args: readonly string[]): ConformanceTarget {
  return {
    name,
    start: (env = {}) => startServer({ command, args, cwd: repoRoot, env: { PORT: '0', ...env } }),
  };
}

const deno = (entry: string) => ['run', '--allow-net', '--allow-env', entry];
const bun = (entry: string) => ['run', entry];

/** `deno run --allow-net --allow-env deno/server.ts` */
export const denoTarget = target('deno', bin('deno'), deno('deno/server.ts'));

/** `bun run bun/server.ts` */
export const bunTarget = target('bun', bin('bun'), bun('bun/server.ts'));

/** The Hono example app on Node (this package's Node adapter). */
export const honoNodeTarget = target('hono on node', process.execPath, [
  '--import',
  'tsx',
  'examples/hono-node.ts',
]);

/** The Hono example app on `Deno.serve`. */
export const honoDenoTarget = target('hono on deno', bin('deno'), deno('examples/hono-deno.ts'));

/** The Hono example app on `Bun.serve`. */
export const honoBunTarget = target('hono on bun', bin('bun'), bun('examples/hono-bun.ts'));

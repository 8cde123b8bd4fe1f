/**
 * Runs the Workers demo locally on workerd through Miniflare, on 127.0.0.1:PORT (default 8081,
 * 0 = any free port). The Worker is bundled by wrangler exactly as `wrangler deploy` would
 * (`--dry-run --outdir`), and Miniflare is configured from wrangler.toml, so what runs here is
 * what deploys.
 *   npm run start:workers
 * SOCKJS_HEARTBEAT_DELAY / SOCKJS_DISCONNECT_DELAY / SOCKJS_BODY_TIMEOUT / SOCKJS_CLIENT_URL /
 * SOCKJS_PUBLISH_TOKEN (enables POST /publish/<topic>) reach the Worker as vars;
 * WORKERS_PERSIST names a directory that keeps Durable Object storage across restarts (default:
 * in memory). WORKERS_CONFIG runs another wrangler config the same way (relative to the
 * repository root; the benchmark's platform floor, bench/servers/floor-workers.toml).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Miniflare } from 'miniflare';
import { unstable_getMiniflareWorkerOptions } from 'wrangler';

/** The repository root: the nearest directory up with a wrangler.toml (this runs from `.build/workers/`). */
function findRoot(dir: string): string {
  if (existsSync(path.join(dir, 'wrangler.toml'))) return dir;
  const parent = path.dirname(dir);
  if (parent === dir) throw new Error('wrangler.toml not found');
  return findRoot(parent);
}
const root = findRoot(fileURLToPath(new URL('.', import.meta.url)));
const config = path.resolve(root, process.env.WORKERS_CONFIG ?? 'wrangler.toml');

// Offline: no telemetry, and no fetch of the `Request.cf` sample object.
const env = { ...process.env, WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false' };
process.env.CLOUDFLARE_CF_FETCH_ENABLED = 'false';

/** WORKERS_BUNDLE: a directory with an already built `index.js` (the tests build once, then share it). */
const prebuilt = process.env.WORKERS_BUNDLE;
const outdir = prebuilt ?? mkdtempSync(path.join(tmpdir(), 'sockjs-workers-'));
if (prebuilt === undefined) {
  const build = spawnSync(
    path.join(root, 'node_modules', '.bin', 'wrangler'),
    ['deploy', '--dry-run', '--outdir', outdir, '--config', config],
    // From the config's directory: wrangler resolves its `tsconfig` from there.
    { cwd: path.dirname(config), env, encoding: 'utf8' },
  );
  if (build.status !== 0) {
    console.error(build.stdout, build.stderr);
    process.exit(1);
  }
}

const vars: Record<string, string> = {};
for (const name of [
  'SOCKJS_HEARTBEAT_DELAY',
  'SOCKJS_DISCONNECT_DELAY',
  'SOCKJS_BODY_TIMEOUT',
  'SOCKJS_CLIENT_URL',
  'SOCKJS_PUBLISH_TOKEN',
]) {
  const value = process.env[name];
  if (value) vars[name] = value;
}

/** The bundle is named after the config's `main` (`index.js` for the demo). */
const script = readdirSync(outdir).find((name) => name.endsWith('.js')) ?? 'index.js';

const { workerOptions } = unstable_getMiniflareWorkerOptions(config);
const persist = process.env.WORKERS_PERSIST;
const miniflare = new Miniflare({
  ...workerOptions,
  bindings: { ...workerOptions.bindings, ...vars },
  modules: true,
  scriptPath: path.join(outdir, script),
  modulesRoot: outdir,
  host: process.env.HOST ?? '127.0.0.1',
  port: Number(process.env.PORT ?? 8081),
  durableObjectsPersist: persist ? path.resolve(persist) : false,
  cf: false,
});
const url = await miniflare.ready;
console.log(`SockJS demo (Workers, local workerd) listening on ${url.origin}`);
console.log(`Demo page: ${url.origin}/`);

const stop = () => {
  void miniflare.dispose().finally(() => {
    if (prebuilt === undefined) rmSync(outdir, { recursive: true, force: true });
    process.exit(0);
  });
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);

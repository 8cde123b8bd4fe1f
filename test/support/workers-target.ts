/**
 * The Workers demo on local workerd (wrangler's dev pipeline over miniflare), started as a real
 * process like every other target. `persist` keeps Durable Object storage in a directory so a
 * test can restart the server under live sessions.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
} from 'node:fs';
import path from 'node:path';
import { builtApp, ensureBuilt } from './build.ts';
import { type ConformanceTarget, repoRoot, startServer, type TargetCapabilities } from './server-process.ts';

/** Every file that goes into the Worker bundle, hashed: the bundle is rebuilt only when one changes. */
function sourceHash(): string {
  const hash = createHash('sha1');
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const file = path.join(dir, name);
      if (statSync(file).isDirectory()) walk(file);
      else hash.update(file).update(readFileSync(file));
    }
  };
  for (const dir of ['src', 'workers', 'examples']) walk(path.join(repoRoot, dir));
  hash.update(readFileSync(path.join(repoRoot, 'wrangler.toml')));
  return hash.digest('hex').slice(0, 16);
}

/**
 * Bundles the Worker with wrangler once for all test files (they run as separate processes):
 * built into a temporary directory, then renamed into place, so concurrent builders never see
 * a half-written bundle.
 */
function workerBundle(): string {
  // The bundle is made from dist/ (tsconfig.wrangler.json has no `paths` onto src/).
  ensureBuilt();
  const dir = path.join(repoRoot, '.wrangler', `test-bundle-${sourceHash()}`);
  if (existsSync(path.join(dir, 'index.js'))) return dir;
  mkdirSync(path.join(repoRoot, '.wrangler'), { recursive: true });
  const staging = mkdtempSync(path.join(repoRoot, '.wrangler', 'staging-'));
  const build = spawnSync(
    path.join(repoRoot, 'node_modules', '.bin', 'wrangler'),
    ['deploy', '--dry-run', '--outdir', staging],
    { cwd: repoRoot, env: { ...process.env, WRANGLER_SEND_METRICS: 'false' }, encoding: 'utf8' },
  );
  if (build.status !== 0) throw new Error(`wrangler build failed:\n${build.stdout}\n${build.stderr}`);
  try {
    renameSync(staging, dir);
  } catch {
    // Another test file finished the same bundle first.
    rmSync(staging, { recursive: true, force: true });
  }
  return dir;
}

let bundle: string | undefined;
function sharedBundle(): string {
  bundle ??= workerBundle();
  return bundle;
}

/**
 * Local workerd as Miniflare runs it (see `TargetCapabilities` for each in full): frames keep
 * their own chunks; a request with `Upgrade: websocket` reaches the Worker as a GET whatever
 * its method; a dropped response is noticed only when a write to it fails (the server probes a
 * stream before refusing a request with 2010; a poll cannot be probed); a hibernatable
 * socket closed from the `fetch` that accepted it sends its close frame at once but ends its
 * TCP connection about 10 s later; HTTP/1.0 requests get HTTP/1.1 framing; a WebSocket text
 * frame with invalid UTF-8 is delivered with U+FFFD instead of failing the connection; a malformed
 * `Host` gets workerd's own 500. And `authorize` runs in the Worker on every request that could
 * open a session.
 */
export const WORKERS_CAPABILITIES: TargetCapabilities = {
  chunking: 'per-frame',
  nonGetUpgradeRequests: 'delivered-as-get',
  promptAbortDetection: 'streams',
  lateTcpCloseAfterServerClose: true,
  http10: false,
  invalidUtf8Text: 'replace',
  authorizeScope: 'request',
  malformedHost: 'platform-500',
};

export function workersTarget(persist?: string): ConformanceTarget {
  return {
    name: 'workers (miniflare)',
    capabilities: WORKERS_CAPABILITIES,
    // Wrangler bundles and boots workerd: allow more than the default start-up time.
    start: (env = {}) =>
      startServer({
        command: process.execPath,
        args: [builtApp('workers/dev.ts')],
        cwd: repoRoot,
        env: {
          PORT: '0',
          WORKERS_BUNDLE: sharedBundle(),
          ...(persist ? { WORKERS_PERSIST: persist } : {}),
          ...env,
        },
        startTimeoutMs: 60_000,
      }),
  };
}

/**
 * The Workers demo on local workerd (wrangler's dev pipeline over miniflare), started as a real
 * process like every other target. `persist` keeps Durable Object storage in a directory so a
 * test can restart the server under live sessions.
 */
import { type ConformanceTarget, repoRoot, startServer, type TargetCapabilities } from './server-process.ts';

/**
 * Local workerd as Miniflare runs it (see `TargetCapabilities` for each in full): frames keep
 * their own chunks; a request with `Upgrade: websocket` reaches the Worker as a GET whatever
 * its method; a dropped poll or stream is noticed only on the next write to it; a hibernatable
 * socket closed from the `fetch` that accepted it sends its close frame at once but ends its
 * TCP connection about 10 s later; HTTP/1.0 requests get HTTP/1.1 framing.
 */
export const WORKERS_CAPABILITIES: TargetCapabilities = {
  chunking: 'per-frame',
  nonGetUpgradeRequests: 'delivered-as-get',
  promptAbortDetection: false,
  lateTcpCloseAfterServerClose: true,
  http10: false,
};

export function workersTarget(persist?: string): ConformanceTarget {
  return {
    name: 'workers (miniflare)',
    capabilities: WORKERS_CAPABILITIES,
    // Wrangler bundles and boots workerd: allow more than the default start-up time.
    start: (env = {}) =>
      startServer({
        command: process.execPath,
        args: ['--import', 'tsx', 'workers/dev.ts'],
        cwd: repoRoot,
        env: { PORT: '0', ...(persist ? { WORKERS_PERSIST: persist } : {}), ...env },
        startTimeoutMs: 60_000,
      }),
  };
}

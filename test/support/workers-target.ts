/**
 * The Workers demo on local workerd (wrangler's dev pipeline over miniflare), started as a real
 * process like every other target. `persist` keeps Durable Object storage in a directory so a
 * test can restart the server under live sessions.
 */
import { type ConformanceTarget, repoRoot, startServer } from './server-process.ts';

export function workersTarget(persist?: string): ConformanceTarget {
  return {
    name: 'workers (miniflare)',
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

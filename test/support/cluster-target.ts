/**
 * The local cluster (`cluster/cluster.ts`: Redis, Node, Deno and Bun backends, HAProxy in front)
 * as a target of the conformance and sockjs-client suites: its URL is HAProxy's.
 *
 * Suites in one test file share a cluster: `start(env)` reuses a running cluster started with
 * the same `env` and stops it when the last user stops. Every cluster started stays listed in
 * `clusters` (their HAProxy request logs remain readable after they stop).
 */

import { type Cluster, type ClusterOptions, startCluster } from '../../cluster/cluster.ts';
import { ensureBuilt } from './build.ts';
import { BUN_CAPABILITIES, DENO_CAPABILITIES } from './runtime-targets.ts';
import {
  type ConformanceTarget,
  NODE_CAPABILITIES,
  type RunningServer,
  type TargetCapabilities,
} from './server-process.ts';

/**
 * What a client can see through HAProxy in front of Node, Deno and Bun: a session lands on any of
 * them, so each field is the weakest of the three. And HAProxy's own behaviour:
 * - It answers a non-GET request with upgrade headers itself (400, its own error page), before
 *   any backend sees it.
 * - A client that closes its connection after a complete request may only have closed its
 *   sending side (HTTP allows it), so HAProxy keeps the response going (`abortonclose` covers
 *   queued requests only) and the backend learns of the abort when HAProxy's next write to the
 *   client fails: at the next heartbeat, as on a platform without prompt abort detection.
 */
export const CLUSTER_CAPABILITIES: TargetCapabilities = {
  ...unionOfBackends([NODE_CAPABILITIES, DENO_CAPABILITIES, BUN_CAPABILITIES]),
  // HAProxy re-encodes a chunked body (HTX): what it has read from the backend when it writes to
  // the client leaves as one chunk, so frames the backend wrote as separate chunks a moment apart
  // can arrive together (measured: the 2 KiB xhr_streaming prelude with `o`, `\r\n` with
  // `data: o`, while every backend sends each frame as its own chunk). Chunk boundaries carry no
  // meaning in HTTP, and clients parse frames, not chunks; the frames themselves arrive at once.
  chunking: 'coalesced',
  nonGetUpgradeRequests: 'proxy-400',
  topicsAcrossInstances: true,
  promptAbortDetection: false,
};

/**
 * The capabilities a client can rely on when a request may reach any of these servers, for the
 * fields where one value is weaker than the other. The others (how upgrade requests with a wrong
 * method and invalid UTF-8 are answered) have no weakest value: a front end decides the first,
 * and the second is left to Node's default (no cluster suite sends invalid UTF-8).
 */
function unionOfBackends(all: readonly TargetCapabilities[]): TargetCapabilities {
  const caps = all.map((each) => ({ ...NODE_CAPABILITIES, ...each }));
  return {
    chunking: caps.some((each) => each.chunking === 'coalesced') ? 'coalesced' : 'per-frame',
    promptAbortDetection: caps.every((each) => each.promptAbortDetection),
    lateTcpCloseAfterServerClose: caps.some((each) => each.lateTcpCloseAfterServerClose),
    http10: caps.every((each) => each.http10),
  };
}

export interface ClusterTarget extends ConformanceTarget {
  /** Every cluster this target started, in order. */
  readonly clusters: readonly Cluster[];
}

export function clusterTarget(
  name: string,
  options: Omit<ClusterOptions, 'backendEnv' | 'port'> = {},
): ClusterTarget {
  const clusters: Cluster[] = [];
  const shared = new Map<string, { cluster: Promise<Cluster>; users: number }>();
  return {
    name,
    capabilities: CLUSTER_CAPABILITIES,
    clusters,
    start: async (env = {}): Promise<RunningServer> => {
      const key = JSON.stringify(Object.entries(env).sort());
      let entry = shared.get(key);
      if (entry === undefined) {
        ensureBuilt(); // the Node backend runs from .build/ (test/support/build.ts)
        const cluster = startCluster({ ...options, backendEnv: env }).then((started) => {
          clusters.push(started);
          return started;
        });
        entry = { cluster, users: 0 };
        shared.set(key, entry);
      }
      entry.users++;
      const cluster = await entry.cluster;
      const current = entry;
      let stopped = false;
      return {
        url: cluster.url,
        pid: cluster.haproxy.pid,
        stop: async () => {
          if (stopped) return;
          stopped = true;
          if (--current.users > 0) return;
          shared.delete(key);
          await cluster.stop();
        },
      };
    },
  };
}

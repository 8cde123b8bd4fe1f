/**
 * Idle WebSocket sessions: opens `idleSessions` SockJS WebSocket sessions on /echo (plain
 * WebSockets on a plain-ws server) with a bounded number of handshakes in flight, then holds them
 * and reads the server's memory. Reports handshakes per second, CPU per handshake and the
 * resident memory each open session added (RSS after, minus RSS before, over the count).
 */
import { randomUUID } from 'node:crypto';
import { openMany } from '../client/open-many.ts';
import { BenchSocket } from '../client/websocket.ts';
import { sampleTree } from '../proc-tree.ts';
import type { Measurement, Scenario, ScenarioContext } from '../scenario.ts';
import { ws } from '../scenario.ts';
import { LatencyRecorder } from '../stats.ts';
import { now, sleep } from '../timing.ts';

const SETTLE_MS = 1500;

function open(ctx: ScenarioContext, latency?: LatencyRecorder): () => Promise<BenchSocket> {
  return async () => {
    const startedAt = now();
    const socket =
      ctx.server.kind === 'plain-ws'
        ? await BenchSocket.open(`${ws(ctx.url)}/`, 'raw')
        : await BenchSocket.open(`${ws(ctx.url)}/echo/bench/${randomUUID()}/websocket`, 'sockjs');
    latency?.add(now() - startedAt);
    return socket;
  };
}

export const idleWebSockets: Scenario = {
  id: 'idle-websockets',
  title: 'idle WebSocket sessions (handshakes, then memory held)',
  op: 'handshake',
  kinds: ['sockjs', 'plain-ws'],
  async run(ctx): Promise<Measurement> {
    const count = ctx.sizes.idleSessions;
    let sockets: BenchSocket[] = [];
    try {
      // Warm up the upgrade path (lazy modules, JIT) so it is not charged to the sessions.
      const warm = await openMany(Math.min(200, count), ctx.sizes.handshakeConcurrency, open(ctx));
      for (const socket of warm) socket.terminate();
      await sleep(SETTLE_MS);
      const before = sampleTree(ctx.pid);
      const latency = new LatencyRecorder();
      latency.recording = true;
      const startedAt = now();
      sockets = await openMany(count, ctx.sizes.handshakeConcurrency, open(ctx, latency));
      const elapsedMs = now() - startedAt;
      const opened = sampleTree(ctx.pid);
      await sleep(SETTLE_MS);
      const after = sampleTree(ctx.pid);
      if (sockets.some((socket) => socket.closed)) throw new Error('an idle session was closed');
      return {
        ops: count,
        seconds: elapsedMs / 1000,
        throughput: count / (elapsedMs / 1000),
        cpuUsPerOp: ((opened.cpuMs - before.cpuMs) * 1000) / count,
        latencyP50Ms: latency.percentile(0.5),
        latencyP99Ms: latency.percentile(0.99),
        rssPerSessionBytes: (after.rssBytes - before.rssBytes) / count,
      };
    } finally {
      for (const socket of sockets) socket.terminate();
    }
  },
};

/**
 * The platform's floor on Workers (local workerd through the same launcher as ours,
 * workers/dev.ts with WORKERS_CONFIG=bench/servers/floor-workers.toml): the Worker routes each
 * request to a Durable Object of its own (SQLite-backed, as ours), which accepts a hibernatable
 * WebSocket and echoes every text message with no framing (the `plain-ws` scenarios: idle
 * sessions and ping-pong), or answers `o` to any other request. Nothing else: no storage, no
 * alarm, no attachment, no admission. What ours costs above this is ours.
 */
import { DurableObject } from 'cloudflare:workers';
import type { UpgradeResponseInit, WorkersWebSocket } from '../../src/adapters/workers/platform.ts';
import { webSocketPair } from '../../src/adapters/workers/platform.ts';

interface Env {
  FLOOR: {
    idFromName(name: string): unknown;
    get(id: unknown): { fetch(request: Request): Promise<Response> };
  };
}

export class FloorObject extends DurableObject<Env> {
  async fetch(request: Request): Promise<Response> {
    if (request.headers.get('Upgrade')?.toLowerCase() !== 'websocket') return new Response('o\n');
    const [client, server] = webSocketPair();
    this.ctx.acceptWebSocket(server);
    return new Response(null, { status: 101, webSocket: client } as UpgradeResponseInit);
  }

  async webSocketMessage(ws: WorkersWebSocket, message: string | ArrayBuffer): Promise<void> {
    if (typeof message === 'string') ws.send(message);
  }

  async webSocketClose(ws: WorkersWebSocket, code: number, reason: string): Promise<void> {
    try {
      ws.close(code === 1005 || code === 1006 ? 1000 : code, reason);
    } catch {
      // Already closed.
    }
  }
}

export default {
  fetch(request: Request, env: Env): Promise<Response> {
    // A session route's session id names its object (as ours); anything else gets a fresh one.
    const name =
      /^\/[^/]+\/[^/]+\/([^/.]+)\//.exec(new URL(request.url).pathname)?.[1] ?? crypto.randomUUID();
    return env.FLOOR.get(env.FLOOR.idFromName(name)).fetch(request);
  },
};

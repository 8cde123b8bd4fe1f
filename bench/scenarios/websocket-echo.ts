/**
 * WebSocket echo: each connection keeps `depth` messages in flight (1 = ping-pong) and sends
 * the next one as each echo comes back. `sockjs` framing uses `S/websocket` on /echo; `raw`
 * uses the raw `P/websocket` endpoint. A plain-ws server gets unframed messages on `/` either
 * way: the framing-free limit for the same traffic.
 */
import { randomUUID } from 'node:crypto';
import { openMany } from '../client/open-many.ts';
import { BenchSocket, type Framing } from '../client/websocket.ts';
import { Load } from '../load.ts';
import {
  fromWindow,
  type Measurement,
  payload,
  type Scenario,
  type ScenarioContext,
  ws,
} from '../scenario.ts';
import { LatencyRecorder } from '../stats.ts';
import { now } from '../timing.ts';

export interface WebSocketEchoOptions {
  id: string;
  title: string;
  framing: 'sockjs' | 'raw-endpoint';
  connections: (ctx: ScenarioContext) => number;
  depth: (ctx: ScenarioContext) => number;
}

function target(
  ctx: ScenarioContext,
  framing: WebSocketEchoOptions['framing'],
): { url: string; framing: Framing } {
  if (ctx.server.kind === 'plain-ws') return { url: `${ws(ctx.url)}/`, framing: 'raw' };
  if (framing === 'raw-endpoint') return { url: `${ws(ctx.url)}/echo/websocket`, framing: 'raw' };
  return { url: `${ws(ctx.url)}/echo/bench/${randomUUID()}/websocket`, framing: 'sockjs' };
}

export function websocketEcho(options: WebSocketEchoOptions): Scenario {
  return {
    id: options.id,
    title: options.title,
    op: 'msg',
    kinds: ['sockjs', 'plain-ws'],
    async run(ctx): Promise<Measurement> {
      const depth = options.depth(ctx);
      const sockets = await openMany(options.connections(ctx), 16, () => {
        const { url, framing } = target(ctx, options.framing);
        return BenchSocket.open(url, framing);
      });
      const load = new Load();
      const latency = new LatencyRecorder();
      let echoed = 0;
      let seq = 0;
      try {
        for (const socket of sockets) {
          load.spawn(
            () =>
              new Promise<void>((resolve, reject) => {
                const inFlight: Array<{ message: string; sentAt: number }> = [];
                const sendOne = () => {
                  const message = payload(seq++);
                  inFlight.push({ message, sentAt: now() });
                  socket.send(message);
                };
                socket.onMessage = (message) => {
                  const expected = inFlight.shift();
                  if (expected?.message !== message) {
                    reject(new Error(`echo out of order: got ${message}, expected ${expected?.message}`));
                    return;
                  }
                  echoed++;
                  latency.add(now() - expected.sentAt);
                  if (!load.stopping) sendOne();
                  else if (inFlight.length === 0) resolve();
                };
                socket.onClose = (code, reason) => reject(new Error(`socket closed: ${code} ${reason}`));
                for (let i = 0; i < depth; i++) sendOne();
              }),
          );
        }
        const window = await load.measure(ctx.pid, () => echoed, ctx.sizes, latency);
        await load.stop();
        return fromWindow(window, latency);
      } finally {
        for (const socket of sockets) socket.terminate();
      }
    },
  };
}

/**
 * Broadcast fan-out on /broadcast: `receivers` sessions are members; one of them sends a
 * message, the server writes it to every member, and the next message goes out once all of
 * them have it (one broadcast in flight). An operation is one delivery to one session; the
 * latency is the time until the last member has the message.
 *
 * Over WebSockets this is the fan-out scenario; over eventsource (sent with `xhr_send`) it
 * measures eventsource delivery.
 */
import { randomUUID } from 'node:crypto';
import type http from 'node:http';
import { createAgent } from '../client/http.ts';
import { HttpSession } from '../client/http-session.ts';
import { openMany } from '../client/open-many.ts';
import { BenchSocket } from '../client/websocket.ts';
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
import { type Deferred, deferred, now, withTimeout } from '../timing.ts';

interface Member {
  onMessage: (message: string) => void;
  send(message: string): Promise<void> | void;
  stop(): void;
}

export interface BroadcastOptions {
  id: string;
  title: string;
  transport: 'websocket' | 'eventsource';
  receivers: (ctx: ScenarioContext) => number;
  /** The servers it runs on (default: single `sockjs` servers). */
  kinds?: Scenario['kinds'];
}

function openMember(ctx: ScenarioContext, transport: BroadcastOptions['transport'], agent: http.Agent) {
  return async (): Promise<Member> => {
    if (transport === 'websocket') {
      const socket = await BenchSocket.open(
        `${ws(ctx.url)}/broadcast/bench/${randomUUID()}/websocket`,
        'sockjs',
      );
      return {
        set onMessage(handler: (message: string) => void) {
          socket.onMessage = handler;
        },
        send: (message) => socket.send(message),
        stop: () => socket.terminate(),
      };
    }
    const session = new HttpSession(agent, `${ctx.url}/broadcast`, 'eventsource', randomUUID());
    await session.start();
    return {
      set onMessage(handler: (message: string) => void) {
        session.onMessage = handler;
      },
      send: (message) => session.send([message]),
      stop: () => session.stop(),
    };
  };
}

export function broadcast(options: BroadcastOptions): Scenario {
  return {
    id: options.id,
    title: options.title,
    op: 'delivery',
    // The HTTP floors serve eventsource sessions only.
    kinds: options.kinds ?? (options.transport === 'eventsource' ? ['sockjs', 'http-floor'] : ['sockjs']),
    async run(ctx): Promise<Measurement> {
      const agent = createAgent();
      const load = new Load();
      const latency = new LatencyRecorder();
      let members: Member[] = [];
      let delivered = 0;
      try {
        members = await openMany(options.receivers(ctx), 32, openMember(ctx, options.transport, agent));
        let current = '';
        let missing = 0;
        let round: Deferred<void> = deferred();
        for (const member of members) {
          member.onMessage = (message) => {
            if (message !== current) {
              round.reject(new Error(`unexpected broadcast ${message}, expected ${current}`));
              return;
            }
            delivered++;
            if (--missing === 0) round.resolve();
          };
        }
        const sender = members[0]!;
        load.spawn(async () => {
          for (let seq = 0; !load.stopping; seq++) {
            current = payload(seq);
            missing = members.length;
            round = deferred();
            const sentAt = now();
            await withTimeout(
              Promise.all([sender.send(current), round.promise]),
              15_000,
              'a broadcast round',
            );
            latency.add(now() - sentAt);
          }
        });
        const window = await load.measure(ctx.pid, () => delivered, ctx.sizes, latency);
        await load.stop();
        return fromWindow(window, latency);
      } finally {
        for (const member of members) member.stop();
        agent.destroy();
      }
    },
  };
}

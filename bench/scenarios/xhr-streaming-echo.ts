/**
 * xhr-streaming echo: sessions receive on `xhr_streaming` and send on `xhr_send`, one message in
 * flight each (the next goes out once both the echo and the 204 are back). /echo's response
 * limit of 4096 makes every session reopen its stream every few hundred messages, as a real
 * client does.
 */

import { createAgent } from '../client/http.ts';
import { HttpSession } from '../client/http-session.ts';
import { openMany } from '../client/open-many.ts';
import { Load } from '../load.ts';
import { fromWindow, type Measurement, payload, type Scenario } from '../scenario.ts';
import { LatencyRecorder } from '../stats.ts';
import { deferred, now, withTimeout } from '../timing.ts';

export const xhrStreamingEcho: Scenario = {
  id: 'xhr-streaming-echo',
  title: 'xhr-streaming echo (xhr_send in, stream out; 1 in flight per session)',
  op: 'msg',
  kinds: ['sockjs', 'http-floor'],
  async run(ctx): Promise<Measurement> {
    const agent = createAgent();
    const sessions: HttpSession[] = [];
    const load = new Load();
    const latency = new LatencyRecorder();
    let echoed = 0;
    let seq = 0;
    try {
      await openMany(ctx.sizes.httpSessions, 8, async (index) => {
        const session = new HttpSession(
          agent,
          `${ctx.url}/echo`,
          'xhr_streaming',
          `xs${index}-${Date.now()}`,
        );
        sessions.push(session);
        await session.start();
      });
      for (const session of sessions) {
        load.spawn(async () => {
          while (!load.stopping) {
            const message = payload(seq++);
            const echo = deferred();
            session.onMessage = (received) => {
              if (received === message) echo.resolve();
              else echo.reject(new Error(`unexpected message ${received}, expected ${message}`));
            };
            const sentAt = now();
            await withTimeout(
              Promise.all([session.send([message]), echo.promise]),
              10_000,
              'xhr-streaming echo',
            );
            latency.add(now() - sentAt);
            echoed++;
            if (session.error !== null) throw session.error;
          }
        });
      }
      const window = await load.measure(ctx.pid, () => echoed, ctx.sizes, latency);
      await load.stop();
      return fromWindow(window, latency);
    } finally {
      for (const session of sessions) session.stop();
      agent.destroy();
    }
  },
};

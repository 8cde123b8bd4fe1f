/**
 * Session opens: concurrent clients each open new sessions with an `xhr` poll (answered `o`)
 * and never come back, so the server also keeps and then times out every session it opened.
 */
import { createAgent, request } from '../client/http.ts';
import { Load } from '../load.ts';
import { fromWindow, type Measurement, type Scenario } from '../scenario.ts';
import { LatencyRecorder } from '../stats.ts';
import { now } from '../timing.ts';

export const sessionOpens: Scenario = {
  id: 'session-opens',
  title: 'session opens (xhr poll answered with `o`)',
  op: 'open',
  kinds: ['sockjs', 'http-floor'],
  async run(ctx): Promise<Measurement> {
    const agent = createAgent();
    const load = new Load();
    const latency = new LatencyRecorder();
    let opens = 0;
    try {
      for (let worker = 0; worker < ctx.sizes.openers; worker++) {
        load.spawn(async () => {
          for (let n = 0; !load.stopping; n++) {
            const startedAt = now();
            const answer = await request(
              agent,
              `${ctx.url}/echo/bench/so${worker}-${n}-${Date.now()}/xhr`,
              'POST',
            );
            if (answer.body !== 'o\n')
              throw new Error(`expected an open frame, got ${JSON.stringify(answer.body)}`);
            latency.add(now() - startedAt);
            opens++;
          }
        });
      }
      const window = await load.measure(ctx.pid, () => opens, ctx.sizes, latency);
      await load.stop();
      return fromWindow(window, latency);
    } finally {
      agent.destroy();
    }
  },
};

/**
 * xhr-polling round trips: each session keeps a poll (`xhr`) pending, posts one message with
 * `xhr_send`, and waits for the poll to return it. One round trip = one message, two requests.
 */
import { createAgent, request } from '../client/http.ts';
import { Load } from '../load.ts';
import { fromWindow, type Measurement, payload, type Scenario } from '../scenario.ts';
import { LatencyRecorder } from '../stats.ts';
import { now } from '../timing.ts';

export const xhrPolling: Scenario = {
  id: 'xhr-polling',
  title: 'xhr-polling round trips (poll + xhr_send per message)',
  op: 'round trip',
  kinds: ['sockjs', 'http-floor'],
  async run(ctx): Promise<Measurement> {
    const agent = createAgent();
    const load = new Load();
    const latency = new LatencyRecorder();
    let roundTrips = 0;
    let seq = 0;
    try {
      for (let index = 0; index < ctx.sizes.httpSessions; index++) {
        const base = `${ctx.url}/echo/bench/xp${index}-${Date.now()}`;
        load.spawn(async () => {
          const open = await request(agent, `${base}/xhr`, 'POST');
          if (open.body !== 'o\n')
            throw new Error(`expected an open frame, got ${JSON.stringify(open.body)}`);
          while (!load.stopping) {
            const message = payload(seq++);
            const sentAt = now();
            const poll = request(agent, `${base}/xhr`, 'POST');
            const sent = await request(agent, `${base}/xhr_send`, 'POST', JSON.stringify([message]));
            if (sent.status !== 204) throw new Error(`xhr_send: status ${sent.status}`);
            const answer = await poll;
            const expected = `a${JSON.stringify([message])}\n`;
            if (answer.body !== expected) throw new Error(`poll returned ${JSON.stringify(answer.body)}`);
            latency.add(now() - sentAt);
            roundTrips++;
          }
        });
      }
      const window = await load.measure(ctx.pid, () => roundTrips, ctx.sizes, latency);
      await load.stop();
      return fromWindow(window, latency);
    } finally {
      agent.destroy();
    }
  },
};

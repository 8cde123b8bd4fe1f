/**
 * Topic subscriptions survive hibernation: WebSocket connections in two Durable Objects
 * subscribe, every object (the topic object too) leaves memory, and a publish from the Worker
 * wakes them: each connection gets it once, with its subscriptions back (from the socket's
 * attachment); leaving still takes the object off the topic.
 * One wait for hibernation (~13 s).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { RunningServer } from '../support/server-process.ts';
import { SockJSSession } from '../support/sockjs-session.ts';
import { PUBLISH_TOKEN, publishReaching, subscribe, untilReaching } from '../support/workers-publish.ts';
import { workersTarget } from '../support/workers-target.ts';

/** Silence after which local workerd has evicted an object (it does so after 10 s idle). */
const HIBERNATION_MS = 13_000;

const id = () => Math.random().toString(36).slice(2, 10);

describe('Workers: topics through hibernation', () => {
  let server: RunningServer;
  before(async () => {
    // No heartbeat alarm within the test: only the publishes wake the objects.
    server = await workersTarget().start({
      SOCKJS_PUBLISH_TOKEN: PUBLISH_TOKEN,
      SOCKJS_HEARTBEAT_DELAY: '60000',
    });
  });
  after(async () => {
    await server?.stop();
  });

  it('keeps the subscriptions of WebSocket connections across hibernation, in both objects', async () => {
    const shared = `shared-${id()}`;
    const own = `own-${id()}`;
    const a = await SockJSSession.websocket(server.url, '/pubsub', id());
    const b = await SockJSSession.websocket(server.url, '/pubsub', id());
    try {
      await subscribe(a, shared);
      await subscribe(a, own);
      await subscribe(b, shared);
      await untilReaching(server.url, shared, 2);
      await untilReaching(server.url, own, 1);

      await sleep(HIBERNATION_MS);
      assert.equal(await publishReaching(server.url, shared, 'after'), 2);
      assert.equal(await publishReaching(server.url, own, 'own after'), 1);
      await Promise.all([a.waitFor('after'), b.waitFor('after'), a.waitFor('own after')]);

      const state = async (session: SockJSSession) =>
        JSON.parse(await session.ask('topics', (m) => m.startsWith('{"topics"'))) as {
          topics: string[];
          resumed: boolean;
        };
      assert.deepEqual(await state(a), { topics: [shared, own], resumed: true });
      assert.deepEqual(await state(b), { topics: [shared], resumed: true });

      // Between the woken objects, too.
      await b.send(`pub ${shared} from b`);
      await a.waitFor('from b');
      assert.equal(await publishReaching(server.url, shared, 'end'), 2);
      await Promise.all([a.waitFor('end'), b.waitFor('end')]);
      for (const session of [a, b]) {
        const counted = session.received.filter((m) => ['after', 'from b', 'end'].includes(m));
        assert.deepEqual(counted, ['after', 'from b', 'end'], 'each once, in order');
      }

      // Leaving after the wake still takes the objects off the topics.
      await a.ask(`unsub ${own}`, (m) => m === `unsubscribed ${own}`);
      await untilReaching(server.url, own, 0);
      await a.close();
      await untilReaching(server.url, shared, 1);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});

/**
 * Topics across Durable Objects on local workerd: `/pubsub` gives every session an object of
 * its own, so each subscription here is another object's. A publish from the Worker (the demo's
 * `POST /publish/<topic>`) or from an object reaches every subscribed connection exactly once,
 * in the order its publisher published; unsubscribing and closing take an object off the topic.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { RunningServer } from '../support/server-process.ts';
import { SockJSSession } from '../support/sockjs-session.ts';
import {
  PUBLISH_TOKEN,
  publish,
  publishReaching,
  subscribe,
  untilReaching,
} from '../support/workers-publish.ts';
import { workersTarget } from '../support/workers-target.ts';

const id = () => Math.random().toString(36).slice(2, 10);

/** The messages of `session` that start with `tag`, in arrival order. */
const tagged = (session: SockJSSession, tag: string) => session.received.filter((m) => m.startsWith(tag));
const numbered = (tag: string, count: number) => Array.from({ length: count }, (_, i) => `${tag}${i + 1}`);

describe('Workers: topics across Durable Objects', () => {
  let server: RunningServer;
  before(async () => {
    server = await workersTarget().start({ SOCKJS_PUBLISH_TOKEN: PUBLISH_TOKEN });
  });
  after(async () => {
    await server?.stop();
  });

  it('delivers publishes from the Worker and from objects to WebSocket and streaming connections in two objects, once each, in order', async () => {
    const topic = `news-${id()}`;
    const ws = await SockJSSession.websocket(server.url, '/pubsub', id());
    const stream = await SockJSSession.streaming(server.url, '/pubsub', id());
    try {
      await subscribe(ws, topic);
      await subscribe(stream, topic);
      // An object's operations reach the topic object in order: once the other object hears
      // a publish sent after a subscribe, both subscriptions are in place.
      await ws.send(`pub ${topic} hello from ws`);
      await stream.waitFor('hello from ws');
      await stream.send(`pub ${topic} hello from stream`);
      await ws.waitFor('hello from stream');

      for (const message of numbered('worker-', 20)) {
        assert.equal(await publishReaching(server.url, topic, message), 2, 'both objects reached');
      }
      // A burst from one object, in one SockJS frame: batched between objects, still in order.
      await ws.send(...numbered(`pub ${topic} ws-`, 40));
      await stream.send(...numbered(`pub ${topic} stream-`, 40));
      await Promise.all([stream.waitFor('ws-40'), ws.waitFor('stream-40')]);
      assert.equal(await publishReaching(server.url, topic, 'end'), 2);
      await Promise.all([ws.waitFor('end'), stream.waitFor('end')]);

      for (const session of [ws, stream]) {
        assert.deepEqual(tagged(session, 'worker-'), numbered('worker-', 20));
        assert.deepEqual(tagged(session, 'ws-'), numbered('ws-', 40));
        assert.deepEqual(tagged(session, 'stream-'), numbered('stream-', 40));
        assert.deepEqual(tagged(session, 'hello'), ['hello from ws', 'hello from stream']);
      }
    } finally {
      await Promise.all([ws.close(), stream.close()]);
    }
  });

  it('takes an object off a topic when its connection unsubscribes or closes', async () => {
    const topic = `leave-${id()}`;
    const a = await SockJSSession.websocket(server.url, '/pubsub', id());
    const b = await SockJSSession.websocket(server.url, '/pubsub', id());
    try {
      assert.equal(await publishReaching(server.url, topic, 'nobody yet'), 0);
      await subscribe(a, topic);
      await subscribe(b, topic);
      await untilReaching(server.url, topic, 2);

      assert.equal(await a.ask(`unsub ${topic}`, (m) => m.endsWith(topic)), `unsubscribed ${topic}`);
      const unsubscribedAt = a.received.length;
      await untilReaching(server.url, topic, 1);
      assert.equal(await publishReaching(server.url, topic, 'only b'), 1);
      await b.waitFor('only b');
      assert.deepEqual(a.received.slice(unsubscribedAt), [], 'nothing reaches a after its unsubscribe');

      await b.close();
      await untilReaching(server.url, topic, 0);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it("refuses a WebSocket connection's subscribe once its socket attachment (16 KiB) is full, and keeps the others", async () => {
    const ws = await SockJSSession.websocket(server.url, '/pubsub', id());
    try {
      const topics: string[] = [];
      let refusal = '';
      for (let i = 0; i < 40 && refusal === ''; i++) {
        const topic = `${i}-${'x'.repeat(1000)}`;
        const answer = await ws.ask(`sub ${topic}`, (m) => m.endsWith(topic) || m.startsWith('error'));
        if (answer.startsWith('error')) refusal = answer;
        else topics.push(topic);
      }
      assert.match(refusal, /^error: Cannot subscribe: .* attachment, which is full/);
      assert.ok(topics.length > 10, `only ${topics.length} subscriptions fit`);
      const state = JSON.parse(await ws.ask('topics', (m) => m.startsWith('{"topics"')));
      assert.deepEqual(state.topics, topics, 'the refused topic left no trace');
    } finally {
      await ws.close();
    }
  });

  it('lets a /pubsub connection hold at most 32 topics (each may cost a topic object)', async () => {
    const stream = await SockJSSession.streaming(server.url, '/pubsub', id());
    try {
      await stream.send(...Array.from({ length: 33 }, (_, i) => `sub cap-${i}`));
      await stream.find((m) => m.startsWith('error'));
      assert.equal(stream.received.filter((m) => m.startsWith('subscribed cap-')).length, 32);
      assert.deepEqual(stream.received.at(-1), 'error: at most 32 topics per connection');
    } finally {
      await stream.close();
    }
  });

  it('refuses publishes without the token: the endpoint is no open relay', async () => {
    assert.equal((await publish(server.url, 'news', 'x', 'wrong')).status, 401);
    const anonymous = await fetch(`${server.url}/publish/news`, { method: 'POST', body: 'x' });
    assert.equal(anonymous.status, 401);
    assert.equal(anonymous.headers.get('WWW-Authenticate'), 'Bearer');
    assert.equal((await fetch(`${server.url}/publish/news`)).status, 405);
    assert.equal((await publish(server.url, 'news', 'x'.repeat(64 * 1024 + 1))).status, 413);
  });

  it("never forwards a client's request to the path objects use between themselves", async () => {
    const body = JSON.stringify({ topic: 'news', origin: null, ops: [{ op: 'publish', data: 'forged' }] });
    for (const path of [
      '/.sockjs-topics/ops',
      '/pubsub/.sockjs-topics/ops',
      '/pubsub/000/.sockjs-topics/ops',
    ]) {
      const response = await fetch(`${server.url}${path}`, { method: 'POST', body });
      assert.equal(response.status, 404, path);
    }
  });
});

import assert from 'node:assert/strict';
import { describe, it, mock } from 'node:test';
import {
  InMemoryTopicBroker,
  type SockJSConnection,
  SockJSServer,
  type TopicBroker,
  type TopicDelivery,
} from '../../src/index.ts';

const BASE = 'http://127.0.0.1:8081';
let nextSession = 0;

/** An xhr-polling session opened in-process: `poll()` answers with the next frame(s). */
async function openPolling(server: SockJSServer) {
  const path = `${server.options.prefix}/000/s${nextSession++}/xhr`;
  const opened = await server.fetch(new Request(`${BASE}${path}`, { method: 'POST' }));
  assert.equal(await opened.text(), 'o\n');
  return {
    poll: async () => (await server.fetch(new Request(`${BASE}${path}`, { method: 'POST' }))).text(),
  };
}

/** An xhr-streaming session opened in-process: `frame()` reads the next frame line. */
async function openStreaming(server: SockJSServer) {
  const path = `${server.options.prefix}/000/s${nextSession++}/xhr_streaming`;
  const response = await server.fetch(new Request(`${BASE}${path}`, { method: 'POST' }));
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffered = '';
  const frame = async (): Promise<string> => {
    for (;;) {
      const end = buffered.indexOf('\n');
      if (end >= 0) {
        const line = buffered.slice(0, end);
        buffered = buffered.slice(end + 1);
        if (/^h+$/.test(line)) continue; // the 2048-byte prelude
        return line;
      }
      const { value, done } = await reader.read();
      if (done) return '<end>';
      buffered += value;
    }
  };
  assert.equal(await frame(), 'o');
  return { frame, cancel: () => reader.cancel() };
}

/** A server whose every new connection is handed to `onConnection`. */
function serverWith(options: ConstructorParameters<typeof SockJSServer>[0] = {}) {
  const server = new SockJSServer({ prefix: '/t', ...options });
  const connections: SockJSConnection[] = [];
  server.addEventListener('connection', ({ connection }) => connections.push(connection));
  return { server, connections };
}

/** Records what the registry asks of its broker. */
class RecordingBroker implements TopicBroker {
  calls: string[] = [];
  deliver: TopicDelivery | undefined;
  attach(deliver: TopicDelivery): void {
    this.calls.push('attach');
    this.deliver = deliver;
  }
  subscribe(topic: string): void {
    this.calls.push(`subscribe ${topic}`);
  }
  unsubscribe(topic: string): void {
    this.calls.push(`unsubscribe ${topic}`);
  }
  publish(topic: string, data: string): Promise<void> {
    this.calls.push(`publish ${topic} ${data}`);
    return Promise.resolve();
  }
}

describe('topics', () => {
  it('subscribe, unsubscribe, isSubscribed and subscriptions are idempotent and track each other', async () => {
    const { server, connections } = serverWith();
    await openPolling(server);
    const connection = connections[0]!;
    connection.subscribe('a');
    connection.subscribe('a');
    connection.subscribe('b');
    assert.deepEqual([...connection.subscriptions], ['a', 'b']);
    assert.equal(connection.isSubscribed('a'), true);
    connection.unsubscribe('a');
    connection.unsubscribe('a');
    connection.unsubscribe('never');
    assert.equal(connection.isSubscribed('a'), false);
    assert.deepEqual([...connection.subscriptions], ['b']);
    assert.throws(() => connection.subscribe(''), TypeError);
    assert.throws(() => connection.subscribe(42 as unknown as string), TypeError);
    connection.close();
  });

  it('publish reaches subscribers only, minus exclude, in publish order', async () => {
    const { server, connections } = serverWith();
    const [a, b, c] = [await openPolling(server), await openPolling(server), await openPolling(server)];
    connections[0]!.subscribe('room');
    connections[1]!.subscribe('room');
    await server.publish('room', 'one');
    await server.publish('room', 'two', { exclude: connections[1]! });
    await server.publish('other', 'nobody');
    assert.equal(await a.poll(), 'a["one","two"]\n');
    assert.equal(await b.poll(), 'a["one"]\n');
    connections[2]!.send('own');
    assert.equal(await c.poll(), 'a["own"]\n');
    connections[1]!.unsubscribe('room');
    await server.publish('room', 'three');
    connections[1]!.send('after');
    assert.equal(await a.poll(), 'a["three"]\n');
    assert.equal(await b.poll(), 'a["after"]\n');
  });

  it('keeps per-turn batching: publishes and sends of one turn share one frame, in call order', async () => {
    const { server, connections } = serverWith();
    const stream = await openStreaming(server);
    const connection = connections[0]!;
    connection.subscribe('t');
    connection.send('own 1');
    void server.publish('t', 'published "1"');
    connection.send('own 2');
    void server.publish('t', 'published\u2028 2');
    assert.equal(await stream.frame(), 'a["own 1","published \\"1\\"","own 2","published\\u2028 2"]');
    void server.publish('t', 'alone');
    assert.equal(await stream.frame(), 'a["alone"]');
    await stream.cancel();
  });

  it('unsubscribes a closed connection from everything, after its close listeners', async () => {
    const broker = new RecordingBroker();
    const { server, connections } = serverWith({ broker });
    const clients = [await openPolling(server), await openPolling(server)];
    const [first, second] = connections as [SockJSConnection, SockJSConnection];
    first.subscribe('x');
    first.subscribe('y');
    second.subscribe('x');
    let seenInClose: string[] = [];
    first.addEventListener('close', () => {
      seenInClose = [...first.subscriptions];
      first.subscribe('z'); // too late: does nothing
    });
    first.close();
    // The close event (and so the unsubscribing) comes once the client has been told.
    assert.equal(first.isSubscribed('x'), true);
    assert.equal(await clients[0]!.poll(), 'c[1000,"Normal closure"]\n');
    assert.deepEqual(seenInClose, ['x', 'y']);
    assert.equal(first.subscriptions.size, 0);
    first.subscribe('x');
    assert.equal(first.isSubscribed('x'), false);
    second.close();
    await clients[1]!.poll();
    // The broker hears of the first subscriber and the last leaving, once per topic.
    assert.deepEqual(broker.calls, [
      'attach',
      'subscribe x',
      'subscribe y',
      'unsubscribe y',
      'unsubscribe x',
    ]);
  });

  it('hands publishes to the broker after local delivery, and delivers what the broker brings', async () => {
    const broker = new RecordingBroker();
    const { server, connections } = serverWith({ broker });
    const client = await openPolling(server);
    connections[0]!.subscribe('news');
    await server.publish('news', 'local');
    broker.deliver!('news', 'remote');
    broker.deliver!('elsewhere', 'dropped');
    assert.equal(await client.poll(), 'a["local","remote"]\n');
    assert.deepEqual(broker.calls, ['attach', 'subscribe news', 'publish news local']);
  });

  it('delivers locally even when the broker rejects, and passes the rejection on', async () => {
    const broker = new RecordingBroker();
    broker.publish = () => Promise.reject(new Error('Redis is down'));
    const { server, connections } = serverWith({ broker });
    const client = await openPolling(server);
    connections[0]!.subscribe('t');
    await assert.rejects(server.publish('t', 'still here'), /Redis is down/);
    assert.equal(await client.poll(), 'a["still here"]\n');
  });

  it('shares topics between servers given the same broker, not otherwise', async () => {
    const broker = new InMemoryTopicBroker();
    const one = serverWith({ prefix: '/one', broker });
    const two = serverWith({ prefix: '/two', broker });
    const alone = serverWith({ prefix: '/alone' });
    const clients = [
      await openPolling(one.server),
      await openPolling(two.server),
      await openPolling(alone.server),
    ];
    for (const { connections } of [one, two, alone]) connections[0]!.subscribe('shared');
    await one.server.publish('shared', 'hello');
    alone.connections[0]!.send('only mine');
    assert.equal(await clients[0]!.poll(), 'a["hello"]\n');
    assert.equal(await clients[1]!.poll(), 'a["hello"]\n');
    assert.equal(await clients[2]!.poll(), 'a["only mine"]\n');
  });

  it('encodes a publish once for 1,000 subscribers, and a turn of publishes once each', async () => {
    const { server, connections } = serverWith();
    const clients = [];
    for (let i = 0; i < 1000; i++) clients.push(await openPolling(server));
    for (const connection of connections) connection.subscribe('all');
    const stringify = mock.method(JSON, 'stringify');
    try {
      void server.publish('all', 'first');
      void server.publish('all', 'second');
      const frames = await Promise.all(clients.map((client) => client.poll()));
      assert.ok(frames.every((frame) => frame === 'a["first","second"]\n'));
      void server.publish('all', 'third');
      const single = await Promise.all(clients.map((client) => client.poll()));
      assert.ok(single.every((frame) => frame === 'a["third"]\n'));
      const encoded = stringify.mock.calls.filter((call) =>
        ['first', 'second', 'third'].includes(call.arguments[0] as string),
      );
      assert.equal(encoded.length, 3, 'one JSON encoding per publish');
      // Nothing else was stringified per connection either (no whole-batch encodings).
      assert.ok(stringify.mock.callCount() < 10, `${stringify.mock.callCount()} JSON.stringify calls`);
    } finally {
      stringify.mock.restore();
    }
    for (const connection of connections) connection.close();
  });

  it('refuses a broker that is not one', () => {
    assert.throws(() => new SockJSServer({ broker: {} as TopicBroker }), /broker must be a TopicBroker/);
  });
});

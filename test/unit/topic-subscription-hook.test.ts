/**
 * The registry's `onSubscriptionsChange`, through which the Durable Object adapter keeps a
 * WebSocket connection's subscriptions in its socket's attachment: told of every subscribe and
 * unsubscribe, and able to refuse a subscribe (attachment full), which then leaves no trace.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { type SockJSConnection, SockJSServer, type TopicBroker } from '../../src/index.ts';
import { topicRegistry } from '../../src/topics.ts';

it('tells the adapter of each change, and a refused subscribe changes nothing', async () => {
  const calls: string[] = [];
  const broker: TopicBroker = {
    attach: () => {},
    subscribe: (topic) => calls.push(`subscribe ${topic}`),
    unsubscribe: (topic) => calls.push(`unsubscribe ${topic}`),
    publish: async () => {},
  };
  const server = new SockJSServer({ prefix: '/t', broker });
  let connection: SockJSConnection | undefined;
  server.addEventListener('connection', (event) => {
    connection = event.connection;
  });
  const seen: string[][] = [];
  topicRegistry(broker).onSubscriptionsChange = (changed) => {
    seen.push([...changed.subscriptions]);
    if (changed.subscriptions.size > 1) throw new RangeError('no room');
  };
  const url = 'http://127.0.0.1/t/000/s1/xhr';
  assert.equal(await (await server.fetch(new Request(url, { method: 'POST' }))).text(), 'o\n');

  connection!.subscribe('a');
  assert.throws(() => connection!.subscribe('b'), RangeError);
  assert.equal(connection!.isSubscribed('b'), false);
  assert.deepEqual([...connection!.subscriptions], ['a']);
  connection!.unsubscribe('a');
  assert.deepEqual(seen, [['a'], ['a', 'b'], []]);
  assert.deepEqual(calls, ['subscribe a', 'unsubscribe a'], 'the broker never heard of b');
  server.closeAll();
});

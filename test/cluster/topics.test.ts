/**
 * Topics across the cluster, through HAProxy: sockjs-client connections on every transport land
 * on every backend (Node, Deno, Bun; HAProxy's log says where) and join `/broadcast`, which
 * subscribes each to one topic on the cluster's Redis broker. One connection per backend
 * publishes numbered messages: every connection must receive every message exactly once, in each
 * publisher's order. `/connection_info` names the same backend HAProxy sent the session to.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Cluster, startCluster } from '../../cluster/cluster.ts';
import { NODE_CLIENT_TRANSPORTS } from '../client/sockjs-client.ts';
import { ensureBuilt } from '../support/build.ts';
import { type ClusterClient, openClient } from '../support/cluster-clients.ts';

/** Messages each publisher sends. */
const PER_PUBLISHER = 50;

describe('cluster topics: /broadcast through HAProxy reaches every backend', () => {
  let cluster: Cluster;
  const clients: ClusterClient[] = [];

  before(async () => {
    ensureBuilt(); // the Node backend runs from .build/ (test/support/build.ts)
    cluster = await startCluster({ logRequests: true });
  });
  after(async () => {
    for (const client of clients) client.close();
    await cluster?.stop();
  });

  it('/connection_info names the backend HAProxy chose', async () => {
    const seen = new Set<string>();
    for (let i = 0; seen.size < cluster.backends.length; i++) {
      assert.ok(i < 40, `backends seen: ${[...seen]}`);
      const client = await openClient(cluster, '/connection_info', 'websocket');
      clients.push(client);
      client.send('who');
      await client.waitUntil('an answer', (messages) => messages.length > 0, 5000);
      const info = JSON.parse(client.messages[0]!) as { id: string; backend: string };
      assert.equal(info.backend, client.server);
      seen.add(info.backend);
      client.close();
    }
  });

  it(`every connection, on every backend and transport, receives each publisher's ${PER_PUBLISHER} messages once, in order`, async () => {
    const members: ClusterClient[] = [];
    const missing = () => {
      const pairs = new Set(members.map((client) => `${client.server} ${client.transport}`));
      return cluster.backends.flatMap((backend) =>
        NODE_CLIENT_TRANSPORTS.map((transport) => `${backend.name} ${transport}`).filter(
          (pair) => !pairs.has(pair),
        ),
      );
    };
    // Open connections round the transports until every backend has one of each.
    for (let i = 0; missing().length > 0; i++) {
      assert.ok(i < 100, `no connection yet for: ${missing()}`);
      const client = await openClient(
        cluster,
        '/broadcast',
        NODE_CLIENT_TRANSPORTS[i % NODE_CLIENT_TRANSPORTS.length]!,
      );
      members.push(client);
      clients.push(client);
    }
    // One websocket publisher per backend.
    const publishers = cluster.backends.map(
      (backend) =>
        members.find((client) => client.server === backend.name && client.transport === 'websocket')!,
    );
    for (let n = 1; n <= PER_PUBLISHER; n++) {
      for (const publisher of publishers) publisher.send(`${publisher.server}:${n}`);
    }

    const total = PER_PUBLISHER * publishers.length;
    for (const client of members) {
      await client.waitUntil(`${total} messages`, (messages) => messages.length >= total, 20_000);
    }
    // A little longer: a duplicate would arrive after the count was reached.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const expected = Array.from({ length: PER_PUBLISHER }, (_, i) => i + 1);
    for (const client of members) {
      const where = `${client.transport} on ${client.server}`;
      assert.equal(client.messages.length, total, `${where}: message count`);
      for (const publisher of publishers) {
        const numbers = client.messages
          .filter((message) => message.startsWith(`${publisher.server}:`))
          .map((message) => Number(message.split(':')[1]));
        assert.deepEqual(numbers, expected, `${where}: from ${publisher.server}, each once, in order`);
      }
    }
    assert.equal(members.length >= 12, true);
  });
});

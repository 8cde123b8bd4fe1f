/**
 * The Redis broker against a real redis-server: two brokers in this process play two instances,
 * each under its own SockJSServer with in-process xhr-polling sessions.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createClient } from 'redis';
import { type SockJSConnection, SockJSServer } from '../../src/index.ts';
import { createRedisBroker, type RedisTopicBroker, type TopicGapEvent } from '../../src/redis.ts';
import {
  type RedisServer,
  redisCommand,
  startRedis,
  subscriberCount,
  waitFor,
} from '../support/redis-server.ts';

const BASE = 'http://127.0.0.1:8081';
let nextSession = 0;

/** A server with one open xhr-polling session; `poll()` returns the messages of the next answer. */
async function instance(broker: RedisTopicBroker) {
  const server = new SockJSServer({ prefix: '/t', broker });
  let connection: SockJSConnection | undefined;
  server.addEventListener('connection', (event) => {
    connection = event.connection;
  });
  const path = `/t/000/r${nextSession++}/xhr`;
  const post = async () => (await server.fetch(new Request(`${BASE}${path}`, { method: 'POST' }))).text();
  assert.equal(await post(), 'o\n');
  const received: string[] = [];
  /** Polls until `count` messages have arrived in all (each poll waits for the next frame). */
  const receive = async (count: number) => {
    while (received.length < count) {
      const frame = await post();
      if (frame === 'h\n') continue;
      assert.match(frame, /^a\[/);
      received.push(...(JSON.parse(frame.slice(1)) as string[]));
    }
    return received;
  };
  return { server, connection: connection!, receive, received };
}

function recordEvents(broker: RedisTopicBroker) {
  const gaps: TopicGapEvent[] = [];
  const errors: Error[] = [];
  let reconnects = 0;
  broker.addEventListener('gap', (event) => gaps.push(event));
  broker.addEventListener('error', (event) => errors.push(event.error));
  broker.addEventListener('reconnect', () => reconnects++);
  return { gaps, errors, reconnects: () => reconnects };
}

describe('Redis topic broker (real redis-server)', () => {
  let redis: RedisServer;
  before(async () => {
    redis = await startRedis();
  });
  after(async () => {
    await redis.stop();
  });

  it('delivers across instances exactly once, drops its own echo, and unsubscribes when the last one leaves', async () => {
    const [brokerA, brokerB] = await Promise.all([
      createRedisBroker({ url: redis.url }),
      createRedisBroker({ url: redis.url }),
    ]);
    try {
      const a = await instance(brokerA);
      const b = await instance(brokerB);
      a.connection.subscribe('news');
      b.connection.subscribe('news');
      await waitFor(
        'two subscribers',
        async () => (await subscriberCount(redis.port, 'sockjs:topic:news')) === 2,
      );
      for (let i = 1; i <= 5; i++) void a.server.publish('news', `a${i}`);
      await b.server.publish('news', 'b1');
      // Someone else's garbage on the channel is ignored, not delivered, not a crash.
      await redisCommand(redis.port, ['PUBLISH', 'sockjs:topic:news', 'not json']);
      await redisCommand(redis.port, [
        'PUBLISH',
        'sockjs:topic:news',
        '{"origin":"x","seq":0,"topic":"news","data":"?"}',
      ]);
      await a.server.publish('news', 'a6');
      assert.deepEqual(await b.receive(7), [
        'b1', // local, at once
        'a1',
        'a2',
        'a3',
        'a4',
        'a5',
        'a6',
      ]);
      assert.deepEqual(await a.receive(7), ['a1', 'a2', 'a3', 'a4', 'a5', 'b1', 'a6']);
      await new Promise((resolve) => setTimeout(resolve, 100));
      // Nothing more arrives: no echo of a's own publishes, nothing twice.
      b.connection.send('end');
      a.connection.send('end');
      assert.deepEqual((await b.receive(8)).slice(7), ['end']);
      assert.deepEqual((await a.receive(8)).slice(7), ['end']);
      b.connection.unsubscribe('news');
      await waitFor(
        'one subscriber',
        async () => (await subscriberCount(redis.port, 'sockjs:topic:news')) === 1,
      );
      a.connection.close();
      await a.receive(8).catch(() => {});
    } finally {
      await Promise.all([brokerA.close(), brokerB.close()]);
    }
    assert.equal(await subscriberCount(redis.port, 'sockjs:topic:news'), 0);
  });

  it('rejects publishes while Redis is down, resubscribes after a restart, and reports the gap', async () => {
    const [brokerA, brokerB] = await Promise.all([
      createRedisBroker({ url: redis.url }),
      createRedisBroker({ url: redis.url }),
    ]);
    const eventsA = recordEvents(brokerA);
    const eventsB = recordEvents(brokerB);
    try {
      const a = await instance(brokerA);
      const b = await instance(brokerB);
      a.connection.subscribe('live');
      b.connection.subscribe('live');
      await waitFor(
        'subscribers',
        async () => (await subscriberCount(redis.port, 'sockjs:topic:live')) === 2,
      );
      await a.server.publish('live', '1');
      assert.deepEqual(await b.receive(1), ['1']);

      await redis.kill();
      await waitFor('the broker to notice', () => eventsA.errors.length > 0 && eventsB.errors.length > 0);
      // Rejected, yet delivered locally.
      await assert.rejects(a.server.publish('live', '2'), /Could not publish to topic "live"/);
      await assert.rejects(a.server.publish('live', '3'), /unreachable/);
      assert.deepEqual(await a.receive(3), ['1', '2', '3']);

      await redis.restart();
      await waitFor(
        'both brokers to resubscribe',
        () => eventsA.reconnects() === 1 && eventsB.reconnects() === 1,
      );
      assert.equal(await subscriberCount(redis.port, 'sockjs:topic:live'), 2);
      // The publishing connection may come back a moment after the subscribing one: until then,
      // publishes are refused (and lost for b, like 2 and 3).
      let refused = 0;
      await waitFor('the publisher to reconnect', async () => {
        try {
          await a.server.publish('live', '4');
          return true;
        } catch {
          refused++;
          return false;
        }
      });
      assert.deepEqual(await b.receive(2), ['1', '4']);
      // What b missed (2, 3 and the refused tries, published while Redis was down) is reported, counted.
      const sequenceGaps = eventsB.gaps.filter((gap) => gap.reason === 'sequence');
      assert.deepEqual(
        sequenceGaps.map(({ topic, origin, missed }) => ({ topic, origin, missed })),
        [{ topic: 'live', origin: brokerA.origin, missed: 2 + refused }],
      );
      const outage = eventsB.gaps.find((gap) => gap.reason === 'outage');
      assert.ok(outage && outage.topic === 'live' && typeof outage.since === 'number');
    } finally {
      await Promise.all([brokerA.close(), brokerB.close()]);
    }
  });

  it('bounds publishes to a hung Redis (SIGSTOP): deadline, pending limit, hang detected, back on SIGCONT', {
    timeout: 20_000,
  }, async () => {
    const limits = { publishTimeout: 1000, maxPendingPublishes: 20 };
    const [brokerA, brokerB] = await Promise.all([
      createRedisBroker({ url: redis.url, ...limits }),
      createRedisBroker({ url: redis.url, ...limits }),
    ]);
    const eventsA = recordEvents(brokerA);
    const eventsB = recordEvents(brokerB);
    try {
      const a = await instance(brokerA);
      const b = await instance(brokerB);
      b.connection.subscribe('hung');
      await waitFor('subscriber', async () => (await subscriberCount(redis.port, 'sockjs:topic:hung')) === 1);
      // Each publish of a takes the next seq: data `k` is seq k.
      let published = 0;
      const publish = () => a.server.publish('hung', String(++published));
      await publish();
      assert.deepEqual(await b.receive(1), ['1']);

      redis.pause();
      // 26 publishes into a Redis that answers nothing: 20 wait for it, 6 are refused at once.
      const started = Date.now();
      const outcomes = Array.from({ length: 26 }, () =>
        publish().then(
          () => ({ ok: true, message: '', after: Date.now() - started }),
          (error: Error) => ({ ok: false, message: error.message, after: Date.now() - started }),
        ),
      );
      assert.equal(brokerA.pendingPublishes, 20);
      const settled = await Promise.all(outcomes);
      const refused = settled.filter(({ message }) => /not answered the last 20 publishes/.test(message));
      const timedOut = settled.filter(({ message }) => /did not answer within 1000 ms/.test(message));
      assert.equal(refused.length, 6);
      assert.ok(
        refused.every(({ after }) => after < 500),
        'refused at once',
      );
      assert.equal(timedOut.length, 20);
      assert.ok(
        timedOut.every(({ after }) => after >= 900 && after < 3000),
        `timed out after ${timedOut.map(({ after }) => after)}`,
      );
      assert.equal(settled.filter(({ ok }) => ok).length, 0);
      // Every failure was also an `error` event.
      assert.equal(eventsA.errors.filter((error) => /Could not publish/.test(error.message)).length, 26);
      // node-redis still holds the timed-out ones: still refused at once while Redis hangs.
      assert.equal(brokerA.pendingPublishes, 20);
      await assert.rejects(publish(), /not answered the last 20 publishes/);

      // The hang is detected (1 s without traffic): the connections are dropped, what they held
      // is let go, and publishes are refused as for an unreachable Redis.
      await waitFor('the hang detected', () => brokerA.pendingPublishes === 0, 5000);
      await assert.rejects(publish(), /unreachable/);
      redis.resume();
      await waitFor('b to resubscribe', () => eventsB.reconnects() === 1);
      await waitFor('the publisher to reconnect', async () => {
        try {
          await publish();
          return true;
        } catch {
          return false;
        }
      });
      await publish();
      const last = String(published);
      // b hears a again; whatever of 2..last it did not get is reported as a gap, counted.
      await waitFor('the last message', async () => {
        await b.receive(b.received.length + 1);
        return b.received.includes(last);
      });
      const seqs = b.received.map(Number);
      assert.deepEqual(
        seqs,
        [...seqs].sort((x, y) => x - y),
        'in order',
      );
      const missed = eventsB.gaps
        .filter((gap) => gap.reason === 'sequence')
        .reduce((sum, gap) => sum + (gap.missed ?? 0), 0);
      assert.ok(missed > 0);
      assert.equal(seqs.length + missed, published);
      assert.ok(eventsB.gaps.some((gap) => gap.reason === 'outage'));
    } finally {
      redis.resume();
      await Promise.all([brokerA.close(), brokerB.close()]);
    }
  });

  it('closes within publishTimeout while Redis hangs', { timeout: 10_000 }, async () => {
    const broker = await createRedisBroker({ url: redis.url, publishTimeout: 500 });
    const events = recordEvents(broker);
    try {
      redis.pause();
      const publishing = broker.publish('t', 'x').catch((error: Error) => error);
      const started = Date.now();
      await broker.close();
      assert.ok(Date.now() - started < 1500, `closed in ${Date.now() - started} ms`);
      assert.match(String(await publishing), /Could not publish/);
      assert.ok(events.errors.length >= 1);
    } finally {
      redis.resume();
    }
  });

  it('applies subscribe and unsubscribe made while Redis is down once it is back', async () => {
    const [brokerA, brokerB] = await Promise.all([
      createRedisBroker({ url: redis.url }),
      createRedisBroker({ url: redis.url }),
    ]);
    const eventsB = recordEvents(brokerB);
    try {
      const a = await instance(brokerA);
      const b = await instance(brokerB);
      b.connection.subscribe('leaving');
      await waitFor(
        'subscriber',
        async () => (await subscriberCount(redis.port, 'sockjs:topic:leaving')) === 1,
      );
      await redis.kill();
      await waitFor('the broker to notice', () => eventsB.errors.length > 0);
      b.connection.unsubscribe('leaving');
      b.connection.subscribe('joining');
      await redis.restart();
      await waitFor('the broker to reconnect', () => eventsB.reconnects() === 1);
      await waitFor(
        'the new topic',
        async () => (await subscriberCount(redis.port, 'sockjs:topic:joining')) === 1,
      );
      await waitFor(
        'the old topic gone',
        async () => (await subscriberCount(redis.port, 'sockjs:topic:leaving')) === 0,
      );
      await waitFor('the publisher to reconnect', async () => {
        await a.server.publish('leaving', 'not for b');
        return true;
      });
      await a.server.publish('joining', 'for b');
      assert.deepEqual(await b.receive(1), ['for b']);
    } finally {
      await Promise.all([brokerA.close(), brokerB.close()]);
    }
  });

  it('publishes on a client you pass in and leaves it open on close', async () => {
    const client = createClient({ url: redis.url });
    client.on('error', () => {});
    await client.connect();
    const broker = await createRedisBroker({ client });
    const other = await createRedisBroker({ url: redis.url });
    try {
      const mine = await instance(broker);
      const theirs = await instance(other);
      theirs.connection.subscribe('t');
      await waitFor('subscriber', async () => (await subscriberCount(redis.port, 'sockjs:topic:t')) === 1);
      await mine.server.publish('t', 'from a client of yours');
      assert.deepEqual(await theirs.receive(1), ['from a client of yours']);
    } finally {
      await Promise.all([broker.close(), other.close()]);
    }
    assert.equal(client.isReady, true);
    assert.equal(await client.ping(), 'PONG');
    await client.close();
  });
});

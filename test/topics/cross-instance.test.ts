/**
 * Topics across instances, end to end: the Node, Deno and Bun demo servers share one real
 * redis-server (REDIS_URL). On each, sockjs-client connections on websocket, xhr-streaming,
 * xhr-polling and eventsource, and a raw WebSocket, join `/broadcast`; the websocket one of each
 * backend publishes numbered messages. Every connection must receive every message exactly once, in each publisher's order; then
 * Redis is SIGKILLed and restarted during traffic: local delivery goes on, publishes to the other
 * backends are refused, the brokers resubscribe, delivery resumes, and every message a backend
 * missed is reported by its broker as a `gap` (the demo logs them), counted exactly.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import SockJS from 'sockjs-client';
import WebSocket from 'ws';
import { type RedisServer, startRedis, subscriberCount, waitFor } from '../support/redis-server.ts';
import { bunTarget, denoTarget } from '../support/runtime-targets.ts';
import { type ConformanceTarget, nodeTarget, type RunningServer } from '../support/server-process.ts';

const BACKENDS: ReadonlyArray<[string, ConformanceTarget]> = [
  ['node', nodeTarget],
  ['deno', denoTarget],
  ['bun', bunTarget],
];
/** sockjs-client's transports in Node, and a raw WebSocket (`/broadcast/websocket`). */
const TRANSPORTS = ['websocket', 'xhr-streaming', 'xhr-polling', 'eventsource', 'websocket-raw'] as const;
const CHANNEL = 'sockjs:topic:broadcast';

// biome-ignore lint/suspicious/noExplicitAny: sockjs-client ships no types
type Sock = any;

interface Client {
  backend: string;
  transport: string;
  sock: Sock;
  /** Every message received, in order. */
  received: string[];
}

function connect(url: string, transport: string): Promise<{ sock: Sock; received: string[] }> {
  if (transport === 'websocket-raw') return connectRaw(`${url.replace('http', 'ws')}/websocket`);
  const sock: Sock = new SockJS(url, undefined, { transports: [transport], timeout: 5000 });
  const received: string[] = [];
  sock.onmessage = (event: { data: string }) => received.push(event.data);
  return new Promise((resolve, reject) => {
    sock.onopen = () => resolve({ sock, received });
    sock.onclose = (event: { code: number; reason: string }) =>
      reject(new Error(`${transport} ${url}: closed ${event.code} ${event.reason}`));
  });
}

function connectRaw(url: string): Promise<{ sock: Sock; received: string[] }> {
  const sock = new WebSocket(url);
  const received: string[] = [];
  sock.on('message', (data: Buffer) => received.push(data.toString('utf8')));
  return new Promise((resolve, reject) => {
    sock.once('open', () => resolve({ sock, received }));
    sock.once('error', reject);
  });
}

/** Per publisher, the numbers a client received from it, in arrival order. */
function byPublisher(received: readonly string[]): Map<string, number[]> {
  const result = new Map<string, number[]>();
  for (const message of received) {
    const [publisher, n] = message.split(':') as [string, string];
    let list = result.get(publisher);
    if (list === undefined) {
      list = [];
      result.set(publisher, list);
    }
    list.push(Number(n));
  }
  return result;
}

/** The gaps a backend's broker reported (demo log lines), summed per origin. */
function reportedGaps(output: string): { missed: Map<string, number>; outages: number } {
  const missed = new Map<string, number>();
  let outages = 0;
  for (const [, reason, origin, count] of output.matchAll(
    /\[demo\] redis gap topic=broadcast reason=(\w+) origin=(\S+) missed=(\S+)/g,
  )) {
    if (reason === 'outage') outages++;
    else missed.set(origin!, (missed.get(origin!) ?? 0) + Number(count));
  }
  return { missed, outages };
}

describe('topics across Node, Deno and Bun through Redis', () => {
  let redis: RedisServer;
  const servers = new Map<string, RunningServer>();
  const origins = new Map<string, string>();
  const clients: Client[] = [];
  /** Per publishing backend, the last number it sent. */
  const sent = new Map<string, number>(BACKENDS.map(([name]) => [name, 0]));

  const publisher = (backend: string) =>
    clients.find((client) => client.backend === backend && client.transport === 'websocket')!;
  const publishRound = () => {
    for (const [name] of BACKENDS) {
      const n = sent.get(name)! + 1;
      sent.set(name, n);
      publisher(name).sock.send(`${name}:${n}`);
    }
  };
  /** Every client has the last message of every publisher. */
  const caughtUp = () =>
    clients.every((client) => {
      const seen = byPublisher(client.received);
      return BACKENDS.every(([name]) => (seen.get(name)?.at(-1) ?? 0) === sent.get(name));
    });

  before(async () => {
    redis = await startRedis();
    await Promise.all(
      BACKENDS.map(async ([name, target]) => {
        const server = await target.start({ REDIS_URL: redis.url, SOCKJS_BACKEND_NAME: name });
        servers.set(name, server);
        origins.set(/\[demo\] redis broker (\S+)/.exec(server.output!())![1]!, name);
      }),
    );
    for (const [name] of BACKENDS) {
      for (const transport of TRANSPORTS) {
        const { sock, received } = await connect(`${servers.get(name)!.url}/broadcast`, transport);
        clients.push({ backend: name, transport, sock, received });
      }
    }
    await waitFor(
      'every backend to subscribe',
      async () => (await subscriberCount(redis.port, CHANNEL)) === 3,
    );
  });

  after(async () => {
    for (const client of clients) client.sock.close();
    await Promise.all([...servers.values()].map((server) => server.stop()));
    await redis?.stop();
  });

  it('/connection_info names the backend that holds the connection', async () => {
    for (const [name] of BACKENDS) {
      const { sock, received } = await connect(`${servers.get(name)!.url}/connection_info`, 'xhr-streaming');
      sock.send('?');
      await waitFor('connection_info answer', () => received.length === 1);
      sock.close();
      const info = JSON.parse(received[0]!) as { backend: string; protocol: string };
      assert.equal(info.backend, name);
      assert.equal(info.protocol, 'xhr-streaming');
    }
  });

  it('delivers every publish of every backend to every connection once, in order', async () => {
    for (let round = 0; round < 60; round++) {
      publishRound();
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await waitFor('every message everywhere', caughtUp, 15_000);
    await new Promise((resolve) => setTimeout(resolve, 200)); // anything extra would show now
    for (const client of clients) {
      const seen = byPublisher(client.received);
      for (const [name] of BACKENDS) {
        assert.deepEqual(
          seen.get(name),
          Array.from({ length: 60 }, (_, i) => i + 1),
          `${client.backend}/${client.transport} from ${name}`,
        );
      }
      assert.equal(client.received.length, 180, `${client.backend}/${client.transport}: nothing else`);
    }
  });

  it('survives a Redis restart: local delivery goes on, remote gaps are all reported, delivery resumes', async (t) => {
    const firstOfPhase = new Map(sent);
    let sending = true;
    const traffic = (async () => {
      while (sending) {
        publishRound();
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
    await new Promise((resolve) => setTimeout(resolve, 300));
    await redis.kill();
    await new Promise((resolve) => setTimeout(resolve, 700));
    await redis.restart();
    const restartedAt = Date.now();
    await waitFor(
      'every backend to resubscribe',
      async () => (await subscriberCount(redis.port, CHANNEL)) === 3,
    );
    const resubscribedMs = Date.now() - restartedAt;
    await waitFor('every broker to say so', () =>
      [...servers.values()].every((server) => server.output!().includes('[demo] redis reconnect')),
    );
    // Keep publishing until every connection has the latest message of every publisher.
    await waitFor('delivery to resume everywhere', caughtUp, 15_000);
    sending = false;
    await traffic;
    await waitFor('the last round', caughtUp, 15_000);
    await new Promise((resolve) => setTimeout(resolve, 200));

    let lostSomewhere = 0;
    for (const [backend] of BACKENDS) {
      const output = servers.get(backend)!.output!();
      const gaps = reportedGaps(output);
      assert.ok(gaps.outages >= 1, `${backend} reported its outage`);
      assert.match(output, /broadcast not published to other instances/, `${backend} saw a publish refused`);
      const local = clients.filter((client) => client.backend === backend);
      for (const [publisherName] of BACKENDS) {
        const expected = Array.from(
          { length: sent.get(publisherName)! - firstOfPhase.get(publisherName)! },
          (_, i) => firstOfPhase.get(publisherName)! + i + 1,
        );
        const missing: number[][] = [];
        for (const client of local) {
          const got = byPublisher(client.received)
            .get(publisherName)!
            .filter((n) => n > firstOfPhase.get(publisherName)!);
          const what = `${client.backend}/${client.transport} from ${publisherName}`;
          // Never twice, never out of order.
          assert.ok(
            got.every((n, i) => i === 0 || n > got[i - 1]!),
            `${what}: in order, no duplicates`,
          );
          missing.push(expected.filter((n) => !got.includes(n)));
        }
        if (publisherName === backend) {
          // Local delivery does not depend on Redis.
          for (const lost of missing) assert.deepEqual(lost, [], `${backend} lost none of its own`);
          continue;
        }
        // The connections of one backend share one subscription: they miss the same messages...
        for (const lost of missing) assert.deepEqual(lost, missing[0]);
        // ...and its broker reported exactly that many for that publisher.
        const origin = [...origins].find(([, name]) => name === publisherName)![0];
        assert.equal(
          gaps.missed.get(origin) ?? 0,
          missing[0]!.length,
          `${backend} reported what it missed from ${publisherName}`,
        );
        lostSomewhere += missing[0]!.length;
      }
    }
    const published = BACKENDS.reduce((sum, [name]) => sum + sent.get(name)! - firstOfPhase.get(name)!, 0);
    t.diagnostic(
      `${published} published during the phase; all 3 backends resubscribed ${resubscribedMs} ms after ` +
        `the restart; ${lostSomewhere} remote receipts lost, all reported`,
    );
    assert.ok(lostSomewhere > 0, 'the outage lost messages (the test would prove nothing otherwise)');
  });
});

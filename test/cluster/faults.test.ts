/**
 * A backend dies during traffic (SIGKILL, no goodbye): the sessions it held end, their clients
 * see a close (or an aborted response) and reconnect to a live backend; sessions on the other
 * backends lose nothing. Clients count numbered messages from `/sequence`: real sockjs-client
 * connections on websocket, xhr-polling and eventsource, and raw xhr_streaming sessions.
 * (sockjs-client's Node XHR driver never reports a response cut mid-body, so its xhr-streaming
 * would wait forever where a browser's XHR fails; the raw stream shows the abort itself.)
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { type Cluster, startCluster } from '../../cluster/cluster.ts';
import { stream, xhrSend } from '../conformance/common.ts';
import { ensureBuilt } from '../support/build.ts';
import { type ClusterClient, clientsPerServer, openClient, serverOf } from '../support/cluster-clients.ts';
import type { RawResponse } from '../support/raw-http.ts';

/** Numbers each client asks for (`start COUNT EVERY_MS`): about 4 s of traffic. */
const COUNT = 400;
const EVERY_MS = 10;
const VICTIM = 'deno';
/** Clients per backend at least, so several transports are on every backend. */
const PER_BACKEND = 4;

const TRANSPORTS = ['websocket', 'xhr-polling', 'eventsource'] as const;

const oneToN = (n: number) => Array.from({ length: n }, (_, i) => String(i + 1));
const isPrefixOfNumbers = (messages: readonly string[]) =>
  messages.every((message, index) => message === String(index + 1));

/** What an application does after a close: connect again until it works (a dead backend may still be picked until HAProxy marks it down). */
async function reconnect(cluster: Cluster, transport: string, deadline: number): Promise<ClusterClient> {
  for (;;) {
    try {
      return await openClient(cluster, '/sequence', transport);
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(what)), ms).unref()),
  ]);
}

/** A raw `xhr_streaming` session on `/sequence`, reading `a[...]` frames as they come. */
interface RawStream {
  server: string;
  numbers: string[];
  /** Resolves when the body ends: `aborted` if the connection broke mid-body. */
  ended: Promise<{ aborted: boolean; detail: string }>;
  abort(): void;
}

async function openRawStream(cluster: Cluster): Promise<RawStream> {
  const base = `/sequence/000/${randomUUID().replaceAll('-', '')}`;
  const response: RawResponse = await stream(cluster.url, 'POST', `${base}/xhr_streaming`);
  const numbers: string[] = [];
  let text = '';
  let opened = () => {};
  const open = new Promise<void>((resolve) => {
    opened = resolve;
  });
  const ended = (async () => {
    try {
      for (;;) {
        const chunk = await response.nextText(60_000);
        if (chunk === null) return { aborted: false, detail: 'the body ended' };
        text += chunk;
        const lines = text.split('\n');
        text = lines.pop()!;
        for (const frame of lines) {
          if (frame === 'o') opened();
          else if (frame.startsWith('a')) numbers.push(...(JSON.parse(frame.slice(1)) as string[]));
        }
      }
    } catch (error) {
      return { aborted: true, detail: (error as Error).message };
    }
  })();
  await open;
  const server = await serverOf(cluster, base.split('/')[3]!);
  const sent = await xhrSend(cluster.url, base, JSON.stringify([`start ${COUNT} ${EVERY_MS}`]));
  assert.equal(sent.status, 204);
  return { server, numbers, ended, abort: () => response.abort() };
}

describe('cluster faults: a backend killed during traffic', () => {
  let cluster: Cluster;
  const clients: ClusterClient[] = [];
  const streams: RawStream[] = [];

  before(async () => {
    ensureBuilt(); // the Node backend runs from .build/ (test/support/build.ts)
    cluster = await startCluster({ logRequests: true, check: { interMs: 200, fall: 2, rise: 2 } });
  });
  after(async () => {
    for (const client of clients) client.close();
    for (const each of streams) each.abort();
    await cluster?.stop();
  });

  it(`${VICTIM}'s sessions end and reconnect elsewhere; the others receive all ${COUNT} numbers in order`, async () => {
    // Open clients round the transports until every backend holds PER_BACKEND of them.
    for (let i = 0; [...clientsPerServer(cluster, clients).values()].some((n) => n < PER_BACKEND); i++) {
      assert.ok(
        i < 80,
        `sessions per backend after ${i} clients: ${[...clientsPerServer(cluster, clients)]}`,
      );
      clients.push(await openClient(cluster, '/sequence', TRANSPORTS[i % TRANSPORTS.length]!));
    }
    for (const client of clients) client.send(`start ${COUNT} ${EVERY_MS}`);
    while (new Set(streams.map((each) => each.server)).size < cluster.backends.length) {
      assert.ok(streams.length < 30, `raw streams on: ${streams.map((each) => each.server)}`);
      streams.push(await openRawStream(cluster));
    }
    await Promise.all(clients.map((client) => client.waitUntil('20 numbers', (m) => m.length >= 20, 10_000)));

    const victim = cluster.backends.find((backend) => backend.name === VICTIM)!;
    victim.process.kill('SIGKILL');
    const onVictim = clients.filter((client) => client.server === VICTIM);
    const survivors = clients.filter((client) => client.server !== VICTIM);
    const transportsOnVictim = new Set(onVictim.map((client) => client.transport));
    assert.ok(transportsOnVictim.size >= 2, `transports on ${VICTIM}: ${[...transportsOnVictim]}`);

    // Every client of the dead backend sees its session end, after a gapless prefix of the numbers.
    for (const client of onVictim) {
      const close = await withTimeout(client.closed, 15_000, `${client.transport} on ${VICTIM}: no close`);
      assert.notEqual(close.code, 1000, `${client.transport}: not a clean close`);
      assert.ok(isPrefixOfNumbers(client.messages), `${client.transport}: numbers in order, no gap`);
      assert.ok(client.messages.length < COUNT, `${client.transport}: cut short (${client.messages.length})`);
    }
    // A raw stream of the dead backend breaks off mid-body.
    for (const each of streams.filter((one) => one.server === VICTIM)) {
      const end = await withTimeout(each.ended, 15_000, `raw xhr_streaming on ${VICTIM}: not ended`);
      assert.equal(end.aborted, true, `raw xhr_streaming on ${VICTIM}: ${end.detail}`);
      assert.ok(isPrefixOfNumbers(each.numbers), 'raw xhr_streaming: numbers in order, no gap');
    }
    await cluster.waitForEvent(new RegExp(`Server sockjs/${VICTIM} is DOWN`), 10_000);

    // They reconnect (a new session each) and land on a live backend that serves them.
    const again = await Promise.all(
      onVictim.map((client) => reconnect(cluster, client.transport, Date.now() + 10_000)),
    );
    clients.push(...again);
    for (const client of again) {
      assert.notEqual(client.server, VICTIM, `${client.transport}: reconnected to a live backend`);
      client.send('start 20 5');
    }
    for (const client of again) {
      await client.waitUntil('20 numbers', (m) => m.length >= 20, 10_000);
      assert.deepEqual(client.messages, oneToN(20), `${client.transport} after reconnecting`);
    }

    // Sessions on the other backends never noticed: still open, every number, in order, once.
    for (const client of survivors) {
      await client.waitUntil(`${COUNT} numbers`, (m) => m.length >= COUNT, 20_000);
      assert.equal(client.isClosed(), false, `${client.transport} on ${client.server}: still open`);
      assert.deepEqual(
        client.messages,
        oneToN(COUNT),
        `${client.transport} on ${client.server}: all numbers`,
      );
    }
  });
});

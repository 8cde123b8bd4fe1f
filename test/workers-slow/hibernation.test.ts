/**
 * WebSocket sessions survive their Durable Object hibernating: local workerd evicts an idle
 * object after 10 s, keeping its hibernatable sockets. Heartbeats come from the object's alarm
 * (which wakes a new instance); every live socket comes back with its connection id, announced
 * once as resumed, whether or not it has spoken since; one that closed while the object slept is
 * reported once. Slow by nature (each wait for hibernation costs ~13 s): kept out of the
 * per-runtime files so it runs alongside them, and its two servers run side by side (~30 s).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import WebSocket from 'ws';
import type { RunningServer } from '../support/server-process.ts';
import { workersTarget } from '../support/workers-target.ts';
import { WsClient } from '../support/ws-client.ts';

/** Longer than workerd's 10 s idle eviction, so the first heartbeat wakes a hibernated object. */
const HEARTBEAT_MS = 12_000;
/** Silence after which local workerd has evicted an object (it does so after 10 s idle). */
const HIBERNATION_MS = 13_000;

const id = () => Math.random().toString(36).slice(2, 10);

/** A SockJS WebSocket client that keeps every message it receives, in order. */
class SockJSClient {
  readonly received: string[] = [];
  readonly #ws: WsClient;
  #waiters: Array<() => void> = [];

  private constructor(ws: WsClient) {
    this.#ws = ws;
    void this.#read();
  }

  static async open(url: string): Promise<SockJSClient> {
    const ws = await WsClient.connect(url, 10_000);
    assert.equal(await ws.next(10_000), 'o');
    return new SockJSClient(ws);
  }

  async #read(): Promise<void> {
    for (;;) {
      let frame: string;
      try {
        frame = await this.#ws.next(3_600_000);
      } catch {
        return; // closed
      }
      if (frame.startsWith('a')) this.received.push(...(JSON.parse(frame.slice(1)) as string[]));
      for (const wake of this.#waiters.splice(0)) wake();
    }
  }

  send(message: string): void {
    this.#ws.send(JSON.stringify([message]));
  }

  count(message: string): number {
    return this.received.filter((received) => received === message).length;
  }

  /** The first message from index `from` on that satisfies `predicate` (fails after 5 s). */
  async find(predicate: (message: string) => boolean, from = 0): Promise<string> {
    const deadline = Date.now() + 5000;
    for (;;) {
      const found = this.received.slice(from).find(predicate);
      if (found !== undefined) return found;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no matching message within 5 s; got ${JSON.stringify(this.received)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Waits for `message` to have arrived (at any time). */
  async waitFor(message: string): Promise<void> {
    await this.find((received) => received === message);
  }

  /** `/connection_info`'s answer to a message: what the server knows of this connection. */
  async info(): Promise<{ id: string; resumed: boolean; connections: number }> {
    const from = this.received.length;
    this.send('who am I');
    return JSON.parse(await this.find((message) => message.startsWith('{"id"'), from));
  }

  close(): Promise<void> {
    return this.#ws.close();
  }
}

describe('Workers: hibernation', { concurrency: true }, () => {
  describe('one socket, heartbeats from the alarm', () => {
    let server: RunningServer;
    before(async () => {
      server = await workersTarget().start({ SOCKJS_HEARTBEAT_DELAY: String(HEARTBEAT_MS) });
    });
    after(async () => {
      await server?.stop();
    });

    it('keeps a WebSocket session through hibernation, with heartbeats and the same connection', async () => {
      const url = `${server.url.replace('http', 'ws')}/connection_info/000/${Date.now().toString(36)}/websocket`;
      const ws = new WebSocket(url);
      const frames: string[] = [];
      const waiters: Array<() => void> = [];
      ws.on('message', (data) => {
        frames.push(String(data));
        for (const wake of waiters.splice(0)) wake();
      });
      const nextFrame = (timeoutMs: number) =>
        new Promise<string>((resolve, reject) => {
          const timer = setTimeout(
            () => reject(new Error(`no frame within ${timeoutMs} ms; got ${frames}`)),
            timeoutMs,
          );
          const check = () => {
            const frame = frames.shift();
            if (frame === undefined) return waiters.push(check);
            clearTimeout(timer);
            resolve(frame);
          };
          check();
        });
      try {
        assert.equal(await nextFrame(5000), 'o');
        ws.send(JSON.stringify(['who am I']));
        const before = JSON.parse(JSON.parse((await nextFrame(5000)).slice(1))[0]);
        assert.deepEqual([before.protocol, before.resumed], ['websocket', false]);

        // Silence: the object hibernates at ~10 s; its alarm wakes a new instance for the heartbeat.
        assert.equal(await nextFrame(HEARTBEAT_MS + 5000), 'h');

        ws.send(JSON.stringify(['and now?']));
        const after = JSON.parse(JSON.parse((await nextFrame(5000)).slice(1))[0]);
        assert.equal(after.id, before.id, 'same connection id after hibernation');
        assert.equal(after.resumed, true, 'the connection was rebuilt from its socket attachment');
        assert.deepEqual(frames, [], 'no second open frame, nothing else');
      } finally {
        ws.close();
      }
    });
  });

  describe('a room of sockets', () => {
    let server: RunningServer;
    before(async () => {
      // No heartbeat alarm within the test: the objects are woken by messages and closes.
      server = await workersTarget().start({ SOCKJS_HEARTBEAT_DELAY: '60000' });
    });
    after(async () => {
      await server?.stop();
    });

    it('holds every live socket after each wake, reports one closed in hibernation once, and broadcasts to all', async () => {
      const ws = server.url.replace('http', 'ws');
      const room = id();
      // Three in one object that reports `server.connections.size` (and tells a room who left)...
      const [x, y, z] = await Promise.all(
        [0, 1, 2].map(() => SockJSClient.open(`${ws}/connection_info/000/${id()}/websocket?room=${room}`)),
      );
      // ...and three in the demo chat, whose every session is in one object.
      const [a, b, c] = await Promise.all(
        [0, 1, 2].map(() => SockJSClient.open(`${ws}/broadcast/000/${id()}/websocket`)),
      );
      try {
        const zId = (await z!.info()).id;
        const first = await x!.info();
        assert.deepEqual([first.resumed, first.connections], [false, 3]);
        a!.send('before');
        await Promise.all([b!.waitFor('before'), c!.waitFor('before')]);

        await sleep(HIBERNATION_MS);
        // The report: a message wakes the chat's object; every member must hear it,
        // the ones silent since the wake included. Then each member in turn reaches all others.
        for (const [sender, others] of [
          [a!, [b!, c!]],
          [b!, [a!, c!]],
          [c!, [a!, b!]],
        ] as const) {
          const text = `after hibernation, from ${sender === a ? 'a' : sender === b ? 'b' : 'c'}`;
          sender.send(text);
          await Promise.all(others.map((other) => other.waitFor(text)));
        }
        // A close wakes the info room: the others hear of it once, and it is gone from the set.
        await z!.close();
        const left = JSON.stringify({ left: zId });
        await Promise.all([x!.waitFor(left), y!.waitFor(left)]);
        const afterClose = await x!.info();
        assert.equal(afterClose.id, first.id, 'same connection id after hibernation');
        assert.deepEqual([afterClose.resumed, afterClose.connections], [true, 2]);

        await sleep(HIBERNATION_MS);
        // Second cycle. The info room is woken by a message: y (silent since the first wake)
        // is there, z is not back as a ghost, and no one hears of z's close again.
        const second = await x!.info();
        assert.deepEqual([second.resumed, second.connections], [true, 2]);
        assert.equal(x!.count(left), 1, 'x heard of the close exactly once');
        assert.equal(y!.count(left), 1, 'y heard of the close exactly once');
        // The chat is woken by a close; the two left still reach each other.
        await c!.close();
        a!.send('second cycle');
        await b!.waitFor('second cycle');
        b!.send('second cycle, from b');
        await a!.waitFor('second cycle, from b');
        assert.equal(a!.count('after hibernation, from b'), 1, 'nothing delivered twice');
      } finally {
        await Promise.all([x, y, z, a, b, c].map((client) => client?.close()));
      }
    });
  });
});

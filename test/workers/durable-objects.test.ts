/**
 * What only the Workers entry has to prove: sessions are placed in Durable Objects by session
 * id (not server id), rooms put sessions together, and a restarted object tells clients of
 * lost sessions with a close frame instead of silence or a second `o`.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { RunningServer } from '../support/server-process.ts';
import { workersTarget } from '../support/workers-target.ts';
import { toWsUrl, WsClient } from '../support/ws-client.ts';

const id = () => Math.random().toString(36).slice(2, 10);

async function poll(url: string, prefix: string, server: string, session: string): Promise<string> {
  const response = await fetch(`${url}${prefix}/${server}/${session}/xhr`, { method: 'POST' });
  assert.equal(response.status, 200);
  return response.text();
}

async function send(url: string, prefix: string, server: string, session: string, messages: string[]) {
  return fetch(`${url}${prefix}/${server}/${session}/xhr_send`, {
    method: 'POST',
    headers: { 'Content-Type': 'text/plain' },
    body: JSON.stringify(messages),
  });
}

/** Reads the frames of an xhr_streaming response (prelude skipped) as they arrive. */
class StreamFrames {
  readonly #reader: ReadableStreamDefaultReader<Uint8Array>;
  readonly #decoder = new TextDecoder();
  #text = '';

  constructor(response: Response) {
    this.#reader = response.body!.getReader();
  }

  /** All frames so far, once there are at least `count` (fails after 5 s). */
  async atLeast(count: number): Promise<string[]> {
    const deadline = Date.now() + 5000;
    for (;;) {
      const frames = this.#text.split('\n').filter((line) => line !== '' && !/^h+$/.test(line));
      if (frames.length >= count) return frames;
      const left = deadline - Date.now();
      assert.ok(left > 0, `only ${frames.length} of ${count} frames: ${JSON.stringify(frames)}`);
      const result = await Promise.race([
        this.#reader.read(),
        new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), left)),
      ]);
      if (result === 'timeout') continue;
      assert.equal(result.done, false, 'stream ended early');
      this.#text += this.#decoder.decode(result.value, { stream: true });
    }
  }

  cancel(): Promise<void> {
    return this.#reader.cancel();
  }
}

describe('Workers: sessions in Durable Objects', () => {
  let server: RunningServer;
  before(async () => {
    server = await workersTarget().start();
  });
  after(async () => {
    await server?.stop();
  });

  it('routes one session to one object whatever the server id', async () => {
    const session = id();
    assert.equal(await poll(server.url, '/echo', '000', session), 'o\n');
    assert.equal((await send(server.url, '/echo', '999', session, ['via another server id'])).status, 204);
    assert.equal(await poll(server.url, '/echo', '123', session), 'a["via another server id"]\n');
  });

  it('keeps sessions of different ids apart (one object each by default)', async () => {
    const a = id();
    const b = id();
    assert.equal(await poll(server.url, '/echo', '0', a), 'o\n');
    assert.equal((await send(server.url, '/echo', '0', b, ['x'])).status, 404, 'b does not exist yet');
  });

  it('broadcasts to every session of a room across transports', async () => {
    const sessions = [id(), id(), id()];
    const streams = await Promise.all(
      sessions.map(async (session) => {
        const response = await fetch(`${server.url}/broadcast/000/${session}/xhr_streaming`, {
          method: 'POST',
        });
        return new StreamFrames(response);
      }),
    );
    const polled = id();
    assert.equal(await poll(server.url, '/broadcast', '000', polled), 'o\n');
    // Every stream must be open before the broadcast goes out.
    for (const stream of streams) assert.deepEqual(await stream.atLeast(1), ['o']);
    assert.equal((await send(server.url, '/broadcast', '000', sessions[0]!, ['to everyone'])).status, 204);
    for (const stream of streams) {
      assert.deepEqual(await stream.atLeast(2), ['o', 'a["to everyone"]']);
      await stream.cancel();
    }
    assert.equal(await poll(server.url, '/broadcast', '000', polled), 'a["to everyone"]\n');
  });
});

describe('Workers: a restarted Durable Object', () => {
  const storage = mkdtempSync(path.join(tmpdir(), 'sockjs-do-'));
  after(() => rmSync(storage, { recursive: true, force: true }));

  it('answers a session lost in the restart with a close frame, never a second "o"', async () => {
    const target = workersTarget(storage);
    const session = id();
    const first = await target.start();
    try {
      assert.equal(await poll(first.url, '/echo', '000', session), 'o\n');
    } finally {
      await first.stop();
    }
    const second = await target.start();
    try {
      assert.equal(
        await poll(second.url, '/echo', '000', session),
        'c[1012,"Server restarted, session lost"]\n',
      );
      assert.equal(
        await poll(second.url, '/echo', '000', session),
        'c[1012,"Server restarted, session lost"]\n',
        'every later poll hears the same',
      );
      assert.equal((await send(second.url, '/echo', '000', session, ['late'])).status, 404);
      assert.equal(await poll(second.url, '/echo', '000', id()), 'o\n', 'new sessions still open');
    } finally {
      await second.stop();
    }
  });

  it('still knows the lost sessions of a room whose new instance began with a WebSocket handshake', async () => {
    const target = workersTarget(storage);
    const lost = id();
    const first = await target.start();
    try {
      assert.equal(await poll(first.url, '/broadcast', '000', lost), 'o\n');
    } finally {
      await first.stop();
    }
    const second = await target.start();
    try {
      // A handshake reads no storage (an object that only holds sockets never touches SQLite)...
      const ws = await WsClient.connect(`${toWsUrl(second.url)}/broadcast/000/${id()}/websocket`, 10_000);
      try {
        assert.equal(await ws.next(10_000), 'o');
        // ...so the rows of the previous instance are read when the lost session's client is back.
        assert.equal(
          await poll(second.url, '/broadcast', '000', lost),
          'c[1012,"Server restarted, session lost"]\n',
        );
        assert.equal(await poll(second.url, '/broadcast', '000', id()), 'o\n', 'new sessions still open');
      } finally {
        ws.terminate();
      }
    } finally {
      await second.stop();
    }
  });
});

/**
 * A client that stops reading does not make the server buffer without bound: the socket's
 * buffer stops taking frames, the session queue fills to its limit, and the session closes with
 * a close frame after an unbroken prefix of messages (never a silent gap).
 */
import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import WebSocket from 'ws';
import { nodeTarget, type RunningServer } from '../support/server-process.ts';

const AMPLIFY = 18; // each answer is 2^18 = 256 KiB
const REQUESTS = 160; // 40 MiB of answers: more than the 16 MiB queue limit plus socket buffers

describe('backpressure (Node)', () => {
  let server: RunningServer;
  before(async () => {
    server = await nodeTarget.start();
  });
  after(async () => {
    await server?.stop();
  });

  it('holds messages for a WebSocket client that stops reading, then closes with 1013 after an unbroken prefix', async () => {
    const ws = new WebSocket(`${server.url.replace('http', 'ws')}/amplify/000/bp${Date.now()}/websocket`);
    const frames: string[] = [];
    ws.on('message', (data) => frames.push(String(data)));
    const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
    await new Promise<void>((resolve) => ws.once('open', () => resolve()));
    const socket = (ws as unknown as { _socket: Socket })._socket;
    while (frames.length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    assert.deepEqual(frames, ['o']);

    // Stop reading: the server's socket buffer fills, then the session has to hold messages.
    socket.pause();
    // Spaced out, so each request is its own turn on the server (messages arriving in one read
    // are all queued before the first flush, which would overflow before anything is sent).
    for (let i = 0; i < REQUESTS; i++) {
      ws.send(JSON.stringify([String(AMPLIFY)]));
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    await new Promise((resolve) => setTimeout(resolve, 1500));
    socket.resume();

    assert.equal(await closed, 1000, 'the WebSocket closes normally after the close frame');
    const last = frames.at(-1);
    assert.equal(last, 'c[1013,"Message queue full"]');
    const messages = frames.slice(1, -1).flatMap((frame) => {
      assert.match(frame, /^a\[/);
      return JSON.parse(frame.slice(1)) as string[];
    });
    assert.ok(messages.length > 0, 'messages flowed before the limit');
    assert.ok(
      messages.length < REQUESTS,
      `the limit was reached (${messages.length} of ${REQUESTS} delivered)`,
    );
    for (const message of messages) assert.equal(message.length, 2 ** AMPLIFY);
  });
});

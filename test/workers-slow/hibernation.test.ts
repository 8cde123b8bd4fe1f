/**
 * A WebSocket session survives its Durable Object hibernating: local workerd evicts an idle
 * object after 10 s, keeping its hibernatable sockets. Heartbeats come from the object's alarm
 * (which wakes a new instance), and the connection comes back with its id, announced as resumed.
 * Slow by nature (~13 s): kept out of the per-runtime files so it runs alongside them.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import WebSocket from 'ws';
import type { RunningServer } from '../support/server-process.ts';
import { workersTarget } from '../support/workers-target.ts';

/** Longer than workerd's 10 s idle eviction, so the first heartbeat wakes a hibernated object. */
const HEARTBEAT_MS = 12_000;

describe('Workers: hibernation', () => {
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

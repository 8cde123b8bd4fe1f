/**
 * Behaviour that depends on how a runtime serves the core rather than on the protocol code:
 * WebSocket close codes crossing the runtime, a dropped request reaching the session, frames
 * leaving a streaming response at once. Run against every runtime's server.
 *
 * Reads are frame-aware, not chunk-aware: Deno and Bun may put frames written in the same tick
 * into one HTTP chunk, which the protocol allows.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  ANOTHER_CONNECTION,
  CONNECTION_INTERRUPTED,
  delay,
  GO_AWAY,
  poll,
  sessionBase,
  stream,
  xhrSend,
} from '../conformance/common.ts';
import { HttpConnection, type RawResponse } from '../support/raw-http.ts';
import type { ConformanceTarget, RunningServer } from '../support/server-process.ts';
import { toWsUrl, WsClient } from '../support/ws-client.ts';

/** Reads a streaming body until `expected` has arrived after what was already `seen`. */
async function readUntil(response: RawResponse, seen: string, expected: string, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  let text = seen;
  while (!text.includes(expected)) {
    const remaining = deadline - Date.now();
    assert.ok(
      remaining > 0,
      `no ${JSON.stringify(expected)} within ${timeoutMs} ms (got ${JSON.stringify(text)})`,
    );
    const chunk = await response.nextText(remaining);
    assert.notEqual(
      chunk,
      null,
      `the response ended before ${JSON.stringify(expected)} (got ${JSON.stringify(text)})`,
    );
    text += chunk;
  }
  return text;
}

export function defineRuntimeBehaviourSuite(target: ConformanceTarget): void {
  describe(`runtime behaviour: ${target.name}`, () => {
    let server: RunningServer;
    before(async () => {
      server = await target.start();
    });
    after(() => server?.stop());

    it('carries close code 3000 and reason "Go away!" through a raw /websocket', async () => {
      const ws = await WsClient.connect(`${toWsUrl(server.url)}/close/websocket`);
      assert.deepEqual(await ws.waitForClose(), { code: 3000, reason: 'Go away!' });
    });

    it('ends the SockJS websocket transport with c[3000,"Go away!"], then closes the socket', async () => {
      const ws = await WsClient.connect(`${toWsUrl(server.url)}${sessionBase('/close')}/websocket`);
      try {
        assert.equal(await ws.next(), 'o');
        assert.equal(await ws.next(), GO_AWAY);
        const closed = await ws.waitForClose();
        assert.equal(closed.code, 1000);
      } finally {
        ws.terminate();
      }
    });

    it('ends the session when the client drops a pending xhr poll', async () => {
      const base = sessionBase('/echo');
      assert.equal(await poll(server.url, base), 'o\n');
      // Only send the poll: Bun writes no response head before the body's first chunk.
      const pending = await HttpConnection.open(server.url);
      pending.send({ method: 'POST', path: `${base}/xhr`, headers: { 'Content-Length': '0' } });
      // Let the server attach the poll as the session's receiver before dropping it.
      await delay(200);
      pending.destroy();
      await delay(300);
      const next = await poll(server.url, base);
      assert.notEqual(next, `${ANOTHER_CONNECTION}\n`, 'the dropped poll still holds the session');
      assert.ok(
        next === 'o\n' || next === `${CONNECTION_INTERRUPTED}\n`,
        `expected a new session or 1002, got ${JSON.stringify(next)}`,
      );
    });

    for (const transport of ['xhr_streaming', 'eventsource'] as const) {
      it(`flushes a frame at once on ${transport}`, async () => {
        const base = sessionBase('/echo');
        const method = transport === 'eventsource' ? 'GET' : 'POST';
        const response = await stream(server.url, method, `${base}/${transport}`);
        try {
          assert.equal(response.status, 200);
          const opened = await readUntil(
            response,
            '',
            transport === 'eventsource' ? 'data: o\r\n' : 'o\n',
            3000,
          );
          const sent = await xhrSend(server.url, base, '["flush me"]');
          assert.equal(sent.status, 204);
          const frame = transport === 'eventsource' ? 'data: a["flush me"]\r\n\r\n' : 'a["flush me"]\n';
          await readUntil(response, opened, frame, 1000);
        } finally {
          response.abort();
        }
      });
    }
  });
}

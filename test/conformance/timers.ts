/**
 * PROTOCOL.md 1.7 timers: heartbeats (`heartbeat_delay`) and session expiry
 * (`disconnect_delay`), against a second server started with short delays.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { toWsUrl, WsClient } from '../support/ws-client.ts';
import {
  assertNotFound,
  delay,
  GO_AWAY,
  get,
  PRELUDE_XHR_STREAMING,
  poll,
  SHORT_DISCONNECT_MS,
  SHORT_HEARTBEAT_MS,
  type SuiteContext,
  sessionBase,
  stream,
  xhrSend,
} from './common.ts';

/** Comfortably past the disconnect delay, so the session is surely gone. */
const PAST_DISCONNECT_MS = SHORT_DISCONNECT_MS + 1000;
/** A heartbeat should come after the delay, and not much later. */
const HEARTBEAT_TIMEOUT_MS = SHORT_HEARTBEAT_MS + 2000;
/** Lower bound that tells a heartbeat from an immediate answer (some timer slack allowed). */
const HEARTBEAT_MIN_MS = SHORT_HEARTBEAT_MS / 2;

export function defineTimerTests(ctx: SuiteContext): void {
  // Each test uses its own session and mostly waits on timers, so they run concurrently.
  describe(`timers (1.7; heartbeat ${SHORT_HEARTBEAT_MS} ms, disconnect ${SHORT_DISCONNECT_MS} ms)`, {
    concurrency: true,
  }, () => {
    let url = '';
    before(async () => {
      url = await ctx.shortTimersUrl();
    });

    it('answers an idle poll with "h\\n" after heartbeat_delay', async () => {
      const base = sessionBase('/echo');
      assert.equal(await poll(url, base), 'o\n');
      const started = Date.now();
      assert.equal(await poll(url, base), 'h\n');
      const elapsed = Date.now() - started;
      assert.ok(elapsed >= HEARTBEAT_MIN_MS, `heartbeat came after the delay (${elapsed} ms)`);
    });

    it('sends "h\\n" chunks on an idle xhr_streaming response and keeps it open', async () => {
      const base = sessionBase('/echo');
      const frames = ctx.frames(await stream(url, 'POST', `${base}/xhr_streaming`), 'xhr');
      try {
        assert.equal(await frames.next(), PRELUDE_XHR_STREAMING);
        assert.equal(await frames.next(), 'o\n');
        const started = Date.now();
        assert.equal(await frames.next(HEARTBEAT_TIMEOUT_MS), 'h\n');
        assert.ok(Date.now() - started >= HEARTBEAT_MIN_MS, 'heartbeat came after the delay');
        assert.equal(await frames.next(HEARTBEAT_TIMEOUT_MS), 'h\n', 'heartbeats repeat');
        assert.equal((await xhrSend(url, base, '["x"]')).status, 204);
        assert.equal(await frames.next(), 'a["x"]\n', 'the stream is still usable');
      } finally {
        frames.abort();
      }
    });

    it('sends "data: h" events on an idle eventsource response', async () => {
      const frames = ctx.frames(
        await stream(url, 'GET', `${sessionBase('/echo')}/eventsource`),
        'eventsource',
      );
      try {
        assert.equal(await frames.next(), '\r\n');
        assert.equal(await frames.next(), 'data: o\r\n\r\n');
        assert.equal(await frames.next(HEARTBEAT_TIMEOUT_MS), 'data: h\r\n\r\n');
      } finally {
        frames.abort();
      }
    });

    it('sends p("h") scripts on an idle htmlfile response', async () => {
      const frames = ctx.frames(
        await stream(url, 'GET', `${sessionBase('/echo')}/htmlfile?c=cb`),
        'htmlfile',
      );
      try {
        await frames.next();
        assert.equal(await frames.next(), '<script>\np("o");\n</script>\r\n');
        assert.equal(await frames.next(HEARTBEAT_TIMEOUT_MS), '<script>\np("h");\n</script>\r\n');
      } finally {
        frames.abort();
      }
    });

    it('answers an idle jsonp poll with /**/cb("h");', async () => {
      const base = sessionBase('/echo');
      assert.equal((await get(url, `${base}/jsonp?c=cb`)).text, '/**/cb("o");\r\n');
      const response = await get(url, `${base}/jsonp?c=cb`, { timeoutMs: HEARTBEAT_TIMEOUT_MS });
      assert.equal(response.text, '/**/cb("h");\r\n');
    });

    it('sends "h" text frames (not only pings) on an idle SockJS websocket', async () => {
      const ws = await WsClient.connect(`${toWsUrl(url)}${sessionBase('/echo')}/websocket`);
      try {
        assert.equal(await ws.next(), 'o');
        assert.equal(await ws.next(HEARTBEAT_TIMEOUT_MS), 'h');
      } finally {
        await ws.close();
      }
    });

    it('sends no heartbeats on the raw websocket endpoint', async () => {
      const ws = await WsClient.connect(`${toWsUrl(url)}/echo/websocket`);
      try {
        await delay(SHORT_HEARTBEAT_MS * 2);
        assert.deepEqual(ws.pending, [], 'nothing arrived while idle');
        ws.send('ping');
        assert.equal(await ws.next(), 'ping');
      } finally {
        await ws.close();
      }
    });

    it('keeps a session without receiver alive for less than disconnect_delay', async () => {
      const base = sessionBase('/echo');
      assert.equal(await poll(url, base), 'o\n');
      await delay(SHORT_DISCONNECT_MS / 3);
      assert.equal((await xhrSend(url, base, '["kept"]')).status, 204);
      assert.equal(await poll(url, base), 'a["kept"]\n');
    });

    it('destroys a session after disconnect_delay without a receiver: xhr_send 404s and a poll opens anew', async () => {
      const base = sessionBase('/echo');
      assert.equal(await poll(url, base), 'o\n');
      await delay(PAST_DISCONNECT_MS);
      assertNotFound(await xhrSend(url, base, '["gone"]'), 'xhr_send to the expired session');
      assert.equal(await poll(url, base), 'o\n', 'the same id starts a new session');
    });

    it('repeats the close frame until disconnect_delay passes, then the id starts a fresh session', async () => {
      const base = sessionBase('/close');
      assert.equal(await poll(url, base), 'o\n');
      assert.equal(await poll(url, base), `${GO_AWAY}\n`);
      assert.equal(await poll(url, base), `${GO_AWAY}\n`);
      await delay(PAST_DISCONNECT_MS);
      assert.equal(await poll(url, base), 'o\n', 'a fresh session after the closed one was forgotten');
    });
  });
}

/** PROTOCOL.md 1.8 xhr_streaming (`XhrStreaming`) and 1.7 response limit. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  APPLICATION_JAVASCRIPT,
  assertCors,
  assertNoCache,
  chunkPhrase,
  PRELUDE_XHR_STREAMING,
  type SuiteContext,
  sessionBase,
  stream,
  xhrSend,
} from './common.ts';
import { verifyOptions } from './xhr-polling.ts';

export function defineXhrStreamingTests(ctx: SuiteContext): void {
  describe('xhr streaming (1.8 XhrStreaming)', () => {
    it('OPTIONS S/xhr_streaming allows "OPTIONS, POST" with cache1y and CORS (test_options)', async () => {
      await verifyOptions(ctx.url, '/echo/abc/abc/xhr_streaming', 'OPTIONS, POST');
    });

    it(`streams a 2048 "h" prelude, "o\\n" and each message frame ${chunkPhrase(ctx, 'as its own chunk')} (test_transport)`, async () => {
      const base = sessionBase('/echo');
      const response = await stream(ctx.url, 'POST', `${base}/xhr_streaming`, {
        headers: { Origin: 'test' },
      });
      const frames = ctx.frames(response, 'xhr');
      try {
        assert.equal(response.status, 200);
        assert.equal(response.header('content-type'), APPLICATION_JAVASCRIPT);
        assertCors(response, 'test');
        assertNoCache(response);
        assert.equal(await frames.next(), PRELUDE_XHR_STREAMING, 'first chunk: the prelude');
        assert.equal(await frames.next(), 'o\n', 'second chunk: the open frame');
        const sent = await xhrSend(ctx.url, base, '["x"]');
        assert.equal(sent.status, 204);
        assert.equal(sent.body.length, 0);
        assert.equal(await frames.next(), 'a["x"]\n');
        assert.equal((await xhrSend(ctx.url, base, '["y"]')).status, 204);
        assert.equal(await frames.next(), 'a["y"]\n', 'the stream stays open for further frames');
      } finally {
        response.abort();
      }
    });

    it('answers CORS with "*" and no credentials when there is no Origin', async () => {
      const response = await stream(ctx.url, 'POST', `${sessionBase('/echo')}/xhr_streaming`);
      try {
        assertCors(response, undefined);
      } finally {
        response.abort();
      }
    });

    it('ends the response once 4096 bytes of frames were sent: open after 30 x 128-char messages, closed after 31 (test_response_limit)', async () => {
      const base = sessionBase('/echo');
      const response = await stream(ctx.url, 'POST', `${base}/xhr_streaming`);
      const frames = ctx.frames(response, 'xhr');
      try {
        assert.equal(response.status, 200);
        assert.equal(await frames.next(), PRELUDE_XHR_STREAMING);
        assert.equal(await frames.next(), 'o\n');
        const message = `"${'x'.repeat(128)}"`;
        for (let i = 1; i <= 31; i++) {
          const sent = await xhrSend(ctx.url, base, `[${message}]`);
          assert.equal(sent.status, 204, `xhr_send #${i}`);
          // Frame #31 can only arrive if the stream was still open after #30.
          assert.equal(await frames.next(), `a[${message}]\n`, `frame #${i}`);
        }
        await frames.assertEnded('stream after 31 messages (2 + 31 * 134 = 4156 >= 4096 bytes)');
      } finally {
        response.abort();
      }
    });
  });
}

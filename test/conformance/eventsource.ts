/** PROTOCOL.md 1.8 eventsource (`EventSource`) and the 1.6 eventsource escaping. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  assertNoCache,
  assertVaryOrigin,
  chunkPhrase,
  type FrameReader,
  type SuiteContext,
  sessionBase,
  stream,
  xhrSend,
} from './common.ts';

export function defineEventSourceTests(ctx: SuiteContext): void {
  /** Opens `S/eventsource` and reads the prelude and open frame. */
  async function openEventSource(base: string, headers?: Record<string, string>): Promise<FrameReader> {
    const response = await stream(ctx.url, 'GET', `${base}/eventsource`, { headers });
    const frames = ctx.frames(response, 'eventsource');
    try {
      assert.equal(response.status, 200);
      assert.equal(await frames.next(), '\r\n', 'first chunk: the CRLF prelude');
      assert.equal(await frames.next(), 'data: o\r\n\r\n', 'second chunk: the open frame');
      return frames;
    } catch (error) {
      response.abort();
      throw error;
    }
  }

  describe('eventsource (1.8 EventSource)', () => {
    it(`streams "\\r\\n", then "data: <frame>\\r\\n\\r\\n" ${chunkPhrase(ctx, 'chunks')}, as exactly text/event-stream with nocache (test_transport)`, async () => {
      const base = sessionBase('/echo');
      const frames = await openEventSource(base);
      const response = frames.response;
      try {
        assert.equal(
          response.header('content-type'),
          'text/event-stream',
          'Content-Type exactly, no charset',
        );
        assertNoCache(response);
        const sent = await xhrSend(ctx.url, base, '["x"]');
        assert.equal(sent.status, 204);
        assert.equal(sent.body.length, 0);
        assert.equal(await frames.next(), 'data: a["x"]\r\n\r\n');

        // Leading spaces, NUL, LF and CR come out JSON-escaped: no raw CR/LF inside the event.
        assert.equal((await xhrSend(ctx.url, base, String.raw`["  \u0000\n\r "]`)).status, 204);
        assert.equal(await frames.next(), String.raw`data: a["  \u0000\n\r "]` + '\r\n\r\n');
      } finally {
        response.abort();
      }
    });

    it('escapes "%" as "%25" in event data, so "%20" is not decoded to a space by the client (1.6)', async () => {
      const base = sessionBase('/echo');
      const frames = await openEventSource(base);
      try {
        assert.equal((await xhrSend(ctx.url, base, String.raw`["%20 \u0000\n"]`)).status, 204);
        assert.equal(await frames.next(), String.raw`data: a["%2520 \u0000\n"]` + '\r\n\r\n');
      } finally {
        frames.abort();
      }
    });

    it('ends the stream after one 4096-character message (test_response_limit)', async () => {
      const base = sessionBase('/echo');
      const frames = await openEventSource(base);
      try {
        const message = `"${'x'.repeat(4096)}"`;
        assert.equal((await xhrSend(ctx.url, base, `[${message}]`)).status, 204);
        assert.equal(await frames.next(), `data: a[${message}]\r\n\r\n`);
        await frames.assertEnded('eventsource after 4096 bytes');
      } finally {
        frames.abort();
      }
    });

    it('answers CORS with "*" for no Origin or Origin null, and echoes other origins with credentials', async () => {
      for (const origin of [undefined, 'null']) {
        const { response } = await openEventSource(
          sessionBase('/echo'),
          origin === undefined ? {} : { Origin: origin },
        );
        try {
          const what = `eventsource with Origin ${origin}`;
          assert.equal(response.header('access-control-allow-origin'), '*', `${what}: ACAO`);
          assert.equal(response.hasHeader('access-control-allow-credentials'), false, `${what}: no ACAC`);
          assertVaryOrigin(response, what);
        } finally {
          response.abort();
        }
      }
      const { response } = await openEventSource(sessionBase('/echo'), { Origin: 'http://example.com' });
      try {
        assert.equal(response.header('access-control-allow-origin'), 'http://example.com');
        assert.equal(response.header('access-control-allow-credentials'), 'true');
        assertVaryOrigin(response);
      } finally {
        response.abort();
      }
    });
  });
}

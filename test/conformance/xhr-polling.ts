/** PROTOCOL.md 1.8 xhr (polling), `XhrPolling`; 1.1 rows for `S/xhr` and `S/xhr_send`. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  APPLICATION_JAVASCRIPT,
  assertCache1y,
  assertCors,
  assertError,
  assertNoCache,
  assertNotFound,
  openSession,
  options,
  poll,
  post,
  type SuiteContext,
  sessionBase,
  TEXT_PLAIN,
  xhrSend,
} from './common.ts';

/** `verify_options`: 204, cache1y, the methods, a long Max-Age, an empty body and the CORS echo. */
export async function verifyOptions(baseUrl: string, path: string, methods: string): Promise<void> {
  for (const origin of ['test', 'null']) {
    const response = await options(baseUrl, path, {
      headers: { Origin: origin, 'Access-Control-Request-Method': methods },
    });
    const what = `OPTIONS ${path} with Origin ${origin}`;
    assert.equal(response.status, 204, `${what}: status`);
    assertCache1y(response, what);
    assert.equal(response.header('access-control-allow-methods'), methods, `${what}: ACAM`);
    assert.equal(response.header('access-control-max-age'), '31536000', `${what}: ACMA`);
    assert.equal(response.body.length, 0, `${what}: empty body`);
    assertCors(response, origin, what);
  }
}

export function defineXhrPollingTests(ctx: SuiteContext): void {
  describe('xhr polling (1.8 XhrPolling)', () => {
    it('OPTIONS S/xhr and S/xhr_send allow "OPTIONS, POST" with cache1y and CORS (test_options)', async () => {
      for (const suffix of ['/xhr', '/xhr_send']) {
        await verifyOptions(ctx.url, `/echo/abc/abc${suffix}`, 'OPTIONS, POST');
      }
    });

    it('POST S/xhr opens with "o\\n", application/javascript, CORS, nocache; xhr_send is 204 text/plain (test_transport)', async () => {
      const base = sessionBase('/echo');
      const opened = await post(ctx.url, `${base}/xhr`, { headers: { Origin: 'test' } });
      assert.equal(opened.status, 200);
      assert.equal(opened.text, 'o\n');
      assert.equal(opened.header('content-type'), APPLICATION_JAVASCRIPT);
      assertCors(opened, 'test', 'POST S/xhr');
      assertNoCache(opened, 'POST S/xhr');

      const sent = await xhrSend(ctx.url, base, '["x"]', { Origin: 'test' });
      assert.equal(sent.status, 204);
      assert.equal(sent.body.length, 0, 'xhr_send has an empty body');
      assert.equal(sent.header('content-type'), TEXT_PLAIN, 'xhr_send keeps text/plain despite the 204');
      assertCors(sent, 'test', 'POST S/xhr_send');
      assertNoCache(sent, 'POST S/xhr_send');

      assert.equal(await poll(ctx.url, base), 'a["x"]\n');
    });

    it('answers each poll with exactly one frame holding every buffered message', async () => {
      const base = await openSession(ctx.url);
      assert.equal((await xhrSend(ctx.url, base, '["a","b"]')).status, 204);
      assert.equal((await xhrSend(ctx.url, base, '["c"]')).status, 204);
      assert.equal(await poll(ctx.url, base), 'a["a","b","c"]\n');
    });

    it('answers xhr_send to an unknown session with 404 (test_invalid_session)', async () => {
      const base = sessionBase('/echo');
      assertNotFound(await xhrSend(ctx.url, base, '["x"]'), 'xhr_send to an unknown session');
      // xhr_send never creates a session: the first poll still opens a new one.
      assert.equal(await poll(ctx.url, base), 'o\n');
    });

    it('answers broken JSON with 500 "Broken JSON encoding." and an empty body with 500 "Payload expected." (test_invalid_json)', async () => {
      const base = await openSession(ctx.url);
      assertError(await xhrSend(ctx.url, base, '["x'), 500, 'Broken JSON encoding.', 'xhr_send ["x');
      assertError(await xhrSend(ctx.url, base, ''), 500, 'Payload expected.', 'xhr_send with empty body');
      const sent = await xhrSend(ctx.url, base, '["a"]');
      assert.equal(sent.status, 204, 'the session is still usable');
      assert.equal(sent.body.length, 0);
      assert.equal(await poll(ctx.url, base), 'a["a"]\n');
    });

    it('answers a JSON value that is not an array with 500 "Payload expected."', async () => {
      const base = await openSession(ctx.url);
      assertError(await xhrSend(ctx.url, base, '{}'), 500, 'Payload expected.', 'xhr_send {}');
      assert.equal((await xhrSend(ctx.url, base, '["still"]')).status, 204);
      assert.equal(await poll(ctx.url, base), 'a["still"]\n');
    });

    it('validates the payload before looking up the session (500, not 404, for an unknown session)', async () => {
      const base = sessionBase('/echo');
      assertError(
        await xhrSend(ctx.url, base, ''),
        500,
        'Payload expected.',
        'empty xhr_send, unknown session',
      );
      assertError(
        await xhrSend(ctx.url, base, '["x'),
        500,
        'Broken JSON encoding.',
        'broken xhr_send, unknown session',
      );
    });

    it('accepts xhr_send with any of the tested Content-Types (test_content_types)', async () => {
      const base = await openSession(ctx.url);
      const types = [
        'text/plain',
        'T',
        'application/json',
        'application/xml',
        '',
        'application/json; charset=utf-8',
        'text/xml; charset=utf-8',
        'text/xml',
      ];
      for (const type of types) {
        const sent = await xhrSend(ctx.url, base, '["a"]', { 'Content-Type': type });
        assert.equal(sent.status, 204, `Content-Type ${JSON.stringify(type)}`);
        assert.equal(sent.body.length, 0);
      }
      assert.equal(await poll(ctx.url, base), `a[${types.map(() => '"a"').join(',')}]\n`);
    });

    it('accepts an empty frame "[]" with 204 (test_sending_empty_frame)', async () => {
      const base = await openSession(ctx.url);
      assert.equal((await xhrSend(ctx.url, base, '[]')).status, 204);
      assert.equal((await xhrSend(ctx.url, base, '["a"]')).status, 204);
      assert.equal(await poll(ctx.url, base), 'a["a"]\n');
    });
  });
}

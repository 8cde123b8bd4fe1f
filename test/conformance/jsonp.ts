/** PROTOCOL.md 1.8 jsonp and jsonp_send (`JsonPolling`). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  APPLICATION_JAVASCRIPT,
  assertError,
  assertNoCache,
  assertNotFound,
  get,
  post,
  type SuiteContext,
  sessionBase,
  TEXT_PLAIN,
} from './common.ts';

const FORM = { 'Content-Type': 'application/x-www-form-urlencoded' };

export function defineJsonpTests(ctx: SuiteContext): void {
  const jsonp = (base: string, callback = 'x') => get(ctx.url, `${base}/jsonp?c=${callback}`);
  const jsonpSend = (base: string, body: string, headers: Record<string, string> = FORM) =>
    post(ctx.url, `${base}/jsonp_send`, { body, headers });

  async function openJsonp(prefix = '/echo'): Promise<string> {
    const base = sessionBase(prefix);
    const response = await jsonp(base);
    assert.equal(response.status, 200);
    assert.equal(response.text, '/**/x("o");\r\n');
    return base;
  }

  describe('jsonp polling (1.8 JsonPolling)', () => {
    it('answers /**/callback("<frame>");\\r\\n as application/javascript with nosniff and nocache (test_transport)', async () => {
      const base = sessionBase('/echo');
      const opened = await get(ctx.url, `${base}/jsonp?c=%63allback`);
      assert.equal(opened.status, 200);
      assert.equal(opened.header('content-type'), APPLICATION_JAVASCRIPT);
      assert.equal(opened.header('x-content-type-options'), 'nosniff');
      assertNoCache(opened);
      assert.equal(opened.text, '/**/callback("o");\r\n');

      const sent = await post(ctx.url, `${base}/jsonp_send`, { body: 'd=%5B%22x%22%5D', headers: FORM });
      assert.equal(sent.status, 200);
      assert.equal(sent.text, 'ok');
      assert.equal(sent.header('content-type'), TEXT_PLAIN);
      assert.equal(sent.header('content-length'), '2');
      assertNoCache(sent, 'jsonp_send');

      const polled = await get(ctx.url, `${base}/jsonp?c=%63allback`);
      assert.equal(polled.status, 200);
      assert.equal(polled.text, '/**/callback("a[\\"x\\"]");\r\n');
    });

    it('answers a missing callback with 500 "\\"callback\\" parameter required" (test_no_callback)', async () => {
      assertError(await get(ctx.url, '/echo/a/a/jsonp'), 500, '"callback" parameter required', 'no callback');
    });

    it('answers a callback with characters outside [a-zA-Z0-9-_.] with 500 "invalid \\"callback\\" parameter" (test_invalid_callback)', async () => {
      for (const callback of ['%20', '*', 'abc(', 'abc%28']) {
        const response = await get(ctx.url, `/echo/a/a/jsonp?c=${callback}`);
        assertError(response, 500, 'invalid "callback" parameter', `callback ${callback}`);
      }
    });

    it('rejects callbacks longer than 32 characters and accepts 32 and the client style "_jp.aXXXXXX"', async () => {
      const tooLong = 'a'.repeat(33);
      assertError(
        await jsonp(sessionBase('/echo'), tooLong),
        500,
        'invalid "callback" parameter',
        '33 chars',
      );
      const longest = 'b'.repeat(32);
      const ok = await jsonp(sessionBase('/echo'), longest);
      assert.equal(ok.status, 200, '32 chars');
      assert.equal(ok.text, `/**/${longest}("o");\r\n`);
      const client = await jsonp(sessionBase('/echo'), '_jp.a1b2c3d');
      assert.equal(client.text, '/**/_jp.a1b2c3d("o");\r\n');
    });

    it('answers broken JSON with 500 "Broken JSON encoding." and empty payloads with 500 "Payload expected." (test_invalid_json)', async () => {
      const base = await openJsonp();
      assertError(await jsonpSend(base, 'd=%5B%22x'), 500, 'Broken JSON encoding.', 'd=["x');
      for (const body of ['', 'd=', 'p=p']) {
        assertError(await jsonpSend(base, body), 500, 'Payload expected.', `body ${JSON.stringify(body)}`);
      }
      const sent = await jsonpSend(base, 'd=%5B%22b%22%5D');
      assert.equal(sent.text, 'ok', 'the session is still usable');
      const polled = await jsonp(base);
      assert.equal(polled.status, 200);
      assert.equal(polled.text, '/**/x("a[\\"b\\"]");\r\n');
    });

    it('takes "d" from a form body and the raw body as JSON for text/plain (test_content_types)', async () => {
      const base = await openJsonp();
      assert.equal((await jsonpSend(base, 'd=%5B%22abc%22%5D')).text, 'ok');
      assert.equal((await jsonpSend(base, '["%61bc"]', { 'Content-Type': 'text/plain' })).text, 'ok');
      const polled = await jsonp(base);
      assert.equal(polled.status, 200);
      assert.equal(polled.text, '/**/x("a[\\"abc\\",\\"%61bc\\"]");\r\n');
    });

    it('takes the raw body as JSON when there is no Content-Type', async () => {
      const base = await openJsonp();
      const sent = await jsonpSend(base, '["raw"]', {});
      assert.equal(sent.status, 200);
      assert.equal(sent.text, 'ok');
      assert.equal((await jsonp(base)).text, '/**/x("a[\\"raw\\"]");\r\n');
    });

    it('repeats the close frame to every later poll of a closed session (test_close)', async () => {
      const base = await openJsonp('/close');
      for (let i = 0; i < 2; i++) {
        const response = await jsonp(base);
        assert.equal(response.status, 200);
        assert.equal(response.text, '/**/x("c[3000,\\"Go away!\\"]");\r\n', `poll #${i + 2}`);
      }
    });

    it('accepts an empty frame d=[] (test_sending_empty_frame)', async () => {
      const base = await openJsonp();
      assert.equal((await jsonpSend(base, 'd=%5B%5D')).text, 'ok');
      assert.equal((await jsonpSend(base, 'd=%5B%22x%22%5D')).text, 'ok');
      const polled = await jsonp(base);
      assert.equal(polled.status, 200);
      assert.equal(polled.text, '/**/x("a[\\"x\\"]");\r\n');
    });

    it('answers jsonp_send to an unknown session with 404', async () => {
      assertNotFound(
        await jsonpSend(sessionBase('/echo'), 'd=%5B%22x%22%5D'),
        'jsonp_send to an unknown session',
      );
    });

    it('sends no CORS headers on jsonp and jsonp_send', async () => {
      const base = sessionBase('/echo');
      const polled = await get(ctx.url, `${base}/jsonp?c=x`, { headers: { Origin: 'http://example.com' } });
      assert.equal(polled.status, 200);
      assert.equal(polled.hasHeader('access-control-allow-origin'), false, 'jsonp: no ACAO');
      const sent = await post(ctx.url, `${base}/jsonp_send`, {
        body: 'd=%5B%5D',
        headers: { ...FORM, Origin: 'http://example.com' },
      });
      assert.equal(sent.status, 200);
      assert.equal(sent.hasHeader('access-control-allow-origin'), false, 'jsonp_send: no ACAO');
    });

    it('escapes <, >, &, U+2028 and U+2029 as lowercase \\u escapes inside the callback argument', async () => {
      const base = await openJsonp();
      const message = '</script><b>&amp;\u2028\u2029';
      const form = `d=${encodeURIComponent(JSON.stringify([message]))}`;
      assert.equal((await jsonpSend(base, form)).text, 'ok');
      const body = (await jsonp(base)).text;
      const match = /^\/\*\*\/x\((.*)\);\r\n$/s.exec(body);
      assert.ok(match !== null, `jsonp body shape: ${JSON.stringify(body)}`);
      const payload = match[1]!;
      assert.doesNotMatch(payload, /[<>&\u2028\u2029]/, `no raw <, >, &, U+2028, U+2029 in ${payload}`);
      assert.ok(
        payload.includes('\\u003c/script\\u003e'),
        `"<" and ">" escaped as \\u003c, \\u003e: ${payload}`,
      );
      assert.ok(payload.includes('\\u0026amp;'), `"&" escaped as \\u0026: ${payload}`);
      const frame: unknown = JSON.parse(payload);
      assert.equal(typeof frame, 'string');
      assert.deepEqual(
        JSON.parse((frame as string).slice(1)),
        [message],
        'the JS value decodes to the message',
      );
    });
  });
}

/** PROTOCOL.md 1.0 `h_sid` and 1.10 `JsessionidCookie` (against `/cookie_needed_echo`). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RawResponse } from '../support/raw-http.ts';
import {
  assertNoCookie,
  get,
  options,
  poll,
  post,
  type SuiteContext,
  sessionBase,
  stream,
  xhrSend,
} from './common.ts';

const PREFIX = '/cookie_needed_echo';
const FORM = { 'Content-Type': 'application/x-www-form-urlencoded' };

type CookieSource = Pick<RawResponse, 'headerValues'>;

/** Exactly one `Set-Cookie: JSESSIONID=<value>; path=/`. */
function assertCookie(response: CookieSource, value: string, what: string): void {
  const cookies = response.headerValues('set-cookie');
  assert.equal(cookies.length, 1, `${what}: one Set-Cookie (got ${JSON.stringify(cookies)})`);
  const parts = cookies[0]!.split(';').map((part) => part.trim());
  assert.equal(parts[0], `JSESSIONID=${value}`, `${what}: cookie value`);
  assert.equal(parts[1]?.toLowerCase(), 'path=/', `${what}: cookie path`);
  assert.equal(cookies[0], `JSESSIONID=${value}; path=/`, `${what}: exact Set-Cookie`);
}

export function defineJsessionidTests(ctx: SuiteContext): void {
  async function assertStreamCookie(method: string, path: string): Promise<void> {
    const response = await stream(ctx.url, method, path);
    try {
      assert.equal(response.status, 200, `${method} ${path}`);
      assertCookie(response, 'dummy', `${method} ${path}`);
    } finally {
      response.abort();
    }
  }

  describe('JSESSIONID cookie (1.10 JsessionidCookie)', () => {
    it('reports cookie_needed true on /info, without setting a cookie (test_basic)', async () => {
      const response = await get(ctx.url, `${PREFIX}/info`);
      assert.equal(response.status, 200);
      assertNoCookie(response);
      assert.equal((JSON.parse(response.text) as { cookie_needed: unknown }).cookie_needed, true);
    });

    it('sets JSESSIONID=dummy; path=/ on xhr, and echoes an incoming JSESSIONID (test_xhr)', async () => {
      const opened = await post(ctx.url, `${sessionBase(PREFIX)}/xhr`);
      assert.equal(opened.status, 200);
      assert.equal(opened.text, 'o\n');
      assertCookie(opened, 'dummy', 'POST S/xhr');

      const echoed = await post(ctx.url, `${sessionBase(PREFIX)}/xhr`, {
        headers: { Cookie: 'JSESSIONID=abcdef' },
      });
      assert.equal(echoed.status, 200);
      assert.equal(echoed.text, 'o\n');
      assertCookie(echoed, 'abcdef', 'POST S/xhr with Cookie');

      const among = await post(ctx.url, `${sessionBase(PREFIX)}/xhr`, {
        headers: { Cookie: 'a=b; JSESSIONID=xyz123; c=d' },
      });
      assertCookie(among, 'xyz123', 'POST S/xhr with several cookies');
    });

    it('sets the cookie on xhr_send and on OPTIONS of session routes', async () => {
      const base = sessionBase(PREFIX);
      assert.equal(await poll(ctx.url, base), 'o\n');
      const sent = await xhrSend(ctx.url, base, '["x"]');
      assert.equal(sent.status, 204);
      assertCookie(sent, 'dummy', 'POST S/xhr_send');
      const preflight = await options(ctx.url, `${base}/xhr`, {
        headers: { Origin: 'test', 'Access-Control-Request-Method': 'POST' },
      });
      assertCookie(preflight, 'dummy', 'OPTIONS S/xhr');
      const infoPreflight = await options(ctx.url, `${PREFIX}/info`, {
        headers: { Origin: 'test', 'Access-Control-Request-Method': 'GET' },
      });
      assertCookie(infoPreflight, 'dummy', 'OPTIONS /info');
    });

    it('sets the cookie on xhr_streaming (test_xhr_streaming)', async () => {
      await assertStreamCookie('POST', `${sessionBase(PREFIX)}/xhr_streaming`);
    });

    it('sets the cookie on eventsource (test_eventsource)', async () => {
      await assertStreamCookie('GET', `${sessionBase(PREFIX)}/eventsource`);
    });

    it('sets the cookie on htmlfile (test_htmlfile)', async () => {
      await assertStreamCookie('GET', `${sessionBase(PREFIX)}/htmlfile?c=%63allback`);
    });

    it('sets the cookie on jsonp and jsonp_send (test_jsonp)', async () => {
      const base = sessionBase(PREFIX);
      const polled = await get(ctx.url, `${base}/jsonp?c=%63allback`);
      assert.equal(polled.status, 200);
      assertCookie(polled, 'dummy', 'GET S/jsonp');
      assert.equal(polled.text, '/**/callback("o");\r\n');
      const sent = await post(ctx.url, `${base}/jsonp_send`, { body: 'd=%5B%22x%22%5D', headers: FORM });
      assert.equal(sent.text, 'ok');
      assert.equal(sent.status, 200);
      assertCookie(sent, 'dummy', 'POST S/jsonp_send');
    });

    it('sets no cookie when jsessionid is off', async () => {
      const response = await post(ctx.url, `${sessionBase('/echo')}/xhr`, {
        headers: { Cookie: 'JSESSIONID=abc' },
      });
      assert.equal(response.status, 200);
      assertNoCookie(response);
    });
  });
}

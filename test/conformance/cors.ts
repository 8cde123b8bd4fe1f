/** PROTOCOL.md 1.0 `xhr_cors` and error-header rules, across routes. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  assertCors,
  assertError,
  assertNoCache,
  assertNotFound,
  get,
  openSession,
  options,
  post,
  type SuiteContext,
  sessionBase,
  xhrSend,
} from './common.ts';

export function defineCorsTests(ctx: SuiteContext): void {
  describe('CORS (1.0 xhr_cors)', () => {
    it('answers "*" without credentials when there is no Origin, on /info, xhr and xhr_send', async () => {
      assertCors(await get(ctx.url, '/echo/info'), undefined, 'GET /info');
      const base = sessionBase('/echo');
      assertCors(await post(ctx.url, `${base}/xhr`), undefined, 'POST S/xhr');
      assertCors(await xhrSend(ctx.url, base, '["x"]'), undefined, 'POST S/xhr_send');
      assertCors(
        await options(ctx.url, `${base}/xhr`, { headers: { 'Access-Control-Request-Method': 'POST' } }),
        undefined,
        'OPTIONS S/xhr',
      );
    });

    it('echoes any Origin verbatim, including "null", with Access-Control-Allow-Credentials: true', async () => {
      for (const origin of ['null', 'http://example.com:8080', 'test']) {
        assertCors(
          await get(ctx.url, '/echo/info', { headers: { Origin: origin } }),
          origin,
          `GET /info ${origin}`,
        );
        const base = sessionBase('/echo');
        assertCors(
          await post(ctx.url, `${base}/xhr`, { headers: { Origin: origin } }),
          origin,
          `xhr ${origin}`,
        );
        assertCors(await xhrSend(ctx.url, base, '["x"]', { Origin: origin }), origin, `xhr_send ${origin}`);
      }
    });

    it('echoes a non-empty Access-Control-Request-Headers as Access-Control-Allow-Headers, and only then (test_request_headers_cors)', async () => {
      const preflight = (requestHeaders?: string) => {
        const headers: Record<string, string> = { Origin: 'test', 'Access-Control-Request-Method': 'POST' };
        if (requestHeaders !== undefined) headers['Access-Control-Request-Headers'] = requestHeaders;
        return options(ctx.url, `${sessionBase('/echo')}/xhr`, { headers });
      };
      const echoed = await preflight('a, b, c');
      assert.ok(echoed.status === 204 || echoed.status === 200);
      assertCors(echoed, 'test');
      assert.equal(echoed.header('access-control-allow-headers'), 'a, b, c');

      for (const requestHeaders of ['', undefined]) {
        const response = await preflight(requestHeaders);
        assert.ok(response.status === 204 || response.status === 200);
        assertCors(response, 'test');
        assert.equal(
          response.hasHeader('access-control-allow-headers'),
          false,
          `no ACAH for Access-Control-Request-Headers ${JSON.stringify(requestHeaders)}`,
        );
      }
    });

    it('echoes Access-Control-Request-Headers on non-preflight CORS routes too', async () => {
      const info = await get(ctx.url, '/echo/info', {
        headers: { 'Access-Control-Request-Headers': 'x-custom' },
      });
      assert.equal(info.header('access-control-allow-headers'), 'x-custom', 'GET /info');
      const xhr = await post(ctx.url, `${sessionBase('/echo')}/xhr`, {
        headers: { 'Access-Control-Request-Headers': 'x-custom' },
      });
      assert.equal(xhr.header('access-control-allow-headers'), 'x-custom', 'POST S/xhr');
    });

    it('keeps CORS and nocache headers on error responses of CORS routes', async () => {
      const missing = await xhrSend(ctx.url, sessionBase('/echo'), '["x"]', { Origin: 'test' });
      assertNotFound(missing, 'xhr_send to an unknown session');
      assertCors(missing, 'test', '404 from xhr_send');
      assertNoCache(missing, '404 from xhr_send');

      const base = await openSession(ctx.url);
      const broken = await xhrSend(ctx.url, base, '', { Origin: 'test' });
      assertError(broken, 500, 'Payload expected.', 'empty xhr_send');
      assertCors(broken, 'test', '500 from xhr_send');
      assertNoCache(broken, '500 from xhr_send');
    });
  });
}

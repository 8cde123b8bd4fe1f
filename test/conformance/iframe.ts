/** PROTOCOL.md 1.4 (`/iframe*.html`, IframePage). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  assertCache1y,
  assertNoCookie,
  assertNotFound,
  get,
  type SuiteContext,
  TEXT_HTML,
} from './common.ts';

const IFRAME_BODY = new RegExp(
  '^' +
    [
      '<!DOCTYPE html>',
      '<html>',
      '<head>',
      '  <meta http-equiv="X-UA-Compatible" content="IE=edge" />',
      '  <meta http-equiv="Content-Type" content="text/html; charset=UTF-8" />',
      '  <script src="(?<sockjsUrl>[^"]*)"></script>',
      '  <script>',
      '    document.domain = document.domain;',
      '    SockJS.bootstrap_iframe\\(\\);',
      '  </script>',
      '</head>',
      '<body>',
      "  <h2>Don't panic!</h2>",
      "  <p>This is a SockJS hidden iframe. It's used for cross domain magic.</p>",
      '</body>',
      '</html>',
    ].join('\n') +
    '$',
);

export function defineIframeTests(ctx: SuiteContext): void {
  async function verify(path: string) {
    const response = await get(ctx.url, path);
    assert.equal(response.status, 200, `GET ${path}: status`);
    assert.equal(response.header('content-type'), TEXT_HTML, `GET ${path}: Content-Type`);
    assertCache1y(response, `GET ${path}`);
    assert.match(response.header('etag') ?? '', /^"[^"]+"$/, `GET ${path}: ETag is a quoted string`);
    assert.equal(
      response.header('content-length'),
      String(response.body.length),
      `GET ${path}: Content-Length`,
    );
    assertNoCookie(response, `GET ${path}`);
    const match = IFRAME_BODY.exec(response.text.trim());
    assert.ok(match !== null, `GET ${path}: body matches the iframe template:\n${response.text}`);
    const sockjsUrl = match.groups!['sockjsUrl']!;
    assert.ok(
      sockjsUrl.startsWith('/') || sockjsUrl.startsWith('http'),
      `sockjs_url starts with / or http (got ${sockjsUrl})`,
    );
    return response;
  }

  describe('/iframe*.html (1.4 IframePage)', () => {
    it('serves the iframe page at /iframe.html (test_simpleUrl)', async () => {
      await verify('/echo/iframe.html');
    });

    it('serves the same page for versioned names (test_versionedUrl)', async () => {
      const etags = new Set<string | undefined>();
      for (const suffix of [
        '/iframe-a.html',
        '/iframe-.html',
        '/iframe-0.1.2.html',
        '/iframe-0.1.2abc-dirty.2144.html',
      ]) {
        etags.add((await verify(`/echo${suffix}`)).header('etag'));
      }
      assert.equal(etags.size, 1, 'every variant has the same body and ETag');
    });

    it('serves the page when a query string is added (test_queriedUrl)', async () => {
      for (const suffix of [
        '/iframe-a.html?t=1234',
        '/iframe-0.1.2.html?t=123414',
        '/iframe-0.1.2abc-dirty.2144.html?t=qweqweq123',
      ]) {
        await verify(`/echo${suffix}`);
      }
    });

    it('answers 404 to malformed iframe names (test_invalidUrl)', async () => {
      for (const suffix of [
        '/iframe.htm',
        '/iframe',
        '/IFRAME.HTML',
        '/IFRAME',
        '/iframe.HTML',
        '/iframe.xml',
        '/iframe-/.html',
      ]) {
        assertNotFound(await get(ctx.url, `/echo${suffix}`), `GET /echo${suffix}`);
      }
    });

    it('uses a quoted hex content hash as ETag, the same for the same page', async () => {
      // The reference server sends an MD5; Web Crypto has none, so any strong content hash is
      // fine: the client only compares ETags for equality.
      const echo = await get(ctx.url, '/echo/iframe.html');
      const close = await get(ctx.url, '/close/iframe.html');
      assert.match(echo.header('etag') ?? '', /^"[0-9a-f]{32,}"$/);
      assert.equal(echo.text, close.text, 'same page on both services (same sockjs_url)');
      assert.equal(echo.header('etag'), close.header('etag'), 'same page, same ETag');
    });

    it('keeps a stable ETag and answers If-None-Match with 304, no Content-Type, no body (test_cacheability)', async () => {
      const first = await get(ctx.url, '/echo/iframe.html');
      const second = await get(ctx.url, '/echo/iframe.html');
      const etag = first.header('etag');
      assert.ok(etag !== undefined && etag.length > 0, 'ETag present');
      assert.equal(second.header('etag'), etag, 'same ETag on a second GET');

      const cached = await get(ctx.url, '/echo/iframe.html', { headers: { 'If-None-Match': etag } });
      assert.equal(cached.status, 304);
      assert.equal(cached.hasHeader('content-type'), false, '304 has no Content-Type');
      assert.equal(cached.body.length, 0, '304 has no body');

      const stale = await get(ctx.url, '/echo/iframe.html', { headers: { 'If-None-Match': '"0123"' } });
      assert.equal(stale.status, 200, 'a different ETag gets the full page');
      assert.equal(stale.text, first.text);
    });

    it('sets no cookie on the iframe page even when jsessionid is on', async () => {
      const response = await get(ctx.url, '/cookie_needed_echo/iframe.html');
      assert.equal(response.status, 200);
      assertNoCookie(response);
    });
  });
}

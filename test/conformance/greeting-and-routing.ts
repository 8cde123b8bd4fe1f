/** PROTOCOL.md 1.0 (routing rules), 1.1 (route table) and 1.2 (greeting). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  assertMethodNotAllowed,
  assertNoCookie,
  assertNotFound,
  assertUpgradeWithWrongMethod,
  get,
  poll,
  post,
  request,
  type SuiteContext,
  sessionBase,
  sessionId,
  TEXT_PLAIN,
  upgradeNote,
  xhrSend,
} from './common.ts';

export function defineGreetingAndRoutingTests(ctx: SuiteContext): void {
  describe('greeting (1.2 BaseUrlGreeting)', () => {
    it('GET P and GET P/ answer 200 text/plain "Welcome to SockJS!\\n" without a cookie', async () => {
      for (const prefix of ['/echo', '/cookie_needed_echo']) {
        for (const path of [prefix, `${prefix}/`]) {
          const response = await get(ctx.url, path);
          assert.equal(response.status, 200, `GET ${path}`);
          assert.equal(response.header('content-type'), TEXT_PLAIN, `GET ${path} Content-Type`);
          assert.equal(response.text, 'Welcome to SockJS!\n', `GET ${path} body`);
          assertNoCookie(response, `GET ${path}`);
        }
      }
    });

    it('unknown paths under the prefix are 404 "404 Error: Page not found\\n" (test_notFound)', async () => {
      for (const suffix of ['/a', '/a.html', '//', '///', '/a/a', '/a/a/', '/a/', '/info/x', '/a/a/a/xhr']) {
        assertNotFound(await get(ctx.url, `/echo${suffix}`), `GET /echo${suffix}`);
      }
    });
  });

  describe('session URLs (1.0 SessionURLs)', () => {
    it('accepts any server and session value without "/" or "." (test_anyValue)', async () => {
      const r = String(Math.floor(Math.random() * 1e9));
      for (const part of [`/a/a${r}`, `/_/_${r}`, `/1/${r}`, `/abcdefgh_i-j%20/abcdefg_i-j%20${r}`]) {
        const response = await post(ctx.url, `/echo${part}/xhr`);
        assert.equal(response.status, 200, `POST /echo${part}/xhr`);
        assert.equal(response.text, 'o\n', `POST /echo${part}/xhr body`);
      }
    });

    it('answers 404 to GET and POST on empty, dotted or wrongly nested session paths (test_invalidPaths)', async () => {
      for (const suffix of ['//', '/a./a', '/a/a.', '/./.', '/', '///']) {
        const path = `/echo${suffix}/xhr`;
        assertNotFound(await get(ctx.url, path), `GET ${path}`);
        assertNotFound(await post(ctx.url, path), `POST ${path}`);
      }
    });

    it('identifies a session by the session id alone, ignoring the server id (test_ignoringServerId)', async () => {
      const id = sessionId();
      assert.equal(await poll(ctx.url, `/echo/000/${id}`), 'o\n');
      const sent = await xhrSend(ctx.url, `/echo/000/${id}`, '["a"]');
      assert.equal(sent.status, 204);
      assert.equal(sent.body.length, 0);
      assert.equal(await poll(ctx.url, `/echo/999/${id}`), 'a["a"]\n');
    });

    it('matches the raw path: a percent-encoded dot in the session id is not a dot', async () => {
      const base = `/echo/000/x%2E${sessionId()}`;
      assert.equal(await poll(ctx.url, base), 'o\n');
      assert.equal((await xhrSend(ctx.url, base, '["raw"]')).status, 204);
      assert.equal(await poll(ctx.url, base), 'a["raw"]\n');
    });

    it('tolerates one trailing slash on every route', async () => {
      const info = await get(ctx.url, '/echo/info/');
      assert.equal(info.status, 200, 'GET /echo/info/');
      const base = sessionBase('/echo');
      const opened = await post(ctx.url, `${base}/xhr/`);
      assert.equal(opened.status, 200, 'POST S/xhr/');
      assert.equal(opened.text, 'o\n');
      assert.equal(
        (await post(ctx.url, `${base}/xhr_send/`, { body: '["s"]' })).status,
        204,
        'POST S/xhr_send/',
      );
      assert.equal(await poll(ctx.url, base), 'a["s"]\n');
      assertNotFound(await get(ctx.url, '/echo/info//'), 'GET /echo/info// (two slashes)');
    });

    it('ignores the query string when matching routes', async () => {
      const info = await get(ctx.url, '/echo/info?t=1234&x=/a.b');
      assert.equal(info.status, 200, 'GET /echo/info?t=...');
      const base = sessionBase('/echo');
      const opened = await post(ctx.url, `${base}/xhr?t=1`);
      assert.equal(opened.status, 200);
      assert.equal(opened.text, 'o\n');
    });
  });

  describe('405 Method Not Allowed (1.0 verify405)', () => {
    it('GET S/xhr is 405 with "Allow: POST, OPTIONS", no Content-Type, empty body', async () => {
      const base = sessionBase('/echo');
      assertMethodNotAllowed(await get(ctx.url, `${base}/xhr`), 'POST, OPTIONS', 'GET S/xhr');
    });

    it('POST P and POST P/ are 405 with "Allow: GET"', async () => {
      assertMethodNotAllowed(await post(ctx.url, '/echo'), 'GET', 'POST /echo');
      assertMethodNotAllowed(await post(ctx.url, '/echo/'), 'GET', 'POST /echo/');
    });

    it(`POST S/websocket is 405 "Allow: GET", with or without Upgrade headers (test_invalidMethod)${upgradeNote(ctx)}`, async () => {
      for (const headers of [{ Upgrade: 'WebSocket', Connection: 'Upgrade' }, {}] as Array<
        Record<string, string>
      >) {
        const path = '/echo/0/0/websocket';
        const response = await post(ctx.url, path, { headers });
        const what = `POST S/websocket ${JSON.stringify(headers)}`;
        if ('Upgrade' in headers) {
          await assertUpgradeWithWrongMethod(ctx, response, path, headers, 'GET', what);
        } else {
          assertMethodNotAllowed(response, 'GET', what);
        }
      }
    });

    it('a wrong method on any other route is 405 listing exactly the methods of that path', async () => {
      const base = sessionBase('/echo');
      const cases: Array<[string, string, string[]]> = [
        ['GET', `${base}/xhr_send`, ['POST', 'OPTIONS']],
        ['GET', `${base}/xhr_streaming`, ['POST', 'OPTIONS']],
        ['DELETE', `${base}/xhr`, ['POST', 'OPTIONS']],
        ['POST', `${base}/eventsource`, ['GET']],
        ['POST', `${base}/htmlfile?c=x`, ['GET']],
        ['POST', `${base}/jsonp?c=x`, ['GET']],
        ['GET', `${base}/jsonp_send`, ['POST']],
        ['POST', '/echo/info', ['GET', 'OPTIONS']],
        ['PUT', '/echo/iframe.html', ['GET']],
        ['POST', '/echo/websocket', ['GET']],
        ['DELETE', '/echo', ['GET']],
      ];
      for (const [method, path, allow] of cases) {
        assertMethodNotAllowed(await request(ctx.url, method, path), allow, `${method} ${path}`);
      }
    });
  });
}

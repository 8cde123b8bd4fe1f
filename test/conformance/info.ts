/** PROTOCOL.md 1.3 (`/info`, InfoTest). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  APPLICATION_JSON,
  assertCache1y,
  assertCors,
  assertNoCache,
  assertNoCookie,
  get,
  options,
  type SuiteContext,
} from './common.ts';

const ALL_TRANSPORTS = [
  'eventsource',
  'htmlfile',
  'jsonp-polling',
  'websocket',
  'websocket-raw',
  'xhr-polling',
  'xhr-streaming',
];

function parseInfo(text: string): Record<string, unknown> {
  const data: unknown = JSON.parse(text);
  assert.ok(typeof data === 'object' && data !== null && !Array.isArray(data), '/info body is a JSON object');
  return data as Record<string, unknown>;
}

export function defineInfoTests(ctx: SuiteContext): void {
  describe('/info (1.3 InfoTest)', () => {
    it('GET /info is 200 application/json, nocache, CORS echo, no cookie, with the documented fields (test_basic)', async () => {
      const response = await get(ctx.url, '/echo/info', { headers: { Origin: 'test' } });
      assert.equal(response.status, 200);
      assert.equal(response.header('content-type'), APPLICATION_JSON);
      assertNoCookie(response);
      assertNoCache(response);
      assertCors(response, 'test');
      const data = parseInfo(response.text);
      assert.deepEqual(
        Object.keys(data).sort(),
        ['cookie_needed', 'entropy', 'origins', 'transports', 'websocket'],
        'exactly the keys websocket, transports, origins, cookie_needed, entropy',
      );
      assert.equal(data['websocket'], true);
      assert.equal(data['cookie_needed'], false, '/echo does not need cookies');
      assert.deepEqual(data['origins'], ['*:*']);
      const entropy = data['entropy'];
      assert.ok(
        typeof entropy === 'number' && Number.isInteger(entropy) && entropy >= 0 && entropy <= 0xffffffff,
        `entropy is an integer in [0, 2^32-1] (got ${entropy})`,
      );
    });

    it('lists every enabled transport in "transports"', async () => {
      const data = parseInfo((await get(ctx.url, '/echo/info')).text);
      const transports = data['transports'];
      assert.ok(Array.isArray(transports), 'transports is an array');
      assert.deepEqual([...transports].sort(), ALL_TRANSPORTS);
    });

    it('returns a different entropy on each call (test_entropy)', async () => {
      const values = new Set<unknown>();
      for (let i = 0; i < 3; i++) values.add(parseInfo((await get(ctx.url, '/echo/info')).text)['entropy']);
      // Three equal 32-bit random values in a row would be a broken generator.
      assert.ok(values.size > 1, `entropy changes between calls (got ${[...values].join(', ')})`);
    });

    it('OPTIONS /info is 204, cache1y, Allow-Methods "OPTIONS, GET", Max-Age 31536000, CORS echo (test_options)', async () => {
      for (const origin of ['test', 'null']) {
        const response = await options(ctx.url, '/echo/info', {
          headers: { Origin: origin, 'Access-Control-Request-Method': 'GET' },
        });
        const what = `OPTIONS /info with Origin ${origin}`;
        assert.equal(response.status, 204, `${what}: status`);
        assertCache1y(response, what);
        assert.equal(response.header('access-control-allow-methods'), 'OPTIONS, GET', `${what}: ACAM`);
        assert.equal(response.header('access-control-max-age'), '31536000', `${what}: ACMA`);
        assert.equal(response.body.length, 0, `${what}: empty body`);
        assertCors(response, origin, what);
      }
    });

    it('OPTIONS /info with Origin null answers Access-Control-Allow-Origin null (test_options_null_origin)', async () => {
      const response = await options(ctx.url, '/echo/info', {
        headers: { Origin: 'null', 'Access-Control-Request-Method': 'POST' },
      });
      assert.ok(response.status === 204 || response.status === 200, `status ${response.status}`);
      assert.equal(response.body.length, 0);
      assert.equal(response.header('access-control-allow-origin'), 'null');
    });

    it('reports websocket false, and no websocket transports, when websocket is disabled (test_disabled_websocket)', async () => {
      const response = await get(ctx.url, '/disabled_websocket_echo/info');
      assert.equal(response.status, 200);
      const data = parseInfo(response.text);
      assert.equal(data['websocket'], false);
      const transports = data['transports'];
      assert.ok(Array.isArray(transports), 'transports is an array');
      assert.ok(!transports.includes('websocket'), `no websocket in ${JSON.stringify(transports)}`);
      assert.ok(!transports.includes('websocket-raw'), `no websocket-raw in ${JSON.stringify(transports)}`);
      assert.ok(transports.includes('xhr-polling'), 'other transports stay enabled');
    });
  });
}

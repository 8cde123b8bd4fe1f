/**
 * Origin allowlist, authorization hook, client address and session limit, driven through the
 * server's Fetch handler with real Request/Response objects.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { clientAddress, compileHostPolicy, compileOriginPolicy } from '../../src/access.ts';
import { SockJSServer } from '../../src/index.ts';

const BASE = 'http://sockjs.example.com';
const post = (path: string, headers: Record<string, string> = {}, body?: string) =>
  new Request(`${BASE}${path}`, { method: 'POST', headers, body });
const get = (path: string, headers: Record<string, string> = {}) =>
  new Request(`${BASE}${path}`, { headers });

describe('compileOriginPolicy', () => {
  it('matches exact origins case-insensitively and wildcard patterns per label', () => {
    const check = compileOriginPolicy([
      'https://app.example.com',
      'https://*.example.org',
      'http://localhost:*',
    ]);
    const request = get('/');
    assert.equal(check('https://APP.example.com', request), true);
    assert.equal(check('https://a.example.org', request), true);
    assert.equal(check('https://example.org', request), false, 'a wildcard needs a subdomain');
    assert.equal(check('https://a.example.org.evil.com', request), false);
    assert.equal(check('http://localhost:3000', request), true);
    assert.equal(check('http://app.example.com', request), false, 'the scheme counts');
    assert.equal(check('null', request), false);
  });
});

describe('compileHostPolicy', () => {
  it('matches names exactly, a leading dot the name and its subdomains, IPv6 with or without brackets', () => {
    const check = compileHostPolicy(['app.example.com', '.example.org', '127.0.0.1', '::1']);
    assert.equal(check('APP.example.com'), true);
    assert.equal(check('example.com'), false);
    assert.equal(check('example.org'), true);
    assert.equal(check('a.b.example.org'), true);
    assert.equal(check('evilexample.org'), false, 'a suffix matches at a dot only');
    assert.equal(check('example.org.evil.example'), false);
    assert.equal(check('127.0.0.1'), true);
    assert.equal(check('[::1]'), true);
    assert.equal(check('evil.example'), false);
  });
});

describe('allowedHosts (DNS rebinding)', () => {
  /** A page on http://evil.example whose name now resolves to the server: Host and Origin agree. */
  const rebound = (path: string, init: RequestInit = {}) =>
    new Request(`http://evil.example${path}`, { ...init, headers: { Origin: 'http://evil.example' } });
  const locked = { prefix: '/echo', origins: ['https://app.example.com'] };

  it('without it, a rebound page passes as same-origin (sockjs-node has no such check either)', async () => {
    const server = new SockJSServer(locked);
    const info = await server.fetch(rebound('/echo/info'));
    assert.equal(info.status, 200);
    assert.equal(info.headers.get('Access-Control-Allow-Origin'), 'http://evil.example');
    assert.equal((await server.fetch(rebound('/echo/000/s1/xhr', { method: 'POST' }))).status, 200);
  });

  it('with it, every request for another host is refused with 403 "Host not allowed", before the origin check', async () => {
    const server = new SockJSServer({ ...locked, allowedHosts: ['sockjs.example.com'] });
    for (const [path, method] of [
      ['/echo/info', 'GET'],
      ['/echo', 'GET'],
      ['/echo/000/s1/xhr', 'POST'],
      ['/echo/000/s1/xhr_send', 'POST'],
      ['/echo/nope', 'GET'],
    ] as const) {
      const response = await server.fetch(rebound(path, { method }));
      assert.equal(response.status, 403, `${method} ${path}`);
      assert.equal(await response.text(), 'Host not allowed', `${method} ${path}`);
    }
    const own = await server.fetch(get('/echo/info', { Origin: BASE }));
    assert.equal(own.status, 200, 'the pinned host is answered, and is its own origin');
    assert.equal((await server.fetch(get('/echo/info'))).status, 200, 'so are clients without Origin');
    const other = await server.fetch(get('/echo/info', { Origin: 'https://evil.example.net' }));
    assert.equal(other.status, 403, 'foreign origins are still refused by origins');
    assert.equal(await other.text(), 'Origin not allowed');
  });
});

describe('clientAddress', () => {
  const request = get('/', { 'X-Forwarded-For': '203.0.113.9, 10.0.0.2, 10.0.0.1' });
  it('ignores X-Forwarded-For unless told to trust proxies', () => {
    assert.equal(clientAddress(request, '10.0.0.1', false), '10.0.0.1');
    assert.equal(clientAddress(request, '10.0.0.1', true), '203.0.113.9');
    assert.equal(clientAddress(request, '10.0.0.1', 1), '10.0.0.1');
    assert.equal(clientAddress(request, '10.0.0.1', 2), '10.0.0.2');
    assert.equal(clientAddress(request, '10.0.0.1', 9), '203.0.113.9');
    assert.equal(clientAddress(get('/'), '10.0.0.1', true), '10.0.0.1');
  });
});

describe('origins allowlist', () => {
  const server = new SockJSServer({ prefix: '/echo', origins: ['https://app.example.com'] });

  it('echoes an allowed origin with credentials', async () => {
    const response = await server.fetch(get('/echo/info', { Origin: 'https://app.example.com' }));
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('Access-Control-Allow-Origin'), 'https://app.example.com');
    assert.equal(response.headers.get('Access-Control-Allow-Credentials'), 'true');
  });

  it('refuses other origins with 403 on CORS and WebSocket routes, and opens no session', async () => {
    const evil = { Origin: 'https://evil.example.net' };
    assert.equal((await server.fetch(get('/echo/info', evil))).status, 403);
    assert.equal((await server.fetch(post('/echo/000/s1/xhr', evil))).status, 403);
    assert.equal((await server.fetch(post('/echo/000/s1/xhr_streaming', evil))).status, 403);
    assert.equal((await server.fetch(get('/echo/000/s1/eventsource', evil))).status, 403);
    const upgrade = { ...evil, Upgrade: 'websocket', Connection: 'Upgrade', 'Sec-WebSocket-Version': '13' };
    assert.equal((await server.fetch(get('/echo/000/s1/websocket', upgrade))).status, 403);
    assert.equal((await server.fetch(get('/echo/websocket', upgrade))).status, 403);
    assert.equal(server.connections.size, 0);
    // The session was never created: sending to it is a 404.
    assert.equal((await server.fetch(post('/echo/000/s1/xhr_send', {}, '["x"]'))).status, 404);
  });

  it('allows the service origin itself and clients that send no Origin', async () => {
    assert.equal((await server.fetch(get('/echo/info', { Origin: BASE }))).status, 200);
    const poll = await server.fetch(post('/echo/000/s2/xhr'));
    assert.equal(await poll.text(), 'o\n');
  });

  it('switches off the transports and page that cannot be origin-checked', async () => {
    assert.equal((await server.fetch(get('/echo/000/s3/htmlfile?c=cb'))).status, 404);
    assert.equal((await server.fetch(get('/echo/000/s3/jsonp?c=cb'))).status, 404);
    assert.equal((await server.fetch(get('/echo/iframe.html'))).status, 404);
    const info = await (await server.fetch(get('/echo/info'))).json();
    assert.deepEqual(info.transports, [
      'websocket',
      'websocket-raw',
      'xhr-streaming',
      'xhr-polling',
      'eventsource',
    ]);
  });

  it('keeps sockjs-node behaviour by default', async () => {
    const open = new SockJSServer({ prefix: '/echo' });
    const response = await open.fetch(get('/echo/info', { Origin: 'https://evil.example.net' }));
    assert.equal(response.headers.get('Access-Control-Allow-Origin'), 'https://evil.example.net');
  });
});

describe('frameOptions', () => {
  it('puts X-Frame-Options and frame-ancestors on the iframe page', async () => {
    const server = new SockJSServer({ prefix: '/echo', frameOptions: 'SAMEORIGIN' });
    const response = await server.fetch(get('/echo/iframe.html'));
    assert.equal(response.headers.get('X-Frame-Options'), 'SAMEORIGIN');
    assert.equal(response.headers.get('Content-Security-Policy'), "frame-ancestors 'self'");
  });
});

describe('authorize', () => {
  it('sees the original request before a session opens, and can refuse it', async () => {
    const seen: string[] = [];
    const server = new SockJSServer({
      prefix: '/echo',
      trustProxy: true,
      authorize: (request, { transport, remoteAddress }) => {
        seen.push(`${transport} ${remoteAddress} ${request.headers.get('Cookie')}`);
        return request.headers.get('Cookie') === 'token=good';
      },
    });
    const refused = await server.fetch(
      post('/echo/000/a/xhr', { Cookie: 'token=bad', 'X-Forwarded-For': '198.51.100.7' }),
    );
    assert.equal(refused.status, 403);
    assert.equal((await server.fetch(post('/echo/000/a/xhr_send', {}, '["x"]'))).status, 404, 'no session');
    const allowed = await server.fetch(post('/echo/000/b/xhr', { Cookie: 'token=good' }));
    assert.equal(await allowed.text(), 'o\n');
    assert.deepEqual(seen, ['xhr-polling 198.51.100.7 token=bad', 'xhr-polling undefined token=good']);
    // Later requests of an open session are not authorized again.
    await server.fetch(post('/echo/000/b/xhr_send', {}, '["x"]'));
    await (await server.fetch(post('/echo/000/b/xhr'))).text();
    assert.equal(seen.length, 2);
  });

  it('can answer with its own Response, or attach data to the connection', async () => {
    const server = new SockJSServer({
      prefix: '/echo',
      authorize: (request) =>
        request.headers.get('Authorization') === 'Bearer alice'
          ? { data: { user: 'alice' } }
          : new Response('log in first', { status: 401 }),
    });
    const data: unknown[] = [];
    server.addEventListener('connection', ({ connection }) => data.push(connection.data));
    const refused = await server.fetch(post('/echo/000/a/xhr_streaming'));
    assert.deepEqual([refused.status, await refused.text()], [401, 'log in first']);
    const allowed = await server.fetch(post('/echo/000/b/xhr', { Authorization: 'Bearer alice' }));
    assert.equal(await allowed.text(), 'o\n');
    assert.deepEqual(data, [{ user: 'alice' }]);
  });
});

describe('maxSessions', () => {
  it('answers 503 once the server holds its limit of open sessions', async () => {
    const server = new SockJSServer({ prefix: '/echo', maxSessions: 2 });
    assert.equal(await (await server.fetch(post('/echo/0/a/xhr'))).text(), 'o\n');
    assert.equal(await (await server.fetch(post('/echo/0/b/xhr'))).text(), 'o\n');
    const third = await server.fetch(post('/echo/0/c/xhr'));
    assert.deepEqual([third.status, await third.text()], [503, 'Too many sessions']);
    server.closeAll();
  });
});

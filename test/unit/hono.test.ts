/** `sockjs()` as Hono middleware, in process: routing and fall-through, no runtime needed. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Hono } from 'hono';
import { runtimeFromEnv, sockjs } from '../../src/hono.ts';
import { combineServices, type RuntimeContext, SockJSServer } from '../../src/index.ts';

describe('sockjs() Hono middleware', () => {
  it('answers under a route pattern and leaves other paths to Hono', async () => {
    const app = new Hono();
    app.all('/echo/*', sockjs(new SockJSServer({ prefix: '/echo' })));
    app.get('/echoes', (c) => c.text('app'));
    assert.equal(await (await app.request('/echo')).text(), 'Welcome to SockJS!\n');
    assert.equal(await (await app.request('/echo/')).text(), 'Welcome to SockJS!\n');
    assert.equal((await app.request('/echo/info')).status, 200);
    assert.equal(await (await app.request('/echoes')).text(), 'app');
  });

  it('as app.use(), calls next() for requests no service owns', async () => {
    const app = new Hono();
    app.use(
      sockjs(combineServices([new SockJSServer({ prefix: '/a' }), new SockJSServer({ prefix: '/b' })])),
    );
    app.get('/', (c) => c.text('home'));
    assert.equal(await (await app.request('/b')).text(), 'Welcome to SockJS!\n');
    assert.equal(await (await app.request('/')).text(), 'home');
    assert.equal((await app.request('/c')).status, 404);
  });

  it('builds the RuntimeContext from Hono env with the given factory, only for owned requests', async () => {
    const seen: string[] = [];
    const runtime: RuntimeContext = { keepAlive: () => seen.push('keepAlive') };
    const app = new Hono();
    app.use(
      sockjs(new SockJSServer({ prefix: '/echo' }), {
        runtime: (request, env: RuntimeContext, c) => {
          seen.push(new URL(request.url).pathname);
          assert.equal(c.req.raw, request);
          return runtimeFromEnv(request, env, c);
        },
      }),
    );
    app.get('/', (c) => c.text('home'));
    await app.request('/', {}, runtime);
    const poll = await app.request('/echo/000/s/xhr', { method: 'POST' }, runtime);
    assert.equal(await poll.text(), 'o\n');
    assert.deepEqual(seen, ['/echo/000/s/xhr', 'keepAlive']);
  });

  it('without a runtime, answers a WebSocket upgrade with 400', async () => {
    const app = new Hono();
    app.use(sockjs(new SockJSServer({ prefix: '/echo' })));
    const response = await app.request('/echo/websocket', {
      headers: { Upgrade: 'websocket', Connection: 'Upgrade', 'Sec-WebSocket-Version': '13' },
    });
    assert.equal(response.status, 400);
  });
});

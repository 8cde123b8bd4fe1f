import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { demoPages, withDemoPages } from '../../examples/demo-app.ts';
import { CLIENT_TRANSPORTS } from '../../examples/demo-page.ts';
import { createDemoServices, demoOptionsFromEnv, SOCKJS_CLIENT_PATH } from '../../examples/demo-services.ts';
import { SOCKJS_CLIENT_SOURCE } from '../../examples/sockjs-client-bundle.ts';

const request = (path: string, init?: RequestInit) => new Request(`http://127.0.0.1:8081${path}`, init);

describe('demo app routes', () => {
  const pages = demoPages();

  it('serves the chat page at / loading the built-in client', async () => {
    const response = pages(request('/'));
    assert.ok(response);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('Content-Type'), 'text/html; charset=UTF-8');
    const html = await response.text();
    assert.match(html, /<script src="\/lib\/sockjs\.js"><\/script>/);
    for (const transport of CLIENT_TRANSPORTS) assert.ok(html.includes(`"${transport}"`), transport);
  });

  it('serves sockjs-client at /lib/sockjs.js, with a 304 for its ETag, and HEAD without a body', async () => {
    const response = pages(request(SOCKJS_CLIENT_PATH))!;
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('Content-Type'), 'application/javascript; charset=UTF-8');
    assert.equal(await response.text(), SOCKJS_CLIENT_SOURCE);
    const etag = response.headers.get('ETag')!;
    const cached = pages(request(SOCKJS_CLIENT_PATH, { headers: { 'If-None-Match': etag } }))!;
    assert.equal(cached.status, 304);
    assert.equal(cached.body, null);
    const head = pages(request(SOCKJS_CLIENT_PATH, { method: 'HEAD' }))!;
    assert.equal(head.status, 200);
    assert.equal(head.body, null);
  });

  it('leaves every other request to the services', async () => {
    assert.equal(pages(request('/index.html')), undefined);
    assert.equal(pages(request('/', { method: 'POST', body: 'x' })), undefined);
    const services = createDemoServices();
    const handler = withDemoPages((req: Request) => services.handle(req));
    assert.equal(await (await handler(request('/echo')))?.text(), 'Welcome to SockJS!\n');
    assert.equal(await handler(request('/nothing')), undefined);
  });

  it('points every service’s iframe page and the chat page at the same client URL', async () => {
    for (const [env, url] of [
      [{}, SOCKJS_CLIENT_PATH],
      [{ SOCKJS_CLIENT_URL: 'https://cdn.example/sockjs.min.js' }, 'https://cdn.example/sockjs.min.js'],
    ] as const) {
      const options = demoOptionsFromEnv(env);
      for (const server of createDemoServices(options).servers) assert.equal(server.options.sockjsUrl, url);
      assert.ok((await demoPages(options)(request('/'))!.text()).includes(`<script src="${url}">`));
    }
  });
});

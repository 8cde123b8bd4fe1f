/**
 * The Hono example app's own routes next to the mounted SockJS services: requests outside
 * every service prefix fall through the middleware to Hono.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ConformanceTarget, RunningServer } from '../support/server-process.ts';

export function defineHonoRouteTests(target: ConformanceTarget): void {
  describe(`Hono routes next to SockJS: ${target.name}`, () => {
    let server: RunningServer;
    before(async () => {
      server = await target.start();
    });
    after(() => server?.stop());

    it('serves the demo page at GET / and its own routes GET /hello and GET /health', async () => {
      const home = await fetch(`${server.url}/`);
      assert.equal(home.status, 200);
      assert.equal(home.headers.get('Content-Type'), 'text/html; charset=UTF-8');
      assert.match(await home.text(), /<title>SockJS chat<\/title>/);
      const client = await fetch(`${server.url}/lib/sockjs.js`);
      assert.equal(client.status, 200);
      assert.match(await client.text(), /^\/\* sockjs-client v/);
      const hello = await fetch(`${server.url}/hello`);
      assert.equal(hello.status, 200);
      assert.equal(await hello.text(), 'Hello from Hono');
      const health = await fetch(`${server.url}/health`);
      assert.equal(health.status, 200);
      assert.equal(((await health.json()) as { status: string }).status, 'ok');
    });

    it("leaves unknown paths to Hono's 404, and paths under a prefix to SockJS", async () => {
      const other = await fetch(`${server.url}/echoes`);
      assert.equal(other.status, 404);
      assert.equal(await other.text(), '404 Not Found');
      const sockjs = await fetch(`${server.url}/echo/nothing`);
      assert.equal(sockjs.status, 404);
      assert.equal(await sockjs.text(), '404 Error: Page not found\n');
      const greeting = await fetch(`${server.url}/echo`);
      assert.equal(await greeting.text(), 'Welcome to SockJS!\n');
    });
  });
}

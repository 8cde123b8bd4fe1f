/**
 * A Hono application with the standard SockJS services and the demo page mounted next to
 * ordinary routes. The
 * same app runs on Node, Deno and Bun; only the entry files (`hono-node.ts`, `hono-deno.ts`,
 * `hono-bun.ts`) know the runtime, and each hands over its `RuntimeFactory`.
 */
import { Hono } from 'hono';
import { type RuntimeFactory, sockjs } from 'sockjs-fetch/hono';
import { demoPages } from './demo-app.ts';
import { createDemoServices, demoOptionsFromEnv } from './demo-services.ts';

export function createHonoApp<Env>(
  env: Record<string, string | undefined>,
  runtime: RuntimeFactory<Env>,
): { app: Hono; closeAll(): void } {
  const options = demoOptionsFromEnv(env);
  const services = createDemoServices(options);
  const pages = demoPages(options);
  const app = new Hono();
  // Every request under a service prefix (/echo, /close, ...) is answered by SockJS; the
  // rest falls through to the demo page (`/`, `/lib/sockjs.js`) and the routes below.
  app.use(sockjs(services, { runtime }));
  app.use(async (c, next) => pages(c.req.raw) ?? next());
  app.get('/hello', (c) => c.text('Hello from Hono'));
  app.get('/health', (c) =>
    c.json({ status: 'ok', services: services.servers.map((s) => s.options.prefix) }),
  );
  return {
    app,
    closeAll: () => {
      for (const server of services.servers) server.closeAll();
    },
  };
}

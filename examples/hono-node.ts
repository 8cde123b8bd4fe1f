/**
 * The Hono example app on Node, served by this package's Node adapter (which passes the
 * `RuntimeContext` to Hono as `c.env`).
 *   PORT=8081 npm run start:hono   (HOST defaults to 127.0.0.1)
 */

import { runtimeFromEnv } from 'sockjs-fetch/hono';
import { serve } from 'sockjs-fetch/node';
import { createHonoApp } from './hono-app.ts';

const { app, closeAll } = createHonoApp(process.env, runtimeFromEnv);
const running = await serve({
  fetch: app.fetch,
  port: Number(process.env.PORT ?? 8081),
  hostname: process.env.HOST ?? '127.0.0.1',
});
console.log(`SockJS demo listening on ${running.url}`);
console.log(`Demo page: ${running.url}/`);

const stop = () => {
  closeAll();
  void running.close().then(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);

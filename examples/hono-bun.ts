/**
 * The Hono example app on Bun: plain `Bun.serve`, with the adapter's shared `websocket`
 * callbacks; Hono's `c.env` is the Bun server that `bunRuntime` reads.
 *   PORT=8081 bun run examples/hono-bun.ts
 */
import { bunRuntime, websocket } from 'sockjs-fetch/bun';
import { createHonoApp } from './hono-app.ts';

const { app, closeAll } = createHonoApp(process.env, bunRuntime);
const server = Bun.serve({
  port: Number(process.env.PORT ?? 8081),
  hostname: process.env.HOST ?? '127.0.0.1',
  // Hono answers an upgraded request with an empty Response, which Bun ignores.
  fetch: app.fetch,
  websocket,
});
console.log(`SockJS demo listening on http://${server.hostname}:${server.port}`);
console.log(`Demo page: http://${server.hostname}:${server.port}/`);

const stop = () => {
  closeAll();
  void server.stop(true).then(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);

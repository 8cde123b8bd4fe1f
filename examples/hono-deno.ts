/**
 * The Hono example app on Deno: plain `Deno.serve(app.fetch)`, so Hono's `c.env` is the
 * handler info that `denoRuntime` reads.
 *   PORT=8081 deno run --allow-net --allow-env examples/hono-deno.ts
 */
import { denoRuntime } from 'sockjs-fetch/deno';
import { createHonoApp } from './hono-app.ts';

const { app, closeAll } = createHonoApp(Deno.env.toObject(), denoRuntime);
const hostname = Deno.env.get('HOST') ?? '127.0.0.1';
const controller = new AbortController();
const server = Deno.serve(
  { port: Number(Deno.env.get('PORT') ?? 8081), hostname, signal: controller.signal, onListen: () => {} },
  app.fetch,
);
console.log(`SockJS demo listening on http://${hostname}:${server.addr.port}`);
console.log(`Demo page: http://${hostname}:${server.addr.port}/`);

const stop = () => {
  closeAll();
  controller.abort();
  void server.finished.then(() => Deno.exit(0));
};
Deno.addSignalListener('SIGTERM', stop);
Deno.addSignalListener('SIGINT', stop);

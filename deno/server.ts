/**
 * Deno entrypoint: the demo services and the demo page on Deno.serve.
 *   PORT=8081 deno run --allow-net --allow-env deno/server.ts   (or `npm run start:deno`)
 * HOST defaults to 127.0.0.1; SOCKJS_HEARTBEAT_DELAY and SOCKJS_DISCONNECT_DELAY as for Node.
 */
import { withDemoPages } from '../examples/demo-app.ts';
import { createDemoServices, demoOptionsFromEnv } from '../examples/demo-services.ts';
import { serve } from '../src/adapters/deno.ts';

const options = demoOptionsFromEnv(Deno.env.toObject());
const services = createDemoServices(options);
const running = serve({
  fetch: withDemoPages((request, runtime) => services.handle(request, runtime), options),
  port: Number(Deno.env.get('PORT') ?? 8081),
  hostname: Deno.env.get('HOST') ?? '127.0.0.1',
});
console.log(`SockJS demo listening on ${running.url}`);
console.log(`Demo page: ${running.url}/`);

const stop = () => {
  for (const server of services.servers) server.closeAll();
  void running.close().then(() => Deno.exit(0));
};
Deno.addSignalListener('SIGTERM', stop);
Deno.addSignalListener('SIGINT', stop);

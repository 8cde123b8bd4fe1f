/**
 * Bun entrypoint: the demo services and the demo page on Bun.serve.
 *   PORT=8081 bun run bun/server.ts   (or `npm run start:bun`)
 * HOST defaults to 127.0.0.1; SOCKJS_HEARTBEAT_DELAY and SOCKJS_DISCONNECT_DELAY as for Node.
 */
import { withDemoPages } from '../examples/demo-app.ts';
import { createDemoServices, demoOptionsFromEnv } from '../examples/demo-services.ts';
import { serve } from '../src/adapters/bun.ts';

const options = demoOptionsFromEnv(process.env);
const services = createDemoServices(options);
const running = serve({
  fetch: withDemoPages((request, runtime) => services.handle(request, runtime), options),
  port: Number(process.env.PORT ?? 8081),
  hostname: process.env.HOST ?? '127.0.0.1',
});
console.log(`SockJS demo listening on ${running.url}`);
console.log(`Demo page: ${running.url}/`);

const stop = () => {
  for (const server of services.servers) server.closeAll();
  void running.close().then(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);

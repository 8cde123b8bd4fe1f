/**
 * Bun entrypoint: the demo services on Bun.serve.
 *   PORT=8081 bun run bun/server.ts   (or `npm run start:bun`)
 * HOST defaults to 127.0.0.1; SOCKJS_HEARTBEAT_DELAY and SOCKJS_DISCONNECT_DELAY as for Node.
 */
import { createDemoServices, demoOptionsFromEnv } from '../examples/demo-services.ts';
import { serve } from '../src/adapters/bun.ts';

const services = createDemoServices(demoOptionsFromEnv(process.env));
const running = serve({
  fetch: (request, runtime) => services.handle(request, runtime),
  port: Number(process.env.PORT ?? 8081),
  hostname: process.env.HOST ?? '127.0.0.1',
});
console.log(`SockJS demo listening on ${running.url}`);

const stop = () => {
  for (const server of services.servers) server.closeAll();
  void running.close().then(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);

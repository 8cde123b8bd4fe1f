/**
 * Node entrypoint: the demo services and the demo page on node:http.
 *   PORT=8081 npm run start:node   (HOST defaults to 127.0.0.1)
 */

import { withDemoPages } from '../examples/demo-app.ts';
import { createDemoServices, demoOptionsFromEnv } from '../examples/demo-services.ts';
import { serve } from '../src/adapters/node.ts';

const options = demoOptionsFromEnv(process.env);
const services = createDemoServices(options);
const running = await serve({
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

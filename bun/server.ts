/**
 * Bun entrypoint: the demo services and the demo page on Bun.serve.
 *   PORT=8081 bun run bun/server.ts   (or `npm run start:bun`)
 * HOST defaults to 127.0.0.1; SOCKJS_HEARTBEAT_DELAY, SOCKJS_DISCONNECT_DELAY, REDIS_URL and
 * SOCKJS_BACKEND_NAME as for Node (examples/run-demo.ts).
 */
import { runDemo } from '../examples/run-demo.ts';
import { serve } from '../src/adapters/bun.ts';

await runDemo({
  env: process.env,
  pid: process.pid,
  serve,
  onSignal: (signal, listener) => process.on(signal, listener),
  exit: (code) => process.exit(code),
});

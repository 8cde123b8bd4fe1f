/**
 * Deno entrypoint: the demo services and the demo page on Deno.serve.
 *   PORT=8081 deno run --allow-net --allow-env deno/server.ts   (or `npm run start:deno`)
 * HOST defaults to 127.0.0.1; SOCKJS_HEARTBEAT_DELAY, SOCKJS_DISCONNECT_DELAY, REDIS_URL and
 * SOCKJS_BACKEND_NAME as for Node (examples/run-demo.ts).
 */
import { runDemo } from '../examples/run-demo.ts';
import { serve } from '../src/adapters/deno.ts';

await runDemo({
  env: Deno.env.toObject(),
  pid: Deno.pid,
  serve,
  onSignal: (signal, listener) => Deno.addSignalListener(signal, listener),
  exit: (code) => Deno.exit(code),
});

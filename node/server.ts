/**
 * Node entrypoint: the demo services and the demo page on node:http.
 *   PORT=8081 npm run start:node   (HOST defaults to 127.0.0.1)
 * REDIS_URL connects `/broadcast` to the other instances using it; SOCKJS_BACKEND_NAME names
 * this one in `/connection_info` answers (examples/run-demo.ts).
 */
import { runDemo } from '../examples/run-demo.ts';
import { serve } from '../src/adapters/node.ts';

await runDemo({
  env: process.env,
  pid: process.pid,
  serve,
  onSignal: (signal, listener) => process.on(signal, listener),
  exit: (code) => process.exit(code),
});

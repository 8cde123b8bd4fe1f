// main.ts: `deno run --allow-net --allow-env main.ts`
import { combineServices, SockJSServer } from 'sockjs-fetch';
import { denoRuntime } from 'sockjs-fetch/deno';

const echo = new SockJSServer({ prefix: '/echo' });
echo.addEventListener('message', ({ connection, data }) => connection.send(data));
const services = combineServices([echo]);

Deno.serve(
  {
    hostname: '127.0.0.1',
    port: Number(Deno.env.get('PORT') ?? 8081),
    onListen: ({ hostname, port }) => console.log(`listening on http://${hostname}:${port}`),
  },
  (request, info) => services.fetch(request, denoRuntime(request, info)),
);

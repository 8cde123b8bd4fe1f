// main.ts: `bun run main.ts`
import { combineServices, SockJSServer } from 'sockjs-fetch';
import { bunRuntime, websocket } from 'sockjs-fetch/bun';

const echo = new SockJSServer({ prefix: '/echo' });
echo.addEventListener('message', ({ connection, data }) => connection.send(data));
const services = combineServices([echo]);

const server = Bun.serve({
  hostname: '127.0.0.1',
  port: Number(process.env.PORT ?? 8081),
  fetch: (request, server) => services.fetch(request, bunRuntime(request, server)),
  websocket,
});
console.log(`listening on http://127.0.0.1:${server.port}`);

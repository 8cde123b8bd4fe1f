// main.ts (Deno): the same Hono app on Deno.serve. On Bun: `bunRuntime` and `websocket` from
// 'sockjs-fetch/bun', and `Bun.serve({ fetch: app.fetch, websocket })`.
import { Hono } from 'hono';
import { combineServices, SockJSServer } from 'sockjs-fetch';
import { denoRuntime } from 'sockjs-fetch/deno';
import { sockjs } from 'sockjs-fetch/hono';

const echo = new SockJSServer({ prefix: '/echo' });
echo.addEventListener('message', ({ connection, data }) => connection.send(data));
const services = combineServices([echo]);

const app = new Hono();
app.use(sockjs(services, { runtime: denoRuntime }));
app.get('/', (c) => c.text('Hello from Hono'));
Deno.serve(app.fetch);

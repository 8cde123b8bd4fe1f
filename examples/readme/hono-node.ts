// app.ts (Node): SockJS in a Hono app, served by this package's Node adapter, which hands the
// runtime context to Hono as `c.env`. Compile it (`tsc`, or your bundler) and run the output with
// `node`; Node 20 does not run `.ts` files itself.
import { Hono } from 'hono';
import { combineServices, SockJSServer } from 'sockjs-fetch';
import { runtimeFromEnv, sockjs } from 'sockjs-fetch/hono';
import { serve } from 'sockjs-fetch/node';

const echo = new SockJSServer({ prefix: '/echo' });
echo.addEventListener('message', ({ connection, data }) => connection.send(data));
const services = combineServices([echo]);

const app = new Hono();
app.use(sockjs(services, { runtime: runtimeFromEnv })); // every service prefix; other paths fall through
app.get('/', (c) => c.text('Hello from Hono'));

const running = await serve({ fetch: app.fetch, port: Number(process.env.PORT ?? 8081) });
console.log(`listening on ${running.url}`);

// app.mjs: `node app.mjs`, then open a SockJS client on http://127.0.0.1:8081/chat
import { SockJSServer } from 'sockjs-fetch';
import { serve } from 'sockjs-fetch/node';

const chat = new SockJSServer({ prefix: '/chat' });

chat.addEventListener('connection', ({ connection }) => {
  connection.send(`welcome, you are ${connection.id}`);
  connection.addEventListener('message', (event) => {
    for (const other of chat.connections) other.send(event.data);
  });
  connection.addEventListener('close', (event) => {
    console.log('gone', event.code, event.reason, event.wasClean);
  });
});

// Any runtime: the server is a Fetch handler. `handle()` returns `undefined` for paths outside
// the prefix, so a host can fall through; `fetch()` answers them with 404.
const running = await serve({
  fetch: (request, runtime) => chat.handle(request, runtime),
  port: Number(process.env.PORT ?? 8081),
});
console.log(`listening on ${running.url}`);

// Shutting down: a close frame to every client (1001 Server shutting down), then the server.
process.once('SIGTERM', async () => {
  chat.closeAll();
  await running.close();
});

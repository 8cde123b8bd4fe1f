// attach.mjs: SockJS in front of an existing http.Server (Express, Koa, ...). Requests under
// the SockJS prefixes are answered here; everything else goes to the listeners already there.
import { createServer } from 'node:http';
import { SockJSServer } from 'sockjs-fetch';
import { attach } from 'sockjs-fetch/node';

const echo = new SockJSServer({ prefix: '/echo' });
echo.addEventListener('message', ({ connection, data }) => connection.send(data));

const httpServer = createServer((_request, response) => response.end('the rest of the app\n'));
attach(httpServer, [echo]); // every SockJSServer in front of this http.Server
httpServer.listen(Number(process.env.PORT ?? 8081), '127.0.0.1', () => {
  const { port } = /** @type {import('node:net').AddressInfo} */ (httpServer.address());
  console.log(`listening on http://127.0.0.1:${port}`);
});

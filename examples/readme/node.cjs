// app.cjs: the same from CommonJS (Node ^20.19 or >=22.12 can `require()` this ES module package).
const { SockJSServer } = require('sockjs-fetch');
const { serve } = require('sockjs-fetch/node');

const echo = new SockJSServer({ prefix: '/echo' });
echo.addEventListener('message', ({ connection, data }) => connection.send(data));

serve({
  fetch: (request, runtime) => echo.handle(request, runtime),
  port: Number(process.env.PORT ?? 8081),
}).then((running) => console.log(`listening on ${running.url}`));

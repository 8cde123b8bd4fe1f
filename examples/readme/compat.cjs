// server.cjs: a sockjs-node app; only the require line changed.
const http = require('node:http');
const sockjs = require('sockjs-fetch/compat'); // was: require('sockjs')

const echo = sockjs.createServer({
  sockjs_url: 'https://cdn.jsdelivr.net/npm/sockjs-client@1/dist/sockjs.min.js',
});
echo.on('connection', (conn) => {
  conn.on('data', (message) => conn.write(message));
  conn.on('close', () => console.log('closed', conn.id));
});

const server = http.createServer();
echo.installHandlers(server, { prefix: '/echo' }); // or echo.attach(server) (0.4 style)
server.listen(Number(process.env.PORT ?? 8081), '127.0.0.1', () => {
  const { port } = /** @type {import('node:net').AddressInfo} */ (server.address());
  console.log(`listening on http://127.0.0.1:${port}`);
});

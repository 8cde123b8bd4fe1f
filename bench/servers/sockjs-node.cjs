/**
 * sockjs-node 0.3.24 (the reference server) serving `/echo` and `/broadcast` with the same
 * semantics as examples/demo-services.ts: echo with `response_limit: 4096`, broadcast to every
 * open connection. Request logging is off, as it is in ours.
 *   HOST=127.0.0.1 PORT=0 node bench/servers/sockjs-node.cjs
 */
'use strict';
const http = require('node:http');
const sockjs = require('sockjs');

const common = {
  log: () => {},
  sockjs_url: 'https://cdn.jsdelivr.net/npm/sockjs-client@1/dist/sockjs.min.js',
};
if (process.env.SOCKJS_HEARTBEAT_DELAY) common.heartbeat_delay = Number(process.env.SOCKJS_HEARTBEAT_DELAY);
if (process.env.SOCKJS_DISCONNECT_DELAY)
  common.disconnect_delay = Number(process.env.SOCKJS_DISCONNECT_DELAY);

const server = http.createServer();

const echo = sockjs.createServer({ ...common, response_limit: 4096 });
echo.on('connection', (conn) => {
  conn.on('data', (message) => conn.write(message));
});
echo.installHandlers(server, { prefix: '/echo' });

const members = new Set();
const broadcast = sockjs.createServer(common);
broadcast.on('connection', (conn) => {
  members.add(conn);
  conn.on('data', (message) => {
    for (const member of members) member.write(message);
  });
  conn.on('close', () => members.delete(conn));
});
broadcast.installHandlers(server, { prefix: '/broadcast' });

server.listen(Number(process.env.PORT ?? 8081), process.env.HOST ?? '127.0.0.1', () => {
  const { address, port } = server.address();
  console.log(`sockjs-node listening on http://${address}:${port}`);
});

const stop = () => {
  server.close();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);

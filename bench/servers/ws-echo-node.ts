/**
 * The framing-free limit on Node: `ws` echoing every text message, on any path.
 *   HOST=127.0.0.1 PORT=0 node --import tsx bench/servers/ws-echo-node.ts
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';

const server = createServer((_request, response) => {
  response.writeHead(404).end();
});
const wss = new WebSocketServer({ server, maxPayload: 16 * 1024 * 1024 });
wss.on('connection', (socket) => {
  socket.on('message', (data, isBinary) => socket.send(isBinary ? data : data.toString()));
  socket.on('error', () => {});
});

server.listen(Number(process.env.PORT ?? 8081), process.env.HOST ?? '127.0.0.1', () => {
  const { address, port } = server.address() as AddressInfo;
  console.log(`plain ws echo listening on http://${address}:${port}`);
});

const stop = () => {
  for (const socket of wss.clients) socket.terminate();
  server.close();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);

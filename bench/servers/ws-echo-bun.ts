/**
 * The framing-free limit on Bun: `Bun.serve` WebSockets echoing every message, on any path.
 *   HOST=127.0.0.1 PORT=0 bun run bench/servers/ws-echo-bun.ts
 */
const server = Bun.serve({
  hostname: process.env.HOST ?? '127.0.0.1',
  port: Number(process.env.PORT ?? 8081),
  fetch(request, bunServer) {
    if (bunServer.upgrade(request)) return undefined;
    return new Response(null, { status: 404 });
  },
  websocket: {
    message(socket, message) {
      socket.send(message);
    },
  },
});
console.log(`plain ws echo listening on http://${server.hostname}:${server.port}`);

const stop = () => {
  void server.stop(true);
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);

export {};

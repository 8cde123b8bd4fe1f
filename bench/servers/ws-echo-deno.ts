/**
 * The framing-free limit on Deno: `Deno.upgradeWebSocket` echoing every message, on any path.
 *   HOST=127.0.0.1 PORT=0 deno run --allow-net --allow-env bench/servers/ws-echo-deno.ts
 */
const server = Deno.serve(
  {
    hostname: Deno.env.get('HOST') ?? '127.0.0.1',
    port: Number(Deno.env.get('PORT') ?? 8081),
    onListen: ({ hostname, port }) => console.log(`plain ws echo listening on http://${hostname}:${port}`),
  },
  (request) => {
    if (request.headers.get('upgrade')?.toLowerCase() !== 'websocket') {
      return new Response(null, { status: 404 });
    }
    const { socket, response } = Deno.upgradeWebSocket(request);
    socket.onmessage = (event) => socket.send(event.data);
    return response;
  },
);

const stop = () => void server.shutdown().then(() => Deno.exit(0));
Deno.addSignalListener('SIGTERM', stop);
Deno.addSignalListener('SIGINT', stop);

export {};

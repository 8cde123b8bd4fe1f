/**
 * The HTTP floor on Deno: floor-fetch.ts on `Deno.serve`.
 *   HOST=127.0.0.1 PORT=0 deno run --allow-net --allow-env bench/servers/floor-deno.ts
 */
import { floorFetch } from './floor-fetch.ts';

const server = Deno.serve(
  {
    hostname: Deno.env.get('HOST') ?? '127.0.0.1',
    port: Number(Deno.env.get('PORT') ?? 8081),
    onListen: ({ hostname, port }) => console.log(`http floor listening on http://${hostname}:${port}`),
  },
  floorFetch,
);

const stop = () => void server.shutdown().then(() => Deno.exit(0));
Deno.addSignalListener('SIGTERM', stop);
Deno.addSignalListener('SIGINT', stop);

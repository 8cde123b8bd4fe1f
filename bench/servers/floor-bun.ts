/**
 * The HTTP floor on Bun: floor-fetch.ts on `Bun.serve`.
 *   HOST=127.0.0.1 PORT=0 bun run bench/servers/floor-bun.ts
 */
import { floorFetch } from './floor-fetch.ts';

const server = Bun.serve({
  hostname: process.env.HOST ?? '127.0.0.1',
  port: Number(process.env.PORT ?? 8081),
  // Streams and held polls live as long as their sessions want.
  idleTimeout: 0,
  fetch: floorFetch,
});
console.log(`http floor listening on http://${server.hostname}:${server.port}`);

const stop = () => {
  void server.stop(true);
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);

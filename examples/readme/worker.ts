// src/index.ts of a Worker; wrangler.toml binds the Durable Object class as SOCKJS.
import { sockjsDurableObject, sockjsWorker, type WorkersServiceDefinition } from 'sockjs-fetch/workers';

const services: WorkersServiceDefinition[] = [
  {
    options: { prefix: '/chat' },
    objectName: () => 'lobby', // every session of /chat in one object, so they can talk
    setup(server) {
      server.addEventListener('message', ({ data }) => {
        for (const connection of server.connections) connection.send(data);
      });
    },
  },
];

// A class declaration (not a const), so `wrangler types` can name it in `Env`.
export class SockJSSessions extends sockjsDurableObject(services) {}
export default sockjsWorker({ binding: 'SOCKJS', services });

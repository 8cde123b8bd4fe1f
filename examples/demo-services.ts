/**
 * The standard SockJS test services (PROTOCOL.md 1.10), defined once and served by every
 * runtime entrypoint: the protocol suite and sockjs-client's own tests run against them.
 *
 * They are written with server-level `message` / `disconnect` events where a service talks to
 * many connections, and per-connection listeners where that reads better: both work everywhere,
 * including Durable Objects that hibernate (a resumed connection is announced again).
 */
import {
  buildServices,
  type SockJSServer,
  type SockJSServerOptions,
  type SockJSServiceDefinition,
  type SockJSServices,
} from '../src/index.ts';

export interface DemoOptions {
  /** Applied to every service (heartbeat and disconnect delays, sockjs_url, ...). */
  common?: SockJSServerOptions;
}

function echo(server: SockJSServer): void {
  server.addEventListener('message', ({ connection, data }) => connection.send(data));
}

/** The services as definitions, for runtimes that build them elsewhere (Durable Objects). */
export function demoServiceDefinitions({ common = {} }: DemoOptions = {}): SockJSServiceDefinition[] {
  const options = (prefix: string, own: SockJSServerOptions = {}) => ({ ...common, ...own, prefix });
  return [
    { options: options('/echo', { responseLimit: 4096 }), setup: echo },
    { options: options('/disabled_websocket_echo', { websocket: false }), setup: echo },
    { options: options('/cookie_needed_echo', { jsessionid: true }), setup: echo },
    {
      options: options('/close'),
      setup: (server) => {
        server.addEventListener('connection', ({ connection }) => connection.close(3000, 'Go away!'));
      },
    },
    {
      options: options('/ticker'),
      setup: (server) => {
        server.addEventListener('connection', ({ connection }) => {
          const timer = setInterval(() => connection.send('tick!'), 1000);
          connection.addEventListener('close', () => clearInterval(timer));
        });
      },
    },
    {
      options: options('/amplify'),
      setup: (server) => {
        server.addEventListener('message', ({ connection, data }) => {
          let n = Math.floor(Number(data));
          n = n > 0 && n < 19 ? n : 1;
          connection.send('x'.repeat(2 ** n));
        });
      },
    },
    {
      // Not a standard service: tells a client which connection it is, and whether that
      // connection came back from a hibernated Durable Object (see README, Workers).
      options: options('/connection_info'),
      setup: (server) => {
        server.addEventListener('connection', ({ connection, resumed }) => {
          connection.data = { resumed };
        });
        server.addEventListener('message', ({ connection }) => {
          const { resumed } = connection.data as { resumed: boolean };
          connection.send(JSON.stringify({ id: connection.id, protocol: connection.protocol, resumed }));
        });
      },
    },
    {
      options: options('/broadcast'),
      // On Workers every broadcast session lives in one Durable Object, so they can reach each other.
      objectName: () => 'broadcast',
      setup: (server) => {
        server.addEventListener('message', ({ data }) => {
          for (const member of server.connections) member.send(data);
        });
      },
    },
  ];
}

export function createDemoServices(options: DemoOptions = {}): SockJSServices {
  return buildServices(demoServiceDefinitions(options), undefined);
}

/** Timing overrides from the environment, used by the tests: SOCKJS_HEARTBEAT_DELAY, SOCKJS_DISCONNECT_DELAY (ms). */
export function demoOptionsFromEnv(env: Record<string, string | undefined>): DemoOptions {
  const common: SockJSServerOptions = {};
  if (env.SOCKJS_HEARTBEAT_DELAY) common.heartbeatDelay = Number(env.SOCKJS_HEARTBEAT_DELAY);
  if (env.SOCKJS_DISCONNECT_DELAY) common.disconnectDelay = Number(env.SOCKJS_DISCONNECT_DELAY);
  return { common };
}

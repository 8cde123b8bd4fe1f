/**
 * The standard SockJS test services (PROTOCOL.md 1.10), defined once and served by every
 * runtime entrypoint: the protocol suite and sockjs-client's own tests run against them.
 */
import {
  combineServices,
  type SockJSConnection,
  SockJSServer,
  type SockJSServerOptions,
  type SockJSServices,
} from '../src/index.ts';

export interface DemoOptions {
  /** Applied to every service (heartbeat and disconnect delays, sockjs_url, ...). */
  common?: SockJSServerOptions;
}

function echo(connection: SockJSConnection): void {
  connection.addEventListener('message', (event) => connection.send(event.data));
}

export function createDemoServices({ common = {} }: DemoOptions = {}): SockJSServices {
  const service = (
    prefix: string,
    options: SockJSServerOptions,
    onConnection: (connection: SockJSConnection) => void,
  ) => {
    const server = new SockJSServer({ ...common, ...options, prefix });
    server.addEventListener('connection', (event) => onConnection(event.connection));
    return server;
  };

  const broadcastMembers = new Set<SockJSConnection>();

  return combineServices([
    service('/echo', { responseLimit: 4096 }, echo),
    service('/disabled_websocket_echo', { websocket: false }, echo),
    service('/cookie_needed_echo', { jsessionid: true }, echo),
    service('/close', {}, (connection) => connection.close(3000, 'Go away!')),
    service('/ticker', {}, (connection) => {
      const timer = setInterval(() => connection.send('tick!'), 1000);
      connection.addEventListener('close', () => clearInterval(timer));
    }),
    service('/amplify', {}, (connection) => {
      connection.addEventListener('message', (event) => {
        let n = Math.floor(Number(event.data));
        n = n > 0 && n < 19 ? n : 1;
        connection.send('x'.repeat(2 ** n));
      });
    }),
    service('/broadcast', {}, (connection) => {
      broadcastMembers.add(connection);
      connection.addEventListener('message', (event) => {
        for (const member of broadcastMembers) member.send(event.data);
      });
      connection.addEventListener('close', () => broadcastMembers.delete(connection));
    }),
  ]);
}

/** Timing overrides from the environment, used by the tests: SOCKJS_HEARTBEAT_DELAY, SOCKJS_DISCONNECT_DELAY (ms). */
export function demoOptionsFromEnv(env: Record<string, string | undefined>): DemoOptions {
  const common: SockJSServerOptions = {};
  if (env.SOCKJS_HEARTBEAT_DELAY) common.heartbeatDelay = Number(env.SOCKJS_HEARTBEAT_DELAY);
  if (env.SOCKJS_DISCONNECT_DELAY) common.disconnectDelay = Number(env.SOCKJS_DISCONNECT_DELAY);
  return { common };
}

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
} from 'sockjs-fetch';

export interface DemoOptions {
  /**
   * Applied to every service (heartbeat and disconnect delays, sockjs_url, ...; a `broker` makes
   * `/broadcast` reach the other instances).
   */
  common?: SockJSServerOptions;
  /** Which instance this is, in `/connection_info` answers (`SOCKJS_BACKEND_NAME`). */
  backend?: string;
}

/** The topic every `/broadcast` connection subscribes to and publishes on. */
export const BROADCAST_TOPIC = 'broadcast';

/**
 * Where the demo app serves sockjs-client's browser build (examples/demo-app.ts), and so the
 * default `sockjsUrl` of every demo service: the iframe transports load the client from it inside
 * the iframe, and refuse one of a different version than the page's.
 */
export const SOCKJS_CLIENT_PATH = '/lib/sockjs.js';

/** The client script URL the services (and the demo page) use under these options. */
export function demoClientUrl({ common = {} }: DemoOptions = {}): string {
  return common.sockjsUrl ?? SOCKJS_CLIENT_PATH;
}

/** Topics one `/pubsub` connection may subscribe to. */
const MAX_PUBSUB_TOPICS = 32;

/** The `room` query parameter of a session URL (used by `/connection_info`), if any. */
function roomOf(url: string): string | null {
  return url === '' ? null : new URL(url).searchParams.get('room');
}

function echo(server: SockJSServer): void {
  server.addEventListener('message', ({ connection, data }) => connection.send(data));
}

/** The services as definitions, for runtimes that build them elsewhere (Durable Objects). */
export function demoServiceDefinitions({
  common = {},
  backend,
}: DemoOptions = {}): SockJSServiceDefinition[] {
  const sockjsUrl = demoClientUrl({ common });
  const options = (prefix: string, own: SockJSServerOptions = {}) => ({
    ...common,
    sockjsUrl,
    ...own,
    prefix,
  });
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
      // Not a standard service: tells a client which connection it is, which instance holds it
      // (`backend`, for clusters), whether that connection came back from a hibernated Durable
      // Object, and how many connections its server holds (see README, Workers). `?room=NAME` on
      // the session URL puts connections together (in one Durable Object on Workers); the others
      // of a room are told `{"left": id}` when one closes.
      options: options('/connection_info'),
      objectName: (sessionId, request) => roomOf(request.url) ?? sessionId ?? crypto.randomUUID(),
      setup: (server) => {
        server.addEventListener('connection', ({ connection, resumed }) => {
          connection.data = { resumed };
        });
        server.addEventListener('message', ({ connection }) => {
          const { resumed } = connection.data as { resumed: boolean };
          connection.send(
            JSON.stringify({
              id: connection.id,
              protocol: connection.protocol,
              resumed,
              connections: server.connections.size,
              backend: backend ?? null,
            }),
          );
        });
        server.addEventListener('disconnect', ({ connection }) => {
          const room = roomOf(connection.url);
          if (room === null) return;
          for (const member of server.connections) {
            if (roomOf(member.url) === room) member.send(JSON.stringify({ left: connection.id }));
          }
        });
      },
    },
    {
      // Every message goes to every connection (the sender too) through the topic, so with a
      // shared broker (Redis) it reaches the connections of every instance.
      options: options('/broadcast'),
      // On Workers every broadcast session lives in one Durable Object, so they can reach each other.
      objectName: () => 'broadcast',
      setup: (server) => {
        server.addEventListener('connection', ({ connection }) => connection.subscribe(BROADCAST_TOPIC));
        server.addEventListener('message', ({ data }) => {
          server.publish(BROADCAST_TOPIC, data).catch((error: Error) => {
            // Delivered here; the other instances missed it (and will report a gap).
            server.options.log('error', `broadcast not published to other instances: ${error.message}`);
          });
        });
      },
    },
    {
      // Not a standard service: every hardening option at once (README, Security), for the
      // per-runtime hardening tests (test/hardening/). `whoami` answers with what `authorize`
      // attached and the client address; `flood N` sends 1..N at once (fills the session queue).
      options: options('/hardened_echo', {
        origins: ['http://allowed.example'],
        frameOptions: 'SAMEORIGIN',
        trustProxy: 1,
        maxMessageSize: 4096,
        maxQueuedMessages: 20,
        // Short, so the stalled-body tests end fast; the default is 10 s.
        bodyTimeout: 1000,
        allowedHosts: ['127.0.0.1', 'localhost'],
        authorize: (request) => {
          const query = new URL(request.url).searchParams;
          if (query.get('token') !== 'let-me-in') {
            return new Response('Token required\n', {
              status: 401,
              headers: { 'Content-Type': 'text/plain; charset=UTF-8' },
            });
          }
          return { data: { user: query.get('user') } };
        },
      }),
      setup: (server) => {
        server.addEventListener('message', ({ connection, data }) => {
          const flood = /^flood (\d{1,3})$/.exec(data);
          if (data === 'whoami') {
            connection.send(
              JSON.stringify({ data: connection.data, remoteAddress: connection.remoteAddress }),
            );
          } else if (flood !== null) {
            for (let i = 1; i <= Number(flood[1]); i++) connection.send(String(i));
          } else {
            connection.send(data);
          }
        });
      },
    },
    {
      // Not a standard service, for the no-lost-messages soak test (test/soak/):
      // `start N [everyMs] [burst] [pad]` sends the numbers 1..N in order, `burst` at a time every
      // `everyMs` ms (defaults 5 and 1), each followed by a space and `pad` "x"s if pad > 0;
      // `pause` stops the sending. Also serves its iframe page with `frameOptions: 'SAMEORIGIN'`.
      options: options('/sequence', { frameOptions: 'SAMEORIGIN' }),
      setup: (server) => {
        const paused = new WeakSet<object>();
        server.addEventListener('message', ({ connection, data }) => {
          if (data === 'pause') {
            paused.add(connection);
            return;
          }
          const start = /^start (\d{1,6})(?: (\d{1,4}))?(?: (\d{1,3}))?(?: (\d{1,5}))?$/.exec(data);
          if (start === null) return;
          const count = Number(start[1]);
          const everyMs = Number(start[2] ?? 5);
          const burst = Math.max(1, Number(start[3] ?? 1));
          const padding = Number(start[4] ?? 0) > 0 ? ` ${'x'.repeat(Number(start[4]))}` : '';
          let next = 1;
          const tick = () => {
            if (paused.has(connection)) return;
            for (let i = 0; i < burst && next <= count; i++) {
              if (!connection.send(`${next++}${padding}`)) return;
            }
            if (next <= count) setTimeout(tick, everyMs);
          };
          tick();
        });
      },
    },
    {
      // Not a standard service: topics by hand (README, Topics), for the Workers topic tests and
      // for trying topics out. `sub T` / `unsub T` (un)subscribe this connection and answer
      // `subscribed T` / `unsubscribed T`; `pub T TEXT` publishes TEXT to T (a refused publish
      // answers `error: ...`; at most MAX_PUBSUB_TOPICS per connection); `topics` answers `{"topics": [...], "resumed": bool}`, the
      // connection's subscriptions and whether it came back from a hibernated Durable Object.
      // On Workers every session has an object of its own, so topics cross objects.
      options: options('/pubsub'),
      setup: (server) => {
        const resumed = new WeakSet<object>();
        server.addEventListener('connection', (event) => {
          if (event.resumed) resumed.add(event.connection);
        });
        server.addEventListener('message', ({ connection, data }) => {
          const [command = '', topic = ''] = data.split(' ', 2);
          if (command === 'topics') {
            const topics = [...connection.subscriptions];
            connection.send(JSON.stringify({ topics, resumed: resumed.has(connection) }));
            return;
          }
          if (topic === '') return;
          if (command === 'sub') {
            // Each topic may cost an object on Workers: a client gets a few, not any number.
            if (connection.subscriptions.size >= MAX_PUBSUB_TOPICS && !connection.isSubscribed(topic)) {
              connection.send(`error: at most ${MAX_PUBSUB_TOPICS} topics per connection`);
              return;
            }
            try {
              connection.subscribe(topic);
              connection.send(`subscribed ${topic}`);
            } catch (error) {
              connection.send(`error: ${(error as Error).message}`);
            }
          } else if (command === 'unsub') {
            connection.unsubscribe(topic);
            connection.send(`unsubscribed ${topic}`);
          } else if (command === 'pub') {
            const text = data.slice(command.length + topic.length + 2);
            server.publish(topic, text).catch((error: Error) => connection.send(`error: ${error.message}`));
          }
        });
      },
    },
  ];
}

export function createDemoServices(options: DemoOptions = {}): SockJSServices {
  return buildServices(demoServiceDefinitions(options), undefined);
}

/**
 * Overrides from the environment: the timers the tests shorten, SOCKJS_HEARTBEAT_DELAY,
 * SOCKJS_DISCONNECT_DELAY and SOCKJS_BODY_TIMEOUT (ms), SOCKJS_MAX_SESSIONS; SOCKJS_CLIENT_URL, the client script for
 * the iframe page and the demo page instead of the built-in `/lib/sockjs.js` (e.g. a CDN URL of
 * the same version); and SOCKJS_BACKEND_NAME, this instance's name in `/connection_info` answers.
 */
export function demoOptionsFromEnv(env: Record<string, string | undefined>): DemoOptions {
  const common: SockJSServerOptions = {};
  if (env.SOCKJS_HEARTBEAT_DELAY) common.heartbeatDelay = Number(env.SOCKJS_HEARTBEAT_DELAY);
  if (env.SOCKJS_DISCONNECT_DELAY) common.disconnectDelay = Number(env.SOCKJS_DISCONNECT_DELAY);
  if (env.SOCKJS_CLIENT_URL) common.sockjsUrl = env.SOCKJS_CLIENT_URL;
  if (env.SOCKJS_BODY_TIMEOUT) common.bodyTimeout = Number(env.SOCKJS_BODY_TIMEOUT);
  if (env.SOCKJS_MAX_SESSIONS) common.maxSessions = Number(env.SOCKJS_MAX_SESSIONS);
  return env.SOCKJS_BACKEND_NAME ? { common, backend: env.SOCKJS_BACKEND_NAME } : { common };
}

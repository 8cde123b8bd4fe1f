/**
 * What the Node, Deno and Bun entrypoints share: the demo services and pages, served by one
 * runtime's `serve` on PORT (default 8081, 0 for any free port) and HOST (default 127.0.0.1),
 * stopped cleanly on SIGTERM and SIGINT. Each entrypoint only says how its runtime does those.
 *
 * With REDIS_URL set, every service gets one Redis broker, so `/broadcast` reaches the
 * connections of every instance started with the same REDIS_URL; its events are logged
 * (`[demo] redis ...` lines). SOCKJS_BACKEND_NAME names the instance in `/connection_info`
 * answers (default: the process id).
 */
import type { RedisTopicBroker } from '../src/redis.ts';
import type { RuntimeContext } from '../src/runtime.ts';
import { withDemoPages } from './demo-app.ts';
import { createDemoServices, demoOptionsFromEnv } from './demo-services.ts';

type Handler = (request: Request, runtime: RuntimeContext) => Promise<Response | undefined>;

export interface DemoHost {
  env: Record<string, string | undefined>;
  pid: number;
  serve(options: {
    fetch: Handler;
    port: number;
    hostname: string;
  }): { url: string; close(): Promise<void> } | Promise<{ url: string; close(): Promise<void> }>;
  onSignal(signal: 'SIGTERM' | 'SIGINT', listener: () => void): void;
  exit(code: number): void;
}

/** A Redis broker whose events go to the log. Loaded only when asked for: `redis` is optional. */
async function redisBroker(url: string): Promise<RedisTopicBroker> {
  const { createRedisBroker } = await import('../src/redis.ts');
  const broker = await createRedisBroker({ url });
  console.log(`[demo] redis broker ${broker.origin} on ${url}`);
  broker.addEventListener('error', ({ error }) => console.error(`[demo] redis error: ${error.message}`));
  broker.addEventListener('reconnect', () => console.log('[demo] redis reconnect'));
  broker.addEventListener('gap', ({ topic, reason, origin, missed }) => {
    console.log(`[demo] redis gap topic=${topic} reason=${reason} origin=${origin} missed=${missed}`);
  });
  return broker;
}

export async function runDemo(host: DemoHost): Promise<void> {
  const options = demoOptionsFromEnv(host.env);
  options.backend ??= String(host.pid);
  const broker = host.env.REDIS_URL ? await redisBroker(host.env.REDIS_URL) : undefined;
  if (broker) options.common = { ...options.common, broker };
  const services = createDemoServices(options);
  const running = await host.serve({
    fetch: withDemoPages(
      (request: Request, runtime: RuntimeContext) => services.handle(request, runtime),
      options,
    ),
    port: Number(host.env.PORT ?? 8081),
    hostname: host.env.HOST ?? '127.0.0.1',
  });
  console.log(`SockJS demo listening on ${running.url}`);
  console.log(`Demo page: ${running.url}/`);
  const stop = () => {
    for (const server of services.servers) server.closeAll();
    void running
      .close()
      .then(() => broker?.close())
      .then(() => host.exit(0));
  };
  host.onSignal('SIGTERM', stop);
  host.onSignal('SIGINT', stop);
}

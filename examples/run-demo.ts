/**
 * What the Node, Deno and Bun entrypoints share: the demo services and pages, served by one
 * runtime's `serve` on PORT (default 8081, 0 for any free port) and HOST (default 127.0.0.1),
 * stopped cleanly on SIGTERM and SIGINT. Each entrypoint only says how its runtime does those.
 */
import type { RuntimeContext } from 'sockjs-fetch';
import { withDemoPages } from './demo-app.ts';
import { createDemoServices, demoOptionsFromEnv } from './demo-services.ts';

type Handler = (request: Request, runtime: RuntimeContext) => Promise<Response | undefined>;

export interface DemoHost {
  env: Record<string, string | undefined>;
  serve(options: {
    fetch: Handler;
    port: number;
    hostname: string;
  }): { url: string; close(): Promise<void> } | Promise<{ url: string; close(): Promise<void> }>;
  onSignal(signal: 'SIGTERM' | 'SIGINT', listener: () => void): void;
  exit(code: number): void;
}

export async function runDemo(host: DemoHost): Promise<void> {
  const options = demoOptionsFromEnv(host.env);
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
    void running.close().then(() => host.exit(0));
  };
  host.onSignal('SIGTERM', stop);
  host.onSignal('SIGINT', stop);
}

/**
 * Hono integration: SockJS services as a Hono middleware, on any runtime Hono runs on.
 *
 *   import { sockjs } from 'sockjs-fetch/hono';
 *   import { denoRuntime } from 'sockjs-fetch/deno';   // or bunRuntime from 'sockjs-fetch/bun'
 *   app.use(sockjs(services, { runtime: denoRuntime }));
 *   app.all('/echo/*', sockjs(echo, { runtime: denoRuntime }));   // or one route per service
 *
 * The middleware hands the services Hono's original request (`c.req.raw`): Deno and Bun only
 * upgrade that exact object, which is also why `app.mount()` (it rebuilds the request) cannot
 * carry SockJS. Prefixes are full paths, matched against the request URL as it arrived.
 * Requests no service owns go on to the next handler.
 */
import type { Context, MiddlewareHandler } from 'hono';
import { requestUrl } from './http.ts';
import type { RuntimeContext } from './runtime.ts';

/** A `SockJSServer`, or several combined with `combineServices`. */
export interface SockJSHandler {
  owns(url: URL): boolean;
  handle(request: Request, runtime?: RuntimeContext): Promise<Response | undefined>;
}

/**
 * Builds the `RuntimeContext` for one request. `env` is Hono's `c.env`, i.e. whatever the
 * runtime passed as the fetch handler's second argument: `Deno.serve`'s handler info (use
 * `denoRuntime`), Bun's server (use `bunRuntime`), or the `RuntimeContext` itself when the app
 * runs on this package's Node adapter (use `runtimeFromEnv`).
 */
export type RuntimeFactory<Env> = (request: Request, env: Env, c: Context) => RuntimeContext;

export interface SockJSMiddlewareOptions<Env> {
  /**
   * The runtime-specific piece. Without it the services get no runtime features: WebSocket
   * upgrades answer 400 (clients fall back to HTTP transports) and no idle timeout is lifted.
   */
  runtime?: RuntimeFactory<Env>;
}

/** For hosts that pass the `RuntimeContext` as the fetch handler's second argument (`sockjs-fetch/node`'s `serve`). */
export const runtimeFromEnv: RuntimeFactory<RuntimeContext> = (_request, env) => env;

export function sockjs<Env = unknown>(
  services: SockJSHandler,
  options: SockJSMiddlewareOptions<Env> = {},
): MiddlewareHandler {
  const runtime = options.runtime;
  return async (c, next) => {
    const request = c.req.raw;
    const url = requestUrl(request);
    if (url !== null && !services.owns(url)) return next();
    const response = await services.handle(request, runtime?.(request, c.env as Env, c) ?? {});
    if (response === undefined) return next();
    return response;
  };
}

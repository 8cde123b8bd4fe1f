/**
 * The Worker half: answers the stateless routes (greeting, /info, /iframe.html, OPTIONS,
 * 404/405) itself, refuses what can be refused without a session (malformed session ids,
 * origins, bad upgrades, `authorize`), and forwards the rest to the Durable Object that owns the
 * session, named from the session id (never the server id: `/000/abc` and `/999/abc` are one
 * session, PROTOCOL.md 1.0).
 */

import { notFound } from '../../http.ts';
import { SockJSServer } from '../../server.ts';
import { combineServices, type SockJSServices } from '../../services.ts';
import { forwardedRequest } from './admission.ts';
import type { DurableObjectNamespace, ExecutionContext } from './platform.ts';
import type { ServiceList, WorkersServiceDefinition } from './service.ts';

export interface SockJSWorkerConfig<Env> {
  /** Name of the Durable Object namespace binding in `env` (wrangler.toml). */
  binding: string;
  services: ServiceList<Env>;
}

export interface SockJSWorker<Env> {
  /** The response for a SockJS request, or `undefined` for paths outside every prefix. */
  handle(request: Request, env: Env, ctx?: ExecutionContext): Promise<Response | undefined>;
  /** A complete `fetch` handler: the protocol's 404 outside the prefixes. */
  fetch(request: Request, env: Env, ctx?: ExecutionContext): Promise<Response>;
}

/**
 * Cloudflare's front line gzips `application/javascript` and `text/html` responses, and a
 * compressor holds frames back until it has a block to emit: a streaming or polling transport
 * would stall. A response that already names its encoding is passed through as it is.
 */
function uncompressed(response: Response): Response {
  if (response.status === 101 || response.headers.has('Content-Encoding')) return response;
  const passthrough = new Response(response.body, response);
  passthrough.headers.set('Content-Encoding', 'identity');
  return passthrough;
}

export function sockjsWorker<Env>(config: SockJSWorkerConfig<Env>): SockJSWorker<Env> {
  // The Worker's servers never hold sessions: no application code is attached to them.
  let routing: {
    services: SockJSServices;
    definitions: Map<SockJSServer, WorkersServiceDefinition<Env>>;
  } | null = null;
  const build = (env: Env) => {
    const definitions = new Map<SockJSServer, WorkersServiceDefinition<Env>>();
    for (const service of typeof config.services === 'function' ? config.services(env) : config.services) {
      definitions.set(new SockJSServer(service.options), service);
    }
    return { services: combineServices([...definitions.keys()]), definitions };
  };

  const handle = async (request: Request, env: Env, ctx?: ExecutionContext) => {
    routing ??= build(env);
    const server = routing.services.owner(new URL(request.url));
    if (server === undefined) return undefined;
    const route = server.route(request);
    const runtime = {
      waitUntil: ctx ? (promise: Promise<unknown>) => ctx.waitUntil(promise) : undefined,
      remoteAddress: request.headers.get('CF-Connecting-IP') ?? undefined,
    };
    if (route.kind === 'stateless' || route.kind === 'not-mine') return server.fetch(request, runtime);
    // Only well-formed session ids are routes (src/protocol/routes.ts), so only they become
    // object names.
    const sessionId = route.kind === 'session' ? route.sessionId : null;
    const service = routing.definitions.get(server)!;
    // Without an `authorize` there is no verdict to carry: the request goes on as it came (less
    // a client's copy of the header), not copied into a new one with headers of its own.
    const forward = async (admitted?: { data: unknown }) => {
      const name = service.objectName?.(sessionId, request) ?? sessionId ?? crypto.randomUUID();
      const namespace = (env as Record<string, DurableObjectNamespace | undefined>)[config.binding];
      if (namespace === undefined) {
        throw new Error(`Durable Object binding "${config.binding}" is missing from the Worker's env`);
      }
      // One namespace serves every service: the prefix keeps their object names apart.
      const response = await namespace
        .get(namespace.idFromName(`${server.options.prefix} ${name}`))
        .fetch(forwardedRequest(request, service.options.authorize ? admitted : undefined));
      return uncompressed(response);
    };
    // Sends need the session itself: only its object knows whether it exists.
    if (route.kind === 'session' && (route.endpoint === 'xhr-send' || route.endpoint === 'jsonp-send')) {
      return forward();
    }
    // Everything else runs the server's own checks here (origin, upgrade headers, callback,
    // `authorize`): a refused request never reaches, and so never creates, an object.
    return server.fetch(request, { ...runtime, forwardAdmitted: (data) => forward({ data }) });
  };

  return {
    handle,
    fetch: async (request, env, ctx) => (await handle(request, env, ctx)) ?? notFound(),
  };
}

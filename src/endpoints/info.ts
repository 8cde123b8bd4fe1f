/** `GET /info` and its preflight (PROTOCOL.md 1.3). Clients also use it to measure the RTT. */
import { chainHeaders } from '../http.ts';
import { CONTENT_TYPE, setPreflight } from '../protocol/headers.ts';
import type { EndpointContext } from '../transports/context.ts';

function entropy(): number {
  return crypto.getRandomValues(new Uint32Array(1))[0]!;
}

export function info(ctx: EndpointContext): Response {
  const { options, request } = ctx;
  // No JSESSIONID here, even when enabled: the protocol suite checks that /info sets no cookie.
  const headers = chainHeaders(request, options, { noCache: true, cors: true });
  headers['Content-Type'] = CONTENT_TYPE.json;
  const body: Record<string, unknown> = {
    websocket: options.transports.has('websocket'),
    transports: [...options.transports],
  };
  if (!options.disableCors) body.origins = ['*:*'];
  body.cookie_needed = options.jsessionid !== false;
  body.entropy = entropy();
  if (options.baseUrl !== undefined) {
    body.base_url = typeof options.baseUrl === 'function' ? options.baseUrl(request) : options.baseUrl;
  }
  return new Response(JSON.stringify(body), { status: 200, headers });
}

export function infoOptions(ctx: EndpointContext): Response {
  const headers = chainHeaders(ctx.request, ctx.options, { sid: true, cors: true });
  setPreflight(headers, 'OPTIONS, GET');
  return new Response(null, { status: 204, headers });
}

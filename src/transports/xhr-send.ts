/** `xhr_send`: messages from the client for the xhr, eventsource and htmlfile transports. */
import { chainHeaders, notFound } from '../http.ts';
import { CONTENT_TYPE } from '../protocol/headers.ts';
import type { EndpointContext } from './context.ts';
import { readPayload } from './payload.ts';

export async function xhrSend(ctx: EndpointContext): Promise<Response> {
  const headers = chainHeaders(ctx.request, ctx.options, { sid: true, noCache: true, cors: true });
  const payload = await readPayload(ctx, headers, false);
  if (!payload.ok) return payload.response;
  const session = ctx.sessions.get(ctx.sessionId);
  if (session === undefined) return notFound(headers);
  session.deliver(payload.messages);
  // 204, yet with a Content-Type: Firefox otherwise tries to parse the empty body as XML.
  headers['Content-Type'] = CONTENT_TYPE.text;
  return new Response(null, { status: 204, headers });
}

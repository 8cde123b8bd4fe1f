/** `xhr_send`: messages from the client for the xhr, eventsource and htmlfile transports. */
import { chainHeaders, notFound } from '../http.ts';
import { CONTENT_TYPE, type ResponseHeaders } from '../protocol/headers.ts';
import type { EndpointContext } from './context.ts';
import { type PayloadResult, readPayload } from './payload.ts';

/** Not an async function: one reaction on the payload's promise (see `readPayload`). */
export function xhrSend(ctx: EndpointContext): Promise<Response> {
  const headers = chainHeaders(ctx.request, ctx.options, { sid: true, noCache: true, cors: true });
  return readPayload(ctx, headers, false).then((payload) => delivered(ctx, headers, payload));
}

function delivered(ctx: EndpointContext, headers: ResponseHeaders, payload: PayloadResult): Response {
  if (!payload.ok) return payload.response;
  const session = ctx.sessions.get(ctx.sessionId);
  if (session === undefined) return notFound(headers);
  session.deliver(payload.messages);
  // 204, yet with a Content-Type: Firefox otherwise tries to parse the empty body as XML.
  headers['Content-Type'] = CONTENT_TYPE.text;
  return new Response(null, { status: 204, headers });
}

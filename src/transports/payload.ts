/**
 * Reading a client's `*_send` body into messages, with the protocol's error answers
 * (PROTOCOL.md 1.7, 1.8): all body errors are 500s, checked before the session lookup; a body
 * over `maxMessageSize` is 413, one not complete within `bodyTimeout` 408, one cut short by the
 * client 400 (ours, README Security; that client is usually gone and never reads it).
 */
import { type BodyResult, readBody, textResponse } from '../http.ts';
import { parseClientPayload } from '../protocol/frames.ts';
import type { ResponseHeaders } from '../protocol/headers.ts';
import type { EndpointContext } from './context.ts';

export type PayloadResult = { ok: true; messages: string[] } | { ok: false; response: Response };

/**
 * `form`: take the `d` field of an urlencoded form (jsonp_send's hidden-form POST). Not an async
 * function: one reaction on the body's promise, where an async function awaiting it costs its own
 * promise and more hops.
 */
export function readPayload(
  ctx: EndpointContext,
  headers: ResponseHeaders,
  form: boolean,
): Promise<PayloadResult> {
  return readBody(ctx.request, ctx.options.maxMessageSize, ctx.options.bodyTimeout, ctx.runtime).then(
    (body) => payloadOf(ctx, headers, form, body),
  );
}

function payloadOf(
  ctx: EndpointContext,
  headers: ResponseHeaders,
  form: boolean,
  body: BodyResult,
): PayloadResult {
  if (!body.ok && body.error === 'too-large') {
    return { ok: false, response: textResponse(413, 'Payload too large.', headers) };
  }
  if (!body.ok) {
    // The rest of the body may still be on its way: the connection cannot carry another request.
    headers.Connection = 'close';
    return body.error === 'timeout'
      ? { ok: false, response: textResponse(408, 'Request body timed out.', headers) }
      : { ok: false, response: textResponse(400, 'Request body incomplete.', headers) };
  }
  let text = body.text;
  if (
    form &&
    (ctx.request.headers.get('Content-Type') ?? '').startsWith('application/x-www-form-urlencoded')
  ) {
    text = new URLSearchParams(text).get('d') ?? '';
  }
  const parsed = parseClientPayload(text, false);
  if (parsed.ok) return parsed;
  const message = parsed.error === 'broken' ? 'Broken JSON encoding.' : 'Payload expected.';
  return { ok: false, response: textResponse(500, message, headers) };
}

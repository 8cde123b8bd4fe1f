/**
 * Reading a client's `*_send` body into messages, with the protocol's error answers
 * (PROTOCOL.md 1.7, 1.8): all body errors are 500s, checked before the session lookup.
 */
import { readBody, textResponse } from '../http.ts';
import { parseClientPayload } from '../protocol/frames.ts';
import type { EndpointContext } from './context.ts';

export type PayloadResult = { ok: true; messages: string[] } | { ok: false; response: Response };

/** `form`: take the `d` field of an urlencoded form (jsonp_send's hidden-form POST). */
export async function readPayload(
  ctx: EndpointContext,
  headers: Headers,
  form: boolean,
): Promise<PayloadResult> {
  const body = await readBody(ctx.request, ctx.options.maxMessageSize);
  if (!body.ok) {
    return { ok: false, response: textResponse(413, 'Payload too large.', headers) };
  }
  let text = body.text;
  const contentType = ctx.request.headers.get('Content-Type') ?? '';
  if (form && contentType.startsWith('application/x-www-form-urlencoded')) {
    text = new URLSearchParams(text).get('d') ?? '';
  }
  const parsed = parseClientPayload(text, false);
  if (parsed.ok) return parsed;
  const message = parsed.error === 'broken' ? 'Broken JSON encoding.' : 'Payload expected.';
  return { ok: false, response: textResponse(500, message, headers) };
}

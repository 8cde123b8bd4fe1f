/** `jsonp` polling receiver and `jsonp_send` (PROTOCOL.md 1.8). */
import { chainHeaders, notFound, textResponse } from '../http.ts';
import { readCallback } from '../protocol/callback.ts';
import { escapeForScript } from '../protocol/escape.ts';
import { CONTENT_TYPE } from '../protocol/headers.ts';
import { admit } from './admission.ts';
import type { EndpointContext } from './context.ts';
import { readPayload } from './payload.ts';
import { PollingReceiver } from './polling-receiver.ts';
import { receive } from './receive.ts';

/** The client's callback names are 10 characters; anything long is refused. */
const MAX_CALLBACK_LENGTH = 32;

export async function jsonpPolling(ctx: EndpointContext): Promise<Response> {
  const headers = chainHeaders(ctx.request, ctx.options, { sid: true, noCache: true });
  const result = readCallback(ctx.url, MAX_CALLBACK_LENGTH);
  if (!result.ok) return textResponse(500, result.message, headers);
  const callback = result.callback;
  headers['Content-Type'] = CONTENT_TYPE.javascript;
  // With `/**/` first, the body can never be sniffed as a Flash file (CVE-2014-4671).
  headers['X-Content-Type-Options'] = 'nosniff';
  const admission = await admit(ctx, 'jsonp-polling', headers);
  if (!admission.ok) return admission.response;
  const receiver = new PollingReceiver({
    protocol: 'jsonp-polling',
    format: (frame) => '/**/' + callback + '(' + escapeForScript(JSON.stringify(frame)) + ');\r\n',
    headers,
  });
  receive(ctx, receiver, admission.data);
  return receiver.response;
}

export async function jsonpSend(ctx: EndpointContext): Promise<Response> {
  const headers = chainHeaders(ctx.request, ctx.options, { sid: true, noCache: true });
  const payload = await readPayload(ctx, headers, true);
  if (!payload.ok) return payload.response;
  const session = ctx.sessions.get(ctx.sessionId);
  if (session === undefined) return notFound(headers);
  session.deliver(payload.messages);
  // 200 with a body, not 204: Konqueror mishandles an empty answer to a form POST.
  return textResponse(200, 'ok', headers);
}

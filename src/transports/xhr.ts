/** `xhr` (polling) and `xhr_streaming` receivers, and their preflights (PROTOCOL.md 1.8). */
import { chainHeaders, streamingResponse } from '../http.ts';
import { CONTENT_TYPE, type ResponseHeaders, setPreflight } from '../protocol/headers.ts';
import { type Admission, admit } from './admission.ts';
import type { EndpointContext } from './context.ts';
import { HttpReceiver } from './http-receiver.ts';
import { PollingReceiver } from './polling-receiver.ts';
import { receive } from './receive.ts';

const newlineFramed = (frame: string) => frame + '\n';

/** 2 KiB of `h` makes old browsers and many proxies start delivering the stream. */
const STREAMING_PRELUDE = 'h'.repeat(2048) + '\n';

function receiverHeaders(ctx: EndpointContext): ResponseHeaders {
  const headers = chainHeaders(ctx.request, ctx.options, { sid: true, noCache: true, cors: true });
  headers['Content-Type'] = CONTENT_TYPE.javascript;
  return headers;
}

export function xhrPolling(ctx: EndpointContext): Response | Promise<Response> {
  const headers = receiverHeaders(ctx);
  const admission = admit(ctx, 'xhr-polling', headers);
  // A poll of an existing session is admitted at once: no promise hop for it.
  return admission instanceof Promise
    ? admission.then((admitted) => poll(ctx, headers, admitted))
    : poll(ctx, headers, admission);
}

function poll(
  ctx: EndpointContext,
  headers: ResponseHeaders,
  admission: Admission,
): Response | Promise<Response> {
  if (!admission.ok) return admission.response;
  const receiver = new PollingReceiver({ protocol: 'xhr-polling', format: newlineFramed, headers });
  receive(ctx, receiver, admission.data);
  return receiver.response;
}

export async function xhrStreaming(ctx: EndpointContext): Promise<Response> {
  const headers = receiverHeaders(ctx);
  const admission = await admit(ctx, 'xhr-streaming', headers);
  if (!admission.ok) return admission.response;
  const receiver = new HttpReceiver({
    protocol: 'xhr-streaming',
    format: newlineFramed,
    limit: ctx.options.responseLimit,
    prelude: STREAMING_PRELUDE,
    runtime: ctx.runtime,
  });
  receive(ctx, receiver, admission.data);
  return streamingResponse(receiver.body, { status: 200, headers });
}

/** Preflight for `xhr`, `xhr_send` and `xhr_streaming`. */
export function xhrOptions(ctx: EndpointContext): Response {
  const headers = chainHeaders(ctx.request, ctx.options, { sid: true, cors: true });
  setPreflight(headers, 'OPTIONS, POST');
  return new Response(null, { status: 204, headers });
}

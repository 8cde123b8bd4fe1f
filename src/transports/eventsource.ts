/** `eventsource` receiver: server-sent events, one frame per event (PROTOCOL.md 1.8). */
import { chainHeaders, streamingResponse } from '../http.ts';
import { escapeForEventSource } from '../protocol/escape.ts';
import { rememberingLast } from '../protocol/frames.ts';
import { CONTENT_TYPE, setCors } from '../protocol/headers.ts';
import { admit } from './admission.ts';
import type { EndpointContext } from './context.ts';
import { HttpReceiver } from './http-receiver.ts';
import { receive } from './receive.ts';

const eventFramed = rememberingLast((frame) => 'data: ' + escapeForEventSource(frame) + '\r\n\r\n');

export async function eventSource(ctx: EndpointContext): Promise<Response> {
  const headers = chainHeaders(ctx.request, ctx.options, { sid: true, noCache: true });
  // Exactly `text/event-stream`, no charset. The client opens EventSource without credentials.
  headers['Content-Type'] = CONTENT_TYPE.eventStream;
  if (!ctx.options.disableCors) setCors(headers, ctx.request, true);
  const admission = await admit(ctx, 'eventsource', headers);
  if (!admission.ok) return admission.response;
  const receiver = new HttpReceiver({
    protocol: 'eventsource',
    format: eventFramed,
    limit: ctx.options.responseLimit,
    prelude: '\r\n', // Opera needs a line before the first event.
    runtime: ctx.runtime,
  });
  receive(ctx, receiver, admission.data);
  return streamingResponse(receiver.body, { status: 200, headers });
}

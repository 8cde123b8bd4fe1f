/**
 * `htmlfile` receiver: a forever-loading HTML page of `<script>` blocks (PROTOCOL.md 1.8).
 * Frames are escaped for script context, so no message can close the script element.
 */
import { chainHeaders, streamingResponse, textResponse } from '../http.ts';
import { readCallback } from '../protocol/callback.ts';
import { escapeForScript } from '../protocol/escape.ts';
import { rememberingLast } from '../protocol/frames.ts';
import { CONTENT_TYPE } from '../protocol/headers.ts';
import { htmlfilePrelude } from '../protocol/templates.ts';
import { admit } from './admission.ts';
import type { EndpointContext } from './context.ts';
import { HttpReceiver } from './http-receiver.ts';
import { receive } from './receive.ts';

const scriptFramed = rememberingLast(
  (frame) => '<script>\np(' + escapeForScript(JSON.stringify(frame)) + ');\n</script>\r\n',
);

export async function htmlfile(ctx: EndpointContext): Promise<Response> {
  const headers = chainHeaders(ctx.request, ctx.options, { sid: true, noCache: true });
  const callback = readCallback(ctx.url, Number.POSITIVE_INFINITY);
  if (!callback.ok) return textResponse(500, callback.message, headers);
  headers['Content-Type'] = CONTENT_TYPE.html;
  const admission = await admit(ctx, 'htmlfile', headers);
  if (!admission.ok) return admission.response;
  const receiver = new HttpReceiver({
    protocol: 'htmlfile',
    format: scriptFramed,
    limit: ctx.options.responseLimit,
    prelude: htmlfilePrelude(callback.callback),
    runtime: ctx.runtime,
  });
  receive(ctx, receiver, admission.data);
  return streamingResponse(receiver.body, { status: 200, headers });
}

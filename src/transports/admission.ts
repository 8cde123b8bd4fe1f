/**
 * Whether a new session may open: the server's session limit, then the application's
 * `authorize` hook with the original request. Requests for a session that already exists were
 * admitted when it opened. Where sessions live elsewhere (`runtime.forwardAdmitted`), an admitted
 * request is forwarded and its answer returned as the response.
 */
import { textResponse } from '../http.ts';
import type { ResponseHeaders } from '../protocol/headers.ts';
import type { EndpointContext } from './context.ts';

export type Admission = { ok: true; data: unknown } | { ok: false; response: Response };

const ADMITTED: Admission = { ok: true, data: undefined };

/**
 * Not an async function: a request for an existing session (every poll but the first), or for a
 * new one where there is no `authorize` hook and no forwarding, is admitted without a promise,
 * and a caller can skip its `await` (see `xhrPolling`).
 */
export function admit(
  ctx: EndpointContext,
  transport: string,
  headers?: ResponseHeaders,
): Admission | Promise<Admission> {
  if (ctx.sessionId !== '' && ctx.sessions.get(ctx.sessionId) !== undefined) return ADMITTED;
  if (ctx.openSessions() >= ctx.options.maxSessions) {
    return { ok: false, response: textResponse(503, 'Too many sessions', headers) };
  }
  // Nothing to wait for without an `authorize` or a forward: a new session is admitted at once too.
  if (ctx.options.authorize === null && ctx.runtime.forwardAdmitted === undefined) return ADMITTED;
  return admitNew(ctx, transport, headers);
}

async function admitNew(
  ctx: EndpointContext,
  transport: string,
  headers?: ResponseHeaders,
): Promise<Admission> {
  const admission = await authorizeSession(ctx, transport, headers);
  const forward = ctx.runtime.forwardAdmitted;
  if (forward === undefined || !admission.ok) return admission;
  return { ok: false, response: await forward(admission.data) };
}

async function authorizeSession(
  ctx: EndpointContext,
  transport: string,
  headers?: ResponseHeaders,
): Promise<Admission> {
  const authorize = ctx.options.authorize;
  if (authorize === null) return ADMITTED;
  let result: Awaited<ReturnType<typeof authorize>>;
  try {
    result = await authorize(ctx.request, { transport, remoteAddress: ctx.remoteAddress });
  } catch (error) {
    ctx.options.log('error', `authorize threw: ${error instanceof Error ? error.message : String(error)}`);
    return { ok: false, response: textResponse(500, '500 - Internal Server Error', headers) };
  }
  if (result === undefined || result === true) return ADMITTED;
  if (result === false) return { ok: false, response: textResponse(403, 'Forbidden', headers) };
  if (result instanceof Response) return { ok: false, response: result };
  return { ok: true, data: result.data };
}

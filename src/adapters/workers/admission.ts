/**
 * What the Worker decides before any Durable Object is addressed, and how its `authorize`
 * verdict reaches the object.
 *
 * A Durable Object is reachable only through Worker code (`stub.fetch`), so a header the Worker
 * sets is trusted by the object, provided the Worker also removes any copy the client sent:
 * every request forwarded by `sockjsWorker` goes through `forwardedRequest`.
 */
import type { Authorize } from '../../options.ts';

/** Carries `{ data }` of an admission made in the Worker, URI-encoded JSON. */
export const ADMISSION_HEADER = 'X-SockJS-Fetch-Admitted';

/**
 * The request as the object receives it: the client's own admission header removed, the
 * Worker's added when it admitted the request (`admitted` given).
 */
export function forwardedRequest(request: Request, admitted?: { data: unknown }): Request {
  if (admitted === undefined && !request.headers.has(ADMISSION_HEADER)) return request;
  const headers = new Headers(request.headers);
  headers.delete(ADMISSION_HEADER);
  if (admitted !== undefined) {
    headers.set(ADMISSION_HEADER, encodeURIComponent(JSON.stringify({ data: admitted.data })));
  }
  return new Request(request, { headers });
}

/**
 * The object's `authorize`: the Worker already ran the application's and admitted the request,
 * so its `data` is taken from the header. Without the header (a request that did not come
 * through `sockjsWorker`), the application's own `authorize` runs here.
 */
export function trustedAuthorize(own: Authorize): Authorize {
  return (request, details) => {
    const admitted = request.headers.get(ADMISSION_HEADER);
    if (admitted === null) return own(request, details);
    const { data } = JSON.parse(decodeURIComponent(admitted)) as { data?: unknown };
    return { data };
  };
}

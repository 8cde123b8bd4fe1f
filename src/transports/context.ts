/** Everything an endpoint handler gets for one request. */
import type { ConnectionObserver, SockJSConnection } from '../connection.ts';
import type { ResolvedOptions } from '../options.ts';
import type { RuntimeContext } from '../runtime.ts';
import type { SessionRegistry } from '../session-registry.ts';

export interface EndpointContext {
  request: Request;
  url: URL;
  /** The SockJS session id from the path; empty for routes without one. */
  sessionId: string;
  runtime: RuntimeContext;
  /** The client address, after `trustProxy`. */
  remoteAddress: string | undefined;
  /** Sessions open right now, on every transport (for `maxSessions`). */
  openSessions: () => number;
  options: ResolvedOptions;
  sessions: SessionRegistry;
  /** Hears every connection's messages and close (the server's server-level events). */
  observer: ConnectionObserver;
  /** Tells the server (and so the application) about a connection that just opened or resumed. */
  announce: (connection: SockJSConnection, resumed?: boolean) => void;
}

/**
 * Calls `listener` once if the client goes away before its response is complete: through the
 * runtime's own hook where it has one (cheaper than an AbortSignal, which on Node 20 costs as
 * much as a small response write), else through the request's abort signal.
 */
export function onClientGone(ctx: EndpointContext, listener: () => void): void {
  if (ctx.runtime.onClientGone !== undefined) ctx.runtime.onClientGone(listener);
  else ctx.request.signal.addEventListener('abort', listener, { once: true });
}

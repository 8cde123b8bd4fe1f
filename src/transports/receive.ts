/** Attaching an HTTP receiver to its session: shared by every receiving transport. */
import { requestInfo } from '../connection.ts';
import { closeFrame } from '../protocol/frames.ts';
import { type EndpointContext, onClientGone } from './context.ts';
import type { HttpReceiver } from './http-receiver.ts';
import type { PollingReceiver } from './polling-receiver.ts';

/**
 * Finds or creates the session and hands it the receiver; a new session opens here, with the
 * `data` its admission produced. A client that leaves early is reported to the receiver.
 */
export function receive(ctx: EndpointContext, receiver: HttpReceiver | PollingReceiver, data: unknown): void {
  ctx.runtime.keepAlive?.();
  onClientGone(ctx, () => receiver.clientGone());
  const lost = ctx.sessions.lost(ctx.sessionId);
  if (lost !== null) {
    // The session died with a previous instance of this server: say so, never open a new one.
    receiver.sendFrame(closeFrame(lost.code, lost.reason));
    receiver.close();
    return;
  }
  const session = ctx.sessions.getOrCreate(ctx.sessionId, receiver.protocol, data);
  receiver.session = session;
  session.attach(receiver, requestInfo(ctx.request, ctx.remoteAddress));
}

/** Attaching an HTTP receiver to its session: shared by every receiving transport. */
import { requestInfo } from '../connection.ts';
import { closeFrame } from '../protocol/frames.ts';
import type { EndpointContext } from './context.ts';
import type { HttpReceiver } from './http-receiver.ts';

/**
 * Finds or creates the session and hands it the receiver; a new session opens here, with the
 * `data` its admission produced.
 */
export function receive(ctx: EndpointContext, receiver: HttpReceiver, data: unknown): void {
  ctx.runtime.keepAlive?.();
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

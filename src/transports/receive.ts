/** Attaching an HTTP receiver to its session: shared by every receiving transport. */
import { type ConnectionRequestInfo, requestInfo } from '../connection.ts';
import { closeFrame } from '../protocol/frames.ts';
import type { Receiver } from '../receiver.ts';
import type { Session } from '../session.ts';
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
  const info = requestInfo(ctx.request, ctx.remoteAddress);
  if (ctx.runtime.abortNoticedOnWrite && session.probeReceiver())
    void probeThenAttach(session, receiver, info);
  else session.attach(receiver, info);
}

/** Heartbeats written to a session's stream, this far apart, before a new receiver is refused. */
const PROBES = 3;
const PROBE_INTERVAL_MS = 20;

/**
 * The session's stream was probed once: a write to a vanished client's response goes out, the
 * next one fails and the runtime cancels the body. Probes again (unless the stream is gone
 * already), then attaches, which answers 2010 only if the stream is still there.
 */
async function probeThenAttach(
  session: Session,
  receiver: Receiver,
  info: ConnectionRequestInfo,
): Promise<void> {
  for (let probe = 1; probe <= PROBES; probe++) {
    await new Promise((resolve) => setTimeout(resolve, PROBE_INTERVAL_MS));
    if (probe === PROBES || !session.probeReceiver()) break;
  }
  session.attach(receiver, info);
}

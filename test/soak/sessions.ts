/**
 * A protocol-level client for the soak test: one session on one transport against `/sequence`,
 * which sends the numbers 1..N. The client drops receivers, stops polling for a while and
 * reconnects on the same session; what it received must be exactly 1..k in order, without
 * duplicates, and k < N only after a close frame (or, on a WebSocket, its own abort).
 *
 * Aborts are made so that the server can know of them: the client first asks the app to
 * `pause` (acknowledged by the send's answer), lets everything already written arrive, and only
 * then drops the receiver, which is then still waiting for data. (Dropping a response the
 * server has already finished loses its frames in any protocol without acknowledgements; the
 * protocol answers that case for responses still in progress: `c[1002,...]`.)
 */
import { randomUUID } from 'node:crypto';
import type { Socket } from 'node:net';
import type { TargetCapabilities } from '../support/server-process.ts';
import { toWsUrl, WsClient } from '../support/ws-client.ts';
import { FrameStream, type Framing } from './frame-stream.ts';

export interface HttpTransport {
  name: string;
  method: 'GET' | 'POST';
  /** Receiver path after the session, with its query. */
  path: string;
  framing: Framing;
  streaming: boolean;
  send: 'xhr_send' | 'jsonp_send';
}

export const HTTP_TRANSPORTS: readonly HttpTransport[] = [
  { name: 'xhr-polling', method: 'POST', path: 'xhr', framing: 'xhr', streaming: false, send: 'xhr_send' },
  {
    name: 'xhr-streaming',
    method: 'POST',
    path: 'xhr_streaming',
    framing: 'xhr-streaming',
    streaming: true,
    send: 'xhr_send',
  },
  {
    name: 'eventsource',
    method: 'GET',
    path: 'eventsource',
    framing: 'eventsource',
    streaming: true,
    send: 'xhr_send',
  },
  {
    name: 'htmlfile',
    method: 'GET',
    path: 'htmlfile?c=cb',
    framing: 'htmlfile',
    streaming: true,
    send: 'xhr_send',
  },
  {
    name: 'jsonp-polling',
    method: 'GET',
    path: 'jsonp?c=cb',
    framing: 'jsonp',
    streaming: false,
    send: 'jsonp_send',
  },
];

/** What one session asks for and how its client misbehaves. */
export interface SessionPlan {
  count: number;
  everyMs: number;
  burst: number;
  pad: number;
  /** Drop the receiver (HTTP) or the socket (WebSocket) after this many messages. */
  abortAt?: number;
  /** WebSocket: stop reading for `pauseMs` after this many messages. */
  pauseAt?: number;
  pauseMs?: number;
}

export interface SessionResult {
  requested: number;
  delivered: number;
  /** The close frame that ended the session, if one did. */
  close: string | null;
  /** The client dropped the receiver or socket on purpose. */
  aborted: boolean;
  problems: string[];
}

/** A session's result before anything was received. */
function newResult(plan: SessionPlan): SessionResult {
  return { requested: plan.count, delivered: 0, close: null, aborted: false, problems: [] };
}

/** A small seeded PRNG (mulberry32), so a run can be replayed from its seed. */
export function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function planSession(rng: () => number, streaming: boolean, websocket: boolean): SessionPlan {
  const pick = <T>(items: readonly T[]) => items[Math.floor(rng() * items.length)]!;
  const count = 100 + Math.floor(rng() * 300);
  const plan: SessionPlan = {
    count,
    everyMs: pick([0, 1, 2, 5]),
    burst: 1 + Math.floor(rng() * 6),
    pad: streaming ? pick([0, 500, 2000]) : pick([0, 100]),
  };
  if (rng() < 0.4) plan.abortAt = 1 + Math.floor(rng() * count * 0.8);
  if (websocket && rng() < 0.3) {
    plan.pauseAt = 1 + Math.floor(rng() * count * 0.8);
    plan.pauseMs = 200 + Math.floor(rng() * 600);
  }
  return plan;
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** After a timer: lets the I/O that arrived meanwhile be read first. */
const afterIo = () => new Promise((resolve) => setImmediate(resolve));

const FRAME_TIMEOUT_MS = 10_000;
const INTERRUPTED = 'c[1002,"Connection interrupted"]';
const ANOTHER_CONNECTION = 'c[2010,"Another connection still open"]';
const SESSION_LIMIT_MS = 30_000;

function expected(plan: SessionPlan, n: number): string {
  return plan.pad > 0 ? `${n} ${'x'.repeat(plan.pad)}` : String(n);
}

/** The delivery rules, applied to what a session's client received. */
function verify(plan: SessionPlan, messages: readonly string[], result: SessionResult): void {
  for (let i = 0; i < messages.length; i++) {
    if (messages[i] !== expected(plan, i + 1)) {
      const got = messages[i]!.slice(0, 12);
      result.problems.push(
        `message ${i + 1} of ${plan.count} was ${JSON.stringify(got)}: lost, duplicated or out of order`,
      );
      break;
    }
  }
  if (messages.length > plan.count) result.problems.push(`${messages.length - plan.count} messages too many`);
  if (messages.length < plan.count && result.close === null && !result.aborted) {
    result.problems.push(`${plan.count - messages.length} messages missing without a close frame`);
  }
  result.delivered = messages.length;
}

export async function runHttpSession(
  baseUrl: string,
  transport: HttpTransport,
  plan: SessionPlan,
  caps: Readonly<Required<TargetCapabilities>>,
  rng: () => number,
): Promise<SessionResult> {
  const base = `/sequence/000/${randomUUID()}`;
  const messages: string[] = [];
  const result = newResult(plan);
  const deadline = Date.now() + SESSION_LIMIT_MS;
  // Whether a dropped receiver of this transport is noticed before the next request is answered.
  const promptAbortDetection =
    caps.promptAbortDetection === true || (caps.promptAbortDetection === 'streams' && transport.streaming);

  const send = async (message: string) => {
    const form = transport.send === 'jsonp_send';
    const response = await fetch(`${baseUrl}${base}/${transport.send}`, {
      method: 'POST',
      headers: form ? { 'Content-Type': 'application/x-www-form-urlencoded' } : {},
      body: form ? `d=${encodeURIComponent(JSON.stringify([message]))}` : JSON.stringify([message]),
    });
    await response.arrayBuffer();
    if (response.status !== (form ? 200 : 204))
      throw new Error(`${transport.send} answered ${response.status}`);
  };
  const open = () =>
    FrameStream.open(
      baseUrl,
      transport.method,
      `${base}/${transport.path}`,
      transport.framing,
      FRAME_TIMEOUT_MS,
    );
  /** Takes one frame; true when the session is over for the client. */
  const handle = (frame: string): boolean => {
    if (frame === 'h') return false;
    if (frame.startsWith('a[')) {
      messages.push(...(JSON.parse(frame.slice(1)) as string[]));
      return messages.length >= plan.count;
    }
    if (frame === ANOTHER_CONNECTION && result.aborted && promptAbortDetection) {
      // The new request overtook the news of the drop (a race under load): ask again shortly.
      retryAfterOverlap = true;
      return false;
    }
    if (frame.startsWith('c[')) {
      result.close = frame;
      return true;
    }
    result.problems.push(`unexpected frame ${JSON.stringify(frame.slice(0, 40))}`);
    return true;
  };
  let retryAfterOverlap = false;

  let stream = await open();
  try {
    const opening = await stream.next(FRAME_TIMEOUT_MS);
    if (opening !== 'o') throw new Error(`the first frame was ${JSON.stringify(opening)}`);
    await send(`start ${plan.count} ${plan.everyMs} ${plan.burst} ${plan.pad}`);

    /** Pause the app, take what arrived, then drop a receiver that is still waiting. */
    const interrupt = async (): Promise<boolean> => {
      await send('pause');
      for (let attempt = 0; attempt < 5; attempt++) {
        await delay(300);
        await afterIo();
        for (let frame = stream.take(); frame !== undefined; frame = stream.take()) {
          if (handle(frame)) return true;
        }
        if (!stream.ended) {
          stream.abort();
          result.aborted = true;
          return false;
        }
        // The poll had finished: open one that will wait (the app is paused), and drop that.
        stream = await open();
      }
      throw new Error('no receiver stayed pending to drop');
    };

    for (;;) {
      if (Date.now() > deadline)
        throw new Error(`stalled after ${messages.length} of ${plan.count} messages`);
      if (stream.ended) {
        // Reconnect on the same session: the next poll, or a stream after its response limit.
        if (retryAfterOverlap) await delay(200);
        else if (!transport.streaming && rng() < 0.1) await delay(Math.floor(rng() * 600));
        retryAfterOverlap = false;
        stream = await open();
      }
      const frame = await stream.next(FRAME_TIMEOUT_MS);
      if (frame === null) continue;
      if (handle(frame)) break;
      if (plan.abortAt !== undefined && !result.aborted && messages.length >= plan.abortAt) {
        if (await interrupt()) break;
      }
    }
  } catch (error) {
    result.problems.push((error as Error).message);
  } finally {
    stream.abort();
  }
  if (result.aborted) {
    // The receiver after the dropped one hears of it: `c[1002,...]` where the drop is noticed at
    // once (after a `c[2010,...]` if the new request overtook the news), else (workerd) possibly
    // `c[2010,...]` while the dropped one still counts as attached.
    const interrupted = result.close === INTERRUPTED;
    const other = !promptAbortDetection && result.close === ANOTHER_CONNECTION;
    if (!interrupted && !other)
      result.problems.push(`after the drop came ${result.close ?? 'no close frame'}`);
  }
  verify(plan, messages, result);
  return result;
}

export async function runWebSocketSession(baseUrl: string, plan: SessionPlan): Promise<SessionResult> {
  const messages: string[] = [];
  const result = newResult(plan);
  const ws = await WsClient.connect(
    `${toWsUrl(baseUrl)}/sequence/000/${randomUUID()}/websocket`,
    FRAME_TIMEOUT_MS,
  );
  const deadline = Date.now() + SESSION_LIMIT_MS;
  try {
    if ((await ws.next(FRAME_TIMEOUT_MS)) !== 'o') throw new Error('no open frame');
    ws.send(JSON.stringify([`start ${plan.count} ${plan.everyMs} ${plan.burst} ${plan.pad}`]));
    let paused = false;
    while (messages.length < plan.count) {
      if (Date.now() > deadline)
        throw new Error(`stalled after ${messages.length} of ${plan.count} messages`);
      let frame: string;
      try {
        frame = await ws.next(FRAME_TIMEOUT_MS);
      } catch (error) {
        const close = await Promise.race([ws.closed, delay(100).then(() => null)]);
        if (close === null) throw error;
        result.close = `close ${close.code} ${close.reason}`;
        break;
      }
      if (frame === 'h') continue;
      if (frame.startsWith('c[')) {
        result.close = frame;
        break;
      }
      if (!frame.startsWith('a[')) throw new Error(`unexpected frame ${JSON.stringify(frame.slice(0, 40))}`);
      messages.push(...(JSON.parse(frame.slice(1)) as string[]));
      if (plan.pauseAt !== undefined && !paused && messages.length >= plan.pauseAt) {
        // A slow reader: the server's socket buffer fills and the session holds messages back.
        paused = true;
        const socket = (ws.socket as unknown as { _socket: Socket })._socket;
        socket.pause();
        await delay(plan.pauseMs ?? 0);
        socket.resume();
      }
      if (plan.abortAt !== undefined && messages.length >= plan.abortAt && messages.length < plan.count) {
        ws.terminate();
        result.aborted = true;
        break;
      }
    }
  } catch (error) {
    result.problems.push((error as Error).message);
  } finally {
    if (result.aborted) ws.terminate();
    else await ws.close();
  }
  verify(plan, messages, result);
  return result;
}

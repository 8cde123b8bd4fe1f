/**
 * The SockJS session state machine (PROTOCOL.md 1.7), independent of transport and runtime.
 *
 * A session queues messages for the client, hands them to its current receiver batched into one
 * `a[...]` frame, sends heartbeats while a receiver is attached, and outlives receivers for
 * `disconnectDelay` so that polling clients can come back.
 */
import {
  type ConnectionBackend,
  type ConnectionObserver,
  type ConnectionRequestInfo,
  connectionHooks,
  type SockJSConnection,
} from './connection.ts';
import { DeadlineQueue } from './deadlines.ts';
import type { CloseInfo } from './events.ts';
import {
  CLOSE_ANOTHER_CONNECTION,
  CLOSE_INTERRUPTED,
  closeFrame,
  HEARTBEAT_FRAME,
  messageFrame,
  OPEN_FRAME,
  type QueuedMessage,
  type SharedMessage,
} from './protocol/frames.ts';
import { ReadyState } from './ready-state.ts';
import type { Receiver, ReceiverOwner } from './receiver.ts';

/**
 * How sessions behave: one object shared by every session of a kind (the registry keeps one for
 * HTTP sessions and one for WebSocket sessions), so a session holds a reference, not a copy.
 */
export interface SessionOptions {
  prefix: string;
  /** Milliseconds of silence before `h`; 0 leaves heartbeats to the runtime (Durable Object alarms). */
  heartbeatDelay: number;
  disconnectDelay: number;
  /** Messages that may wait for the client; one more closes the session (see `QUEUE_FULL`). */
  maxQueuedMessages: number;
  /** Total length (UTF-16 code units) those messages may have. */
  maxQueuedBytes: number;
  /**
   * A session that only ever has one receiver (a WebSocket): nothing can come back for it, so
   * it ends as soon as its close frame is out, without a disconnect timer.
   */
  ephemeral?: boolean;
  observer?: ConnectionObserver;
  /** Called once, when the session is destroyed, so its registry can forget it. */
  onDestroy?: (session: Session) => void;
  /** Called once, when the open frame has gone out: announces the connection. */
  onOpen: (connection: SockJSConnection) => void;
  /**
   * The heartbeat and disconnect deadlines of the sessions sharing these options (see
   * `sessionTimers`); a session made without them keeps its own.
   */
  timers?: SessionTimers;
}

/** Where sessions wait for their next heartbeat and for their disconnect timeout. */
export interface SessionTimers {
  heartbeats: DeadlineQueue<Session>;
  disconnects: DeadlineQueue<Session>;
}

/** The shared deadline queues for sessions with these delays. */
export function sessionTimers(options: { heartbeatDelay: number; disconnectDelay: number }): SessionTimers {
  return Session.timers(options.heartbeatDelay, options.disconnectDelay);
}

/**
 * Flushes run as a reaction to this settled promise: a microtask, like `queueMicrotask`, which on
 * Node costs an async resource per call.
 */
const FLUSH_TURN = Promise.resolve();

/** Close event the application sees when the client vanished without a close handshake. */
const TIMED_OUT: CloseInfo = { code: 1006, reason: 'Session timed out', wasClean: false };
const INTERRUPTED: CloseInfo = { code: 1006, reason: 'Connection interrupted', wasClean: false };
/** The client fell `maxQueuedMessages` behind: 1013, "try again later". */
export const QUEUE_FULL: CloseInfo = { code: 1013, reason: 'Message queue full', wasClean: false };

export class Session implements ConnectionBackend, ReceiverOwner {
  readonly connection: SockJSConnection;
  #state: ReadyState = ReadyState.CONNECTING;
  readonly #options: SessionOptions;
  #queue: QueuedMessage[] = [];
  #queuedLength = 0;
  #flushScheduled = false;
  #awaitingWritable = false;
  #receiver: Receiver | null = null;
  #closeFrame: string | null = null;
  #closeInfo: CloseInfo | null = null;
  readonly #timers: SessionTimers;
  /** Whether this session is in the heartbeat queue (every frame written moves it to the end). */
  #heartbeating = false;
  /** The registry's key for this session (its SockJS session id), if it has one. */
  readonly key: string | undefined;

  /** `connectionId` is kept across hibernation; a fresh UUID otherwise. */
  constructor(protocol: string, options: SessionOptions, connectionId?: string, key?: string) {
    this.#options = options;
    this.#timers = options.timers ?? sessionTimers(options);
    this.key = key;
    this.connection = connectionHooks.create(this, {
      protocol,
      prefix: options.prefix,
      id: connectionId,
      observer: options.observer,
    });
  }

  /**
   * Deadline queues for sessions with these delays: heartbeats keep the process alive (they run
   * only while a receiver, and so a connection, exists); disconnect deadlines never do by
   * themselves, so once the server stops listening the process may exit instead of waiting out
   * every session's `disconnectDelay`.
   */
  static timers(heartbeatDelay: number, disconnectDelay: number): SessionTimers {
    return {
      heartbeats: new DeadlineQueue(heartbeatDelay, (session) => session.#heartbeatDue(), false),
      disconnects: new DeadlineQueue(disconnectDelay, (session) => session.destroy(TIMED_OUT), true),
    };
  }

  get readyState(): ReadyState {
    return this.#state;
  }

  /** Messages waiting for a receiver. */
  get queuedMessages(): number {
    return this.#queue.length;
  }

  /**
   * Attaches a receiver. A second concurrent receiver is told `2010` and ended; a closed
   * session answers with its pending messages and close frame.
   */
  attach(receiver: Receiver, info: ConnectionRequestInfo): void {
    if (this.#receiver !== null) {
      receiver.sendFrame(CLOSE_ANOTHER_CONNECTION);
      receiver.close();
      return;
    }
    if (this.#state === ReadyState.CLOSED) {
      // Destroyed between lookup and attach: behave as a closed session would.
      receiver.sendFrame(this.#closeFrame ?? closeFrame(1006, 'Session closed'));
      receiver.close();
      return;
    }
    this.#clearDisconnectTimer();
    if (this.#state === ReadyState.CLOSING) {
      this.#answerClosed(receiver);
      return;
    }
    this.#receiver = receiver;
    connectionHooks.update(this.connection, info);
    if (this.#state === ReadyState.CONNECTING) {
      this.#state = ReadyState.OPEN;
      this.#write(OPEN_FRAME);
      this.#options.onOpen(this.connection);
      // A polling receiver is done after `o`; the application may also have closed already.
      if (this.#receiver !== receiver) return;
    }
    this.#flush();
    this.#startHeartbeat();
  }

  /**
   * Brings back an open session whose receiver survived without it (a hibernated WebSocket):
   * no open frame, no announcement.
   */
  resume(receiver: Receiver, info: ConnectionRequestInfo): void {
    this.#state = ReadyState.OPEN;
    this.#receiver = receiver;
    connectionHooks.update(this.connection, info);
    this.#startHeartbeat();
  }

  /**
   * Writes a heartbeat to the current receiver if it is a stream, and says whether it did. On a
   * runtime that notices a vanished client only when writing to it, this exposes a dead stream
   * before a new receiver is refused with 2010.
   */
  probeReceiver(): boolean {
    if (this.#receiver === null || this.#receiver.streaming !== true) return false;
    this.#write(HEARTBEAT_FRAME);
    return true;
  }

  /** Messages from the client, delivered in order while the session is open. */
  deliver(messages: readonly string[]): void {
    for (const message of messages) {
      if (this.#state !== ReadyState.OPEN) return;
      connectionHooks.message(this.connection, message);
    }
  }

  send(message: string): boolean {
    return this.#enqueue(message, message.length);
  }

  /** A published message: queued like `send`, encoded once for every session it goes to. */
  sendShared(message: SharedMessage): boolean {
    return this.#enqueue(message, message.text.length);
  }

  #enqueue(message: QueuedMessage, length: number): boolean {
    if (this.#state !== ReadyState.OPEN) return false;
    if (
      this.#queue.length >= this.#options.maxQueuedMessages ||
      this.#queuedLength + length > this.#options.maxQueuedBytes
    ) {
      this.#overflow();
      return false;
    }
    this.#queue.push(message);
    this.#queuedLength += length;
    if (this.#receiver !== null && !this.#flushScheduled) {
      // Batch every message sent in this turn of the event loop into one frame.
      this.#flushScheduled = true;
      if (Session.#flushing.push(this) === 1) void FLUSH_TURN.then(Session.#flushAll);
    }
    return true;
  }

  close(code: number, reason: string): boolean {
    if (this.#state !== ReadyState.OPEN) return false;
    this.#startClosing({ code, reason, wasClean: true });
    return true;
  }

  /**
   * The client is too far behind. What it has received so far is an unbroken prefix; the rest
   * is dropped and the client is told with the close frame, never left with a silent gap.
   */
  #overflow(): void {
    this.#queue = [];
    this.#queuedLength = 0;
    this.#startClosing(QUEUE_FULL);
  }

  /** CLOSING: the close frame goes to the receiver now, or to whichever comes next. */
  #startClosing(info: CloseInfo): void {
    this.#state = ReadyState.CLOSING;
    this.#closeFrame = closeFrame(info.code, info.reason);
    this.#closeInfo = info;
    const receiver = this.#receiver;
    if (receiver !== null) {
      this.#detach();
      this.#answerClosed(receiver);
    } else {
      this.#startDisconnectTimer();
    }
  }

  /** Ends the session at once (server shutdown, client gone): no more receivers are answered. */
  destroy(info: CloseInfo): void {
    if (this.#state === ReadyState.CLOSED) return;
    this.#state = ReadyState.CLOSED;
    this.#clearDisconnectTimer();
    this.#stopHeartbeat();
    const receiver = this.#receiver;
    this.#receiver = null;
    receiver?.close();
    this.#queue = [];
    this.#queuedLength = 0;
    connectionHooks.closed(this.connection, this.#closeInfo ?? info);
    this.#options.onDestroy?.(this);
  }

  receiverLost(receiver: Receiver, info: CloseInfo): void {
    if (receiver !== this.#receiver) return;
    this.#receiver = null;
    this.destroy(info);
  }

  /**
   * An HTTP receiver's client went away mid-response. Frames written to that response may never
   * have arrived, so the session cannot go on without a silent gap: it closes, and answers the
   * client's next request with `c[1002,"Connection interrupted"]` until `disconnectDelay` passes
   * (PROTOCOL.md 1.7 allows it), rather than letting it reconnect into a fresh session.
   */
  receiverAborted(receiver: Receiver): void {
    if (receiver !== this.#receiver) return;
    this.#receiver = null;
    this.#stopHeartbeat();
    if (this.#options.ephemeral || this.#state === ReadyState.CLOSED) {
      this.destroy(INTERRUPTED);
      return;
    }
    if (this.#state === ReadyState.OPEN) {
      this.#state = ReadyState.CLOSING;
      this.#closeFrame = CLOSE_INTERRUPTED;
      this.#closeInfo = INTERRUPTED;
      // Undeliverable without a gap: the client hears of the interruption instead.
      this.#queue = [];
      this.#queuedLength = 0;
    }
    connectionHooks.closed(this.connection, this.#closeInfo ?? INTERRUPTED);
    this.#startDisconnectTimer();
  }

  /** Pending messages, then the close frame, then end: what a closed session tells every receiver. */
  #answerClosed(receiver: Receiver): void {
    let open = true;
    if (this.#queue.length > 0) {
      const batch = this.#queue;
      this.#queue = [];
      this.#queuedLength = 0;
      open = receiver.sendFrame(messageFrame(batch));
    }
    if (open) {
      receiver.sendFrame(this.#closeFrame!);
      // The application learns of the close once the client has been told.
      connectionHooks.closed(this.connection, this.#closeInfo!);
    }
    receiver.close();
    if (this.#options.ephemeral) this.destroy(this.#closeInfo!);
    else this.#startDisconnectTimer();
  }

  /** Writes to the attached receiver; detaches it when it reports its limit reached. */
  #write(frame: string): boolean {
    const receiver = this.#receiver!;
    // The next heartbeat is due a full delay of silence after this frame.
    if (this.#heartbeating) this.#timers.heartbeats.set(this);
    if (receiver.sendFrame(frame)) return true;
    this.#detach();
    receiver.close();
    return false;
  }

  /**
   * Sessions with messages queued in this turn of the event loop. They are all flushed in one
   * microtask rather than one each: a publish to many sessions queues one, not one per session.
   */
  static #flushing: Session[] = [];

  static readonly #flushAll = (): void => {
    const sessions = Session.#flushing;
    Session.#flushing = [];
    for (const session of sessions) {
      session.#flushScheduled = false;
      try {
        session.#flush();
      } catch (error) {
        // Thrown as it would be from a microtask of its own; the other sessions still flush.
        void Promise.reject(error);
      }
    }
  };

  #flush(): void {
    const receiver = this.#receiver;
    if (receiver === null || this.#queue.length === 0) return;
    if (!receiver.writable()) {
      // Backpressure: keep messages here (bounded) until the client catches up.
      if (!this.#awaitingWritable) {
        this.#awaitingWritable = true;
        receiver.whenWritable(() => {
          this.#awaitingWritable = false;
          if (this.#receiver === receiver) this.#flush();
        });
      }
      return;
    }
    const batch = this.#queue;
    this.#queue = [];
    this.#queuedLength = 0;
    this.#write(messageFrame(batch));
  }

  #detach(): void {
    this.#receiver = null;
    this.#awaitingWritable = false;
    this.#stopHeartbeat();
    if (this.#state !== ReadyState.CLOSED) this.#startDisconnectTimer();
  }

  #startHeartbeat(): void {
    if (this.#receiver === null || this.#heartbeating || this.#options.heartbeatDelay === 0) return;
    this.#heartbeating = true;
    this.#timers.heartbeats.set(this);
  }

  /** A full `heartbeatDelay` without a frame: `h`, and the next one a delay later. */
  #heartbeatDue(): void {
    this.#heartbeating = false;
    if (this.#receiver === null) return;
    if (this.#write(HEARTBEAT_FRAME)) this.#startHeartbeat();
  }

  #stopHeartbeat(): void {
    if (!this.#heartbeating) return;
    this.#heartbeating = false;
    this.#timers.heartbeats.delete(this);
  }

  #startDisconnectTimer(): void {
    this.#timers.disconnects.set(this);
  }

  #clearDisconnectTimer(): void {
    this.#timers.disconnects.delete(this);
  }
}

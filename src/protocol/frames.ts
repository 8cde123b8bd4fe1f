/**
 * Server-to-client frames (PROTOCOL.md 1.5). A frame is a string; transports wrap it.
 */
import { escapeServerJson, quote } from './escape.ts';

export const OPEN_FRAME = 'o';
export const HEARTBEAT_FRAME = 'h';

/**
 * The last single-message frame built: a broadcast sends one message to many sessions, whose
 * flushes then all build the same frame, so it is encoded once rather than once per session.
 */
let lastMessage: string | undefined;
let lastFrame = '';

/**
 * One message on its way to many sessions (a topic publish): quoted once, when the first session
 * needs it, however many sessions and batches it goes into.
 */
export class SharedMessage {
  readonly text: string;
  #quoted: string | undefined;
  #frame: string | undefined;

  constructor(text: string) {
    this.text = text;
  }

  /** The message as a JSON string with the server escapes: one element of an `a[...]` frame. */
  get quoted(): string {
    this.#quoted ??= quote(this.text);
    return this.#quoted;
  }

  /** `a[...]` holding this message alone. */
  get frame(): string {
    this.#frame ??= 'a[' + this.quoted + ']';
    return this.#frame;
  }
}

/** What a session queues: a message of its own, or one shared with other sessions. */
export type QueuedMessage = string | SharedMessage;

/**
 * `a[...]`: one frame for a batch of messages, each quoted separately. For a batch of the
 * session's own messages, one `JSON.stringify` of the whole array and one escape pass give
 * exactly that (see `escapeServerJson`), faster than quoting each message; shared messages
 * bring their quoted form along, so a publish to many sessions is never encoded per session.
 */
export function messageFrame(messages: readonly QueuedMessage[]): string {
  if (messages.length === 1) {
    const message = messages[0]!;
    if (typeof message !== 'string') return message.frame;
    if (message !== lastMessage) {
      lastMessage = message;
      lastFrame = 'a[' + quote(message) + ']';
    }
    return lastFrame;
  }
  if (messages.every((message) => typeof message === 'string')) {
    return 'a' + escapeServerJson(JSON.stringify(messages));
  }
  let frame = 'a[';
  for (let i = 0; i < messages.length; i++) {
    const message = messages[i]!;
    if (i > 0) frame += ',';
    frame += typeof message === 'string' ? quote(message) : message.quoted;
  }
  return frame + ']';
}

/** `c[code,"reason"]`, built with plain JSON.stringify as the reference server does. */
export function closeFrame(code: number, reason: string): string {
  return 'c' + JSON.stringify([code, reason]);
}

export const CLOSE_ANOTHER_CONNECTION = closeFrame(2010, 'Another connection still open');
export const CLOSE_INTERRUPTED = closeFrame(1002, 'Connection interrupted');

/**
 * Parses a client payload (an `xhr_send` body or a websocket message): a JSON array of
 * messages, or on websockets any single JSON value. Non-string values are passed on as their
 * JSON text, so the application always receives strings.
 */
export type ParsedPayload =
  | { ok: true; messages: string[] }
  | { ok: false; error: 'empty' | 'broken' | 'not-array' };

export function parseClientPayload(text: string, allowSingleValue: boolean): ParsedPayload {
  if (text.length === 0) return { ok: false, error: 'empty' };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, error: 'broken' };
  }
  if (Array.isArray(value)) return { ok: true, messages: value.map(messageText) };
  if (allowSingleValue) return { ok: true, messages: [messageText(value)] };
  return { ok: false, error: 'not-array' };
}

function messageText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/**
 * Server-to-client frames (PROTOCOL.md 1.5). A frame is a string; transports wrap it.
 */
import { escapeServerJson, quote } from './escape.ts';
import { jsonShape } from './json-shape.ts';

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
/**
 * `compute` remembering its last answer: a broadcast hands the same frame (the same string) to
 * many recipients in a row, which is then framed or encoded once rather than once per recipient.
 */
export function rememberingLast<T>(compute: (text: string) => T): (text: string) => T {
  let lastText: string | undefined;
  let lastAnswer: T;
  return (text) => {
    if (text !== lastText) {
      lastAnswer = compute(text);
      lastText = text;
    }
    return lastAnswer;
  };
}

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
 * Parses a client payload (an `xhr_send` / `jsonp_send` body or a websocket message). The client
 * sends a JSON array of strings, each a message; on websockets a bare JSON string is one message
 * too (sockjs-node takes any JSON value there). Anything else is an error, decided by
 * `jsonShape` before `JSON.parse` runs, so no nested value ever reaches a runtime's recursive
 * JSON code (and no client value is ever re-encoded):
 * - `empty`: nothing sent
 * - `broken`: not JSON, or an array holding something other than strings (websockets: any
 *   value other than those above)
 * - `not-array`: valid JSON that is not an array (`{}`, `"x"`, `1`), as sockjs-node answers it
 *   on `xhr_send` ("Payload expected.")
 */
export type ParsedPayload =
  | { ok: true; messages: string[] }
  | { ok: false; error: 'empty' | 'broken' | 'not-array' };

export function parseClientPayload(text: string, allowSingleValue: boolean): ParsedPayload {
  if (text.length === 0) return { ok: false, error: 'empty' };
  switch (jsonShape(text)) {
    case 'strings':
      return { ok: true, messages: JSON.parse(text) as string[] };
    case 'string':
      if (allowSingleValue) return { ok: true, messages: [JSON.parse(text) as string] };
      return { ok: false, error: 'not-array' };
    case 'other':
      if (!allowSingleValue) return { ok: false, error: 'not-array' };
      return { ok: false, error: 'broken' };
    default:
      return { ok: false, error: 'broken' };
  }
}

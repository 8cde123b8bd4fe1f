/**
 * Random WebSocket sessions for the black-box fuzz suite: a handshake (framed or raw endpoint,
 * any service, with or without the hardened service's token and an allowed Origin), then a run
 * of frames (JSON arrays, other JSON, broken JSON, deep nesting, empty, binary, invalid UTF-8,
 * over 1 MiB),
 * and what the server must do with them: the handshake answer the service's options call for,
 * only valid SockJS frames back, an echo service's echo in order without gaps or extras, and
 * for a frame the server refuses the documented close.
 */
import fc from 'fast-check';
import { deeplyNested, PREFIXES } from './http-cases.ts';

export type FuzzFrame =
  | { kind: 'messages'; messages: string[] }
  | { kind: 'json'; text: string }
  | { kind: 'text'; text: string }
  | { kind: 'empty' }
  | { kind: 'binary'; bytes: Buffer }
  | { kind: 'invalid-utf8'; bytes: Buffer }
  | { kind: 'huge'; size: number };

export interface FuzzWebSocketCase {
  prefix: (typeof PREFIXES)[number];
  raw: boolean;
  token: boolean;
  /** `OWN` stands for the server's own origin. */
  origin: string | undefined;
  frames: FuzzFrame[];
}

/** Largest message the demo services take (the default `maxMessageSize`, 1 MiB). */
export const MAX_MESSAGE_SIZE = 1024 * 1024;
/** `/hardened_echo`'s `maxMessageSize`. */
const HARDENED_MAX_MESSAGE_SIZE = 4096;

const text = fc.string({ unit: 'binary', maxLength: 30 });

const frame: fc.Arbitrary<FuzzFrame> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.array(text, { maxLength: 4 }).map((messages) => ({ kind: 'messages' as const, messages })),
  },
  {
    weight: 3,
    arbitrary: fc.jsonValue().map((value) => ({ kind: 'json' as const, text: JSON.stringify(value) })),
  },
  {
    weight: 2,
    arbitrary: fc
      .string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 30 })
      .map((t) => ({ kind: 'text' as const, text: t })),
  },
  // Nesting that once overflowed a runtime's recursive JSON code (test/hardening: 4,500 and 60,000).
  { weight: 1, arbitrary: deeplyNested.map((t) => ({ kind: 'text' as const, text: t })) },
  { weight: 1, arbitrary: fc.constant({ kind: 'empty' as const }) },
  {
    weight: 2,
    arbitrary: fc
      .uint8Array({ minLength: 1, maxLength: 64 })
      .map((bytes) => ({ kind: 'binary' as const, bytes: Buffer.from(bytes) })),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom([0xff], [0xc3, 0x28], [0xe2, 0x82], [0xed, 0xa0, 0x80]).map((bytes) => ({
      kind: 'invalid-utf8' as const,
      bytes: Buffer.from([0x5b, 0x22, ...bytes, 0x22, 0x5d]),
    })),
  },
  { weight: 1, arbitrary: fc.constant({ kind: 'huge' as const, size: MAX_MESSAGE_SIZE + 1 }) },
);

export const fuzzWebSocketCase: fc.Arbitrary<FuzzWebSocketCase> = fc.record({
  prefix: fc.constantFrom(...PREFIXES),
  raw: fc.boolean(),
  token: fc.boolean(),
  origin: fc.option(fc.constantFrom('http://allowed.example', 'http://evil.example', 'null', 'OWN'), {
    nil: undefined,
  }),
  frames: fc.array(frame, { maxLength: 6 }),
});

/** The handshake status the service's options call for. */
export function expectedHandshake(test: FuzzWebSocketCase): number {
  if (test.prefix === '/disabled_websocket_echo') return 404;
  if (test.prefix === '/hardened_echo') {
    const allowed =
      test.origin === undefined || test.origin === 'http://allowed.example' || test.origin === 'OWN';
    if (!allowed) return 403;
    if (!test.token) return 401;
  }
  return 101;
}

/** What the server does with one frame: text it reads (as messages, for framed), or a close. */
export type FrameEffect =
  | { kind: 'deliver'; messages: string[] }
  | { kind: 'ignore' }
  | { kind: 'close'; codes: readonly number[]; reason?: string };

const decoder = new TextDecoder();

/** The text a frame carries once on the wire (lone surrogates become U+FFFD in UTF-8). */
function wireText(frame: FuzzFrame): string | null {
  switch (frame.kind) {
    case 'messages':
      return Buffer.from(JSON.stringify(frame.messages)).toString('utf8');
    case 'json':
    case 'text':
      return Buffer.from(frame.text).toString('utf8');
    case 'empty':
      return '';
    case 'binary':
    case 'invalid-utf8':
      return decoder.decode(frame.bytes);
    case 'huge':
      return null;
  }
}

/**
 * What the server does with `frame`. Invalid UTF-8 in a text frame never reaches the server's
 * code on most runtimes: their WebSocket layer fails the connection (`invalidUtf8Text`).
 */
export function frameEffect(
  test: Pick<FuzzWebSocketCase, 'raw' | 'prefix'>,
  frame: FuzzFrame,
  invalidUtf8Text: 'close-1007' | 'drop' | 'replace',
): FrameEffect {
  const tooBig: FrameEffect = { kind: 'close', codes: [1009], reason: 'Message too big' };
  if (frame.kind === 'huge') return tooBig;
  if (frame.kind === 'invalid-utf8' && invalidUtf8Text !== 'replace') {
    return { kind: 'close', codes: invalidUtf8Text === 'close-1007' ? [1007] : [1006] };
  }
  const raw = test.raw;
  const text = wireText(frame)!;
  const limit = test.prefix === '/hardened_echo' ? HARDENED_MAX_MESSAGE_SIZE : MAX_MESSAGE_SIZE;
  if (text.length > limit) return tooBig;
  if (raw) return { kind: 'deliver', messages: [text] };
  if (text === '') return { kind: 'ignore' };
  const broken: FrameEffect = { kind: 'close', codes: [3000], reason: 'Broken framing.' };
  // Only a client's own shapes are messages: an array of strings, or one bare string.
  if (!/^\s*["[]/.test(text)) return broken;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return broken;
  }
  if (typeof value === 'string') return { kind: 'deliver', messages: [value] };
  if (Array.isArray(value) && value.every((item) => typeof item === 'string')) {
    return { kind: 'deliver', messages: value };
  }
  return broken;
}

/** How to send a frame with the `ws` client. */
export function frameData(frame: FuzzFrame): { data: string | Buffer; binary: boolean } {
  switch (frame.kind) {
    case 'messages':
      return { data: JSON.stringify(frame.messages), binary: false };
    case 'json':
    case 'text':
      return { data: frame.text, binary: false };
    case 'empty':
      return { data: '', binary: false };
    case 'binary':
      return { data: frame.bytes, binary: true };
    case 'invalid-utf8':
      return { data: frame.bytes, binary: false };
    case 'huge':
      return { data: JSON.stringify(['z'.repeat(frame.size)]), binary: false };
  }
}

/** Services whose every message comes straight back. */
export const ECHO_PREFIXES: ReadonlySet<string> = new Set(['/echo', '/cookie_needed_echo']);

/** A SockJS frame as the server may send it over a framed WebSocket. */
export const SOCKJS_FRAME = /^(o|h|a\[.*\]|c\[\d+,".*"\])$/s;

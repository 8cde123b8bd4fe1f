/**
 * What a client payload is, decided before any JSON parser sees it.
 *
 * A SockJS client sends a JSON array of strings (a bare string too, on websockets). Runtime JSON
 * parsers and `JSON.stringify` recurse on nesting: a 9 KB message of `[`s overflowed V8's stack in
 * `JSON.stringify`, and JavaScriptCore's `JSON.parse` at depth 60,000. This scanner validates any
 * JSON text in one pass, in linear time and constant call stack (open containers are kept in
 * an array, not on the stack), so only flat payloads ever reach `JSON.parse`.
 */

/**
 * - `invalid`: not JSON text (what `JSON.parse` would throw on)
 * - `string`: one JSON string
 * - `strings`: an array whose elements are all strings (`[]` included)
 * - `array`: an array with some element that is not a string
 * - `other`: any other JSON value (object, number, `true`, `false`, `null`)
 */
export type JsonShape = 'invalid' | 'string' | 'strings' | 'array' | 'other';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const MINUS = 0x2d;
const PLUS = 0x2b;
const DOT = 0x2e;
const ZERO = 0x30;
const NINE = 0x39;

/** What may come next. */
const VALUE = 0;
const VALUE_OR_CLOSE = 1;
const KEY = 2;
const KEY_OR_CLOSE = 3;
const COLON_NEXT = 4;
const AFTER_VALUE = 5;

const isWhitespace = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
const isDigit = (c: number) => c >= ZERO && c <= NINE;
const isHex = (c: number) => (c >= ZERO && c <= NINE) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);

function skipWhitespace(text: string, i: number): number {
  while (i < text.length && isWhitespace(text.charCodeAt(i))) i++;
  return i;
}

/** `text[i]` is `"`: the index after the closing quote, or -1. */
function scanString(text: string, i: number): number {
  const n = text.length;
  for (i++; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) return i + 1;
    if (c < 0x20) return -1;
    if (c !== BACKSLASH) continue;
    const escaped = text.charCodeAt(++i);
    if (escaped === 0x75 /* u */) {
      for (let k = 1; k <= 4; k++) if (!isHex(text.charCodeAt(i + k))) return -1;
      i += 4;
    } else if ('"\\/bfnrt'.indexOf(text[i] ?? 'x') === -1) {
      return -1;
    }
  }
  return -1;
}

const LITERALS = ['true', 'false', 'null'] as const;

/** A number or `true` / `false` / `null` at `i`: the index after it, or -1. */
function scanScalar(text: string, i: number): number {
  for (const literal of LITERALS) {
    if (text.startsWith(literal, i)) return i + literal.length;
  }
  if (text.charCodeAt(i) === MINUS) i++;
  if (text.charCodeAt(i) === ZERO) {
    i++;
  } else {
    if (!isDigit(text.charCodeAt(i))) return -1;
    while (isDigit(text.charCodeAt(i))) i++;
  }
  if (text.charCodeAt(i) === DOT) {
    if (!isDigit(text.charCodeAt(++i))) return -1;
    while (isDigit(text.charCodeAt(i))) i++;
  }
  const e = text.charCodeAt(i);
  if (e === 0x65 || e === 0x45) {
    const sign = text.charCodeAt(++i);
    if (sign === PLUS || sign === MINUS) i++;
    if (!isDigit(text.charCodeAt(i))) return -1;
    while (isDigit(text.charCodeAt(i))) i++;
  }
  return i;
}

export function jsonShape(text: string): JsonShape {
  const n = text.length;
  /** The open containers, innermost last: true for an object, false for an array. */
  const open: boolean[] = [];
  let shape: JsonShape = 'other';
  let state = VALUE;
  let i = 0;
  for (;;) {
    i = skipWhitespace(text, i);
    if (state === AFTER_VALUE) {
      if (open.length === 0) return i === n ? shape : 'invalid';
      const c = text.charCodeAt(i++);
      const inObject = open[open.length - 1]!;
      if (c === COMMA) state = inObject ? KEY : VALUE;
      else if (c === (inObject ? CLOSE_OBJECT : CLOSE_ARRAY)) open.pop();
      else return 'invalid';
      continue;
    }
    if (i === n) return 'invalid';
    const c = text.charCodeAt(i);
    if (state === COLON_NEXT) {
      if (c !== COLON) return 'invalid';
      i++;
      state = VALUE;
      continue;
    }
    if (state === KEY || state === KEY_OR_CLOSE) {
      if (c === CLOSE_OBJECT && state === KEY_OR_CLOSE) {
        open.pop();
        i++;
        state = AFTER_VALUE;
      } else if (c === QUOTE) {
        i = scanString(text, i);
        if (i < 0) return 'invalid';
        state = COLON_NEXT;
      } else {
        return 'invalid';
      }
      continue;
    }
    // VALUE or VALUE_OR_CLOSE
    if (c === CLOSE_ARRAY && state === VALUE_OR_CLOSE) {
      open.pop();
      i++;
      state = AFTER_VALUE;
      continue;
    }
    const depth = open.length;
    if (c === QUOTE) {
      i = scanString(text, i);
      if (i < 0) return 'invalid';
      if (depth === 0) shape = 'string';
      state = AFTER_VALUE;
      continue;
    }
    // Anything but a string: the top-level array (if that is what this is) is no longer of strings.
    if (depth === 1 && shape === 'strings') shape = 'array';
    if (c === OPEN_ARRAY || c === OPEN_OBJECT) {
      if (depth === 0 && c === OPEN_ARRAY) shape = 'strings';
      open.push(c === OPEN_OBJECT);
      i++;
      state = c === OPEN_OBJECT ? KEY_OR_CLOSE : VALUE_OR_CLOSE;
      continue;
    }
    i = scanScalar(text, i);
    if (i < 0) return 'invalid';
    state = AFTER_VALUE;
  }
}

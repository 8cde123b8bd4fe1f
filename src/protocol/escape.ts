/**
 * String escaping rules of the SockJS protocol (PROTOCOL.md 1.6).
 *
 * Every regex here deliberately has no `u` flag: it works on UTF-16 code units, so
 * both halves of a valid surrogate pair (an emoji) are escaped too, as the protocol requires.
 */

/** Characters the server must send as `\uXXXX` inside JSON strings (lowercase hex). */
const SERVER_ESCAPABLE = /[\x00-\x1f\ud800-\udfff\u200c-\u200f\u2028-\u202f\u2060-\u206f\ufff0-\uffff]/g;

/**
 * Characters that must not appear raw inside a `<script>` (htmlfile) or a JSONP body:
 * `<`, `>` and `&` could close the script element or start an HTML entity,
 * U+2028/2029 are line terminators in older JavaScript. The set above already covers U+2028/2029.
 */
const SCRIPT_ESCAPABLE = /[<>&\u2028\u2029]/g;

/** `%`, CR, LF and NUL would be misread by the client's decodeURI on eventsource frames. */
const EVENTSOURCE_ESCAPABLE = /[%\r\n\x00]/g;

function unicodeEscape(char: string): string {
  return '\\u' + char.charCodeAt(0).toString(16).padStart(4, '0');
}

function percentEscape(char: string): string {
  return '%' + char.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0');
}

/** `JSON.stringify(s)` plus the server escape set. The common no-op case skips the replace. */
export function quote(value: string): string {
  return escapeServerJson(JSON.stringify(value));
}

/**
 * Applies the server escape set to a JSON text. Every character of the set can only occur
 * inside JSON strings, so escaping a whole `JSON.stringify`d array equals quoting each element.
 */
export function escapeServerJson(json: string): string {
  SERVER_ESCAPABLE.lastIndex = 0;
  return SERVER_ESCAPABLE.test(json) ? json.replace(SERVER_ESCAPABLE, unicodeEscape) : json;
}

/** Makes a JSON text safe to embed in an HTML `<script>` element or a JSONP body. */
export function escapeForScript(json: string): string {
  SCRIPT_ESCAPABLE.lastIndex = 0;
  return SCRIPT_ESCAPABLE.test(json) ? json.replace(SCRIPT_ESCAPABLE, unicodeEscape) : json;
}

/** Escapes a frame for an eventsource `data:` line. */
export function escapeForEventSource(frame: string): string {
  EVENTSOURCE_ESCAPABLE.lastIndex = 0;
  return EVENTSOURCE_ESCAPABLE.test(frame) ? frame.replace(EVENTSOURCE_ESCAPABLE, percentEscape) : frame;
}

/** Escapes text for an HTML attribute value (used for `sockjs_url` in the iframe page). */
export function escapeHtmlAttribute(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

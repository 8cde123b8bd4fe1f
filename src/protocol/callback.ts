/**
 * JSONP and htmlfile callback names (PROTOCOL.md 1.8). The name is written into a script, so
 * only a safe character set is allowed; jsonp also caps the length (the client uses 10 chars).
 */
const UNSAFE_CALLBACK = /[^a-zA-Z0-9\-_.]/;

export type CallbackResult = { ok: true; callback: string } | { ok: false; message: string };

export function readCallback(url: URL, maxLength: number): CallbackResult {
  const callback = url.searchParams.get('c') || url.searchParams.get('callback');
  if (!callback) return { ok: false, message: '"callback" parameter required' };
  if (UNSAFE_CALLBACK.test(callback) || callback.length > maxLength) {
    return { ok: false, message: 'invalid "callback" parameter' };
  }
  return { ok: true, callback };
}

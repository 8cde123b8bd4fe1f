/**
 * `/iframe*.html`: the page the iframe transports load (PROTOCOL.md 1.4). Its body depends only
 * on `sockjsUrl`, so it is rendered and hashed once per server. The ETag is a content hash
 * (SHA-256 from Web Crypto, available on every runtime; the reference server's MD5 is not).
 */
import { CONTENT_TYPE, type ResponseHeaders, setCacheOneYear } from '../protocol/headers.ts';
import { iframePage } from '../protocol/templates.ts';

export interface IframeDocument {
  body: string;
  etag: string;
}

export async function renderIframe(sockjsUrl: string): Promise<IframeDocument> {
  const body = iframePage(sockjsUrl);
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(body)));
  const hex = Array.from(digest.subarray(0, 16), (byte) => byte.toString(16).padStart(2, '0')).join('');
  return { body, etag: `"${hex}"` };
}

const FRAME_ANCESTORS = { DENY: "'none'", SAMEORIGIN: "'self'" } as const;

export function iframe(
  request: Request,
  document: IframeDocument,
  frameOptions: 'DENY' | 'SAMEORIGIN' | false,
): Response {
  if (request.headers.get('If-None-Match') === document.etag) {
    return new Response(null, { status: 304 });
  }
  const headers: ResponseHeaders = { 'Content-Type': CONTENT_TYPE.html, ETag: document.etag };
  setCacheOneYear(headers);
  if (frameOptions !== false) {
    // Note: the iframe transports need the page framed by the main page's origin; DENY disables them.
    headers['X-Frame-Options'] = frameOptions;
    headers['Content-Security-Policy'] = `frame-ancestors ${FRAME_ANCESTORS[frameOptions]}`;
  }
  return new Response(document.body, { status: 200, headers });
}

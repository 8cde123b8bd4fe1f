/**
 * Which of sockjs-client's transports a current Chromium can use, from a page on the server's
 * own origin or on another one. The rest the client refuses before trying them (its
 * `enabled(info)` checks, PROTOCOL.md 3.1): forcing one gives no transport at all, so the
 * connection closes with 2000 "All transports failed" and never opens. The suite checks exactly
 * that for each of them.
 */
import { CLIENT_TRANSPORTS, type ClientTransport } from '../../examples/demo-page.ts';

export { CLIENT_TRANSPORTS, type ClientTransport };

/** Where the page that runs the client comes from, relative to the SockJS server. */
export type PageOrigin = 'cross-origin' | 'same-origin';

export const PAGE_ORIGINS: readonly PageOrigin[] = ['cross-origin', 'same-origin'];

/** Why a transport is not applicable in Chromium from such a page, or `null` when it is. */
export function notApplicable(transport: ClientTransport, origin: PageOrigin): string | null {
  if (transport === 'xdr-streaming' || transport === 'xdr-polling') {
    return 'XDomainRequest exists only in Internet Explorer 8-10';
  }
  if (transport === 'htmlfile' && origin === 'cross-origin') {
    return 'the client uses htmlfile only on the page origin; iframe-htmlfile is its cross-origin form';
  }
  return null;
}

/**
 * Validation shared by both WebSocket endpoints, done before the runtime sees the request so
 * every runtime answers a bad upgrade with the same 400.
 */
import { textResponse } from '../http.ts';
import type { EndpointContext } from './context.ts';

export function rejectInvalidUpgrade(ctx: EndpointContext): Response | null {
  const headers = ctx.request.headers;
  const upgrade = (headers.get('Upgrade') ?? '').toLowerCase();
  const connection = (headers.get('Connection') ?? '').toLowerCase().split(/\s*,\s*/);
  if (upgrade !== 'websocket' || !connection.includes('upgrade')) {
    return textResponse(400, 'Not a valid websocket request');
  }
  // RFC 6455 4.1: a base64-encoded 16-byte nonce. Checked here because runtimes differ: some
  // reject a bad key themselves, one throws, one accepts it.
  if (!/^[A-Za-z0-9+/]{22}==$/.test(headers.get('Sec-WebSocket-Key') ?? '')) {
    return textResponse(400, 'Not a valid websocket request');
  }
  const version = headers.get('Sec-WebSocket-Version');
  if (version !== '13' && version !== '8') {
    return textResponse(400, 'Only supported WebSocket protocol is RFC 6455.');
  }
  if (ctx.runtime.upgradeWebSocket === undefined && ctx.runtime.forwardAdmitted === undefined) {
    return textResponse(400, 'WebSocket upgrades are not available on this host');
  }
  return null;
}

const decoder = new TextDecoder();

/** WebSocket messages are text in SockJS; a binary message is read as UTF-8. */
export function messageText(data: string | ArrayBuffer | Uint8Array): string {
  return typeof data === 'string' ? data : decoder.decode(data);
}

/**
 * PROTOCOL.md 1.8 websocket (SockJS-framed), `WebsocketHttpErrors` and `Websocket`.
 *
 * `Websocket.test_haproxy` is not covered: it is a hixie-76 handshake (key1/key2 plus an MD5
 * nonce), a pre-RFC 6455 draft that no current browser speaks and that Workers, Deno, Bun and
 * most modern WebSocket stacks cannot serve; the protocol notes list it as expected to fail.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { openStream } from '../support/raw-http.ts';
import { toWsUrl, WsClient, WsHandshakeError } from '../support/ws-client.ts';
import {
  assertError,
  assertMethodNotAllowed,
  assertNotFound,
  assertUpgradeWithWrongMethod,
  GO_AWAY,
  get,
  post,
  type SuiteContext,
  serverClose,
  serverCloseNote,
  sessionBase,
  upgradeNote,
} from './common.ts';

const WS_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const NOT_A_WEBSOCKET = 'Not a valid websocket request';

export function defineWebsocketTests(ctx: SuiteContext): void {
  const connect = (path: string) => WsClient.connect(toWsUrl(ctx.url) + path);

  describe('websocket HTTP errors (1.8 WebsocketHttpErrors)', () => {
    it('answers a plain GET S/websocket with 400 "Not a valid websocket request" (test_httpMethod)', async () => {
      assertError(await get(ctx.url, '/echo/0/0/websocket'), 400, NOT_A_WEBSOCKET, 'plain GET');
    });

    it('answers "Upgrade: WebSocket" with "Connection: close" with 400 (test_invalidConnectionHeader)', async () => {
      const response = await get(ctx.url, '/echo/0/0/websocket', {
        headers: { Upgrade: 'WebSocket', Connection: 'close' },
      });
      assertError(response, 400, NOT_A_WEBSOCKET, 'Connection: close');
    });

    it(`answers POST S/websocket with 405 "Allow: GET" (test_invalidMethod)${upgradeNote(ctx)}`, async () => {
      for (const headers of [{ Upgrade: 'WebSocket', Connection: 'Upgrade' }, {}] as Array<
        Record<string, string>
      >) {
        const path = '/echo/0/0/websocket';
        const response = await post(ctx.url, path, { headers });
        if ('Upgrade' in headers) {
          await assertUpgradeWithWrongMethod(ctx, response, path, headers, 'GET', JSON.stringify(headers));
        } else {
          assertMethodNotAllowed(response, 'GET', JSON.stringify(headers));
        }
      }
    });
  });

  describe('websocket transport (1.8 Websocket)', () => {
    it('sends "o", then echoes ["a"] as a["a"] (test_transport)', async () => {
      const ws = await connect(`${sessionBase('/echo')}/websocket`);
      try {
        assert.equal(await ws.next(), 'o');
        ws.send('["a"]');
        assert.equal(await ws.next(), 'a["a"]');
      } finally {
        await ws.close();
      }
    });

    it('treats a JSON value that is not an array as one message', async () => {
      const ws = await connect(`${sessionBase('/echo')}/websocket`);
      try {
        assert.equal(await ws.next(), 'o');
        ws.send('"c"');
        assert.equal(await ws.next(), 'a["c"]');
      } finally {
        await ws.close();
      }
    });

    it(`sends c[3000,"Go away!"] and then closes the socket with code 1000 (test_close)${serverCloseNote(ctx)}`, async () => {
      const ws = await connect(`${sessionBase('/close')}/websocket`);
      try {
        assert.equal(await ws.next(), 'o');
        assert.equal(await ws.next(), GO_AWAY);
        const closed = await serverClose(ctx, ws);
        assert.equal(closed.code, 1000, 'WebSocket close code after the close frame');
        assert.deepEqual(ws.pending, [], 'nothing after the close frame');
      } finally {
        ws.terminate();
      }
    });

    it('answers an RFC 6455 handshake with 101, the right Sec-WebSocket-Accept and no Content-Length (test_headersSanity)', async () => {
      const key = 'x3JJHMbDL1EzLkh9GBhXDw==';
      const response = await openStream(ctx.url, {
        method: 'GET',
        path: `${sessionBase('/echo')}/websocket`,
        headers: {
          Upgrade: 'websocket',
          Connection: 'Upgrade',
          'Sec-WebSocket-Version': '13',
          'Sec-WebSocket-Origin': 'http://asd',
          'Sec-WebSocket-Key': key,
        },
      });
      try {
        assert.equal(response.status, 101);
        assert.equal(response.header('sec-websocket-accept'), 'HSmrc0sMlYUkAGmm5OPpG2HaGWk=');
        assert.equal(response.header('connection')?.toLowerCase(), 'upgrade');
        assert.equal(response.header('upgrade')?.toLowerCase(), 'websocket');
        assert.equal(response.hasHeader('content-length'), false, 'no Content-Length on a 101');
      } finally {
        response.abort();
      }
    });

    it('refuses a handshake whose Sec-WebSocket-Key is missing or not a 16-byte nonce with 400, on both endpoints', async () => {
      for (const path of [`${sessionBase('/echo')}/websocket`, '/echo/websocket']) {
        for (const key of [undefined, 'short', 'x3JJHMbDL1EzLkh9GBhXD==']) {
          const headers: Record<string, string> = {
            Upgrade: 'websocket',
            Connection: 'Upgrade',
            'Sec-WebSocket-Version': '13',
          };
          if (key !== undefined) headers['Sec-WebSocket-Key'] = key;
          const response = await openStream(ctx.url, { method: 'GET', path, headers });
          try {
            assert.equal(response.status, 400, `${path} with key ${String(key)}`);
          } finally {
            response.abort();
          }
        }
      }
    });

    it('sends a 101 the ws client accepts: matching Sec-WebSocket-Accept, no Content-Length', async () => {
      const ws = await connect(`${sessionBase('/echo')}/websocket`);
      try {
        const upgrade = ws.upgrade;
        assert.equal(upgrade.statusCode, 101);
        assert.equal(upgrade.headers['content-length'], undefined, 'no Content-Length');
        assert.equal(upgrade.headers['upgrade']?.toLowerCase(), 'websocket');
        // `ws` sent a random key; recompute the accept value from it.
        assert.match(ws.key, /^[A-Za-z0-9+/]{22}==$/);
        const accept = createHash('sha1')
          .update(ws.key + WS_GUID)
          .digest('base64');
        assert.equal(upgrade.headers['sec-websocket-accept'], accept);
      } finally {
        await ws.close();
      }
    });

    it('ignores empty messages and empty arrays (test_empty_frame)', async () => {
      const ws = await connect(`${sessionBase('/echo')}/websocket`);
      try {
        assert.equal(await ws.next(), 'o');
        ws.send('');
        ws.send('[]');
        ws.send('["a"]');
        assert.equal(await ws.next(), 'a["a"]', 'the first reply is the echo of ["a"]');
      } finally {
        await ws.close();
      }
    });

    it('keeps two websockets with the same session id independent, and allows reuse after close (test_reuseSessionId)', async () => {
      const path = `${sessionBase('/echo')}/websocket`;
      const ws1 = await connect(path);
      const ws2 = await connect(path);
      try {
        assert.equal(await ws1.next(), 'o');
        assert.equal(await ws2.next(), 'o', 'the second socket opens its own session, no 2010');
        ws1.send('["a"]');
        assert.equal(await ws1.next(), 'a["a"]');
        ws2.send('["b"]');
        assert.equal(await ws2.next(), 'a["b"]');
        assert.deepEqual(ws1.pending, [], 'ws1 did not get ws2 traffic');
      } finally {
        await ws1.close();
        await ws2.close();
      }
      const ws3 = await connect(path);
      try {
        assert.equal(await ws3.next(), 'o', 'the id can be reused after close');
        ws3.send('["a"]');
        assert.equal(await ws3.next(), 'a["a"]');
      } finally {
        await ws3.close();
      }
    });

    it('closes the socket with code 3000 on invalid JSON (test_broken_json)', async () => {
      const ws = await connect(`${sessionBase('/echo')}/websocket`);
      try {
        assert.equal(await ws.next(), 'o');
        ws.send('["a');
        const closed = await ws.waitForClose();
        assert.equal(closed.code, 3000, `close code (reason ${JSON.stringify(closed.reason)})`);
      } finally {
        ws.terminate();
      }
    });
  });

  describe('websocket disabled (1.0 disabled transport)', () => {
    it('answers 404 on S/websocket and P/websocket of a service with websocket off', async () => {
      assertNotFound(await get(ctx.url, '/disabled_websocket_echo/0/0/websocket'), 'plain GET S/websocket');
      assertNotFound(await get(ctx.url, '/disabled_websocket_echo/websocket'), 'plain GET P/websocket');
      for (const path of [
        `${sessionBase('/disabled_websocket_echo')}/websocket`,
        '/disabled_websocket_echo/websocket',
      ]) {
        await assert.rejects(
          connect(path),
          (error: unknown) => error instanceof WsHandshakeError && error.status === 404,
          `websocket handshake on ${path} is refused with 404`,
        );
      }
    });
  });
}

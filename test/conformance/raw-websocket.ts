/** PROTOCOL.md 1.8 raw websocket (`GET P/websocket`, `RawWebsocket`). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { toWsUrl, WsClient } from '../support/ws-client.ts';
import { assertError, get, type SuiteContext, serverClose, serverCloseNote } from './common.ts';

export function defineRawWebsocketTests(ctx: SuiteContext): void {
  const connect = (path: string) => WsClient.connect(toWsUrl(ctx.url) + path);

  describe('raw websocket (1.8 RawWebsocket)', () => {
    it('echoes "Hello world!\\uffff" unframed, with no open frame before it (test_transport)', async () => {
      const ws = await connect('/echo/websocket');
      try {
        ws.send('Hello world!\uffff');
        assert.equal(await ws.next(), 'Hello world!\uffff');
        ws.send('["not", "parsed"]');
        assert.equal(await ws.next(), '["not", "parsed"]', 'text is passed through, not JSON-decoded');
      } finally {
        await ws.close();
      }
    });

    it(`passes the application close through as the WebSocket close: 3000 "Go away!" (test_close)${serverCloseNote(ctx)}`, async () => {
      const ws = await connect('/close/websocket');
      try {
        const closed = await serverClose(ctx, ws);
        assert.equal(closed.reason, 'Go away!');
        assert.equal(closed.code, 3000);
        assert.deepEqual(ws.pending, [], 'no frames (no "o", no "c[...]") on the raw endpoint');
      } finally {
        ws.terminate();
      }
    });

    it('answers a GET that is not an upgrade with 400 "Not a valid websocket request"', async () => {
      assertError(
        await get(ctx.url, '/echo/websocket'),
        400,
        'Not a valid websocket request',
        'plain GET P/websocket',
      );
    });

    it('answers an upgrade with an unsupported Sec-WebSocket-Version with 400', async () => {
      const response = await get(ctx.url, '/echo/websocket', {
        headers: {
          Upgrade: 'websocket',
          Connection: 'Upgrade',
          'Sec-WebSocket-Version': '7',
          'Sec-WebSocket-Key': 'x3JJHMbDL1EzLkh9GBhXDw==',
        },
      });
      assertError(
        response,
        400,
        'Only supported WebSocket protocol is RFC 6455.',
        'Sec-WebSocket-Version: 7',
      );
    });
  });
}

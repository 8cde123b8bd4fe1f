/**
 * What the fuzz suite found, pinned as plain tests that run on every runtime whatever the seed:
 * - the Node adapter answered a non-upgrade response to a request with upgrade headers by
 *   buffering its whole body, so a streaming endpoint (eventsource, htmlfile, xhr_streaming)
 *   reached that way never answered and its session never ended;
 * - the Bun adapter took the 0 that `ws.send('')` returns for an empty message as "dropped" and
 *   closed the socket with 1011: a raw WebSocket echoing an empty message lost its connection.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FrameReader, sessionBase, stream } from '../conformance/common.ts';
import type { TargetCapabilities } from '../support/server-process.ts';
import { toWsUrl, WsClient } from '../support/ws-client.ts';

const UPGRADE_HEADERS = {
  Upgrade: 'websocket',
  Connection: 'Upgrade',
  'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==',
  'Sec-WebSocket-Version': '13',
};

export function defineFuzzRegressions(
  url: () => string,
  caps: Readonly<Required<TargetCapabilities>>,
  disconnectMs: number,
  heartbeatMs: number,
): void {
  describe('regressions found by fuzzing', { concurrency: true }, () => {
    it('streams an eventsource requested with WebSocket upgrade headers, and ends its session when the client leaves', async () => {
      const base = sessionBase('/echo');
      const response = await stream(url(), 'GET', `${base}/eventsource`, { headers: UPGRADE_HEADERS });
      const frames = new FrameReader(response, 'eventsource', caps.chunking);
      try {
        assert.equal(response.status, 200);
        assert.equal(await frames.next(), '\r\n');
        assert.equal(await frames.next(), 'data: o\r\n\r\n');
        const sent = await fetch(`${url()}${base}/xhr_send`, { method: 'POST', body: '["through"]' });
        assert.equal(sent.status, 204);
        assert.equal(await frames.next(), 'data: a["through"]\r\n\r\n');
      } finally {
        frames.abort();
      }
      // Gone once the server noticed (at once, or at a heartbeat's write on workerd).
      const deadline = Date.now() + 3 * heartbeatMs + disconnectMs + 5000;
      let status = 0;
      while (Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 250));
        const probe = await fetch(`${url()}${base}/xhr_send`, { method: 'POST', body: '["x"]' });
        await probe.arrayBuffer();
        status = probe.status;
        if (status === 404) break;
      }
      assert.equal(status, 404, 'the session ended after the client dropped the stream');
    });

    it('echoes an empty message on a raw WebSocket and keeps the connection', async () => {
      const ws = await WsClient.connect(`${toWsUrl(url())}/echo/websocket`);
      try {
        ws.send('');
        ws.send('after');
        assert.equal(await ws.next(), '');
        assert.equal(await ws.next(), 'after');
      } finally {
        await ws.close();
      }
    });
  });
}

/**
 * Behaviour that depends on how a runtime serves the core rather than on the protocol code:
 * WebSocket close codes crossing the runtime both ways, a client that stops reading, a dropped
 * request reaching the session, frames leaving a streaming response at once. Run against every
 * runtime's server.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import WebSocket from 'ws';
import {
  ANOTHER_CONNECTION,
  CONNECTION_INTERRUPTED,
  delay,
  GO_AWAY,
  poll,
  sessionBase,
  stream,
  xhrSend,
} from '../conformance/common.ts';
import { HttpConnection, type RawResponse } from '../support/raw-http.ts';
import { type ConformanceTarget, capabilitiesOf, type RunningServer } from '../support/server-process.ts';
import { toWsUrl, WsClient } from '../support/ws-client.ts';

/** Reads a streaming body until `expected` has arrived after what was already `seen`. */
async function readUntil(response: RawResponse, seen: string, expected: string, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  let text = seen;
  while (!text.includes(expected)) {
    const remaining = deadline - Date.now();
    assert.ok(
      remaining > 0,
      `no ${JSON.stringify(expected)} within ${timeoutMs} ms (got ${JSON.stringify(text)})`,
    );
    const chunk = await response.nextText(remaining);
    assert.notEqual(
      chunk,
      null,
      `the response ended before ${JSON.stringify(expected)} (got ${JSON.stringify(text)})`,
    );
    text += chunk;
  }
  return text;
}

/** A close frame's body: the code, then the reason's bytes. */
function closeBody(code: number, reason: Buffer = Buffer.alloc(0)): Buffer {
  const body = Buffer.alloc(2 + reason.length);
  body.writeUInt16BE(code);
  reason.copy(body, 2);
  return body;
}

/** A masked client frame with a body under 126 bytes. */
function clientFrame(opcode: number, body: Buffer): Buffer {
  const mask = randomBytes(4);
  const masked = Buffer.from(body.map((byte, i) => byte ^ mask[i % 4]!));
  return Buffer.concat([Buffer.from([0x80 | opcode, 0x80 | body.length]), mask, masked]);
}

/**
 * Opens a SockJS WebSocket session on a bare socket (`ws` refuses to send malformed close
 * frames), sends a close frame with `body` once `o` has arrived, and resolves with the code of the
 * server's close frame (1005 for one without a code), or null if the connection ends without one.
 */
async function answerToClose(baseUrl: string, body: Buffer, timeoutMs = 3000): Promise<number | null> {
  const { hostname, port } = new URL(baseUrl);
  const socket = net.connect(Number(port), hostname);
  socket.on('error', () => {});
  try {
    socket.write(
      `GET ${sessionBase('/echo')}/websocket HTTP/1.1\r\nHost: ${hostname}:${port}\r\n` +
        'Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n' +
        `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\n\r\n`,
    );
    return await new Promise<number | null>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no close frame and no end within ${timeoutMs} ms`)),
        timeoutMs,
      );
      const done = (code: number | null) => {
        clearTimeout(timer);
        resolve(code);
      };
      let received = Buffer.alloc(0);
      let sent = false;
      socket.on('data', (data: Buffer) => {
        received = Buffer.concat([received, data]);
        const head = received.indexOf('\r\n\r\n');
        if (head === -1) return;
        if (!received.subarray(0, 13).equals(Buffer.from('HTTP/1.1 101 '))) {
          reject(new Error(`handshake refused: ${received.subarray(0, head).toString('latin1')}`));
          return;
        }
        // The server's frames: unmasked, and all shorter than 126 bytes here.
        for (let offset = head + 4; received.length >= offset + 2; ) {
          const length = received[offset + 1]! & 0x7f;
          if (received.length < offset + 2 + length) return;
          if ((received[offset]! & 0x0f) === 0x8) {
            done(length >= 2 ? received.readUInt16BE(offset + 2) : 1005);
            return;
          }
          if (!sent) {
            // The first frame is `o`: the session is open.
            sent = true;
            socket.write(clientFrame(0x8, body));
          }
          offset += 2 + length;
        }
      });
      socket.on('close', () => done(null));
    });
  } finally {
    socket.destroy();
  }
}

/** /amplify answers `n` with 2^n bytes: 256 KiB each. */
const AMPLIFY = 18;
/** 40 MiB of answers: more than the 16 MiB queue limit plus socket buffers. */
const AMPLIFY_REQUESTS = 160;

export function defineRuntimeBehaviourSuite(target: ConformanceTarget): void {
  const caps = capabilitiesOf(target);
  describe(`runtime behaviour: ${target.name}`, () => {
    let server: RunningServer;
    before(async () => {
      server = await target.start();
    });
    after(() => server?.stop());

    it('carries close code 3000 and reason "Go away!" through a raw /websocket', async () => {
      const ws = await WsClient.connect(`${toWsUrl(server.url)}/close/websocket`);
      assert.deepEqual(await ws.waitForClose(), { code: 3000, reason: 'Go away!' });
    });

    it('ends the SockJS websocket transport with c[3000,"Go away!"], then closes the socket', async () => {
      const ws = await WsClient.connect(`${toWsUrl(server.url)}${sessionBase('/close')}/websocket`);
      try {
        assert.equal(await ws.next(), 'o');
        assert.equal(await ws.next(), GO_AWAY);
        const closed = await ws.waitForClose();
        assert.equal(closed.code, 1000);
      } finally {
        ws.terminate();
      }
    });

    it('answers a client close frame with the same code when the code is valid (1000, 3000, 4999)', async () => {
      for (const code of [1000, 3000, 4999]) {
        assert.equal(await answerToClose(server.url, closeBody(code)), code, `close code ${code}`);
      }
    });

    it('answers a client close code no client may send (0, 999, 1004-1006, 1015, 1016, 2999, 5000) with a close frame of 1002', async () => {
      for (const code of [0, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000]) {
        assert.equal(await answerToClose(server.url, closeBody(code)), 1002, `close code ${code}`);
      }
    });

    it(`answers a malformed client close frame (a 1-byte body; a reason that is not UTF-8) ${caps.malformedClose === 'close' ? 'with a close frame of 1002 and 1007' : 'by dropping the connection (the platform does, malformedClose=drop)'}`, async () => {
      const expected = caps.malformedClose === 'close' ? [1002, 1007] : [null, null];
      assert.equal(await answerToClose(server.url, Buffer.from([0x03])), expected[0], '1-byte body');
      const notUtf8 = closeBody(1000, Buffer.from([0xff, 0xfe]));
      assert.equal(await answerToClose(server.url, notUtf8), expected[1], 'reason not UTF-8');
    });

    it('holds messages for a WebSocket client that stops reading, then closes with c[1013,"Message queue full"] after an unbroken prefix and a normal close', async () => {
      const ws = new WebSocket(`${toWsUrl(server.url)}${sessionBase('/amplify')}/websocket`);
      const frames: string[] = [];
      ws.on('message', (data) => frames.push(String(data)));
      ws.on('error', () => {});
      const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
      try {
        await new Promise<void>((resolve) => ws.once('open', () => resolve()));
        const socket = (ws as unknown as { _socket: net.Socket })._socket;
        while (frames.length === 0) await delay(10);
        assert.deepEqual(frames, ['o']);

        // Stop reading: the server's socket buffer fills, then the session has to hold messages.
        socket.pause();
        // Spaced out, so each request is its own turn on the server (messages arriving in one
        // read are all queued before the first flush, which would overflow before anything is sent).
        // The client keeps sending after the server has closed, as a client that is behind does.
        for (let i = 0; i < AMPLIFY_REQUESTS; i++) {
          ws.send(JSON.stringify([String(AMPLIFY)]));
          await delay(2);
        }
        await delay(1500);
        socket.resume();

        assert.equal(await closed, 1000, 'the WebSocket closes normally after the close frame');
        assert.equal(frames.at(-1), 'c[1013,"Message queue full"]');
        const messages = frames.slice(1, -1).flatMap((frame) => {
          assert.match(frame, /^a\[/);
          return JSON.parse(frame.slice(1)) as string[];
        });
        assert.ok(messages.length > 0, 'messages flowed before the limit');
        assert.ok(
          messages.length < AMPLIFY_REQUESTS,
          `the limit was reached (${messages.length} of ${AMPLIFY_REQUESTS} delivered)`,
        );
        for (const message of messages) assert.equal(message.length, 2 ** AMPLIFY);
      } finally {
        ws.terminate();
      }
    });

    it('ends the session when the client drops a pending xhr poll', async () => {
      const base = sessionBase('/echo');
      assert.equal(await poll(server.url, base), 'o\n');
      // Only send the poll: Bun writes no response head before the body's first chunk.
      const pending = await HttpConnection.open(server.url);
      pending.send({ method: 'POST', path: `${base}/xhr`, headers: { 'Content-Length': '0' } });
      // Let the server attach the poll as the session's receiver before dropping it.
      await delay(200);
      pending.destroy();
      await delay(300);
      const next = await poll(server.url, base);
      assert.notEqual(next, `${ANOTHER_CONNECTION}\n`, 'the dropped poll still holds the session');
      assert.ok(
        next === 'o\n' || next === `${CONNECTION_INTERRUPTED}\n`,
        `expected a new session or 1002, got ${JSON.stringify(next)}`,
      );
    });

    for (const transport of ['xhr_streaming', 'eventsource'] as const) {
      it(`flushes a frame at once on ${transport}`, async () => {
        const base = sessionBase('/echo');
        const method = transport === 'eventsource' ? 'GET' : 'POST';
        const response = await stream(server.url, method, `${base}/${transport}`);
        try {
          assert.equal(response.status, 200);
          const opened = await readUntil(
            response,
            '',
            transport === 'eventsource' ? 'data: o\r\n' : 'o\n',
            3000,
          );
          const sent = await xhrSend(server.url, base, '["flush me"]');
          assert.equal(sent.status, 204);
          const frame = transport === 'eventsource' ? 'data: a["flush me"]\r\n\r\n' : 'a["flush me"]\n';
          await readUntil(response, opened, frame, 1000);
        } finally {
          response.abort();
        }
      });
    }
  });
}

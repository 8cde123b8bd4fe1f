/**
 * The Node adapter's body reader (src/adapters/node-body.ts) on a real node:http server: a body
 * of declared length read whole (UTF-8 split across packets included), a body that stalls
 * answered `timeout` at its deadline and not before, one the client cuts short `aborted` at once,
 * and many pending bodies sharing one deadline list.
 */
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { type AddressInfo, connect, type Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { readIncomingText } from '../../src/adapters/node-body.ts';
import type { BodyResult } from '../../src/http.ts';

const TIMEOUT_MS = 300;

let server: Server;
let port: number;
type Outcome = { body: BodyResult; elapsed: number };
/** Who waits for the result of the request with this `X-Id`, and how long after its headers it came. */
const waiting = new Map<string, (outcome: Outcome) => void>();
let ids = 0;

before(async () => {
  server = createServer((incoming: IncomingMessage, outgoing) => {
    const started = performance.now();
    const timeout = Number(incoming.headers['x-timeout'] ?? TIMEOUT_MS);
    void readIncomingText(incoming, timeout).then((body) => {
      waiting.get(String(incoming.headers['x-id']))?.({ body, elapsed: performance.now() - started });
      outgoing.writeHead(204, { Connection: 'close' }).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

after(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

/** A request id and its outcome to come. */
function expect(): { id: string; outcome: Promise<Outcome> } {
  const id = String(++ids);
  return { id, outcome: new Promise((resolve) => waiting.set(id, resolve)) };
}

async function open(): Promise<Socket> {
  const socket = connect(port, '127.0.0.1');
  socket.on('error', () => {});
  await new Promise((resolve) => socket.once('connect', resolve));
  return socket;
}

const head = (id: string, length: number, extra = '') =>
  `POST /x HTTP/1.1\r\nHost: localhost\r\nX-Id: ${id}\r\nContent-Length: ${length}\r\n${extra}\r\n`;

describe('readIncomingText', () => {
  test('reads a body of declared length whole, decoding UTF-8 split across packets', async () => {
    const body = Buffer.from('["ünïcødé ✓ 😀"]');
    const socket = await open();
    const { id, outcome } = expect();
    // The 4-byte emoji is cut in the middle.
    const cut = body.indexOf(0xf0) + 2;
    socket.write(Buffer.concat([Buffer.from(head(id, body.length)), body.subarray(0, cut)]));
    await new Promise((resolve) => setTimeout(resolve, 30));
    socket.write(body.subarray(cut));
    assert.deepEqual((await outcome).body, { ok: true, text: '["ünïcødé ✓ 😀"]' });
    socket.destroy();
  });

  test('reads an empty body as the empty string', async () => {
    const socket = await open();
    const { id, outcome } = expect();
    socket.write(head(id, 0));
    assert.deepEqual((await outcome).body, { ok: true, text: '' });
    socket.destroy();
  });

  test('answers timeout for a body that stalls, at the deadline and not before', async () => {
    const socket = await open();
    const { id, outcome } = expect();
    socket.write(`${head(id, 20)}["half`);
    const { body, elapsed } = await outcome;
    assert.deepEqual(body, { ok: false, error: 'timeout' });
    // Deadlines are kept in Date.now()'s whole milliseconds: up to one early by performance.now().
    assert.ok(elapsed >= TIMEOUT_MS - 1 && elapsed < TIMEOUT_MS + 500, `after ${elapsed} ms`);
    socket.destroy();
  });

  test('answers aborted at once when the client leaves mid-body', async () => {
    const socket = await open();
    const { id, outcome } = expect();
    socket.write(`${head(id, 20)}["half`);
    await new Promise((resolve) => setTimeout(resolve, 30));
    socket.destroy();
    const { body, elapsed } = await outcome;
    assert.deepEqual(body, { ok: false, error: 'aborted' });
    assert.ok(elapsed < TIMEOUT_MS, `after ${elapsed} ms`);
  });

  test('keeps every deadline of many pending bodies, of two durations, when others finish first', async () => {
    const sockets: Socket[] = [];
    const pending: Array<{ kind: number; outcome: Promise<Outcome> }> = [];
    // Interleaved: bodies that stall (300 and 150 ms deadlines) and bodies that complete at once.
    for (let i = 0; i < 12; i++) {
      const socket = await open();
      sockets.push(socket);
      const kind = i % 3;
      const { id, outcome } = expect();
      pending.push({ kind, outcome });
      if (kind === 0) socket.write(`${head(id, 20)}["stall`);
      else if (kind === 1) socket.write(`${head(id, 20, 'X-Timeout: 150\r\n')}["stall`);
      else socket.write(`${head(id, 6)}["ok"]`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    for (const [i, { kind, outcome }] of pending.entries()) {
      const { body, elapsed } = await outcome;
      if (kind === 2) {
        assert.deepEqual(body, { ok: true, text: '["ok"]' }, `request ${i}`);
        continue;
      }
      assert.deepEqual(body, { ok: false, error: 'timeout' }, `request ${i}`);
      const deadline = kind === 0 ? TIMEOUT_MS : 150;
      assert.ok(elapsed >= deadline - 1 && elapsed < deadline + 500, `request ${i}: after ${elapsed} ms`);
    }
    for (const socket of sockets) socket.destroy();
  });
});

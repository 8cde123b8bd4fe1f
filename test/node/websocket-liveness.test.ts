/**
 * Dead WebSocket peers on Node: `ws` never notices a peer that vanished without closing the TCP
 * connection, so the Node adapter pings every `webSocketPingInterval` ms and terminates a socket
 * that did not answer the previous ping. A raw TCP client that completes the handshake and then
 * never answers stands in for the dead peer; servers run in-process with a short interval.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, describe, it } from 'node:test';
import { type RunningNodeServer, serve } from '../../src/adapters/node.ts';
import type { SockJSDisconnectEvent } from '../../src/events.ts';
import { SockJSServer } from '../../src/index.ts';
import { toWsUrl, WsClient } from '../support/ws-client.ts';

const INTERVAL_MS = 200;

interface Started {
  running: RunningNodeServer;
  disconnects: SockJSDisconnectEvent[];
  /** Resolves with the next disconnect, or null after `timeoutMs`. */
  nextDisconnect(timeoutMs: number): Promise<SockJSDisconnectEvent | null>;
}

const servers: RunningNodeServer[] = [];
after(async () => {
  await Promise.all(servers.map((server) => server.close()));
});

async function start(webSocketPingInterval: number): Promise<Started> {
  const echo = new SockJSServer({ prefix: '/echo' });
  const disconnects: SockJSDisconnectEvent[] = [];
  let wake: (() => void) | null = null;
  echo.addEventListener('message', ({ connection, data }) => connection.send(data));
  echo.addEventListener('disconnect', (event) => {
    disconnects.push(event);
    wake?.();
  });
  const running = await serve({
    fetch: (request, runtime) => echo.handle(request, runtime),
    webSocketPingInterval,
  });
  servers.push(running);
  const nextDisconnect = async (timeoutMs: number) => {
    const seen = disconnects.length;
    const deadline = Date.now() + timeoutMs;
    while (disconnects.length === seen && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, deadline - Date.now());
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    return disconnects[seen] ?? null;
  };
  return { running, disconnects, nextDisconnect };
}

/**
 * Opens a WebSocket by hand, reads the 101 (and on a SockJS-framed one the open frame), then goes
 * silent: it neither reads nor writes again, so pings get no pong while the TCP connection stays.
 */
async function deadPeer(baseUrl: string, path: string): Promise<net.Socket> {
  const framed = !path.endsWith('/echo/websocket');
  const { hostname, port } = new URL(baseUrl);
  const socket = net.connect({ host: hostname, port: Number(port) });
  socket.on('error', () => {});
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  socket.write(
    `GET ${path} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
  );
  let received = Buffer.alloc(0);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no 101 and open frame: ${received}`)), 3000);
    const onData = (data: Buffer) => {
      received = Buffer.concat([received, data]);
      const head = received.indexOf('\r\n\r\n');
      // The open frame: an unmasked text frame (0x81) of length 1 with "o".
      const open = !framed || received.subarray(head + 4).includes(Buffer.from([0x81, 0x01, 0x6f]));
      if (head !== -1 && open) {
        clearTimeout(timer);
        socket.off('data', onData);
        resolve();
      }
    };
    socket.on('data', onData);
  });
  assert.match(received.toString('latin1'), /^HTTP\/1\.1 101 /);
  socket.pause();
  return socket;
}

describe('WebSocket liveness on Node (webSocketPingInterval)', { concurrency: true }, () => {
  it('terminates a peer that stops answering pings within two intervals; its session closes with 1006', async () => {
    const { running, nextDisconnect } = await start(INTERVAL_MS);
    for (const path of ['/echo/000/dead/websocket', '/echo/websocket']) {
      const socket = await deadPeer(running.url, path);
      const closedAt = new Promise<number>((resolve) => socket.once('close', () => resolve(Date.now())));
      const started = Date.now();
      const event = await nextDisconnect(5 * INTERVAL_MS);
      assert.ok(event !== null, `${path}: the dead peer was not noticed within ${5 * INTERVAL_MS} ms`);
      assert.equal(event.code, 1006, `${path}: close code`);
      assert.equal(event.wasClean, false, `${path}: not clean`);
      assert.ok(Date.now() - started <= 3 * INTERVAL_MS, `${path}: within two intervals and a bit`);
      socket.resume();
      assert.ok((await closedAt) - started <= 5 * INTERVAL_MS, `${path}: the TCP connection was ended`);
    }
  });

  it('keeps a client that answers pings (any WebSocket client does, automatically)', async () => {
    const { running, disconnects } = await start(INTERVAL_MS);
    const ws = await WsClient.connect(`${toWsUrl(running.url)}/echo/000/alive/websocket`);
    let pings = 0;
    ws.socket.on('ping', () => pings++);
    try {
      assert.equal(await ws.next(), 'o');
      await new Promise((resolve) => setTimeout(resolve, 6 * INTERVAL_MS));
      assert.ok(pings >= 4, `the server pinged every interval (${pings} pings)`);
      ws.send('["still here"]');
      assert.equal(await ws.next(), 'a["still here"]');
      assert.equal(disconnects.length, 0);
    } finally {
      await ws.close();
    }
  });

  it('with pings off (0), the same dead peer goes unnoticed, as with `ws` alone', async () => {
    const { running, nextDisconnect } = await start(0);
    const socket = await deadPeer(running.url, '/echo/000/unnoticed/websocket');
    try {
      assert.equal(await nextDisconnect(5 * INTERVAL_MS), null, 'nothing noticed the dead peer');
    } finally {
      socket.destroy();
    }
  });

  it('refuses a negative or non-numeric interval', () => {
    for (const webSocketPingInterval of [-1, Number.NaN]) {
      assert.throws(() => serve({ fetch: () => undefined, webSocketPingInterval }), TypeError);
    }
  });
});

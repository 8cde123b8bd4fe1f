/**
 * The sockjs-node compatibility layer, installed on a plain node:http server the way a
 * sockjs-node 0.3 application does it, and driven by the real client.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import SockJS from 'sockjs-client';
import sockjs, { type CompatConnection } from '../../src/compat.ts';

describe('sockjs-node compatibility layer', () => {
  const http = createServer((_request, response) => {
    response.writeHead(200, { 'Content-Type': 'text/plain' });
    response.end('app route');
  });
  const events: string[] = [];
  let base = '';

  before(async () => {
    const echo = sockjs.createServer({ sockjs_url: '/lib/sockjs.js', heartbeat_delay: 25000 });
    echo.on('connection', (conn: CompatConnection) => {
      events.push(`connection ${conn.protocol}`);
      assert.match(conn.id, /^[0-9a-f-]{36}$/);
      conn.on('data', (message: string) => {
        if (message === 'bye') conn.end();
        else conn.write(message);
      });
      conn.on('end', () => events.push('end'));
      conn.on('close', () => events.push('close'));
    });
    echo.installHandlers(http, { prefix: '/echo' });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  });

  after(() => {
    http.closeAllConnections();
    http.close();
  });

  it('leaves requests outside the prefix to the application', async () => {
    const response = await fetch(`${base}/other`);
    assert.equal(await response.text(), 'app route');
    const sockjsGreeting = await fetch(`${base}/echo`);
    assert.equal(await sockjsGreeting.text(), 'Welcome to SockJS!\n');
  });

  for (const transport of ['websocket', 'xhr-streaming']) {
    it(`echoes with write / on('data') and ends with end() over ${transport}`, async () => {
      events.length = 0;
      const sock = new SockJS(`${base}/echo`, undefined, { transports: [transport] });
      const received: string[] = [];
      const closed = new Promise<{ code: number; reason: string }>((resolve) => {
        sock.onclose = (event: { code: number; reason: string }) => resolve(event);
      });
      sock.onopen = () => sock.send('ping');
      sock.onmessage = (event: { data: string }) => {
        received.push(event.data);
        sock.send('bye');
      };
      const close = await closed;
      assert.deepEqual(received, ['ping']);
      assert.deepEqual([close.code, close.reason], [1000, 'Normal closure']);
      assert.deepEqual(events, [`connection ${transport}`, 'end', 'close']);
    });
  }
});

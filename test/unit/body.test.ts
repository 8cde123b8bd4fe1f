/**
 * How the core reads `*_send` bodies (`readBody` through the server's Fetch handler): the answer
 * for a body that stalls (`bodyTimeout`) and for one the client cuts short, with real
 * Request objects whose body streams never finish or fail.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SockJSServer } from '../../src/index.ts';

const BASE = 'http://sockjs.example.com';

/** A body stream that delivers `first` and then nothing more, or fails after it. */
function bodyStream(first: string, then: 'stall' | 'fail'): ReadableStream<Uint8Array> {
  let sent = false;
  return new ReadableStream({
    pull(controller) {
      if (!sent) {
        sent = true;
        controller.enqueue(new TextEncoder().encode(first));
      } else if (then === 'fail') {
        controller.error(new Error('client gone'));
      }
      // 'stall': never enqueue again, never close.
    },
  });
}

const send = (server: SockJSServer, path: string, body: ReadableStream<Uint8Array>, headers = {}) =>
  server.fetch(
    new Request(`${BASE}${path}`, { method: 'POST', body, headers, duplex: 'half' } as RequestInit),
  );

describe('request bodies', () => {
  it('answers a body that stalls with 408 "Request body timed out." and Connection: close at bodyTimeout', async () => {
    const server = new SockJSServer({ prefix: '/echo', bodyTimeout: 100 });
    for (const path of ['/echo/000/s1/xhr_send', '/echo/000/s1/jsonp_send']) {
      const started = Date.now();
      const response = await send(server, path, bodyStream('["half', 'stall'));
      const elapsed = Date.now() - started;
      assert.equal(response.status, 408, path);
      assert.equal(await response.text(), 'Request body timed out.', path);
      assert.equal(response.headers.get('Connection'), 'close', path);
      assert.ok(elapsed >= 90 && elapsed < 2000, `${path}: answered after ${elapsed} ms`);
    }
  });

  it('answers a body the client cuts short with 400 "Request body incomplete.", not a 500', async () => {
    const logged: string[] = [];
    const server = new SockJSServer({
      prefix: '/echo',
      log: (severity, message) => logged.push(`${severity} ${message}`),
    });
    const response = await send(server, '/echo/000/s1/xhr_send', bodyStream('["half', 'fail'));
    assert.equal(response.status, 400);
    assert.equal(await response.text(), 'Request body incomplete.');
    assert.deepEqual(
      logged.filter((line) => line.startsWith('error')),
      [],
      'nothing logged as an error',
    );
  });

  it('reads a body that arrives in time whole, after the same kind of stream', async () => {
    const server = new SockJSServer({ prefix: '/echo', bodyTimeout: 100, disconnectDelay: 50 });
    server.addEventListener('message', ({ connection, data }) => connection.send(data));
    const poll = await server.fetch(new Request(`${BASE}/echo/000/s2/xhr`, { method: 'POST' }));
    assert.equal(await poll.text(), 'o\n');
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('["who'));
        setTimeout(() => {
          controller.enqueue(new TextEncoder().encode('le"]'));
          controller.close();
        }, 20);
      },
    });
    assert.equal((await send(server, '/echo/000/s2/xhr_send', body)).status, 204);
    const next = await server.fetch(new Request(`${BASE}/echo/000/s2/xhr`, { method: 'POST' }));
    assert.equal(await next.text(), 'a["whole"]\n');
    server.closeAll();
  });
});

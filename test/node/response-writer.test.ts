/**
 * The Node adapter's response writer (src/adapters/node-response.ts) on a real node:http server:
 * complete bodies get a Content-Length, streamed ones are chunked and flushed as they come, and
 * a client that leaves cancels the body.
 */
import assert from 'node:assert/strict';
import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { writeResponse } from '../../src/adapters/node-response.ts';

const encoder = new TextEncoder();

let server: Server;
let base: string;
let respond: () => Response = () => new Response(null, { status: 204 });

before(async () => {
  server = createServer((_incoming, outgoing) => {
    void writeResponse(respond(), outgoing);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

function get(path = '/'): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(`${base}${path}`, { agent: false }, resolve);
    request.on('error', reject);
    request.end();
  });
}

async function readAll(response: IncomingMessage): Promise<string> {
  let text = '';
  response.setEncoding('utf8');
  for await (const chunk of response) text += chunk;
  return text;
}

describe('Node response writer', () => {
  test('a body complete at once goes out with a Content-Length', async () => {
    respond = () =>
      new Response(
        new ReadableStream<Uint8Array>({
          start(controller) {
            controller.enqueue(encoder.encode('o\n'));
            controller.enqueue(encoder.encode('a["x"]\n'));
            controller.close();
          },
        }),
        { status: 200, headers: { 'Content-Type': 'application/javascript; charset=UTF-8' } },
      );
    const response = await get();
    assert.equal(response.statusCode, 200);
    assert.equal(response.headers['content-length'], '9');
    assert.equal(response.headers['transfer-encoding'], undefined);
    assert.equal(response.headers['content-type'], 'application/javascript; charset=UTF-8');
    assert.equal(await readAll(response), 'o\na["x"]\n');
  });

  test('a body that is still being written is chunked, and each frame arrives as it is written', {
    timeout: 5000,
  }, async () => {
    let controller!: ReadableStreamDefaultController<Uint8Array>;
    respond = () =>
      new Response(
        new ReadableStream<Uint8Array>({
          start(c) {
            controller = c;
            c.enqueue(encoder.encode('h\n'));
          },
        }),
        { status: 200 },
      );
    const response = await get();
    assert.equal(response.headers['transfer-encoding'], 'chunked');
    assert.equal(response.headers['content-length'], undefined);
    response.setEncoding('utf8');
    const chunks = response[Symbol.asyncIterator]();
    assert.equal((await chunks.next()).value, 'h\n');
    controller.enqueue(encoder.encode('a["later"]\n'));
    assert.equal((await chunks.next()).value, 'a["later"]\n');
    controller.close();
    assert.equal((await chunks.next()).done, true);
  });

  test('several Set-Cookie headers stay separate', async () => {
    respond = () => {
      const headers = new Headers();
      headers.append('Set-Cookie', 'a=1; Path=/');
      headers.append('Set-Cookie', 'b=2; Path=/');
      return new Response(null, { status: 204, headers });
    };
    const response = await get();
    assert.equal(response.statusCode, 204);
    assert.deepEqual(response.headers['set-cookie'], ['a=1; Path=/', 'b=2; Path=/']);
    await readAll(response);
  });

  test('a client that leaves cancels the body', { timeout: 5000 }, async () => {
    let cancelled!: () => void;
    const cancel = new Promise<void>((resolve) => {
      cancelled = resolve;
    });
    respond = () =>
      new Response(
        new ReadableStream<Uint8Array>({
          start(c) {
            c.enqueue(encoder.encode('h\n'));
          },
          cancel: () => cancelled(),
        }),
        { status: 200 },
      );
    const response = await get();
    response.setEncoding('utf8');
    assert.equal((await response[Symbol.asyncIterator]().next()).value, 'h\n');
    response.destroy();
    await cancel;
  });
});

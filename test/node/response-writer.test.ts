/**
 * The Node adapter's response writer (src/adapters/node-response.ts) on a real node:http server:
 * complete bodies get a Content-Length, streamed ones are chunked and flushed as they come, and
 * a client that leaves cancels the body. The frame sink writes a streaming response straight to
 * the ServerResponse, holds writes (bounded) for a client that stops reading, and is still a
 * plain body when something else sends the response.
 */
import assert from 'node:assert/strict';
import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { NodeFrameSink, writeResponse, writeStreamingResponse } from '../../src/adapters/node-response.ts';
import type { FrameSinkEvents } from '../../src/runtime.ts';

const encoder = new TextEncoder();

let server: Server;
let base: string;
let respond: () => Response = () => new Response(null, { status: 204 });
/** When set, responses are written as the Node adapter writes streaming ones, with this sink. */
let sink: NodeFrameSink | null = null;

before(async () => {
  server = createServer((_incoming, outgoing) => {
    const response = respond();
    void (sink === null
      ? writeResponse(response, outgoing)
      : writeStreamingResponse(response, outgoing, sink));
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

describe('Node frame sink', () => {
  const HIGH_WATER_MARK = 64 * 1024;
  let writable = 0;
  let cancelled: Promise<void>;
  let events: FrameSinkEvents;

  function newSink(): NodeFrameSink {
    writable = 0;
    let resolveCancel!: () => void;
    cancelled = new Promise((resolve) => {
      resolveCancel = resolve;
    });
    events = { writable: () => writable++, cancel: () => resolveCancel() };
    return new NodeFrameSink(events, HIGH_WATER_MARK);
  }

  after(() => {
    sink = null;
  });

  test('writes its frames straight to the response: each one its own HTTP chunk, the ones held before the response with the head', {
    timeout: 5000,
  }, async () => {
    const frames = newSink();
    frames.write('\r\n');
    frames.write('data: o\r\n\r\n');
    sink = frames;
    respond = () =>
      new Response(frames.body, { status: 200, headers: { 'Content-Type': 'text/event-stream' } });
    const response = await get();
    assert.equal(response.headers['transfer-encoding'], 'chunked');
    assert.equal(response.headers['content-type'], 'text/event-stream');
    assert.equal(frames.body.locked, false, 'claimed, not read as a web stream');
    response.setEncoding('utf8');
    const chunks = response[Symbol.asyncIterator]();
    let head = '';
    while (head.length < '\r\ndata: o\r\n\r\n'.length) head += (await chunks.next()).value;
    assert.equal(head, '\r\ndata: o\r\n\r\n');
    frames.write('data: a["later"]\r\n\r\n');
    assert.equal((await chunks.next()).value, 'data: a["later"]\r\n\r\n');
    frames.close();
    assert.equal((await chunks.next()).done, true);
  });

  test('holds what a client that stops reading has not taken: not writable past the high water mark, writable again once it reads, nothing lost or reordered', {
    timeout: 10000,
  }, async () => {
    const frames = newSink();
    sink = frames;
    respond = () => new Response(frames.body, { status: 200 });
    frames.write('o\n');
    const response = await get();
    response.pause();
    const block = 'x'.repeat(16 * 1024);
    let sent = '';
    let index = 0;
    // The socket buffers take some; the rest stays in the response until the client reads.
    while (frames.writable()) {
      const frame = `${index++}${block}\n`;
      frames.write(frame);
      sent += frame;
      if (index % 16 === 0) await new Promise((resolve) => setImmediate(resolve));
      assert.ok(index < 10_000, 'never stopped being writable');
    }
    assert.equal(writable, 0);
    response.setEncoding('utf8');
    let received = '';
    response.on('data', (chunk: string) => {
      received += chunk;
    });
    response.resume();
    while (writable === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    assert.ok(frames.writable());
    frames.close();
    await new Promise((resolve) => response.once('end', resolve));
    assert.equal(received, 'o\n' + sent);
  });

  test('writes an HTTP/1.0 response unchunked, ending with the connection', { timeout: 5000 }, async () => {
    const frames = newSink();
    sink = frames;
    respond = () => new Response(frames.body, { status: 200 });
    frames.write('o\n');
    const { port } = new URL(base);
    const socket = connect(Number(port), '127.0.0.1');
    let received = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      received += chunk;
    });
    const ended = new Promise((resolve) => socket.once('end', resolve));
    socket.write('GET / HTTP/1.0\r\n\r\n');
    while (!received.endsWith('o\n')) await new Promise((resolve) => setTimeout(resolve, 5));
    frames.write('a["later"]\n');
    frames.close();
    await ended;
    socket.destroy();
    assert.match(received, /^HTTP\/1\.1 200 OK\r\n/);
    assert.doesNotMatch(received, /transfer-encoding/i);
    assert.equal(received.slice(received.indexOf('\r\n\r\n') + 4), 'o\na["later"]\n');
  });

  test('a client that leaves cancels it', { timeout: 5000 }, async () => {
    const frames = newSink();
    sink = frames;
    respond = () => new Response(frames.body, { status: 200 });
    frames.write('h\n');
    const response = await get();
    response.setEncoding('utf8');
    assert.equal((await response[Symbol.asyncIterator]().next()).value, 'h\n');
    response.destroy();
    await cancelled;
  });

  test('is a plain web stream when something else sends the response (a middleware replaced it)', {
    timeout: 5000,
  }, async () => {
    const frames = newSink();
    // Not the Response the sink was built for: the generic writer reads the body.
    sink = null;
    respond = () => new Response(frames.body, { status: 200 });
    frames.write('o\n');
    frames.write('a["held"]\n');
    const response = await get();
    response.setEncoding('utf8');
    const chunks = response[Symbol.asyncIterator]();
    let head = '';
    while (head.length < 'o\na["held"]\n'.length) head += (await chunks.next()).value;
    assert.equal(head, 'o\na["held"]\n');
    assert.equal(frames.body.locked, true);
    frames.write('a["later"]\n');
    assert.equal((await chunks.next()).value, 'a["later"]\n');
    frames.close();
    assert.equal((await chunks.next()).done, true);
  });

  test('is not claimed for a response that does not carry its body', async () => {
    const frames = newSink();
    sink = frames;
    respond = () => new Response('other', { status: 200 });
    frames.write('o\n');
    const response = await get();
    assert.equal(await readAll(response), 'other');
  });
});

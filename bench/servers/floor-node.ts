/**
 * The HTTP floor on Node: the least `node:http` code that answers the benchmark's HTTP scenarios
 * correctly for its load generator, and nothing else. A session map; `o`, `a[...]` and the
 * preludes; `xhr` polls held until a message comes; `xhr_streaming` ended at /echo's response
 * limit (4096) and `eventsource` never; sessions dropped 5 s after their last receiver, as
 * SockJS's `disconnect_delay`. No Fetch layer, no options, no CORS or cache headers, no escaping
 * beyond JSON (the bench's messages are ASCII), no bounds: what no real server can go below.
 *   HOST=127.0.0.1 PORT=0 node bench/servers/floor-node.ts
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

const RESPONSE_LIMIT = 4096;
const DISCONNECT_DELAY_MS = 5000;
const PRELUDE = `${'h'.repeat(2048)}\n`;

interface Session {
  id: string;
  service: string;
  /** A held poll, or an open stream, and how it frames. */
  receiver: ServerResponse | null;
  streaming: 'xhr' | 'eventsource' | null;
  written: number;
  queue: string[];
  timer: ReturnType<typeof setTimeout> | undefined;
}

const sessions = new Map<string, Session>();
const members = new Set<Session>();

function detach(session: Session): void {
  session.receiver = null;
  session.streaming = null;
  session.timer = setTimeout(() => {
    sessions.delete(session.id);
    members.delete(session);
  }, DISCONNECT_DELAY_MS);
}

function attach(session: Session, response: ServerResponse): void {
  clearTimeout(session.timer);
  session.receiver = response;
  response.once('close', () => {
    if (session.receiver === response) detach(session);
  });
}

function send(session: Session, messages: string[]): void {
  const receiver = session.receiver;
  if (receiver === null) {
    session.queue.push(...messages);
    return;
  }
  const frame = `a${JSON.stringify(messages)}`;
  if (session.streaming === null) {
    session.receiver = null;
    receiver.end(`${frame}\n`);
    detach(session);
  } else if (session.streaming === 'eventsource') {
    receiver.write(`data: ${frame}\r\n\r\n`);
  } else {
    receiver.write(`${frame}\n`);
    session.written += frame.length + 1;
    if (session.written >= RESPONSE_LIMIT) {
      session.receiver = null;
      receiver.end();
      detach(session);
    }
  }
}

function receive(id: string, service: string, transport: string, response: ServerResponse): void {
  let session = sessions.get(id);
  const fresh = session === undefined;
  if (session === undefined) {
    session = { id, service, receiver: null, streaming: null, written: 0, queue: [], timer: undefined };
    sessions.set(id, session);
    if (service === 'broadcast') members.add(session);
  }
  if (transport === 'xhr') {
    response.setHeader('Content-Type', 'application/javascript; charset=UTF-8');
    if (fresh || session.queue.length > 0) {
      const body = fresh ? 'o\n' : `a${JSON.stringify(session.queue)}\n`;
      session.queue = [];
      response.end(body);
      if (fresh) detach(session);
      return;
    }
    attach(session, response);
    return;
  }
  const eventsource = transport === 'eventsource';
  response.writeHead(200, {
    'Content-Type': eventsource ? 'text/event-stream' : 'application/javascript; charset=UTF-8',
  });
  const open = fresh ? (eventsource ? 'data: o\r\n\r\n' : 'o\n') : '';
  response.write(eventsource ? `\r\n${open}` : PRELUDE + open);
  session.streaming = eventsource ? 'eventsource' : 'xhr';
  session.written = 0;
  attach(session, response);
  if (session.queue.length > 0) {
    const queued = session.queue;
    session.queue = [];
    send(session, queued);
  }
}

function xhrSend(id: string, request: IncomingMessage, response: ServerResponse): void {
  let body = '';
  request.setEncoding('utf8');
  request.on('data', (chunk: string) => {
    body += chunk;
  });
  request.on('end', () => {
    const session = sessions.get(id);
    if (session === undefined) {
      response.writeHead(404).end();
      return;
    }
    const messages = JSON.parse(body) as string[];
    if (session.service === 'broadcast') {
      for (const member of members) send(member, messages);
    } else {
      send(session, messages);
    }
    response.writeHead(204, { 'Content-Type': 'text/plain; charset=UTF-8' }).end();
  });
}

const server = createServer((request, response) => {
  // /<service>/<server>/<session>/<transport>
  const [, service, , id, transport] = (request.url ?? '').split('/');
  if (service === undefined || id === undefined) {
    response.writeHead(404).end();
    return;
  }
  if (transport === 'xhr_send') xhrSend(id, request, response);
  else if (transport === 'xhr' || transport === 'xhr_streaming' || transport === 'eventsource')
    receive(id, service, transport, response);
  else response.writeHead(404).end();
});

server.listen(Number(process.env.PORT ?? 8081), process.env.HOST ?? '127.0.0.1', () => {
  const { address, port } = server.address() as AddressInfo;
  console.log(`http floor listening on http://${address}:${port}`);
});

const stop = () => {
  server.close();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);

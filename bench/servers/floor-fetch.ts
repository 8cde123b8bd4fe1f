/**
 * The HTTP floor on a Fetch runtime (Deno, Bun): the least `Request -> Response` code that
 * answers the benchmark's HTTP scenarios correctly for its load generator, with the same
 * semantics as floor-node.ts (session map, `o` / `a[...]` frames, the preludes, /echo's response
 * limit, a 5 s disconnect delay) and nothing else: no options, headers, escaping or bounds.
 * Streams are the runtime's own `ReadableStream`s, as any Fetch server's must be.
 */

const RESPONSE_LIMIT = 4096;
const DISCONNECT_DELAY_MS = 5000;
const PRELUDE = `${'h'.repeat(2048)}\n`;
const JAVASCRIPT = { 'Content-Type': 'application/javascript; charset=UTF-8' };
const encoder = new TextEncoder();

interface Session {
  id: string;
  service: string;
  /** A held poll's answer, or an open stream's controller. */
  poll: ((body: string) => void) | null;
  stream: ReadableStreamDefaultController<Uint8Array> | null;
  eventsource: boolean;
  written: number;
  queue: string[];
  timer: ReturnType<typeof setTimeout> | undefined;
}

const sessions = new Map<string, Session>();
const members = new Set<Session>();

function detach(session: Session): void {
  session.poll = null;
  session.stream = null;
  session.timer = setTimeout(() => {
    sessions.delete(session.id);
    members.delete(session);
  }, DISCONNECT_DELAY_MS);
}

function send(session: Session, messages: string[]): void {
  const frame = `a${JSON.stringify(messages)}`;
  if (session.poll !== null) {
    const answer = session.poll;
    detach(session);
    answer(`${frame}\n`);
  } else if (session.stream === null) {
    session.queue.push(...messages);
  } else if (session.eventsource) {
    session.stream.enqueue(encoder.encode(`data: ${frame}\r\n\r\n`));
  } else {
    session.stream.enqueue(encoder.encode(`${frame}\n`));
    session.written += frame.length + 1;
    if (session.written >= RESPONSE_LIMIT) {
      session.stream.close();
      detach(session);
    }
  }
}

function receive(id: string, service: string, transport: string): Response | Promise<Response> {
  let session = sessions.get(id);
  const fresh = session === undefined;
  if (session === undefined) {
    session = {
      id,
      service,
      poll: null,
      stream: null,
      eventsource: false,
      written: 0,
      queue: [],
      timer: undefined,
    };
    sessions.set(id, session);
    if (service === 'broadcast') members.add(session);
  }
  const current = session;
  if (transport === 'xhr') {
    if (fresh || current.queue.length > 0) {
      const body = fresh ? 'o\n' : `a${JSON.stringify(current.queue)}\n`;
      current.queue = [];
      if (fresh) detach(current);
      return new Response(body, { headers: JAVASCRIPT });
    }
    clearTimeout(current.timer);
    return new Promise((resolve) => {
      current.poll = (body) => resolve(new Response(body, { headers: JAVASCRIPT }));
    });
  }
  const eventsource = transport === 'eventsource';
  const open = fresh ? (eventsource ? 'data: o\r\n\r\n' : 'o\n') : '';
  clearTimeout(current.timer);
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(encoder.encode(eventsource ? `\r\n${open}` : PRELUDE + open));
      current.stream = controller;
      current.eventsource = eventsource;
      current.written = 0;
      if (current.queue.length > 0) {
        const queued = current.queue;
        current.queue = [];
        send(current, queued);
      }
    },
    cancel() {
      if (current.stream !== null) detach(current);
    },
  });
  return new Response(body, {
    headers: eventsource ? { 'Content-Type': 'text/event-stream' } : JAVASCRIPT,
  });
}

async function xhrSend(id: string, request: Request): Promise<Response> {
  const text = await request.text();
  const session = sessions.get(id);
  if (session === undefined) return new Response(null, { status: 404 });
  const messages = JSON.parse(text) as string[];
  if (session.service === 'broadcast') {
    for (const member of members) send(member, messages);
  } else {
    send(session, messages);
  }
  return new Response(null, { status: 204, headers: { 'Content-Type': 'text/plain; charset=UTF-8' } });
}

export function floorFetch(request: Request): Response | Promise<Response> {
  // http://host:port/<service>/<server>/<session>/<transport>
  const path = request.url.slice(request.url.indexOf('/', 8));
  const [, service, , id, transport] = path.split('/');
  if (service === undefined || id === undefined) return new Response(null, { status: 404 });
  if (transport === 'xhr_send') return xhrSend(id, request);
  if (transport === 'xhr' || transport === 'xhr_streaming' || transport === 'eventsource')
    return receive(id, service, transport);
  return new Response(null, { status: 404 });
}

/**
 * The hardening options (README, Security) on a real server of every runtime, through the demo
 * service `/hardened_echo`: `origins: ['http://allowed.example']`, an `authorize` that wants
 * `token=let-me-in` (401 otherwise) and attaches `{ user }`, `trustProxy: 1`,
 * `maxMessageSize: 4096`, `maxQueuedMessages: 20`, `bodyTimeout: 1000`,
 * `allowedHosts: ['127.0.0.1', 'localhost']`. `frameOptions` is checked on `/sequence`,
 * which has no `origins` (with `origins` the iframe page is switched off, so there is no page to
 * carry the header on the hardened service).
 *
 * Hostile payloads the protocol refuses (deep nesting) go to `/echo`, whose limits are the defaults.
 *
 * Where a runtime differs (`HardeningExpectations`), the test says what it checks instead.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import {
  assertError,
  assertNotFound,
  FrameReader,
  get,
  options,
  type RequestOptions,
  request,
  sessionBase,
  stream,
  TEXT_PLAIN,
  xhrSend,
} from '../conformance/common.ts';
import { HttpConnection, type RawResponse } from '../support/raw-http.ts';
import { type ConformanceTarget, capabilitiesOf, type RunningServer } from '../support/server-process.ts';
import { toWsUrl, WsClient, WsHandshakeError } from '../support/ws-client.ts';

const PREFIX = '/hardened_echo';
const ALLOWED = 'http://allowed.example';
const EVIL = 'http://evil.example';
const TOKEN = 'token=let-me-in';
const ORIGIN_REFUSED = 'Origin not allowed';
const TOKEN_REQUIRED = 'Token required\n';
const QUEUE_FULL = 'c[1013,"Message queue full"]';
const MAX_MESSAGE_SIZE = 4096;
const MAX_QUEUED_MESSAGES = 20;
const BODY_TIMEOUT_MS = 1000;
const BODY_TIMED_OUT = 'Request body timed out.';
const HOST_REFUSED = 'Host not allowed';
/** Nesting that overflowed V8's `JSON.stringify` (4,500) and JavaScriptCore's `JSON.parse` (60,000), and more. */
const NESTING_DEPTHS = [4500, 60_000, 200_000];
const nested = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);
/** Two hops: with `trustProxy: 1` only the right-most (what the one trusted proxy saw) counts. */
const FORWARDED = { 'X-Forwarded-For': '198.51.100.66, 203.0.113.7' };
const FORWARDED_CLIENT = '203.0.113.7';

/** A valid RFC 6455 handshake request's headers, for upgrades read as plain HTTP answers. */
const UPGRADE = {
  Upgrade: 'websocket',
  Connection: 'Upgrade',
  'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==',
  'Sec-WebSocket-Version': '13',
};

/**
 * `connection.remoteAddress` of a request without `X-Forwarded-For`: the runtime's peer address.
 * On Workers the Durable Object reads `CF-Connecting-IP`, which Cloudflare's edge sets, and
 * local workerd (Miniflare) sets it to the TCP peer too: `127.0.0.1` on every target here.
 */
const PEER_ADDRESS = '127.0.0.1';

const auth = (user: string) => `?${TOKEN}&user=${encodeURIComponent(user)}`;

export function defineHardeningSuite(target: ConformanceTarget): void {
  const caps = capabilitiesOf(target);

  describe(`hardening (/hardened_echo): ${target.name}`, { concurrency: true }, () => {
    let server: RunningServer;
    before(async () => {
      server = await target.start();
    });
    after(() => server?.stop());

    const url = () => server.url;
    const post = (path: string, opts?: RequestOptions) => request(url(), 'POST', path, opts);
    const poll = async (base: string, query = '', headers?: Record<string, string>) => {
      const response = await post(`${base}/xhr${query}`, { headers });
      assert.equal(response.status, 200, `POST ${base}/xhr: ${response.status} ${response.text}`);
      return response.text;
    };
    const connect = (path: string, headers?: Record<string, string>) =>
      WsClient.connect(toWsUrl(url()) + path, undefined, headers);
    /** The server's close of `ws`: the close frame where the TCP end comes late (workerd). */
    const serverClose = (ws: WsClient) =>
      caps.lateTcpCloseAfterServerClose ? ws.waitForCloseFrame() : ws.waitForClose();
    /** Asserts that no session `base` exists: a send to it is the protocol's 404. */
    const assertNoSession = async (base: string, what: string) => {
      assertNotFound(await xhrSend(url(), base, '["x"]'), `${what}: xhr_send to ${base}`);
    };
    const streamFrames = (response: RawResponse, framing: 'xhr' | 'eventsource') =>
      new FrameReader(response, framing, caps.chunking);

    describe('origins', { concurrency: true }, () => {
      it('answers a disallowed Origin with 403 "Origin not allowed" on info, the preflights, xhr, xhr_streaming, xhr_send and eventsource, and opens no session', async () => {
        const base = sessionBase(PREFIX);
        const headers = { Origin: EVIL };
        const refused: Array<[string, Promise<Awaited<ReturnType<typeof get>>>]> = [
          ['GET info', get(url(), `${PREFIX}/info`, { headers })],
          ['OPTIONS info', options(url(), `${PREFIX}/info`, { headers })],
          ['OPTIONS xhr', options(url(), `${base}/xhr`, { headers })],
          ['POST xhr', post(`${base}/xhr${auth('eve')}`, { headers })],
          ['POST xhr_streaming', post(`${base}/xhr_streaming${auth('eve')}`, { headers })],
          ['GET eventsource', get(url(), `${base}/eventsource${auth('eve')}`, { headers })],
          ['POST xhr_send', post(`${base}/xhr_send${auth('eve')}`, { headers, body: '["x"]' })],
        ];
        for (const [what, response] of refused) assertError(await response, 403, ORIGIN_REFUSED, what);
        await assertNoSession(base, 'after the refused requests');
        assert.equal(
          await poll(base, auth('ann')),
          'o\n',
          'the session id is still free: a new session opens',
        );
      });

      it('answers a disallowed Origin with 403 on both WebSocket endpoints, before any upgrade', async () => {
        for (const path of [
          `${sessionBase(PREFIX)}/websocket${auth('eve')}`,
          `${PREFIX}/websocket${auth('eve')}`,
        ]) {
          const response = await get(url(), path, { headers: { ...UPGRADE, Origin: EVIL } });
          assertError(response, 403, ORIGIN_REFUSED, `upgrade ${path}`);
          await assert.rejects(
            connect(path, { Origin: EVIL }),
            (error: unknown) => error instanceof WsHandshakeError && error.status === 403,
            `a WebSocket client is refused on ${path}`,
          );
        }
      });

      it("lets in the allowed origin, the service's own origin and requests without Origin", async () => {
        const own = new URL(url()).origin;
        for (const origin of [ALLOWED, own, undefined]) {
          const headers: Record<string, string> = origin === undefined ? {} : { Origin: origin };
          const what = origin ?? 'no Origin';
          const info = await get(url(), `${PREFIX}/info`, { headers });
          assert.equal(info.status, 200, `${what}: info`);
          assert.equal(info.header('access-control-allow-origin'), origin ?? '*', `${what}: ACAO`);
          assert.equal(await poll(sessionBase(PREFIX), auth('ann'), headers), 'o\n', `${what}: xhr`);
          const ws = await connect(`${sessionBase(PREFIX)}/websocket${auth('ann')}`, headers);
          try {
            assert.equal(await ws.next(), 'o', `${what}: websocket`);
          } finally {
            await ws.close();
          }
          const raw = await connect(`${PREFIX}/websocket${auth('ann')}`, headers);
          try {
            raw.send('hello');
            assert.equal(await raw.next(), 'hello', `${what}: raw websocket`);
          } finally {
            await raw.close();
          }
        }
      });

      it('switches off htmlfile, jsonp and the iframe page (404), and /info does not offer them', async () => {
        const base = sessionBase(PREFIX);
        assertNotFound(await get(url(), `${base}/htmlfile?c=cb&${TOKEN}`), 'htmlfile');
        assertNotFound(await get(url(), `${base}/jsonp?c=cb&${TOKEN}`), 'jsonp');
        assertNotFound(await post(`${base}/jsonp_send`, { body: 'd=%5B%22x%22%5D' }), 'jsonp_send');
        assertNotFound(await get(url(), `${PREFIX}/iframe.html`), 'iframe.html');
        const info = JSON.parse((await get(url(), `${PREFIX}/info`)).text) as { transports: string[] };
        assert.deepEqual(info.transports, [
          'websocket',
          'websocket-raw',
          'xhr-streaming',
          'xhr-polling',
          'eventsource',
        ]);
      });
    });

    describe('authorize', { concurrency: true }, () => {
      it("answers a session request without the token with authorize's own 401 and body, on every HTTP transport, and opens no session", async () => {
        const base = sessionBase(PREFIX);
        for (const query of ['', '?token=wrong&user=eve']) {
          for (const [what, response] of [
            ['xhr', post(`${base}/xhr${query}`)],
            ['xhr_streaming', post(`${base}/xhr_streaming${query}`)],
            ['eventsource', get(url(), `${base}/eventsource${query}`)],
          ] as const) {
            const answer = await response;
            assert.equal(answer.status, 401, `${what}${query}: status`);
            assert.equal(answer.header('content-type'), TEXT_PLAIN, `${what}${query}: Content-Type`);
            assert.equal(answer.text, TOKEN_REQUIRED, `${what}${query}: the body of authorize's Response`);
          }
        }
        await assertNoSession(base, 'after the refused requests');
      });

      it("answers both WebSocket endpoints without the token with authorize's 401 and body", async () => {
        for (const path of [`${sessionBase(PREFIX)}/websocket`, `${PREFIX}/websocket`]) {
          const response = await get(url(), path, { headers: UPGRADE });
          assert.equal(response.status, 401, `${path}: status`);
          assert.equal(response.text, TOKEN_REQUIRED, `${path}: body`);
          await assert.rejects(
            connect(path),
            (error: unknown) => error instanceof WsHandshakeError && error.status === 401,
            `a WebSocket client is refused on ${path}`,
          );
        }
      });

      if (caps.authorizeScope === 'session') {
        it('authorizes a session once: its later requests need no token', async () => {
          const base = sessionBase(PREFIX);
          assert.equal(await poll(base, auth('ann')), 'o\n');
          assert.equal((await xhrSend(url(), base, '["no token needed"]')).status, 204);
          assert.equal(await poll(base), 'a["no token needed"]\n');
        });
      } else {
        it('authorizes every receiving request (the query repeats, as sockjs-client repeats it); sends need no token', async () => {
          const base = sessionBase(PREFIX);
          assert.equal(await poll(base, auth('ann')), 'o\n');
          assert.equal((await xhrSend(url(), base, '["no token needed"]')).status, 204);
          assertError(await post(`${base}/xhr`), 401, 'Token required\n', 'a poll without the token');
          assert.equal(await poll(base, auth('ann')), 'a["no token needed"]\n');
        });
      }
    });

    describe('connection.data and the client address', { concurrency: true }, () => {
      const expected = (user: string, remoteAddress: string | undefined) =>
        JSON.stringify({ data: { user }, remoteAddress });

      /** Opens a session on each transport with the token, a user name and `headers`, and asks `whoami`. */
      const whoami: Record<string, (user: string, headers: Record<string, string>) => Promise<string>> = {
        'xhr-polling': async (user, headers) => {
          const base = sessionBase(PREFIX);
          assert.equal(await poll(base, auth(user), headers), 'o\n');
          assert.equal((await xhrSend(url(), base, '["whoami"]')).status, 204);
          const frame = await poll(base, auth(user));
          assert.match(frame, /^a\[.*\]\n$/);
          return (JSON.parse(frame.slice(1)) as string[])[0]!;
        },
        'xhr-streaming': async (user, headers) => {
          const base = sessionBase(PREFIX);
          const frames = streamFrames(
            await stream(url(), 'POST', `${base}/xhr_streaming${auth(user)}`, { headers }),
            'xhr',
          );
          try {
            await frames.next();
            assert.equal(await frames.next(), 'o\n');
            assert.equal((await xhrSend(url(), base, '["whoami"]')).status, 204);
            const frame = await frames.next();
            return (JSON.parse(frame.slice(1)) as string[])[0]!;
          } finally {
            frames.abort();
          }
        },
        eventsource: async (user, headers) => {
          const base = sessionBase(PREFIX);
          const frames = streamFrames(
            await stream(url(), 'GET', `${base}/eventsource${auth(user)}`, { headers }),
            'eventsource',
          );
          try {
            assert.equal(await frames.next(), '\r\n');
            assert.equal(await frames.next(), 'data: o\r\n\r\n');
            assert.equal((await xhrSend(url(), base, '["whoami"]')).status, 204);
            const event = await frames.next();
            assert.match(event, /^data: a\[.*\]\r\n\r\n$/);
            return (JSON.parse(decodeURI(event.slice('data: a'.length, -4))) as string[])[0]!;
          } finally {
            frames.abort();
          }
        },
        websocket: async (user, headers) => {
          const ws = await connect(`${sessionBase(PREFIX)}/websocket${auth(user)}`, headers);
          try {
            assert.equal(await ws.next(), 'o');
            ws.send('["whoami"]');
            return (JSON.parse((await ws.next()).slice(1)) as string[])[0]!;
          } finally {
            await ws.close();
          }
        },
        'websocket-raw': async (user, headers) => {
          const ws = await connect(`${PREFIX}/websocket${auth(user)}`, headers);
          try {
            ws.send('whoami');
            return await ws.next();
          } finally {
            await ws.close();
          }
        },
      };

      for (const [transport, ask] of Object.entries(whoami)) {
        it(`${transport}: the app sees authorize's data and, with trustProxy 1, the right-most X-Forwarded-For entry`, async () => {
          const user = `user of ${transport}`;
          assert.equal(await ask(user, FORWARDED), expected(user, FORWARDED_CLIENT));
        });

        it(`${transport}: without X-Forwarded-For the app sees the runtime's peer address`, async () => {
          assert.equal(await ask('ann', {}), expected('ann', PEER_ADDRESS));
        });
      }
    });

    describe('limits', { concurrency: true }, () => {
      /** An xhr_send body of exactly `bytes` bytes: one message of `x`s. */
      const bodyOf = (bytes: number) => JSON.stringify(['x'.repeat(bytes - 4)]);

      it(`answers an xhr_send body over maxMessageSize (${MAX_MESSAGE_SIZE} bytes) with 413 "Payload too large." and delivers one at the limit`, async () => {
        const base = sessionBase(PREFIX);
        assert.equal(await poll(base, auth('ann')), 'o\n');
        assertError(
          await xhrSend(url(), base, bodyOf(MAX_MESSAGE_SIZE + 1)),
          413,
          'Payload too large.',
          'over',
        );
        assert.equal((await xhrSend(url(), base, bodyOf(MAX_MESSAGE_SIZE))).status, 204, 'at the limit');
        assert.equal(
          await poll(base, auth('ann')),
          `a${bodyOf(MAX_MESSAGE_SIZE)}\n`,
          'only the message at the limit arrived',
        );
      });

      it(`closes a WebSocket whose message is over maxMessageSize with 1009 "Message too big" (framed and raw)`, async () => {
        const framed = await connect(`${sessionBase(PREFIX)}/websocket${auth('ann')}`);
        assert.equal(await framed.next(), 'o');
        framed.send(bodyOf(MAX_MESSAGE_SIZE));
        assert.equal(await framed.next(), `a${bodyOf(MAX_MESSAGE_SIZE)}`, 'a message at the limit is echoed');
        framed.send(bodyOf(MAX_MESSAGE_SIZE + 1));
        assert.deepEqual(await serverClose(framed), { code: 1009, reason: 'Message too big' });
        framed.terminate();

        const raw = await connect(`${PREFIX}/websocket${auth('ann')}`);
        raw.send('y'.repeat(MAX_MESSAGE_SIZE));
        assert.equal((await raw.next()).length, MAX_MESSAGE_SIZE, 'a raw message at the limit is echoed');
        raw.send('y'.repeat(MAX_MESSAGE_SIZE + 1));
        assert.deepEqual(await serverClose(raw), { code: 1009, reason: 'Message too big' });
        raw.terminate();
      });

      it(`closes a session with ${QUEUE_FULL} when the app sends more than maxQueuedMessages (${MAX_QUEUED_MESSAGES}) while the polling client is away`, async () => {
        const full = sessionBase(PREFIX);
        const atLimit = sessionBase(PREFIX);
        assert.equal(await poll(full, auth('ann')), 'o\n');
        assert.equal(await poll(atLimit, auth('ann')), 'o\n');
        // No poll is pending: everything the app sends waits in the session's queue.
        assert.equal((await xhrSend(url(), full, `["flood ${MAX_QUEUED_MESSAGES + 1}"]`)).status, 204);
        assert.equal((await xhrSend(url(), atLimit, `["flood ${MAX_QUEUED_MESSAGES}"]`)).status, 204);
        assert.equal(
          await poll(full, auth('ann')),
          `${QUEUE_FULL}\n`,
          'one message too many closes the session',
        );
        assert.equal(
          await poll(full, auth('ann')),
          `${QUEUE_FULL}\n`,
          'and the closed session keeps saying so',
        );
        const numbers = Array.from({ length: MAX_QUEUED_MESSAGES }, (_, i) => String(i + 1));
        assert.equal(
          await poll(atLimit, auth('ann')),
          `a${JSON.stringify(numbers)}\n`,
          'a full queue is still delivered',
        );
      });
    });

    describe('hostile payloads (deep nesting), on /echo', { concurrency: true }, () => {
      it(`closes a WebSocket whose message nests ${NESTING_DEPTHS.join(', ')} deep with 3000 "Broken framing." and keeps serving`, async () => {
        for (const depth of NESTING_DEPTHS) {
          const ws = await connect(`${sessionBase('/echo')}/websocket`);
          assert.equal(await ws.next(), 'o');
          ws.send(nested(depth));
          assert.deepEqual(
            await serverClose(ws),
            { code: 3000, reason: 'Broken framing.' },
            `depth ${depth}`,
          );
          ws.terminate();
          const next = await connect(`${sessionBase('/echo')}/websocket`);
          try {
            assert.equal(await next.next(), 'o', `after depth ${depth}: a new session opens`);
            next.send('["still here"]');
            assert.equal(await next.next(), 'a["still here"]', `after depth ${depth}: messages are echoed`);
          } finally {
            await next.close();
          }
        }
      });

      it('answers deep nesting on xhr_send and jsonp_send with 500 "Broken JSON encoding." and the session goes on', async () => {
        const base = sessionBase('/echo');
        assert.equal(await poll(base), 'o\n');
        for (const depth of NESTING_DEPTHS) {
          assertError(
            await xhrSend(url(), base, nested(depth)),
            500,
            'Broken JSON encoding.',
            `xhr_send depth ${depth}`,
          );
          // A nested element after a good one: nothing of the payload is delivered.
          const mixed = `["lost",${nested(depth)}]`;
          assertError(
            await xhrSend(url(), base, mixed),
            500,
            'Broken JSON encoding.',
            `xhr_send ["lost",depth ${depth}]`,
          );
          assertError(
            await post(`${base}/jsonp_send`, {
              body: nested(depth),
              headers: { 'Content-Type': 'text/plain' },
            }),
            500,
            'Broken JSON encoding.',
            `jsonp_send text/plain depth ${depth}`,
          );
        }
        const form = `d=${encodeURIComponent(nested(NESTING_DEPTHS[1]!))}`;
        assertError(
          await post(`${base}/jsonp_send`, {
            body: form,
            headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
          }),
          500,
          'Broken JSON encoding.',
          'jsonp_send form',
        );
        // A deep object is valid JSON but not an array: sockjs-node's answer to `{}`.
        const object = '{"a":'.repeat(NESTING_DEPTHS[1]!) + '1' + '}'.repeat(NESTING_DEPTHS[1]!);
        assertError(await xhrSend(url(), base, object), 500, 'Payload expected.', 'xhr_send deep object');
        assert.equal((await xhrSend(url(), base, '["next"]')).status, 204, 'the next send is answered');
        assert.equal(await poll(base), 'a["next"]\n', 'and only it was delivered');
      });
    });

    describe(`stalled bodies (bodyTimeout: ${BODY_TIMEOUT_MS} ms)`, { concurrency: true }, () => {
      const bodyDeclarations = {
        'Content-Length': (half: string) => ({
          headers: { 'Content-Length': String(half.length * 2) },
          sent: half,
        }),
        chunked: (half: string) => ({
          headers: { 'Transfer-Encoding': 'chunked' },
          sent: `${half.length.toString(16)}\r\n${half}\r\n`,
        }),
      };
      for (const [framing, declare] of Object.entries(bodyDeclarations)) {
        it(`answers an xhr_send whose ${framing} body stalls halfway with 408 "${BODY_TIMED_OUT}" at the deadline${caps.closesAfterUnreadBody ? ' and closes the connection' : ' (Deno keeps the connection: closesAfterUnreadBody)'}`, async () => {
          const base = sessionBase(PREFIX);
          assert.equal(await poll(base, auth('ann')), 'o\n');
          const half = '["half a bo';
          const { headers, sent } = declare(half);
          const connection = await HttpConnection.open(url());
          try {
            const started = Date.now();
            connection.send({ method: 'POST', path: `${base}/xhr_send`, headers, body: sent });
            const response = await connection.readResponse(BODY_TIMEOUT_MS + 5000, 'POST');
            const elapsed = Date.now() - started;
            assert.equal(response.status, 408, `${framing}: status`);
            assert.equal((await response.readAll()).toString(), BODY_TIMED_OUT, `${framing}: body`);
            assert.ok(elapsed >= BODY_TIMEOUT_MS - 50, `${framing}: not before the deadline (${elapsed} ms)`);
            if (caps.closesAfterUnreadBody) await connection.waitForClose(5000);
          } finally {
            connection.destroy();
          }
          assert.equal((await xhrSend(url(), base, '["whole"]')).status, 204, 'the next send is answered');
          // With the token: on Workers every poll is authorized (authorizeScope 'request').
          assert.equal(await poll(base, auth('ann')), 'a["whole"]\n', 'and only it was delivered');
        });
      }
    });

    describe('requests without a valid Host', { concurrency: true }, () => {
      // Bun hands the handler a bare path for these (no absolute URL): a 400, not an exception
      // turned into a 500 (its development error page, tens of KB).
      for (const [what, head] of [
        ['HTTP/1.0 without Host', 'GET /echo/info HTTP/1.0\r\n\r\n'],
        ['HTTP/1.1 without Host', 'GET /echo/info HTTP/1.1\r\nConnection: close\r\n\r\n'],
        [
          'HTTP/1.1 with a malformed Host',
          'GET /echo/info HTTP/1.1\r\nHost: a b\r\nConnection: close\r\n\r\n',
        ],
      ] as const) {
        // Deno and workerd fill in a Host for HTTP/1.0 and answer it; the others refuse with 400.
        it(`answers ${what} with no 5xx, and the next request as usual`, async () => {
          const answer = await rawExchange(url(), head);
          const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(answer)?.[1]);
          if (what.includes('malformed') && caps.malformedHost === 'platform-500') {
            assert.ok(
              answer.endsWith('\r\n\r\nInternal Server Error'),
              `${what}: workerd's own 500: ${answer}`,
            );
          } else {
            assert.ok(status >= 200 && status < 500, `${what}: ${answer.slice(0, 200)}`);
          }
          assert.equal((await get(url(), '/echo')).status, 200, 'the greeting still answers');
        });
      }
    });

    describe('allowedHosts (DNS rebinding)', { concurrency: true }, () => {
      it(`answers a request for an unpinned Host with 403 "${HOST_REFUSED}", even when its Origin is "the same" (a rebound name)`, async () => {
        const rebound = { Host: 'evil.example', Origin: EVIL };
        const base = sessionBase(PREFIX);
        for (const [what, response] of [
          ['GET info', get(url(), `${PREFIX}/info`, { headers: rebound })],
          ['POST xhr', post(`${base}/xhr${auth('eve')}`, { headers: rebound })],
          ['GET greeting', get(url(), `${PREFIX}`, { headers: { Host: 'evil.example' } })],
          [
            'upgrade websocket',
            get(url(), `${base}/websocket${auth('eve')}`, { headers: { ...UPGRADE, ...rebound } }),
          ],
          [
            'upgrade raw websocket',
            get(url(), `${PREFIX}/websocket${auth('eve')}`, { headers: { ...UPGRADE, ...rebound } }),
          ],
        ] as const) {
          assertError(await response, 403, HOST_REFUSED, what);
        }
        await assertNoSession(base, 'after the refused requests');
        const pinned = await get(url(), `${PREFIX}/info`, {
          headers: {
            Host: `localhost:${new URL(url()).port}`,
            Origin: `http://localhost:${new URL(url()).port}`,
          },
        });
        assert.equal(pinned.status, 200, 'a pinned host (localhost) is answered, its own origin allowed');
      });
    });

    it('sends X-Frame-Options and CSP frame-ancestors with the iframe page (frameOptions: SAMEORIGIN on /sequence)', async () => {
      const page = await get(url(), '/sequence/iframe.html');
      assert.equal(page.status, 200);
      assert.equal(page.header('x-frame-options'), 'SAMEORIGIN');
      assert.equal(page.header('content-security-policy'), "frame-ancestors 'self'");
      const plain = await get(url(), '/echo/iframe.html');
      assert.equal(plain.hasHeader('x-frame-options'), false, 'a service without frameOptions sends none');
    });
  });
}

/** Writes `head` as it is on a new connection; resolves with what came back until the server closed it (or 5 s). */
function rawExchange(baseUrl: string, head: string): Promise<string> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: hostname, port: Number(port) }, () => socket.write(head));
    let answer = '';
    const done = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve(answer);
    };
    const timer = setTimeout(done, 5000);
    socket.setEncoding('utf8');
    socket.on('data', (text: string) => {
      answer += text;
    });
    socket.on('end', done);
    socket.on('error', (error) => (answer === '' ? reject(error) : done()));
  });
}

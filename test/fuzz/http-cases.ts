/**
 * Random HTTP requests for the black-box fuzz suite, and what a server may answer to each.
 *
 * Requests come in two kinds. Well-formed ones (valid HTTP/1.1, whatever their path, method,
 * headers or body) must get one of the protocol's answers with its documented body
 * (PROTOCOL.md 1.0: 404, 405, 400/403/401/413/500 with their messages, 200/204/101). Malformed
 * ones (a method or header the HTTP layer may refuse, a Content-Length that is not a number,
 * request heads past the platform's size limit) are the HTTP server's business: any answer
 * from 200 to 599, or a closed connection, is fine. For both, the server never throws (no
 * `500 - Internal Server Error`) and never leaves a complete request unanswered.
 */
import fc from 'fast-check';
import type { TargetCapabilities } from '../support/server-process.ts';

export const PREFIXES = [
  '/echo',
  '/hardened_echo',
  '/cookie_needed_echo',
  '/disabled_websocket_echo',
  '/close',
  '/amplify',
  '/sequence',
] as const;

const TRANSPORT_SEGMENTS = [
  'websocket',
  'xhr',
  'xhr_send',
  'xhr_streaming',
  'eventsource',
  'htmlfile',
  'jsonp',
  'jsonp_send',
] as const;

const TRANSPORT_METHOD: Record<string, string> = {
  websocket: 'GET',
  xhr: 'POST',
  xhr_send: 'POST',
  xhr_streaming: 'POST',
  eventsource: 'GET',
  htmlfile: 'GET',
  jsonp: 'GET',
  jsonp_send: 'POST',
};

export interface FuzzRequest {
  method: string;
  /** The request target as sent: raw path and query. */
  target: string;
  headers: Array<[string, string]>;
  body: Buffer;
  /** `outside`: a path next to a prefix but not under it, which must be the 404. */
  place: 'session' | 'service' | 'outside' | 'odd';
  /** For session paths: the prefix and raw session segment, to check later that it expired. */
  session?: { prefix: string; segment: string };
  /** The HTTP layer may refuse it by itself (see the module comment). */
  malformed: boolean;
  /** The declared body is longer than what is sent: the server may wait for the rest. */
  incomplete: boolean;
  /** Carries a complete WebSocket handshake (a 101 is a fine answer). */
  upgrade: boolean;
  /**
   * Declares a body far beyond any limit (`Content-Length: 99999999999`): the HTTP layer may
   * refuse it with a 413 of its own (Bun does, above its 128 MiB `maxRequestBodySize`).
   */
  hugeDeclaredBody: boolean;
}

/** Session ids that requests share, so that later requests meet sessions earlier ones opened. */
const SHARED_SESSIONS = ['s1', 's2', 's3', 's4', 's5', 's6'];

const word = (max: number) => fc.stringMatching(new RegExp(`^[a-z0-9_-]{1,${max}}$`));

const segment = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...SHARED_SESSIONS) },
  { weight: 4, arbitrary: word(12) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      '',
      '.',
      '..',
      'a.b',
      '%2e',
      '%2E%2e',
      '%2F',
      '%00',
      '%zz',
      '%',
      'abcdefgh_i-j%20',
      '%F0%9F%98%80',
      '%C3%28',
      '~',
      "!$&'()*+,;=:@",
    ),
  },
  { weight: 1, arbitrary: fc.integer({ min: 300, max: 6000 }).map((n) => 'x'.repeat(n)) },
  // Past any request-head limit (the request is then malformed: a platform may refuse it).
  { weight: 1, arbitrary: fc.integer({ min: 10_000, max: 100_000 }).map((n) => 's'.repeat(n)) },
);

const transportSegment = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom(...TRANSPORT_SEGMENTS) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      'XHR',
      'xhr/',
      'xhr//',
      'xhr_sendx',
      'websocket/',
      'iframe.html',
      'info',
      'jsonp%5Fsend',
      '',
      '.',
    ),
  },
  { weight: 1, arbitrary: word(10) },
);

const serviceSuffix = fc.constantFrom(
  '',
  '/',
  '/info',
  '/info/',
  '/iframe.html',
  '/iframe-1.6.1.html',
  '/iframe.HTML',
  '/iframe..html',
  '/websocket',
  '/websocket/',
  '//info',
  '/./info',
  '/../echo/info',
  '/%69nfo',
  '/info%2F',
  '///xhr',
  '/a./a/xhr',
  '/././xhr',
);

/** Next to a prefix and never under it, whatever normalization the platform applies. */
const outsideSuffix = fc.constantFrom('es', 'x', '_', '-1', '.html', 'es/info', 'x/000/s1/xhr', '%20');

const callback = fc.oneof(
  fc.stringMatching(/^[a-zA-Z0-9_.-]{1,10}$/),
  fc.constantFrom('', '%3Cscript%3E', 'a%22b', 'a%20b', '%E2%80%A8', 'x'.repeat(40), 'alert(1)//'),
);

const query = fc.oneof(
  { weight: 3, arbitrary: fc.constant('') },
  {
    weight: 4,
    arbitrary: fc
      .array(
        fc.oneof(
          callback.map((name) => `c=${name}`),
          callback.map((name) => `callback=${name}`),
          fc.constantFrom('token=let-me-in', 'token=', 'user=%00', 't=1', '%zz', '=', '&&', 'c'),
          fc.integer({ min: 100, max: 3000 }).map((n) => `t=${'q'.repeat(n)}`),
        ),
        { maxLength: 3 },
      )
      .map((parts) => `?${parts.join('&')}`),
  },
);

const path = fc.oneof(
  {
    weight: 8,
    arbitrary: fc
      .tuple(fc.constantFrom(...PREFIXES), segment, segment, transportSegment)
      .map(([prefix, server, session, transport]) => ({
        path: `${prefix}/${server}/${session}/${transport}`,
        place: 'session' as const,
        session: { prefix, segment: session },
      })),
  },
  {
    weight: 3,
    arbitrary: fc
      .tuple(fc.constantFrom(...PREFIXES), serviceSuffix)
      .map(([prefix, suffix]) => ({ path: prefix + suffix, place: 'service' as const })),
  },
  {
    weight: 2,
    arbitrary: fc.tuple(fc.constantFrom(...PREFIXES), outsideSuffix).map(([prefix, suffix]) => ({
      path: prefix + suffix,
      place: 'outside' as const,
    })),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.constantFrom(...PREFIXES), fc.constantFrom('//', '/%2F', '/.', '/..', '/;', '/%'))
      .map(([prefix, odd]) => ({ path: odd + prefix.slice(1), place: 'odd' as const })),
  },
);

const method = fc.oneof(
  { weight: 10, arbitrary: fc.constantFrom('GET', 'POST', 'OPTIONS') },
  { weight: 2, arbitrary: fc.constantFrom('HEAD', 'PUT', 'DELETE', 'PATCH') },
);
const malformedMethod = fc.constantFrom('get', 'FOO', 'P0ST', 'GET\t');

/**
 * Deep nesting, which once overflowed recursive JSON code (V8's `JSON.stringify` at 4,500 levels,
 * JavaScriptCore's `JSON.parse` at 60,000): arrays, arrays after a good message, objects, unclosed.
 * Without the JSON parse of the oracle's own: each answer is known (test/hardening).
 */
export const deeplyNested: fc.Arbitrary<string> = fc
  .tuple(
    fc.integer({ min: 1000, max: 100_000 }),
    fc.constantFrom('array', 'after-message', 'object', 'unclosed'),
  )
  .map(([depth, shape]) => {
    switch (shape) {
      case 'array':
        return '['.repeat(depth) + ']'.repeat(depth);
      case 'after-message':
        return `["a",${'['.repeat(depth)}${']'.repeat(depth)}]`;
      case 'object':
        return `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
      default:
        return '['.repeat(depth);
    }
  });

/** JSON text the client could send, and text it never would. */
const messageText = fc.string({ unit: 'binary', maxLength: 30 });
const body = fc.oneof(
  { weight: 3, arbitrary: fc.constant('') },
  {
    weight: 5,
    arbitrary: fc.array(messageText, { maxLength: 4 }).map((messages) => JSON.stringify(messages)),
  },
  { weight: 3, arbitrary: fc.string({ unit: 'grapheme-ascii', maxLength: 40 }) },
  { weight: 2, arbitrary: fc.jsonValue().map((value) => JSON.stringify(value)) },
  {
    weight: 3,
    arbitrary: fc
      .array(messageText, { maxLength: 3 })
      .map((m) => `d=${encodeURIComponent(JSON.stringify(m))}`),
  },
  { weight: 1, arbitrary: fc.constantFrom('d=', 'd=%zz', 'x=1&d=["a"]', 'd=%5B%22a', '["a"', '[', 'null') },
  { weight: 1, arbitrary: deeplyNested },
  { weight: 1, arbitrary: deeplyNested.map((text) => `d=${encodeURIComponent(text)}`) },
  { weight: 3, arbitrary: fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes)) },
  // Around Node's 64 KiB read-ahead, and past the 1 MiB maxMessageSize (then 413).
  {
    weight: 1,
    arbitrary: fc.constantFrom(70_000, 1024 * 1024 + 10).map((n) => JSON.stringify(['y'.repeat(n)])),
  },
);

const origin = fc.constantFrom(
  'http://allowed.example',
  'http://evil.example',
  'null',
  'OWN',
  'file://',
  'http://127.0.0.1',
  'https://x.example:8443',
  '*',
);

const UPGRADE_HEADERS: Array<[string, string]> = [
  ['Upgrade', 'websocket'],
  ['Connection', 'Upgrade'],
  ['Sec-WebSocket-Key', 'dGhlIHNhbXBsZSBub25jZQ=='],
  ['Sec-WebSocket-Version', '13'],
];

const upgrade = fc.constantFrom<Array<[string, string]>>(
  UPGRADE_HEADERS,
  [['Upgrade', 'websocket']],
  [
    ['Upgrade', 'WebSocket'],
    ['Connection', 'keep-alive, Upgrade'],
    ['Sec-WebSocket-Key', 'short'],
    ['Sec-WebSocket-Version', '13'],
  ],
  [...UPGRADE_HEADERS.slice(0, 3), ['Sec-WebSocket-Version', '12']],
  [
    ['Upgrade', 'websocket'],
    ['Connection', 'close'],
  ],
);

/** `arbitrary`'s value in `percent` of the runs, `undefined` in the others. */
function sometimes<T>(percent: number, arbitrary: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> {
  return fc.oneof(
    { weight: 100 - percent, arbitrary: fc.constant(undefined) },
    { weight: percent, arbitrary },
  );
}

const optionalHeaders = fc.record({
  origin: sometimes(50, origin),
  contentType: sometimes(
    50,
    fc.constantFrom(
      'application/x-www-form-urlencoded',
      'application/json',
      'text/plain;charset=UTF-8',
      'multipart/form-data; boundary=x',
      'application/x-www-form-urlencoded; charset=ISO-8859-1',
      'text/html',
    ),
  ),
  cookie: sometimes(
    25,
    fc.constantFrom('JSESSIONID=abc', 'JSESSIONID=', 'a=b; JSESSIONID=x;', 'JSESSIONID=%00'),
  ),
  upgrade: sometimes(15, upgrade),
  requestHeaders: sometimes(20, fc.constantFrom('content-type', 'x-a, x-b', '')),
  forwardedFor: sometimes(25, fc.constantFrom('203.0.113.7', '1.1.1.1, 2.2.2.2', 'garbage', ', ,', '::1')),
  ifNoneMatch: sometimes(15, fc.constantFrom('"x"', '*', 'W/"abc"')),
  padding: sometimes(
    25,
    fc.oneof(
      { weight: 9, arbitrary: fc.integer({ min: 10, max: 4000 }) },
      { weight: 1, arbitrary: fc.integer({ min: 20_000, max: 40_000 }) },
    ),
  ),
  connection: sometimes(25, fc.constantFrom('close', 'keep-alive')),
});

/** How the body is framed, honestly or not. */
const framing = fc.oneof(
  { weight: 12, arbitrary: fc.constant('exact' as const) },
  { weight: 2, arbitrary: fc.constant('chunked' as const) },
  { weight: 1, arbitrary: fc.constant('none' as const) },
  { weight: 1, arbitrary: fc.constant('less' as const) },
  { weight: 1, arbitrary: fc.constant('more' as const) },
  { weight: 1, arbitrary: fc.constant('huge' as const) },
  { weight: 1, arbitrary: fc.constant('invalid' as const) },
);

const malformation = fc.oneof(
  { weight: 20, arbitrary: fc.constant(null) },
  { weight: 1, arbitrary: fc.constant('method' as const) },
  { weight: 1, arbitrary: fc.constant('header-control-char' as const) },
  { weight: 1, arbitrary: fc.constant('header-name-space' as const) },
  { weight: 1, arbitrary: fc.constant('raw-non-ascii-path' as const) },
);

/** Request heads past this many bytes may meet a platform limit (Node's is 16 KiB). */
const HEAD_LIMIT = 8 * 1024;

export const fuzzRequest: fc.Arbitrary<FuzzRequest> = fc
  .record({
    method,
    malformedMethod,
    path,
    query,
    headers: optionalHeaders,
    body,
    framing,
    malformation,
    plausible: fc.boolean(),
  })
  .map(
    ({
      plausible,
      method: randomVerb,
      malformedMethod: badVerb,
      path: where,
      query: q,
      headers: h,
      body: b,
      framing: f,
      malformation: m,
    }) => {
      const headers: Array<[string, string]> = [];
      let malformed = m !== null;
      // Half the session requests use the method their transport takes, to get past routing.
      const transport = where.place === 'session' ? where.path.slice(where.path.lastIndexOf('/') + 1) : '';
      // Own keys only: the fuzzed segment may be `__proto__` or `constructor`.
      const verb =
        plausible && Object.hasOwn(TRANSPORT_METHOD, transport) ? TRANSPORT_METHOD[transport]! : randomVerb;
      if (h.origin !== undefined) headers.push(['Origin', h.origin]);
      if (h.contentType !== undefined) headers.push(['Content-Type', h.contentType]);
      if (h.cookie !== undefined) headers.push(['Cookie', h.cookie]);
      if (h.upgrade !== undefined) headers.push(...h.upgrade);
      if (h.requestHeaders !== undefined) headers.push(['Access-Control-Request-Headers', h.requestHeaders]);
      if (h.forwardedFor !== undefined) headers.push(['X-Forwarded-For', h.forwardedFor]);
      if (h.ifNoneMatch !== undefined) headers.push(['If-None-Match', h.ifNoneMatch]);
      if (h.padding !== undefined) headers.push(['X-Fuzz-Padding', 'p'.repeat(h.padding)]);
      if (h.connection !== undefined && h.upgrade === undefined) headers.push(['Connection', h.connection]);
      if (m === 'header-control-char') headers.push(['X-Fuzz', 'a\x01b']);
      if (m === 'header-name-space') headers.push(['X Fuzz', 'a']);

      let bodyBytes = typeof b === 'string' ? Buffer.from(b) : b;
      let incomplete = false;
      let hugeDeclaredBody = false;
      switch (f) {
        case 'exact':
          if (bodyBytes.length > 0 || verb === 'POST')
            headers.push(['Content-Length', String(bodyBytes.length)]);
          break;
        case 'chunked': {
          headers.push(['Transfer-Encoding', 'chunked']);
          const half = Math.floor(bodyBytes.length / 2);
          const parts = [bodyBytes.subarray(0, half), bodyBytes.subarray(half)].filter(
            (part) => part.length > 0,
          );
          bodyBytes = Buffer.concat([
            ...parts.flatMap((part) => [
              Buffer.from(`${part.length.toString(16)}\r\n`),
              part,
              Buffer.from('\r\n'),
            ]),
            Buffer.from('0\r\n\r\n'),
          ]);
          break;
        }
        case 'none':
          // No length: the body bytes, if any, reach the server as the start of a next request,
          // which the HTTP layer may refuse by closing the connection, the first answer unsent.
          if (bodyBytes.length > 0) malformed = true;
          break;
        case 'less':
          headers.push(['Content-Length', String(Math.floor(bodyBytes.length / 2))]);
          if (bodyBytes.length > 0) malformed = true;
          break;
        case 'more':
          headers.push(['Content-Length', String(bodyBytes.length + 1 + Math.floor(bodyBytes.length / 3))]);
          incomplete = true;
          break;
        case 'huge':
          headers.push(['Content-Length', '99999999999']);
          incomplete = true;
          hugeDeclaredBody = true;
          break;
        case 'invalid':
          headers.push(['Content-Length', bodyBytes.length === 0 ? 'abc' : `${bodyBytes.length}, 1`]);
          malformed = true;
          break;
      }
      let target = where.path + q;
      if (m === 'raw-non-ascii-path') target = `${where.path}/\u00e9${q}`;
      const head =
        target.length + headers.reduce((sum, [name, value]) => sum + name.length + value.length + 4, 0);
      if (head > HEAD_LIMIT) malformed = true;
      const upgradeComplete = h.upgrade === UPGRADE_HEADERS;
      return {
        method: m === 'method' ? badVerb : verb,
        target,
        headers,
        body: bodyBytes,
        place: where.place,
        ...('session' in where ? { session: where.session } : {}),
        malformed,
        incomplete,
        upgrade: upgradeComplete,
        hugeDeclaredBody,
      };
    },
  );

/** What came back for one request. */
export type FuzzOutcome =
  | {
      kind: 'response';
      status: number;
      headers: (name: string) => string | undefined;
      /** The whole body, or its first chunk for a stream that stays open. */
      body: string;
    }
  | { kind: 'closed'; detail: string }
  | { kind: 'timeout'; detail: string };

const NOT_FOUND = '404 Error: Page not found\n';
/** `{status, message}` answers of the protocol and the demo services, by status. */
const DOCUMENTED: Record<number, readonly string[]> = {
  400: [
    'Not a valid websocket request',
    'Only supported WebSocket protocol is RFC 6455.',
    'Request body incomplete.',
  ],
  401: ['Token required\n'],
  403: ['Origin not allowed', 'Host not allowed'],
  408: ['Request body timed out.'],
  413: ['Payload too large.'],
  500: [
    'Payload expected.',
    'Broken JSON encoding.',
    '"callback" parameter required',
    'invalid "callback" parameter',
  ],
  503: ['Too many sessions'],
};
export const INTERNAL_ERROR = '500 - Internal Server Error';

/** Light checks of a 200 body: frames of the transport the path names. */
function checkOk(request: FuzzRequest, body: string): string | null {
  const transport = /\/([a-z_]+)\/?(?:\?|$)/.exec(request.target)?.[1];
  const frame = /^(o|h|a\[.*\]|c\[\d+,".*"\])$/s;
  if (request.place !== 'session' || request.method !== 'POST') return null;
  if (transport === 'xhr') {
    return frame.test(body.replace(/\n$/, ''))
      ? null
      : `an xhr poll answered ${JSON.stringify(body.slice(0, 200))}`;
  }
  return null;
}

const clip = (text: string, max = 160) =>
  text.length > max ? `${text.slice(0, max)}…(${text.length})` : text;

/**
 * Answers the platform below the server gives by itself, where a runtime differs
 * (`TargetCapabilities`): true when `outcome` is one of them for `request`.
 */
function platformAnswer(request: FuzzRequest, outcome: FuzzOutcome, caps: Capabilities): boolean {
  const header = (name: string) =>
    request.headers.find(([key]) => key.toLowerCase() === name.toLowerCase())?.[1];
  const upgradeHeaders = header('Upgrade') !== undefined && /upgrade/i.test(header('Connection') ?? '');
  const declaresBody = header('Content-Length') !== undefined || header('Transfer-Encoding') !== undefined;
  switch (caps.nonGetUpgradeRequests) {
    case 'platform-400':
      // Deno refuses upgrade headers on a non-GET request, and on one that declares a body
      // (observed: also a GET with `Content-Length: 0`), with an empty 400 and a close; with a
      // large body still on its way, the close can reset the connection before the 400 is read.
      if (!upgradeHeaders || (request.method === 'GET' && !declaresBody)) return false;
      return (
        outcome.kind === 'closed' ||
        (outcome.kind === 'response' && outcome.status === 400 && outcome.body === '')
      );
    case 'delivered-as-get':
      // Miniflare hands the Worker a GET; when that GET upgrades, it fails the original request.
      return (
        outcome.kind === 'response' &&
        outcome.status === 500 &&
        outcome.body === 'Internal Server Error' &&
        request.upgrade &&
        request.method !== 'GET'
      );
    default:
      return false;
  }
}

/**
 * A server may answer before it has read a large body and then close the connection (Bun does,
 * with `Connection: close`). Closing with unread data resets the connection while the client is
 * still sending, and the client's kernel may then drop the answer unread (RFC 9112 section 9.6):
 * a race on the client's side, not a missing answer.
 */
function resetWhileSending(request: FuzzRequest, detail: string): boolean {
  return request.body.length >= 64 * 1024 && /\b(EPIPE|ECONNRESET)\b/.test(detail);
}

type Capabilities = Readonly<Required<TargetCapabilities>>;

/** Why an outcome is wrong for a request on a target with `caps`, or null when it is fine. */
export function judge(request: FuzzRequest, outcome: FuzzOutcome, caps: Capabilities): string | null {
  if (outcome.kind === 'timeout') {
    return request.incomplete ? null : `no answer to a complete request (${clip(outcome.detail)})`;
  }
  if (outcome.kind === 'closed') {
    return request.malformed ||
      request.incomplete ||
      platformAnswer(request, outcome, caps) ||
      resetWhileSending(request, outcome.detail)
      ? null
      : `connection closed without an answer (${clip(outcome.detail)})`;
  }
  const { status, body } = outcome;
  if (status === 500 && body === INTERNAL_ERROR) return 'the server threw (500 - Internal Server Error)';
  if (request.malformed) {
    return (status >= 200 && status <= 599) || (status === 101 && request.upgrade)
      ? null
      : `status ${status}`;
  }
  if (platformAnswer(request, outcome, caps)) return null;
  if (request.hugeDeclaredBody && status === 413) return null;
  if (request.place === 'outside' && status !== 404) return `a path outside every prefix answered ${status}`;
  const head = request.method === 'HEAD';
  switch (status) {
    case 101:
      return request.upgrade ? null : 'upgraded without a complete WebSocket handshake';
    case 200:
      return checkOk(request, body);
    case 204:
    case 304:
      return null;
    case 404:
      return head || body === NOT_FOUND ? null : `404 with body ${JSON.stringify(body.slice(0, 100))}`;
    case 405:
      if (outcome.headers('allow') === undefined) return '405 without Allow';
      return body === '' ? null : `405 with a body ${JSON.stringify(body.slice(0, 100))}`;
    default: {
      const documented = DOCUMENTED[status];
      if (documented === undefined)
        return `undocumented status ${status} (${JSON.stringify(body.slice(0, 100))})`;
      if (head || documented.includes(body)) return null;
      return `${status} with an undocumented body ${JSON.stringify(body.slice(0, 100))}`;
    }
  }
}

/** A short description of a request, for failure messages. */
export function describeRequest(request: FuzzRequest): string {
  const target =
    request.target.length > 160
      ? `${request.target.slice(0, 160)}…(${request.target.length})`
      : request.target;
  const headers = request.headers.map(
    ([name, value]) => `${name}: ${value.length > 60 ? `${value.slice(0, 60)}…(${value.length})` : value}`,
  );
  return `${request.method} ${target} [${headers.join(' | ')}] body ${request.body.length} bytes${
    request.body.length > 0 && request.body.length < 120
      ? ` ${JSON.stringify(request.body.toString('latin1'))}`
      : ''
  }`;
}

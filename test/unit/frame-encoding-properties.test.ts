/**
 * Property tests (fast-check) of how messages are encoded for the client, over arbitrary
 * strings: full Unicode including lone surrogates, `</script>`, `<!--`, U+2028/2029, `%`,
 * CR/LF/NUL. The transport framings are read from a real in-process server (an echo service,
 * driven through `fetch` with real Requests), so what is checked is what a client receives.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import fc from 'fast-check';
import { SockJSServer } from '../../src/index.ts';
import { escapeForEventSource, escapeForScript, quote } from '../../src/protocol/escape.ts';
import { messageFrame, parseClientPayload, SharedMessage } from '../../src/protocol/frames.ts';

const RUNS = 300;

/** Pieces that have broken SockJS servers or their clients, mixed into arbitrary text. */
const TRICKY = [
  '</script>',
  '</SCRIPT >',
  '<!--',
  '-->',
  '<',
  '>',
  '&',
  '&amp;',
  '\u2028',
  '\u2029',
  '%',
  '%25',
  '%0A',
  '%E2',
  '\r',
  '\n',
  '\r\n',
  '\0',
  '"',
  '\\',
  '\\u0000',
  '\u0085',
  '\u200c',
  '\ufeff',
  '\uffff',
  '😀',
] as const;

/** One UTF-16 code unit from the surrogate range: half of a pair, alone. */
const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((code) => String.fromCharCode(code));

/** Strings of any code point, lone surrogates and the tricky pieces above. */
const text = fc.string({
  unit: fc.oneof(
    { weight: 4, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
    { weight: 2, arbitrary: fc.constantFrom(...TRICKY) },
    { weight: 1, arbitrary: loneSurrogate },
    { weight: 1, arbitrary: fc.string({ unit: 'binary-ascii', minLength: 1, maxLength: 1 }) },
  ),
  maxLength: 40,
});

/** Characters the server must never send raw in a JSON string (PROTOCOL.md 1.6). */
const SERVER_ESCAPABLE = /[\x00-\x1f\ud800-\udfff\u200c-\u200f\u2028-\u202f\u2060-\u206f\ufff0-\uffff]/;

describe('encoding properties (pure functions)', () => {
  it('quote(s) is valid JSON for s, with every character of the server escape set escaped', () => {
    fc.assert(
      fc.property(text, (s) => {
        const quoted = quote(s);
        assert.equal(JSON.parse(quoted), s);
        assert.doesNotMatch(quoted, SERVER_ESCAPABLE);
      }),
      { numRuns: RUNS * 3 },
    );
  });

  it('messageFrame(batch) is "a" + a JSON array that parses back to the batch', () => {
    fc.assert(
      fc.property(fc.array(text, { minLength: 1, maxLength: 5 }), (batch) => {
        const frame = messageFrame(batch);
        assert.equal(frame[0], 'a');
        assert.deepEqual(JSON.parse(frame.slice(1)), batch);
        assert.doesNotMatch(frame, SERVER_ESCAPABLE);
      }),
      { numRuns: RUNS * 3 },
    );
  });

  it('a batch with published (shared) messages makes the same frame as the same texts sent one by one', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(text, fc.boolean()), { minLength: 1, maxLength: 5 }), (items) => {
        const mixed = items.map(([message, shared]) => (shared ? new SharedMessage(message) : message));
        assert.equal(messageFrame(mixed), messageFrame(items.map(([message]) => message)));
      }),
      { numRuns: RUNS * 3 },
    );
  });

  it('escapeForScript leaves no < > & U+2028 U+2029 and the same JSON value', () => {
    fc.assert(
      fc.property(text, (s) => {
        const json = escapeForScript(JSON.stringify(s));
        assert.doesNotMatch(json, /[<>&\u2028\u2029]/);
        assert.equal(JSON.parse(json), s);
      }),
      { numRuns: RUNS * 3 },
    );
  });

  it('escapeForEventSource leaves no % that is not an escape, and no CR, LF or NUL; decodeURI restores it', () => {
    fc.assert(
      fc.property(text, (s) => {
        // What the transport escapes is always a frame: server-escaped JSON, so no surrogates.
        const frame = messageFrame([s]);
        const line = escapeForEventSource(frame);
        assert.doesNotMatch(line, /[\r\n\0]/);
        assert.doesNotMatch(line, /%(?![0-9A-F]{2})/);
        assert.equal(decodeURI(line), frame);
      }),
      { numRuns: RUNS * 3 },
    );
  });

  it('parseClientPayload never throws, and accepts exactly the JSON the client may send', () => {
    const body = fc.oneof(
      text,
      fc.json(),
      fc.array(text).map((messages) => JSON.stringify(messages)),
      fc.jsonValue().map((value) => JSON.stringify(value)),
    );
    fc.assert(
      fc.property(body, fc.boolean(), (payload, websocket) => {
        const parsed = parseClientPayload(payload, websocket);
        if (!parsed.ok) {
          assert.ok(['empty', 'broken', 'not-array'].includes(parsed.error));
          return;
        }
        for (const message of parsed.messages) assert.equal(typeof message, 'string');
        const value: unknown = JSON.parse(payload);
        assert.ok(websocket || Array.isArray(value), 'xhr_send takes arrays only');
        if (Array.isArray(value) && value.every((item) => typeof item === 'string')) {
          assert.deepEqual(parsed.messages, value);
        }
      }),
      { numRuns: RUNS * 3 },
    );
  });
});

describe('encoding properties (what a client receives from a server)', () => {
  const echo = new SockJSServer({ prefix: '/echo', disconnectDelay: 50 });
  echo.addEventListener('message', ({ connection, data }) => connection.send(data));
  const base = 'http://sockjs.example';
  let sessions = 0;
  const session = () => `${base}/echo/000/p${++sessions}`;
  const send = async (url: string, message: string) => {
    const response = await echo.fetch(
      new Request(`${url}/xhr_send`, { method: 'POST', body: JSON.stringify([message]) }),
    );
    assert.equal(response.status, 204);
  };
  after(() => echo.closeAll());

  /** Reads a streaming response chunk by chunk: the server writes one chunk per frame. */
  const chunks = (response: Response) => {
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    return {
      async next(): Promise<string> {
        const { done, value } = await reader.read();
        assert.equal(done, false, 'the stream ended');
        return decoder.decode(value);
      },
      cancel: () => reader.cancel(),
    };
  };

  it('htmlfile: the argument of p(...) holds no < > & and parses to the frame the message makes', async () => {
    await fc.assert(
      fc.asyncProperty(text, async (message) => {
        const url = session();
        const stream = chunks(await echo.fetch(new Request(`${url}/htmlfile?c=callback`)));
        try {
          await stream.next(); // the document head
          assert.equal(await stream.next(), '<script>\np("o");\n</script>\r\n');
          await send(url, message);
          const script = /^<script>\np\((.*)\);\n<\/script>\r\n$/s.exec(await stream.next());
          assert.ok(script !== null, 'one <script> block per frame');
          const argument = script[1]!;
          assert.doesNotMatch(argument, /[<>&\u2028\u2029]/);
          const frame = JSON.parse(argument) as string;
          assert.equal(frame, messageFrame([message]));
          assert.deepEqual(JSON.parse(frame.slice(1)), [message]);
        } finally {
          await stream.cancel();
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('jsonp: the callback argument holds no < > & and parses to the frame the message makes', async () => {
    await fc.assert(
      fc.asyncProperty(text, async (message) => {
        const url = session();
        const poll = async () => (await echo.fetch(new Request(`${url}/jsonp?c=callback`))).text();
        assert.equal(await poll(), '/**/callback("o");\r\n');
        const form = `d=${encodeURIComponent(JSON.stringify([message]))}`;
        const sent = await echo.fetch(
          new Request(`${url}/jsonp_send`, {
            method: 'POST',
            headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
            body: form,
          }),
        );
        assert.equal(await sent.text(), 'ok');
        const body = /^\/\*\*\/callback\((.*)\);\r\n$/s.exec(await poll());
        assert.ok(body !== null, 'one callback call');
        const argument = body[1]!;
        assert.doesNotMatch(argument, /[<>&\u2028\u2029]/);
        const frame = JSON.parse(argument) as string;
        assert.equal(frame, messageFrame([message]));
        assert.deepEqual(JSON.parse(frame.slice(1)), [message]);
      }),
      { numRuns: RUNS },
    );
  });

  it('eventsource: the data line has no raw CR, LF or NUL and decodes (decodeURI, as the client does) to the frame', async () => {
    await fc.assert(
      fc.asyncProperty(text, async (message) => {
        const url = session();
        const stream = chunks(await echo.fetch(new Request(`${url}/eventsource`)));
        try {
          assert.equal(await stream.next(), '\r\n');
          assert.equal(await stream.next(), 'data: o\r\n\r\n');
          await send(url, message);
          const event = /^data: ([^\r\n\0]*)\r\n\r\n$/.exec(await stream.next());
          assert.ok(event !== null, 'one event per frame, on one line');
          const frame = decodeURI(event[1]!);
          assert.equal(frame, messageFrame([message]));
          assert.deepEqual(JSON.parse(frame.slice(1)), [message]);
        } finally {
          await stream.cancel();
        }
      }),
      { numRuns: RUNS },
    );
  });
});

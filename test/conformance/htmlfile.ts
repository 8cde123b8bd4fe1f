/** PROTOCOL.md 1.8 htmlfile (`HtmlFile`) and the 1.6 htmlfile escaping. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  assertError,
  assertNoCache,
  chunkPhrase,
  type FrameReader,
  get,
  type SuiteContext,
  sessionBase,
  stream,
  TEXT_HTML,
  xhrSend,
} from './common.ts';

/** The htmlfile document head of PROTOCOL.md 1.8 (386 characters with the placeholder). */
const HTMLFILE_TEMPLATE = `
<!doctype html>
<html><head>
  <meta http-equiv="X-UA-Compatible" content="IE=edge" />
  <meta http-equiv="Content-Type" content="text/html; charset=UTF-8" />
</head><body><h2>Don't panic!</h2>
  <script>
    document.domain = document.domain;
    var c = parent.{{ callback }};
    c.start();
    function p(d) {c.message(d);};
    window.onload = function() {c.stop();};
  </script>
`;

/** The first chunk: template, 651 spaces of padding, CRLF CRLF (1027 + callback length bytes). */
export function htmlfilePrelude(callback: string): string {
  return HTMLFILE_TEMPLATE.replace('{{ callback }}', callback) + ' '.repeat(651) + '\r\n\r\n';
}

/** `<script>\np(<JSON string>);\n</script>\r\n` for a frame, as sockjs-node writes it. */
export function htmlfileFrame(frame: string): string {
  return `<script>\np(${JSON.stringify(frame)});\n</script>\r\n`;
}

const SCRIPT_CHUNK = /^<script>\np\((.*)\);\n<\/script>\r\n$/s;

/** The argument of `p(...)` in an htmlfile chunk, as raw source text. */
export function htmlfilePayload(chunk: string): string {
  const match = SCRIPT_CHUNK.exec(chunk);
  assert.ok(match !== null, `an htmlfile frame chunk: ${JSON.stringify(chunk)}`);
  return match[1]!;
}

export function defineHtmlFileTests(ctx: SuiteContext): void {
  async function openHtmlFile(
    base: string,
    query: string,
    headers?: Record<string, string>,
  ): Promise<FrameReader> {
    const response = await stream(ctx.url, 'GET', `${base}/htmlfile?${query}`, { headers });
    try {
      assert.equal(response.status, 200, `GET S/htmlfile?${query}`);
      return ctx.frames(response, 'htmlfile');
    } catch (error) {
      response.abort();
      throw error;
    }
  }

  describe('htmlfile (1.8 HtmlFile)', () => {
    it(`sends the padded HTML prelude, then one <script>p("...")</script> ${chunkPhrase(ctx, 'chunk per frame')} (test_transport)`, async () => {
      const base = sessionBase('/echo');
      const frames = await openHtmlFile(base, 'c=%63allback');
      const response = frames.response;
      try {
        assert.equal(response.header('content-type'), TEXT_HTML);
        assertNoCache(response);
        const prelude = await frames.next();
        assert.equal(prelude.trim(), HTMLFILE_TEMPLATE.replace('{{ callback }}', 'callback').trim());
        assert.ok(prelude.length > 1024, `prelude longer than 1 KiB (got ${prelude.length})`);
        assert.equal(prelude.length, 1027 + 'callback'.length, 'prelude size is 1027 + callback length');
        assert.equal(
          prelude,
          htmlfilePrelude('callback'),
          'prelude is the template, 651 spaces and CRLF CRLF',
        );

        assert.equal(await frames.next(), '<script>\np("o");\n</script>\r\n');
        const sent = await xhrSend(ctx.url, base, '["x"]');
        assert.equal(sent.status, 204);
        assert.equal(sent.body.length, 0);
        assert.equal(await frames.next(), '<script>\np("a[\\"x\\"]");\n</script>\r\n');
      } finally {
        response.abort();
      }
    });

    it('pads the prelude to 1027 + callback length bytes (1029 for "cb")', async () => {
      const frames = await openHtmlFile(sessionBase('/echo'), 'c=cb');
      try {
        const prelude = Buffer.from(await frames.next());
        assert.equal(prelude.length, 1029);
        assert.equal(prelude.toString(), htmlfilePrelude('cb'));
      } finally {
        frames.abort();
      }
    });

    it('takes the callback from "callback" too, with "c" taking precedence', async () => {
      let frames = await openHtmlFile(sessionBase('/echo'), 'callback=viaCallback');
      try {
        assert.equal(await frames.next(), htmlfilePrelude('viaCallback'));
      } finally {
        frames.abort();
      }
      frames = await openHtmlFile(sessionBase('/echo'), 'callback=loser&c=winner');
      try {
        assert.equal(await frames.next(), htmlfilePrelude('winner'));
      } finally {
        frames.abort();
      }
    });

    it('accepts callbacks longer than 32 characters (no length limit for htmlfile)', async () => {
      const callback = 'a'.repeat(40);
      const frames = await openHtmlFile(sessionBase('/echo'), `c=${callback}`);
      try {
        assert.equal(await frames.next(), htmlfilePrelude(callback));
      } finally {
        frames.abort();
      }
    });

    it('answers a missing callback with 500 "\\"callback\\" parameter required" (test_no_callback)', async () => {
      assertError(
        await get(ctx.url, '/echo/a/a/htmlfile'),
        500,
        '"callback" parameter required',
        'no callback',
      );
    });

    it('answers a callback with characters outside [a-zA-Z0-9-_.] with 500 "invalid \\"callback\\" parameter" (test_invalid_callback)', async () => {
      for (const callback of ['%20', '*', 'abc(', 'abc%28']) {
        const response = await get(ctx.url, `/echo/a/a/htmlfile?c=${callback}`);
        assertError(response, 500, 'invalid "callback" parameter', `callback ${callback}`);
      }
    });

    it('ends the response after one 4096-character message (test_response_limit)', async () => {
      const base = sessionBase('/echo');
      const frames = await openHtmlFile(base, 'c=callback');
      try {
        assert.ok((await frames.next()).length > 1024, 'prelude');
        assert.equal(await frames.next(), '<script>\np("o");\n</script>\r\n');
        const message = 'x'.repeat(4096);
        assert.equal((await xhrSend(ctx.url, base, `["${message}"]`)).status, 204);
        assert.equal(await frames.next(), `<script>\np("a[\\"${message}\\"]");\n</script>\r\n`);
        await frames.assertEnded('htmlfile after 4096 bytes');
      } finally {
        frames.abort();
      }
    });

    it('sends no CORS headers', async () => {
      const { response } = await openHtmlFile(sessionBase('/echo'), 'c=cb', { Origin: 'http://example.com' });
      try {
        assert.equal(response.hasHeader('access-control-allow-origin'), false);
        assert.equal(response.hasHeader('access-control-allow-credentials'), false);
      } finally {
        response.abort();
      }
    });

    it('escapes <, >, &, U+2028 and U+2029 as lowercase \\u escapes so "</script>" cannot break out', async () => {
      const base = sessionBase('/echo');
      const frames = await openHtmlFile(base, 'c=cb');
      try {
        await frames.next();
        assert.equal(await frames.next(), '<script>\np("o");\n</script>\r\n');
        const message = '</script><script>alert(1)</script>&amp;\u2028\u2029';
        assert.equal((await xhrSend(ctx.url, base, JSON.stringify([message]))).status, 204);
        const payload = htmlfilePayload(await frames.next());
        assert.doesNotMatch(payload, /[<>&\u2028\u2029]/, `no raw <, >, &, U+2028, U+2029 in ${payload}`);
        assert.ok(!payload.includes('</script'), 'no "</script" in the payload');
        assert.ok(
          payload.includes('\\u003c/script\\u003e'),
          `"<" and ">" escaped as \\u003c, \\u003e: ${payload}`,
        );
        assert.ok(payload.includes('\\u0026amp;'), `"&" escaped as \\u0026: ${payload}`);
        const frame: unknown = JSON.parse(payload);
        assert.equal(typeof frame, 'string', 'the p() argument is a JS string');
        assert.equal((frame as string)[0], 'a');
        assert.deepEqual(
          JSON.parse((frame as string).slice(1)),
          [message],
          'the JS value decodes to the message',
        );
      } finally {
        frames.abort();
      }
    });
  });
}

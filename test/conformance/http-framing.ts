/** PROTOCOL.md 1.9 (`Http10`, `Http11`), 1.10 harness framing rule, `HttpQuirks`. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type CompleteResponse, HttpConnection } from '../support/raw-http.ts';
import {
  assertEnded,
  GO_AWAY,
  get,
  nextFrame,
  PRELUDE_XHR_STREAMING,
  post,
  request,
  type SuiteContext,
  sessionBase,
} from './common.ts';

const GREETING = 'Welcome to SockJS!\n';

/** The harness needs Content-Length, chunked encoding or `Connection: close` to find the end. */
function assertDelimited(response: CompleteResponse, what: string): void {
  const framing = response.raw.framing;
  const close = (response.header('connection') ?? '')
    .toLowerCase()
    .split(',')
    .map((token) => token.trim());
  assert.ok(
    framing === 'content-length' || framing === 'chunked' || close.includes('close'),
    `${what}: body delimited by Content-Length, chunked or Connection: close (framing ${framing})`,
  );
}

export function defineHttpFramingTests(ctx: SuiteContext): void {
  const http10Note = ctx.caps.http10
    ? ''
    : ' [http10=false: HTTP/1.1 framing; body bytes, delimiting, reuse]';

  /**
   * `Http10.test_synchronous` where the platform answers HTTP/1.0 as HTTP/1.1 and keeps the
   * connection (`TargetCapabilities.http10`): the exact greeting, delimited by Content-Length,
   * and the kept connection answering a second HTTP/1.0 request.
   */
  async function http10SynchronousAsServed(): Promise<void> {
    const connection = await HttpConnection.open(ctx.url);
    try {
      for (const attempt of ['first', 'second']) {
        const response = await connection.request({
          path: '/echo',
          httpVersion: '1.0',
          headers: { Connection: 'Keep-Alive' },
        });
        assert.equal(response.status, 200, `${attempt} request: status`);
        assert.equal(
          response.hasHeader('transfer-encoding'),
          false,
          `${attempt} request: no Transfer-Encoding`,
        );
        assert.equal(response.header('content-length'), '19', `${attempt} request: Content-Length`);
        assert.equal(await response.text(), GREETING, `${attempt} request: body`);
      }
    } finally {
      connection.destroy();
    }
  }

  /**
   * `Http10.test_streaming`: no Content-Length, the exact bytes of the prelude, the open frame and
   * the close frame, then the end of the body. Strictly (`TargetCapabilities.http10`): no
   * Transfer-Encoding, and the socket closes. Otherwise the platform may use chunked encoding for
   * HTTP/1.0: the body ends with the last chunk, or with the socket closing for an unframed body.
   */
  async function http10Streaming(strict: boolean): Promise<void> {
    const connection = await HttpConnection.open(ctx.url);
    try {
      const response = await connection.request({
        method: 'POST',
        path: `${sessionBase('/close')}/xhr_streaming`,
        httpVersion: '1.0',
        headers: { Connection: 'Keep-Alive' },
      });
      assert.equal(response.status, 200);
      if (strict) {
        assert.equal(response.hasHeader('transfer-encoding'), false, 'no Transfer-Encoding for HTTP/1.0');
      }
      assert.equal(response.hasHeader('content-length'), false, 'no Content-Length on a stream');
      if (!strict) {
        assert.ok(
          response.framing === 'chunked' || response.framing === 'eof',
          `body delimited by chunked encoding or the end of the connection (framing ${response.framing})`,
        );
      }
      assert.equal((await response.readBytes(2049)).toString(), PRELUDE_XHR_STREAMING);
      assert.equal((await response.readBytes(2)).toString(), 'o\n');
      assert.equal((await response.readBytes(19)).toString(), `${GO_AWAY}\n`);
      await assertEnded(response, 'HTTP/1.0 stream');
      if (strict || response.framing === 'eof') await connection.waitForClose();
    } finally {
      connection.destroy();
    }
  }

  describe('HTTP framing (1.9 Http10, Http11)', () => {
    it(`HTTP/1.0 greeting: no Transfer-Encoding; Content-Length 19 (keep-alive works) or Connection: close (Http10.test_synchronous)${http10Note}`, async () => {
      if (!ctx.caps.http10) return http10SynchronousAsServed();
      const connection = await HttpConnection.open(ctx.url);
      try {
        const response = await connection.request({
          path: '/echo',
          httpVersion: '1.0',
          headers: { Connection: 'Keep-Alive' },
        });
        assert.equal(response.status, 200);
        assert.ok(['1.0', '1.1'].includes(response.httpVersion), `HTTP version ${response.httpVersion}`);
        assert.equal(response.hasHeader('transfer-encoding'), false, 'no Transfer-Encoding for HTTP/1.0');
        const length = response.header('content-length');
        const connectionHeader = (response.header('connection') ?? '').toLowerCase();
        if (length === undefined) {
          assert.equal(connectionHeader, 'close');
          assert.equal(await response.text(), GREETING);
          await connection.waitForClose();
        } else {
          assert.equal(length, '19');
          assert.equal(await response.text(), GREETING);
          if (connectionHeader === 'close' || connectionHeader === '') {
            await connection.waitForClose();
          } else {
            assert.equal(connectionHeader, 'keep-alive');
            const again = await connection.request({
              path: '/echo',
              httpVersion: '1.0',
              headers: { Connection: 'Keep-Alive' },
            });
            assert.equal(again.status, 200);
            assert.equal(await again.text(), GREETING);
          }
        }
      } finally {
        connection.destroy();
      }
    });

    it(`HTTP/1.0 streaming: no Transfer-Encoding or Content-Length, raw frames, then the socket closes (Http10.test_streaming)${http10Note}`, async () => {
      await http10Streaming(ctx.caps.http10);
    });

    it('HTTP/1.1 greeting: Content-Length or chunked, and a second request on the same connection (Http11.test_synchronous)', async () => {
      const connection = await HttpConnection.open(ctx.url);
      try {
        const response = await connection.request({ path: '/echo', headers: { Connection: 'Keep-Alive' } });
        assert.equal(response.status, 200);
        assert.equal(response.httpVersion, '1.1');
        const connectionHeader = (response.header('connection') ?? '').toLowerCase();
        assert.ok(['keep-alive', ''].includes(connectionHeader), `Connection: ${connectionHeader}`);
        if (response.hasHeader('content-length')) {
          assert.equal(response.header('content-length'), '19');
          assert.equal(response.hasHeader('transfer-encoding'), false);
          assert.equal(await response.text(), GREETING);
        } else {
          assert.equal(response.header('transfer-encoding')?.toLowerCase(), 'chunked');
          assert.equal(await nextFrame(response), GREETING);
          await assertEnded(response);
        }
        const again = await connection.request({ path: '/echo', headers: { Connection: 'Keep-Alive' } });
        assert.equal(again.status, 200);
        assert.equal(await again.text(), GREETING);
      } finally {
        connection.destroy();
      }
    });

    it(`HTTP/1.1 streaming: chunked, no Content-Length, ${ctx.caps.chunking === 'per-frame' ? 'chunks' : 'frames'} prelude, "o\\n", close frame, then the last chunk (Http11.test_streaming)`, async () => {
      const connection = await HttpConnection.open(ctx.url);
      try {
        const response = await connection.request({
          method: 'POST',
          path: `${sessionBase('/close')}/xhr_streaming`,
          headers: { Connection: 'Keep-Alive', 'Content-Length': '0' },
        });
        assert.equal(response.status, 200);
        assert.equal(response.header('transfer-encoding')?.toLowerCase(), 'chunked');
        assert.equal(response.hasHeader('content-length'), false);
        const frames = ctx.frames(response, 'xhr');
        assert.equal(await frames.next(), PRELUDE_XHR_STREAMING);
        assert.equal(await frames.next(), 'o\n');
        assert.equal(await frames.next(), `${GO_AWAY}\n`);
        await frames.assertEnded('terminating zero-length chunk');
      } finally {
        connection.destroy();
      }
    });

    it('drives a whole polling session over one keep-alive connection', async () => {
      const connection = await HttpConnection.open(ctx.url);
      try {
        const base = sessionBase('/echo');
        const exchange = async (path: string, body: string) => {
          const response = await connection.request({
            method: 'POST',
            path,
            headers: { 'Content-Length': String(body.length) },
            body,
          });
          return { status: response.status, text: await response.text() };
        };
        assert.deepEqual(await exchange(`${base}/xhr`, ''), { status: 200, text: 'o\n' });
        assert.deepEqual(await exchange(`${base}/xhr_send`, '["k"]'), { status: 204, text: '' });
        assert.deepEqual(await exchange(`${base}/xhr`, ''), { status: 200, text: 'a["k"]\n' });
      } finally {
        connection.destroy();
      }
    });

    it('accepts a POST without Content-Length (HttpQuirks.test_emptyContentLengthForPost)', async () => {
      const response = await post(ctx.url, `${sessionBase('/echo')}/xhr`, { contentLength: false });
      assert.equal(response.status, 200);
      assert.equal(response.text, 'o\n');
    });

    it('delimits every response body with Content-Length, chunked encoding or Connection: close', async () => {
      const base = sessionBase('/echo');
      const responses: Array<[string, CompleteResponse]> = [
        ['greeting', await get(ctx.url, '/echo')],
        ['404', await get(ctx.url, '/echo/a')],
        ['405', await get(ctx.url, `${base}/xhr`)],
        ['/info', await get(ctx.url, '/echo/info')],
        ['iframe', await get(ctx.url, '/echo/iframe.html')],
        ['xhr', await post(ctx.url, `${base}/xhr`)],
        ['500', await post(ctx.url, `${base}/xhr_send`, { body: '' })],
        ['400', await get(ctx.url, `${base}/websocket`)],
        ['jsonp', await get(ctx.url, `${sessionBase('/echo')}/jsonp?c=x`)],
        ['jsonp error', await get(ctx.url, `${sessionBase('/echo')}/jsonp`)],
        ['DELETE 405', await request(ctx.url, 'DELETE', '/echo/info')],
      ];
      for (const [what, response] of responses) assertDelimited(response, what);
    });
  });
}

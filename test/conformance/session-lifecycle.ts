/** PROTOCOL.md 1.5 (frames) and 1.7 (session lifecycle): `Protocol`, `HandlingClose`. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HttpConnection } from '../support/raw-http.ts';
import {
  ANOTHER_CONNECTION,
  assertEnded,
  assertNotFound,
  CONNECTION_INTERRUPTED,
  delay,
  GO_AWAY,
  nextFrame,
  openSession,
  PRELUDE_XHR_STREAMING,
  poll,
  type SuiteContext,
  sessionBase,
  stream,
  xhrSend,
} from './common.ts';

/** How long the protocol suite waits before sending a parallel poll ("register receivers immediately"). */
const PARALLEL_POLL_DELAY_MS = 250;
/** Time for the server to notice a connection the client dropped. */
const ABORT_NOTICE_MS = 100;

export function defineSessionLifecycleTests(ctx: SuiteContext): void {
  /** Starts `POST S/xhr` without waiting for its answer (a poll waiting for data). */
  async function pendingPoll(base: string): Promise<HttpConnection> {
    const connection = await HttpConnection.open(ctx.url);
    connection.send({ method: 'POST', path: `${base}/xhr`, headers: { 'Content-Length': '0' } });
    return connection;
  }

  describe('session lifecycle (1.7 Protocol, HandlingClose)', () => {
    it('opens a session with "o", echoes messages, and 404s xhr_send to an unknown session (test_simpleSession)', async () => {
      const base = sessionBase('/echo');
      assert.equal(await poll(ctx.url, base), 'o\n');
      const sent = await xhrSend(ctx.url, base, '["a"]');
      assert.equal(sent.status, 204);
      assert.equal(sent.body.length, 0);
      assert.equal(await poll(ctx.url, base), 'a["a"]\n');
      assertNotFound(
        await xhrSend(ctx.url, '/echo/000/bad_session', '["a"]'),
        'xhr_send to /000/bad_session',
      );
    });

    it('answers a second concurrent poll with c[2010,"Another connection still open"] and leaves the first one untouched', async () => {
      const base = await openSession(ctx.url);
      const first = await pendingPoll(base);
      try {
        await delay(PARALLEL_POLL_DELAY_MS);
        assert.equal(await poll(ctx.url, base), `${ANOTHER_CONNECTION}\n`);
        assert.equal((await xhrSend(ctx.url, base, '["still here"]')).status, 204);
        const response = await first.readResponse();
        assert.equal(response.status, 200);
        assert.equal(await response.text(), 'a["still here"]\n', 'the first poll is still the receiver');
      } finally {
        first.destroy();
      }
    });

    it('repeats the close frame to every later poll while the session is closing (test_closeSession)', async () => {
      const base = sessionBase('/close');
      assert.equal(await poll(ctx.url, base), 'o\n');
      assert.equal(await poll(ctx.url, base), `${GO_AWAY}\n`);
      assert.equal(await poll(ctx.url, base), `${GO_AWAY}\n`);
    });

    it('drops messages sent to a closing session but still answers xhr_send with 204', async () => {
      const base = sessionBase('/close');
      assert.equal(await poll(ctx.url, base), 'o\n');
      assert.equal((await xhrSend(ctx.url, base, '["late"]')).status, 204);
      assert.equal(await poll(ctx.url, base), `${GO_AWAY}\n`, 'the message was not delivered');
    });

    it('ends a streaming receiver after the close frame, and gives the next one prelude + close frame (test_close_frame)', async () => {
      const base = sessionBase('/close');
      const first = await stream(ctx.url, 'POST', `${base}/xhr_streaming`);
      try {
        assert.equal(await nextFrame(first), PRELUDE_XHR_STREAMING);
        assert.equal(await nextFrame(first), 'o\n');
        assert.equal(await nextFrame(first), `${GO_AWAY}\n`);
        const second = await stream(ctx.url, 'POST', `${base}/xhr_streaming`);
        try {
          assert.equal(await nextFrame(second), PRELUDE_XHR_STREAMING);
          assert.equal(
            await nextFrame(second),
            `${GO_AWAY}\n`,
            'a later receiver gets the close frame, not 2010',
          );
          await assertEnded(first, 'first stream');
          await assertEnded(second, 'second stream');
        } finally {
          second.abort();
        }
      } finally {
        first.abort();
      }
    });

    it('gives a second concurrent stream its prelude, c[2010,...] and the end of the response (test_close_request)', async () => {
      const base = sessionBase('/echo');
      const first = await stream(ctx.url, 'POST', `${base}/xhr_streaming`);
      try {
        assert.equal(await nextFrame(first), PRELUDE_XHR_STREAMING);
        assert.equal(await nextFrame(first), 'o\n');
        const second = await stream(ctx.url, 'POST', `${base}/xhr_streaming`);
        try {
          assert.equal(await nextFrame(second), PRELUDE_XHR_STREAMING);
          assert.equal(await nextFrame(second), `${ANOTHER_CONNECTION}\n`);
          await assertEnded(second, 'second stream');
        } finally {
          second.abort();
        }
        assert.equal((await xhrSend(ctx.url, base, '["x"]')).status, 204);
        assert.equal(await nextFrame(first), 'a["x"]\n', 'the first stream is untouched');
      } finally {
        first.abort();
      }
    });

    it('after a stream is aborted by the client, the next receiver gets "o" or c[1002,...], never 2010 (test_abort_xhr_streaming)', async () => {
      const base = sessionBase('/echo');
      const first = await stream(ctx.url, 'POST', `${base}/xhr_streaming`);
      try {
        await nextFrame(first);
        assert.equal(await nextFrame(first), 'o\n');
        const second = await stream(ctx.url, 'POST', `${base}/xhr_streaming`);
        try {
          await nextFrame(second);
          assert.equal(await nextFrame(second), `${ANOTHER_CONNECTION}\n`);
          await assertEnded(second, 'second stream');
        } finally {
          second.abort();
        }
      } finally {
        first.abort();
      }
      await delay(ABORT_NOTICE_MS);
      const third = await stream(ctx.url, 'POST', `${base}/xhr_streaming`);
      try {
        assert.equal(await nextFrame(third), PRELUDE_XHR_STREAMING);
        const frame = await nextFrame(third);
        assert.ok(['o\n', `${CONNECTION_INTERRUPTED}\n`].includes(frame), `got ${JSON.stringify(frame)}`);
      } finally {
        third.abort();
      }
    });

    it('after a poll is aborted by the client, the next poll gets "o" or c[1002,...], never 2010 (test_abort_xhr_polling)', async () => {
      const base = await openSession(ctx.url);
      const first = await pendingPoll(base);
      try {
        await delay(PARALLEL_POLL_DELAY_MS);
        assert.equal(await poll(ctx.url, base), `${ANOTHER_CONNECTION}\n`);
      } finally {
        first.destroy();
      }
      await delay(ABORT_NOTICE_MS);
      const body = await poll(ctx.url, base);
      assert.ok(['o\n', `${CONNECTION_INTERRUPTED}\n`].includes(body), `got ${JSON.stringify(body)}`);
    });
  });
}

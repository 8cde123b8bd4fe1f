/** PROTOCOL.md 1.5 (frames) and 1.7 (session lifecycle): `Protocol`, `HandlingClose`. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HttpConnection } from '../support/raw-http.ts';
import {
  ANOTHER_CONNECTION,
  assertNotFound,
  CONNECTION_INTERRUPTED,
  delay,
  type FrameReader,
  GO_AWAY,
  openSession,
  PRELUDE_XHR_STREAMING,
  poll,
  SHORT_DISCONNECT_MS,
  SHORT_HEARTBEAT_MS,
  type SuiteContext,
  sessionBase,
  stream,
  xhrSend,
} from './common.ts';

/** How long the protocol suite waits before sending a parallel poll ("register receivers immediately"). */
const PARALLEL_POLL_DELAY_MS = 250;
/** The same on the short-timer server: well inside the first heartbeat, which ends a pending poll. */
const SHORT_PARALLEL_POLL_DELAY_MS = SHORT_HEARTBEAT_MS / 4;
/** Time for the server to notice a connection the client dropped (`promptAbortDetection`). */
const ABORT_NOTICE_MS = 100;
/*
 * Without prompt abort detection, on the short-timer server, a dropped receiver is exposed by
 * heartbeats: a dead stream's writes fail within two heartbeats (then the session is closing
 * with c[1002] for the disconnect delay, then gone); a dead poll is ended by the first heartbeat
 * like any poll (the platform never reports it), and the session, left without a receiver,
 * expires after the disconnect delay. Each wait has a heartbeat to spare, and the stream's stays
 * inside the disconnect delay after exposure, so a server that let the dead stream go without
 * closing the session still fails (2010 or `h`).
 */
const DEAD_STREAM_EXPOSED_MS = 3 * SHORT_HEARTBEAT_MS;
const DEAD_POLL_EXPIRED_MS = 2 * SHORT_HEARTBEAT_MS + SHORT_DISCONNECT_MS;

export function defineSessionLifecycleTests(ctx: SuiteContext): void {
  /** Starts `POST S/xhr` without waiting for its answer (a poll waiting for data). */
  async function pendingPoll(url: string, base: string): Promise<HttpConnection> {
    const connection = await HttpConnection.open(url);
    connection.send({ method: 'POST', path: `${base}/xhr`, headers: { 'Content-Length': '0' } });
    return connection;
  }

  /** `POST S/xhr_streaming`, read frame by frame. */
  async function xhrStream(url: string, base: string): Promise<FrameReader> {
    return ctx.frames(await stream(url, 'POST', `${base}/xhr_streaming`), 'xhr');
  }

  /**
   * The server and the waits for the abort tests: the default server and a short wait where a
   * dropped connection is noticed at once, else the short-timer server and the time its
   * heartbeats (and, for a poll, its disconnect delay) need to expose the dead receiver.
   */
  async function abortSetup(receiver: 'stream' | 'poll'): Promise<{
    url: string;
    streamNotice: number;
    pollNotice: number;
    parallelPollDelay: number;
  }> {
    if (promptAbortDetection(receiver)) {
      return {
        url: ctx.url,
        streamNotice: ABORT_NOTICE_MS,
        pollNotice: ABORT_NOTICE_MS,
        parallelPollDelay: PARALLEL_POLL_DELAY_MS,
      };
    }
    return {
      url: await ctx.shortTimersUrl(),
      streamNotice: DEAD_STREAM_EXPOSED_MS,
      pollNotice: DEAD_POLL_EXPIRED_MS,
      parallelPollDelay: SHORT_PARALLEL_POLL_DELAY_MS,
    };
  }
  const promptAbortDetection = (receiver: 'stream' | 'poll') =>
    ctx.caps.promptAbortDetection === true ||
    (receiver === 'stream' && ctx.caps.promptAbortDetection === 'streams');
  const abortNote = (receiver: 'stream' | 'poll') =>
    promptAbortDetection(receiver)
      ? ''
      : ` [abort noticed on the next write: heartbeat ${SHORT_HEARTBEAT_MS} ms, disconnect ${SHORT_DISCONNECT_MS} ms]`;

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
      const first = await pendingPoll(ctx.url, base);
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
      const first = await xhrStream(ctx.url, base);
      try {
        assert.equal(await first.next(), PRELUDE_XHR_STREAMING);
        assert.equal(await first.next(), 'o\n');
        assert.equal(await first.next(), `${GO_AWAY}\n`);
        const second = await xhrStream(ctx.url, base);
        try {
          assert.equal(await second.next(), PRELUDE_XHR_STREAMING);
          assert.equal(
            await second.next(),
            `${GO_AWAY}\n`,
            'a later receiver gets the close frame, not 2010',
          );
          await first.assertEnded('first stream');
          await second.assertEnded('second stream');
        } finally {
          second.abort();
        }
      } finally {
        first.abort();
      }
    });

    it('gives a second concurrent stream its prelude, c[2010,...] and the end of the response (test_close_request)', async () => {
      const base = sessionBase('/echo');
      const first = await xhrStream(ctx.url, base);
      try {
        assert.equal(await first.next(), PRELUDE_XHR_STREAMING);
        assert.equal(await first.next(), 'o\n');
        const second = await xhrStream(ctx.url, base);
        try {
          assert.equal(await second.next(), PRELUDE_XHR_STREAMING);
          assert.equal(await second.next(), `${ANOTHER_CONNECTION}\n`);
          await second.assertEnded('second stream');
        } finally {
          second.abort();
        }
        assert.equal((await xhrSend(ctx.url, base, '["x"]')).status, 204);
        // Heartbeats aside: a server that probes a stream before answering 2010 writes `h` to it.
        let frame = await first.next();
        while (frame === 'h\n') frame = await first.next();
        assert.equal(frame, 'a["x"]\n', 'the first stream is untouched');
      } finally {
        first.abort();
      }
    });

    it(`after a stream is aborted by the client, the next receiver gets "o" or c[1002,...], never 2010 (test_abort_xhr_streaming)${abortNote('stream')}`, async () => {
      const { url, streamNotice } = await abortSetup('stream');
      const base = sessionBase('/echo');
      const first = await xhrStream(url, base);
      try {
        await first.next();
        assert.equal(await first.next(), 'o\n');
        const second = await xhrStream(url, base);
        try {
          await second.next();
          assert.equal(await second.next(), `${ANOTHER_CONNECTION}\n`);
          await second.assertEnded('second stream');
        } finally {
          second.abort();
        }
      } finally {
        first.abort();
      }
      await delay(streamNotice);
      const third = await xhrStream(url, base);
      try {
        assert.equal(await third.next(), PRELUDE_XHR_STREAMING);
        const frame = await third.next();
        assert.ok(['o\n', `${CONNECTION_INTERRUPTED}\n`].includes(frame), `got ${JSON.stringify(frame)}`);
      } finally {
        third.abort();
      }
    });

    it(`after a poll is aborted by the client, the next poll gets "o" or c[1002,...], never 2010 (test_abort_xhr_polling)${abortNote('poll')}`, async () => {
      const { url, pollNotice, parallelPollDelay } = await abortSetup('poll');
      const base = await openSession(url);
      const first = await pendingPoll(url, base);
      try {
        await delay(parallelPollDelay);
        assert.equal(await poll(url, base), `${ANOTHER_CONNECTION}\n`);
      } finally {
        first.destroy();
      }
      await delay(pollNotice);
      const body = await poll(url, base);
      assert.ok(['o\n', `${CONNECTION_INTERRUPTED}\n`].includes(body), `got ${JSON.stringify(body)}`);
    });
  });
}

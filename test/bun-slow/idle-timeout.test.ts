/**
 * Bun ends an HTTP response that stays idle for 10 s unless `server.timeout(req, 0)` lifts it
 * (the adapter's `keepAlive`). Its timer is coarse (Bun 1.4.4 cut quiet responses 10-14 s in,
 * and let an 11 s one through), so the heartbeat here is 15 s: a quiet poll and a quiet
 * xhr_streaming response must outlive the limit and still deliver the heartbeat frame. Slow
 * (~15 s), so it has a file of its own; everything in it runs in parallel.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { PRELUDE_XHR_STREAMING, poll, request, sessionBase, stream } from '../conformance/common.ts';
import { bunTarget, honoBunTarget } from '../support/runtime-targets.ts';
import type { RunningServer } from '../support/server-process.ts';

const HEARTBEAT_MS = 15_000;
const WAIT_MS = HEARTBEAT_MS + 4000;

describe("Bun's idle timeout", { concurrency: true }, () => {
  for (const target of [bunTarget, honoBunTarget]) {
    describe(`${target.name}: responses idle past Bun's 10 s timeout`, { concurrency: true }, () => {
      let server: RunningServer;
      before(async () => {
        server = await target.start({ SOCKJS_HEARTBEAT_DELAY: String(HEARTBEAT_MS) });
      });
      after(() => server?.stop());

      it(`a poll held ${HEARTBEAT_MS} ms ends with "h", not a reset`, async () => {
        const base = sessionBase('/echo');
        assert.equal(await poll(server.url, base), 'o\n');
        const started = Date.now();
        const response = await request(server.url, 'POST', `${base}/xhr`, { timeoutMs: WAIT_MS });
        assert.equal(response.status, 200);
        assert.equal(response.text, 'h\n');
        assert.ok(Date.now() - started >= HEARTBEAT_MS - 500, 'the poll was held for the heartbeat delay');
      });

      it(`an xhr_streaming response quiet for ${HEARTBEAT_MS} ms still gets "h"`, async () => {
        const base = sessionBase('/echo');
        const response = await stream(server.url, 'POST', `${base}/xhr_streaming`);
        try {
          let text = '';
          while (text.length < PRELUDE_XHR_STREAMING.length + 2) text += (await response.nextText()) ?? '';
          assert.equal(text, `${PRELUDE_XHR_STREAMING}o\n`);
          assert.equal(await response.nextText(WAIT_MS), 'h\n');
        } finally {
          response.abort();
        }
      });
    });
  }
});

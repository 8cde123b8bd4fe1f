/**
 * The pure parts of the Workers bounds: which session ids the Worker forwards, the admission
 * header the Worker sets (and strips from clients), and the send budget that stands in for
 * workerd's missing `bufferedAmount`. The same behaviour end to end: test/workers/bounds.test.ts.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import {
  ADMISSION_HEADER,
  forwardedRequest,
  trustedAuthorize,
} from '../../src/adapters/workers/admission.ts';
import { SendBudget } from '../../src/adapters/workers/send-budget.ts';
import { isValidSessionId } from '../../src/protocol/routes.ts';

describe('Workers session ids', () => {
  it('accepts what SockJS clients and the protocol suite send', () => {
    for (const id of [
      'abcdefgh',
      '0d5f3c2e-8f0a-4c57-9a3b-1f2e3d4c5b6a',
      'abcdefg_i-j%20123',
      'x%2Eabc',
      'a'.repeat(64),
    ]) {
      assert.ok(isValidSessionId(id), id);
    }
  });

  it('refuses control and non-ASCII escapes, slashes and long ids', () => {
    for (const id of [
      'a%00b',
      'a%2Fb',
      'a%2fb',
      'a%7Fb',
      'ses%C3%B3n',
      'sesión',
      'a b',
      'a'.repeat(65),
      '%',
      '%2',
    ]) {
      assert.equal(isValidSessionId(id), false, id);
    }
  });
});

describe('Workers admission header', () => {
  const request = (headers: Record<string, string> = {}) =>
    new Request('http://x/echo/0/abc/xhr', { method: 'POST', headers });

  it("strips a client's own header and carries the Worker's verdict", async () => {
    const forged = request({ [ADMISSION_HEADER]: encodeURIComponent('{"data":"admin"}') });
    assert.equal(forwardedRequest(forged).headers.has(ADMISSION_HEADER), false);
    const admitted = forwardedRequest(forged, { data: { user: 'ann ü\n' } });
    const own = () => false as const;
    assert.deepEqual(
      await trustedAuthorize(own)(admitted, { transport: 'xhr-polling', remoteAddress: undefined }),
      {
        data: { user: 'ann ü\n' },
      },
    );
  });

  it("runs the application's authorize when the request did not come through the Worker", async () => {
    const plain = request();
    assert.equal(forwardedRequest(plain), plain, 'nothing to change: the same request');
    assert.equal(
      await trustedAuthorize(() => false)(plain, { transport: 'websocket', remoteAddress: undefined }),
      false,
    );
  });
});

describe('Workers send budget', () => {
  const realNow = Date.now;
  let now = 1_000_000;
  afterEach(() => {
    Date.now = realNow;
  });

  it('reports what a client reading at the budget rate would not have taken yet', () => {
    Date.now = () => now;
    const budget = new SendBudget(1000);
    budget.spend(3000);
    assert.equal(budget.buffered, 3000);
    now += 1000;
    assert.equal(budget.buffered, 2000);
    budget.spend(500);
    now += 2500;
    assert.equal(budget.buffered, 0);
    now += 10_000;
    budget.spend(100);
    assert.equal(budget.buffered, 100, 'idle time is not saved up');
  });
});

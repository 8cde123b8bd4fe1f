/**
 * A throwing application hook, inside an endpoint or before it: the server's `fetch` still
 * answers with a promise (never throws at its caller), a handler's failure is a logged 500 whether
 * the handler is synchronous (xhr) or asynchronous (xhr_streaming), and a throwing `origins`
 * predicate rejects that promise.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SockJSServer } from '../../src/index.ts';

const url = (path: string) => `http://127.0.0.1/echo${path}`;

describe('errors thrown while handling a request', () => {
  const logged: string[] = [];
  const server = new SockJSServer({
    prefix: '/echo',
    jsessionid: () => {
      throw new Error('cookie hook broke');
    },
    log: (level, message) => {
      if (level === 'error') logged.push(message);
    },
  });

  for (const transport of ['xhr', 'xhr_streaming']) {
    it(`answers ${transport} with a logged 500 when a hook in its handler throws`, async () => {
      logged.length = 0;
      const answer = server.fetch(new Request(url(`/000/s-${transport}/${transport}`), { method: 'POST' }));
      assert.ok(answer instanceof Promise);
      const response = await answer;
      assert.equal(response.status, 500);
      assert.equal(await response.text(), '500 - Internal Server Error');
      assert.equal(logged.length, 1);
      assert.match(
        logged[0]!,
        new RegExp(`POST /echo/000/s-${transport}/${transport} failed: Error: cookie hook broke`),
      );
    });
  }

  it('rejects the promise of fetch and handle when the origin predicate throws', async () => {
    const strict = new SockJSServer({
      prefix: '/echo',
      origins: () => {
        throw new Error('origin hook broke');
      },
    });
    const request = () =>
      new Request(url('/000/s1/xhr'), { method: 'POST', headers: { Origin: 'http://other.example' } });
    await assert.rejects(strict.fetch(request()), /origin hook broke/);
    await assert.rejects(strict.handle(request()), /origin hook broke/);
  });
});

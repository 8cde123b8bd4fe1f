import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_SOCKJS_URL, resolveOptions, SockJSOptionsError } from '../../src/options.ts';
import { TRANSPORTS } from '../../src/protocol/routes.ts';

describe('resolveOptions', () => {
  it('uses the sockjs-node defaults', () => {
    const options = resolveOptions();
    assert.equal(options.prefix, '');
    assert.equal(options.responseLimit, 128 * 1024);
    assert.equal(options.heartbeatDelay, 25_000);
    assert.equal(options.disconnectDelay, 5_000);
    assert.equal(options.jsessionid, false);
    assert.equal(options.sockjsUrl, DEFAULT_SOCKJS_URL);
    assert.equal(options.disableCors, false);
    assert.deepEqual([...options.transports], [...TRANSPORTS]);
    assert.equal(options.bodyTimeout, 10_000);
    assert.equal(options.hostCheck, null, 'any host by default');
  });

  it('accepts sockjs-node snake_case names unchanged', () => {
    const options = resolveOptions({
      prefix: '/echo/',
      response_limit: 4096,
      heartbeat_delay: 100,
      disconnect_delay: 200,
      sockjs_url: '/lib/sockjs.js',
      disable_cors: true,
    });
    assert.equal(options.prefix, '/echo');
    assert.equal(options.responseLimit, 4096);
    assert.equal(options.heartbeatDelay, 100);
    assert.equal(options.disconnectDelay, 200);
    assert.equal(options.sockjsUrl, '/lib/sockjs.js');
    assert.equal(options.disableCors, true);
  });

  it('websocket: false removes both websocket transports', () => {
    const transports = resolveOptions({ websocket: false }).transports;
    assert.equal(transports.has('websocket'), false);
    assert.equal(transports.has('websocket-raw'), false);
    assert.equal(transports.has('xhr-streaming'), true);
  });

  it('jsessionid: true echoes the JSESSIONID cookie or sends dummy', () => {
    const jsessionid = resolveOptions({ jsessionid: true }).jsessionid;
    assert.notEqual(jsessionid, false);
    if (jsessionid === false) return;
    assert.equal(jsessionid(new Request('http://x/')), 'JSESSIONID=dummy; path=/');
    const withCookie = new Request('http://x/', { headers: { Cookie: 'a=1; JSESSIONID=abcdef' } });
    assert.equal(jsessionid(withCookie), 'JSESSIONID=abcdef; path=/');
  });

  it('throws a clear error for invalid options', () => {
    const cases: Array<[unknown, RegExp]> = [
      [{ prefix: 'echo' }, /prefix must start with "\/"/],
      [{ responseLimit: -1 }, /responseLimit must be a positive integer/],
      [{ heartbeat_delay: 'soon' }, /heartbeatDelay must be a positive integer/],
      [{ transports: ['websocket', 'carrier-pigeon'] }, /unknown transport "carrier-pigeon"/],
      [{ respons_limit: 1 }, /unknown option "respons_limit"/],
      [{ responseLimit: 1, response_limit: 2 }, /both "response_limit" and "responseLimit"/],
      [{ sockjsUrl: 'javascript:alert(1)' }, /sockjsUrl must be a string starting with/],
      [{ jsessionid: 'yes' }, /jsessionid must be a boolean or a function/],
      [{ bodyTimeout: 0 }, /bodyTimeout must be a positive integer/],
      [{ allowedHosts: 'example.com' }, /allowedHosts must be an array of host names/],
      [{ allowedHosts: ['http://example.com'] }, /allowedHosts must be an array of host names/],
      [{ allowedHosts: [''] }, /allowedHosts must be an array of host names/],
    ];
    for (const [input, message] of cases) {
      assert.throws(
        () => resolveOptions(input as never),
        (error: unknown) => {
          assert.ok(error instanceof SockJSOptionsError);
          assert.match((error as Error).message, message);
          return true;
        },
      );
    }
  });
});

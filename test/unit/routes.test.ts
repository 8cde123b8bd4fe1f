import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Router, TRANSPORTS, type TransportName } from '../../src/protocol/routes.ts';

const all = new Router({ transports: new Set(TRANSPORTS), iframe: true });

describe('Router', () => {
  it('routes the greeting with and without a trailing slash', () => {
    assert.deepEqual(all.match('GET', ''), { kind: 'endpoint', endpoint: 'greeting', sessionId: null });
    assert.deepEqual(all.match('GET', '/'), { kind: 'endpoint', endpoint: 'greeting', sessionId: null });
  });

  it('takes session ids of at most 64 URL-safe characters, and nothing else, as routes', () => {
    const id64 = 'a'.repeat(64);
    assert.deepEqual(all.match('POST', `/000/${id64}/xhr`), {
      kind: 'endpoint',
      endpoint: 'xhr',
      sessionId: id64,
    });
    for (const id of ['a'.repeat(65), 'x'.repeat(100_000), '%00', '%2F', '%C3%A9', 'caf\u00e9']) {
      assert.deepEqual(all.match('POST', `/000/${id}/xhr`), { kind: 'not-found' }, id.slice(0, 20));
      assert.deepEqual(all.match('GET', `/000/${id}/websocket`), { kind: 'not-found' }, id.slice(0, 20));
    }
  });

  it('extracts the session id and ignores the server id', () => {
    assert.deepEqual(all.match('POST', '/000/abc/xhr'), {
      kind: 'endpoint',
      endpoint: 'xhr',
      sessionId: 'abc',
    });
    assert.deepEqual(all.match('POST', '/999/abc/xhr/'), {
      kind: 'endpoint',
      endpoint: 'xhr',
      sessionId: 'abc',
    });
    assert.deepEqual(all.match('POST', '/abcdefgh_i-j%20/abcdefg_i-j%20/xhr_send'), {
      kind: 'endpoint',
      endpoint: 'xhr-send',
      sessionId: 'abcdefg_i-j%20',
    });
  });

  it('answers 404 for invalid session paths', () => {
    for (const path of ['///xhr', '/a./a/xhr', '/a/a./xhr', '/././xhr', '//xhr', '////xhr', '/a/a', '/a/']) {
      assert.deepEqual(all.match('POST', path), { kind: 'not-found' }, path);
    }
  });

  it('answers 405 with every matching method', () => {
    assert.deepEqual(all.match('GET', '/a/b/xhr'), { kind: 'method-not-allowed', allow: 'POST, OPTIONS' });
    assert.deepEqual(all.match('POST', ''), { kind: 'method-not-allowed', allow: 'GET' });
    assert.deepEqual(all.match('POST', '/a/b/websocket'), { kind: 'method-not-allowed', allow: 'GET' });
    assert.deepEqual(all.match('DELETE', '/info'), { kind: 'method-not-allowed', allow: 'GET, OPTIONS' });
  });

  it('matches only well-formed iframe names', () => {
    for (const ok of [
      '/iframe.html',
      '/iframe-a.html',
      '/iframe-.html',
      '/iframe-0.1.2.html',
      '/iframe-0.1.2abc-dirty.2144.html',
    ]) {
      assert.equal(all.match('GET', ok).kind, 'endpoint', ok);
    }
    for (const bad of [
      '/iframe.htm',
      '/iframe',
      '/IFRAME.HTML',
      '/iframe.HTML',
      '/iframe.xml',
      '/iframe-/.html',
      '/iframeXhtml',
    ]) {
      assert.equal(all.match('GET', bad).kind, 'not-found', bad);
    }
  });

  it('drops the routes of disabled transports', () => {
    const only = (names: TransportName[]) => new Router({ transports: new Set(names), iframe: false });
    const polling = only(['xhr-polling']);
    assert.equal(polling.match('GET', '/a/b/websocket').kind, 'not-found');
    assert.equal(polling.match('GET', '/websocket').kind, 'not-found');
    assert.equal(polling.match('GET', '/iframe.html').kind, 'not-found');
    assert.equal(polling.match('POST', '/a/b/xhr_send').kind, 'endpoint');
    assert.equal(only(['jsonp-polling']).match('POST', '/a/b/xhr_send').kind, 'not-found');
    assert.equal(only(['eventsource']).match('POST', '/a/b/xhr_send').kind, 'endpoint');
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readCallback } from '../../src/protocol/callback.ts';
import { escapeForEventSource, escapeForScript, quote } from '../../src/protocol/escape.ts';
import { closeFrame, messageFrame, parseClientPayload } from '../../src/protocol/frames.ts';
import { htmlfilePrelude, iframePage } from '../../src/protocol/templates.ts';

describe('quote (server escape set, PROTOCOL.md 1.6)', () => {
  it('leaves plain text as JSON.stringify does', () => {
    assert.equal(quote('hello "x" \\'), JSON.stringify('hello "x" \\'));
  });

  it('escapes the 44 escapable_by_server characters above U+00FF with lowercase hex', () => {
    const ranges = [
      [0x200c, 0x200f],
      [0x2028, 0x202f],
      [0x2060, 0x206f],
      [0xfff0, 0xffff],
    ];
    let raw = '';
    let expected = '';
    for (const [from, to] of ranges) {
      for (let code = from!; code <= to!; code++) {
        raw += String.fromCharCode(code);
        expected += '\\u' + code.toString(16).padStart(4, '0');
      }
    }
    assert.equal(raw.length, 44);
    assert.equal(quote(raw), `"${expected}"`);
  });

  it('escapes control characters and both halves of a surrogate pair', () => {
    assert.equal(quote('\u0000\u001f'), '"\\u0000\\u001f"');
    assert.equal(quote('😀'), '"\\ud83d\\ude00"');
  });

  it('does not escape DEL or a soft hyphen', () => {
    assert.equal(quote('\x7f\u00ad'), '"\x7f\u00ad"');
  });

  it('round-trips through JSON.parse', () => {
    const tricky = 'a\u2028b\ud800c😀\uffff\u0000"\\';
    assert.equal(JSON.parse(quote(tricky)), tricky);
  });
});

describe('frames', () => {
  it('batches messages into one a-frame, each quoted', () => {
    assert.equal(messageFrame(['x']), 'a["x"]');
    assert.equal(messageFrame(['a', 'b\u2028']), 'a["a","b\\u2028"]');
  });

  it('builds close frames with plain JSON', () => {
    assert.equal(closeFrame(3000, 'Go away!'), 'c[3000,"Go away!"]');
  });
});

describe('parseClientPayload', () => {
  it('accepts a JSON array of strings', () => {
    assert.deepEqual(parseClientPayload('["a","b"]', false), { ok: true, messages: ['a', 'b'] });
  });

  it('refuses an array holding anything but strings as broken (the client only sends strings)', () => {
    for (const websocket of [false, true]) {
      assert.deepEqual(parseClientPayload('[1,{"a":true},null]', websocket), { ok: false, error: 'broken' });
      assert.deepEqual(parseClientPayload('["a",["b"]]', websocket), { ok: false, error: 'broken' });
    }
  });

  it('reports empty, broken and non-array payloads', () => {
    assert.deepEqual(parseClientPayload('', false), { ok: false, error: 'empty' });
    assert.deepEqual(parseClientPayload('["x', false), { ok: false, error: 'broken' });
    assert.deepEqual(parseClientPayload('{}', false), { ok: false, error: 'not-array' });
  });

  it('takes a bare JSON string as one message when allowed (websocket); other bare values are broken there', () => {
    assert.deepEqual(parseClientPayload('"c"', true), { ok: true, messages: ['c'] });
    assert.deepEqual(parseClientPayload('"c"', false), { ok: false, error: 'not-array' });
    for (const value of ['1', '{}', 'null']) {
      assert.deepEqual(parseClientPayload(value, true), { ok: false, error: 'broken' }, value);
    }
  });
});

describe('script and eventsource escaping', () => {
  it('keeps a message from closing the script element', () => {
    const frame = messageFrame(['</script><script>alert(1)</script>&']);
    const escaped = escapeForScript(JSON.stringify(frame));
    assert.doesNotMatch(escaped, /[<>&]/);
    assert.equal(JSON.parse(escaped), frame);
  });

  it('escapes U+2028 and U+2029 for script context', () => {
    assert.equal(escapeForScript('"\u2028\u2029"'), '"\\u2028\\u2029"');
  });

  it('percent-escapes %, CR, LF and NUL for eventsource', () => {
    assert.equal(escapeForEventSource('a["%20\r\n\0"]'), 'a["%2520%0D%0A%00"]');
    assert.equal(escapeForEventSource('a["plain"]'), 'a["plain"]');
  });
});

describe('templates', () => {
  it('renders the iframe page byte for byte as the reference server (472 bytes by default)', () => {
    const page = iframePage('https://cdn.jsdelivr.net/npm/sockjs-client@1/dist/sockjs.min.js');
    assert.equal(page.length, 472);
    assert.match(
      page,
      /<script src="https:\/\/cdn\.jsdelivr\.net\/npm\/sockjs-client@1\/dist\/sockjs\.min\.js"><\/script>/,
    );
  });

  it('HTML-escapes the sockjs_url', () => {
    assert.match(iframePage('/x"><script>'), /src="\/x&#34;&#62;&#60;script&#62;"/);
  });

  it('pads the htmlfile prelude past 1 KiB: 1027 bytes plus the callback', () => {
    assert.equal(htmlfilePrelude('cb').length, 1029);
    assert.equal(htmlfilePrelude('callback').length, 1035);
    assert.ok(htmlfilePrelude('cb').includes('var c = parent.cb;'));
    assert.ok(htmlfilePrelude('cb').endsWith(' \r\n\r\n'));
  });
});

describe('readCallback', () => {
  const url = (query: string) => new URL(`http://x/a/b/jsonp${query}`);

  it('prefers c over callback and decodes it', () => {
    assert.deepEqual(readCallback(url('?c=%63b&callback=other'), 32), { ok: true, callback: 'cb' });
    assert.deepEqual(readCallback(url('?callback=x.y-z_1'), 32), { ok: true, callback: 'x.y-z_1' });
  });

  it('requires a callback', () => {
    assert.deepEqual(readCallback(url(''), 32), { ok: false, message: '"callback" parameter required' });
    assert.deepEqual(readCallback(url('?c='), 32), { ok: false, message: '"callback" parameter required' });
  });

  it('refuses unsafe characters and overlong names', () => {
    for (const bad of ['%20', '*', 'abc(', 'abc%28', 'a'.repeat(33)]) {
      assert.deepEqual(readCallback(url(`?c=${bad}`), 32), {
        ok: false,
        message: 'invalid "callback" parameter',
      });
    }
  });
});

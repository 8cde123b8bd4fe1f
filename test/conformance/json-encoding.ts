/** PROTOCOL.md 1.6 (JSON / Unicode rules), `JSONEncoding`. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { toWsUrl, WsClient } from '../support/ws-client.ts';
import { openSession, poll, type SuiteContext, sessionBase, xhrSend } from './common.ts';

/** The characters sockjs-protocol's `escapable_by_server` matches. */
const ESCAPABLE_BY_SERVER = /[\x00-\x1f\u200c-\u200f\u2028-\u202f\u2060-\u206f\ufff0-\uffff]/;

/** sockjs-protocol's `escapable_by_client`: what the browser client escapes before sending. */
const ESCAPABLE_BY_CLIENT =
  // biome-ignore lint/suspicious/noMisleadingCharacterClass: only ever tested against single UTF-16 code units.
  /[\\"\x00-\x1f\x7f-\x9f\u00ad\u0600-\u0604\u070f\u17b4\u17b5\u2000-\u20ff\ufeff\ufff0-\uffff\ufffe\uffff\u0300-\u0333\u033d-\u0346\u034a-\u034c\u0350-\u0352\u0357-\u0358\u035c-\u0362\u0374\u037e\u0387\u0591-\u05af\u05c4\u0610-\u0617\u0653-\u0654\u0657-\u065b\u065d-\u065e\u06df-\u06e2\u06eb-\u06ec\u0730\u0732-\u0733\u0735-\u0736\u073a\u073d\u073f-\u0741\u0743\u0745\u0747\u07eb-\u07f1\u0951\u0958-\u095f\u09dc-\u09dd\u09df\u0a33\u0a36\u0a59-\u0a5b\u0a5e\u0b5c-\u0b5d\u0e38-\u0e39\u0f43\u0f4d\u0f52\u0f57\u0f5c\u0f69\u0f72-\u0f76\u0f78\u0f80-\u0f83\u0f93\u0f9d\u0fa2\u0fa7\u0fac\u0fb9\u1939-\u193a\u1a17\u1b6b\u1cda-\u1cdb\u1dc0-\u1dcf\u1dfc\u1dfe\u1f71\u1f73\u1f75\u1f77\u1f79\u1f7b\u1f7d\u1fbb\u1fbe\u1fc9\u1fcb\u1fd3\u1fdb\u1fe3\u1feb\u1fee-\u1fef\u1ff9\u1ffb\u1ffd\u2000-\u2001\u20d0-\u20d1\u20d4-\u20d7\u20e7-\u20e9\u2126\u212a-\u212b\u2329-\u232a\u2adc\u302b-\u302c\uaab2-\uaab3\uf900-\ufa0d\ufa10\ufa12\ufa15-\ufa1e\ufa20\ufa22\ufa25-\ufa26\ufa2a-\ufa2d\ufa30-\ufa6d\ufa70-\ufad9\ufb1d\ufb1f\ufb2a-\ufb36\ufb38-\ufb3c\ufb3e\ufb40-\ufb41\ufb43-\ufb44\ufb46-\ufb4e]/;

function codeUnits(from: number, to: number, pattern: RegExp): string[] {
  const out: string[] = [];
  for (let code = from; code <= to; code++) {
    const char = String.fromCharCode(code);
    if (pattern.test(char)) out.push(char);
  }
  return out;
}

const unicodeEscape = (char: string) => '\\u' + char.charCodeAt(0).toString(16).padStart(4, '0');

/** The quoted JSON string of a single-message poll body `a[<string>]\n`. */
function singleMessage(body: string): string {
  const match = /^a\[(.*)\]\n$/s.exec(body);
  assert.ok(match !== null, `a single message frame: ${JSON.stringify(body)}`);
  return match[1]!;
}

export function defineJsonEncodingTests(ctx: SuiteContext): void {
  async function roundTrip(payload: string | Buffer): Promise<string> {
    const base = await openSession(ctx.url);
    const sent = await xhrSend(ctx.url, base, payload);
    assert.equal(sent.status, 204, `xhr_send status (body ${JSON.stringify(sent.text)})`);
    return singleMessage(await poll(ctx.url, base));
  }

  describe('JSON encoding (1.6 JSONEncoding)', () => {
    it('escapes the 44 escapable_by_server characters above U+00FF as lowercase \\uXXXX (test_xhr_server_encodes)', async () => {
      const chars = codeUnits(255, 0xffff, ESCAPABLE_BY_SERVER);
      assert.equal(chars.length, 44);
      const received = await roundTrip(`["${chars.join('')}"]`);
      assert.equal(received, `"${chars.map(unicodeEscape).join('')}"`);
    });

    it('decodes the client-escaped "killer string" to the original characters (test_xhr_server_decodes)', async () => {
      const escaped = `"${codeUnits(0, 0xffff, ESCAPABLE_BY_CLIENT).map(unicodeEscape).join('')}"`;
      const received = await roundTrip(`[${escaped}]`);
      assert.equal(JSON.parse(received), JSON.parse(escaped));
    });

    it('sends control characters U+0000..U+001F as JSON.stringify does', async () => {
      const chars = codeUnits(0, 0x1f, /[\s\S]/).join('');
      const received = await roundTrip(JSON.stringify([chars]));
      assert.equal(received, JSON.stringify(chars));
      assert.doesNotMatch(received, /[\x00-\x1f]/, 'no raw control characters');
    });

    it('does not escape U+007F and U+00AD', async () => {
      const received = await roundTrip('["\\u007f\\u00ad"]');
      assert.equal(received, '"\x7f\u00ad"');
    });

    it('escapes both halves of a surrogate pair (emoji) as lowercase \\ud83d\\ude00', async () => {
      const received = await roundTrip(Buffer.from('["😀"]', 'utf8'));
      assert.equal(received, '"\\ud83d\\ude00"');
    });

    it('keeps lone surrogates sent escaped by the client', async () => {
      const received = await roundTrip('["\\ud800x\\udfff"]');
      assert.equal(received, '"\\ud800x\\udfff"');
    });

    it('applies the same escaping to websocket frames', async () => {
      const ws = await WsClient.connect(`${toWsUrl(ctx.url)}${sessionBase('/echo')}/websocket`);
      try {
        assert.equal(await ws.next(), 'o');
        ws.send(JSON.stringify(['\u2028\u200c\uffff😀']));
        assert.equal(await ws.next(), 'a["\\u2028\\u200c\\uffff\\ud83d\\ude00"]');
      } finally {
        await ws.close();
      }
    });
  });
}

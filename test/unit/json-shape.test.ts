/**
 * `jsonShape`, the scanner that decides what a client payload is before `JSON.parse` sees it:
 * it must agree with `JSON.parse` on every input a parser can handle, and stay linear and flat
 * on the ones it cannot (deep nesting).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { parseClientPayload } from '../../src/protocol/frames.ts';
import { type JsonShape, jsonShape } from '../../src/protocol/json-shape.ts';

/** The reference: what `JSON.parse` says, reduced to the same five answers. */
function parsedShape(text: string): JsonShape {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return 'invalid';
  }
  if (typeof value === 'string') return 'string';
  if (!Array.isArray(value)) return 'other';
  return value.every((item) => typeof item === 'string') ? 'strings' : 'array';
}

/** Characters that matter to JSON's grammar, so random text often comes close to valid JSON. */
const JSON_ALPHABET = [...'[]{}",:\\/ \t\n\r0123456789-+.eEtrueflsnabu\u2028\ud800\u0000\u001f\u0020x'];

const RUNS = 2000;

describe('jsonShape', () => {
  it('classifies the payloads the client sends and the ones it never does', () => {
    const cases: Array<[string, JsonShape]> = [
      ['["a","b"]', 'strings'],
      ['[]', 'strings'],
      [' [ "a" , "\\u0041\\n" ] ', 'strings'],
      ['"c"', 'string'],
      ['[1]', 'array'],
      ['["a",["b"]]', 'array'],
      ['[{"a":"b"}]', 'array'],
      ['{}', 'other'],
      ['{"a":[1,{"b":null}]}', 'other'],
      ['-0.5e+3', 'other'],
      ['true', 'other'],
      ['["x', 'invalid'],
      ['["a",]', 'invalid'],
      ['[,]', 'invalid'],
      ['{"a"}', 'invalid'],
      ['{"a":1,}', 'invalid'],
      ['01', 'invalid'],
      ['1.', 'invalid'],
      ['"\\x"', 'invalid'],
      ['"\\u12g4"', 'invalid'],
      ['"a\nb"', 'invalid'],
      ['"a\u001f"', 'invalid'],
      ['\ufeff[]', 'invalid'],
      ['[] []', 'invalid'],
      ['', 'invalid'],
      ['[}', 'invalid'],
      ['{]', 'invalid'],
    ];
    for (const [text, shape] of cases) {
      assert.equal(jsonShape(text), shape, JSON.stringify(text));
      assert.equal(parsedShape(text), shape, `the reference agrees on ${JSON.stringify(text)}`);
    }
  });

  it('agrees with JSON.parse on arbitrary JSON values of small depth', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), fc.boolean(), (value, pretty) => {
        const text = JSON.stringify(value, null, pretty ? 2 : undefined);
        assert.equal(jsonShape(text), parsedShape(text));
      }),
      { numRuns: RUNS },
    );
  });

  it('agrees with JSON.parse on arrays of strings, and on them with one character changed, dropped or added', () => {
    const edit = fc.tuple(
      fc.nat(),
      fc.constantFrom('drop', 'replace', 'insert'),
      fc.constantFrom(...JSON_ALPHABET),
    );
    fc.assert(
      fc.property(
        fc.array(fc.string({ unit: 'binary' }), { maxLength: 4 }),
        edit,
        (messages, [at, how, char]) => {
          const valid = JSON.stringify(messages);
          assert.equal(jsonShape(valid), 'strings');
          const i = at % (valid.length + 1);
          const edited =
            how === 'drop'
              ? valid.slice(0, i) + valid.slice(i + 1)
              : how === 'replace'
                ? valid.slice(0, i) + char + valid.slice(i + 1)
                : valid.slice(0, i) + char + valid.slice(i);
          assert.equal(jsonShape(edited), parsedShape(edited), JSON.stringify(edited));
        },
      ),
      { numRuns: RUNS / 2 },
    );
  });

  it('agrees with JSON.parse on random text over the characters of the JSON grammar', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...JSON_ALPHABET), { maxLength: 24 }), (chars) => {
        const text = chars.join('');
        assert.equal(jsonShape(text), parsedShape(text), JSON.stringify(text));
      }),
      { numRuns: RUNS * 5 },
    );
  });

  it('decides deep nesting in linear time without recursion: depth 1,000,000 of [ and of {"a":', () => {
    const depth = 1_000_000;
    const started = performance.now();
    assert.equal(jsonShape('['.repeat(depth) + ']'.repeat(depth)), 'array');
    assert.equal(jsonShape('['.repeat(depth)), 'invalid');
    assert.equal(jsonShape(`[${'['.repeat(depth)}"x"${']'.repeat(depth)}]`), 'array');
    assert.equal(jsonShape('{"a":'.repeat(depth) + '1' + '}'.repeat(depth)), 'other');
    assert.equal(jsonShape('{"a":'.repeat(depth) + '1' + '}'.repeat(depth - 1)), 'invalid');
    // About 20 MB of text scanned; a quadratic or recursive scanner would not finish (or would throw).
    assert.ok(performance.now() - started < 5000, `took ${Math.round(performance.now() - started)} ms`);
  });
});

describe('parseClientPayload on shapes the client never sends', () => {
  it('answers nested arrays as broken on every transport, without throwing', () => {
    const deep = '['.repeat(4500) + ']'.repeat(4500);
    assert.deepEqual(parseClientPayload(deep, true), { ok: false, error: 'broken' });
    assert.deepEqual(parseClientPayload(deep, false), { ok: false, error: 'broken' });
    const deeper = '['.repeat(200_000) + ']'.repeat(200_000);
    assert.deepEqual(parseClientPayload(deeper, true), { ok: false, error: 'broken' });
  });

  it('answers a deep object as "not an array" on xhr_send (Payload expected.) and as broken on websockets', () => {
    const deep = '{"a":'.repeat(100_000) + '1' + '}'.repeat(100_000);
    assert.deepEqual(parseClientPayload(deep, false), { ok: false, error: 'not-array' });
    assert.deepEqual(parseClientPayload(deep, true), { ok: false, error: 'broken' });
  });
});

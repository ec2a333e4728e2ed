import * as assert from 'assert';
import { JsonNumber, JsonSyntaxError, parseJson, stringifyJson, SERDE_MAX_DEPTH, isJsonObject } from '../../src/core/json';

function rejects(text: string, reason: RegExp): void {
  assert.throws(() => parseJson(text), (e: unknown) => e instanceof JsonSyntaxError && reason.test(e.message), `expected ${JSON.stringify(text)} to be rejected with ${reason}`);
}

describe('json reader', () => {
  it('keeps integers beyond 2^53 exactly, as text', () => {
    const value = parseJson('[9007199254740993, 18446744073709551615, -9223372036854775808, 42]') as unknown[];
    assert.ok(value[0] instanceof JsonNumber);
    assert.strictEqual(String(value[0]), '9007199254740993');
    assert.strictEqual(String(value[1]), '18446744073709551615');
    assert.strictEqual(String(value[2]), '-9223372036854775808');
    assert.strictEqual(value[3], 42);
  });

  it('keeps floats as written so 1.0 stays a float', () => {
    const value = parseJson('{"a":1.0,"b":0.1,"c":1e-7,"d":-0.0}');
    assert.strictEqual(stringifyJson(value), '{"a":1.0,"b":0.1,"c":1e-7,"d":-0.0}');
  });

  it('round-trips strings with escapes, unicode and surrogate pairs', () => {
    const text = '["a\\"b\\\\c\\n\\t\\u0001","😀 \\ud83d\\ude00","/\\/","\u202eRTL"]';
    const value = parseJson(text) as string[];
    assert.strictEqual(value[0], 'a"b\\c\n\t\u0001');
    assert.strictEqual(value[1], '😀 😀');
    assert.strictEqual(value[2], '//');
    assert.strictEqual(stringifyJson(value), '["a\\"b\\\\c\\n\\t\\u0001","😀 😀","//","\u202eRTL"]');
  });

  it('treats __proto__ as plain data', () => {
    const value = parseJson('{"__proto__":{"polluted":true},"constructor":1}');
    assert.ok(isJsonObject(value));
    assert.deepStrictEqual(Object.keys(value), ['__proto__', 'constructor']);
    assert.strictEqual(({} as Record<string, unknown>).polluted, undefined);
    assert.strictEqual(stringifyJson(value), '{"__proto__":{"polluted":true},"constructor":1}');
  });

  it('lets the later of duplicate keys win, like serde maps', () => {
    assert.strictEqual(stringifyJson(parseJson('{"a":1,"a":2}')), '{"a":2}');
  });

  it('rejects what serde_json rejects, saying where', () => {
    rejects('', /EOF while parsing a value at line 1 column 0/);
    rejects('{"a":1,}', /trailing comma/);
    rejects('[1,]', /trailing comma/);
    rejects('{"a" 1}', /expected `:`/);
    rejects('{a:1}', /key must be a string/);
    rejects('[01]', /invalid number/);
    rejects('[1.]', /invalid number/);
    rejects('[.5]', /expected value/);
    rejects('[+1]', /expected value/);
    rejects('1e400', /number out of range/);
    rejects('"\\ud800"', /unexpected end of hex escape|lone leading surrogate/);
    rejects('"\\udc00"', /lone leading surrogate/);
    rejects('"\\ud800\\u0041"', /lone leading surrogate/);
    rejects('"a\nb"', /control character/);
    rejects('"\\x"', /invalid escape/);
    rejects('[1] x', /trailing characters/);
    rejects('\ufeff{}', /expected value at line 1 column 1/);
    rejects('nul', /EOF while parsing a value/);
    rejects('[NaN]', /expected value/);
    rejects('{"a":1\n,\n"b"', /EOF while parsing an object at line 3 column 3/);
  });

  it('enforces serde_json recursion limit of 128', () => {
    const ok = '['.repeat(SERDE_MAX_DEPTH - 1) + ']'.repeat(SERDE_MAX_DEPTH - 1);
    assert.doesNotThrow(() => parseJson(ok));
    rejects('['.repeat(SERDE_MAX_DEPTH) + ']'.repeat(SERDE_MAX_DEPTH), /recursion limit exceeded/);
    rejects('['.repeat(100_000), /recursion limit exceeded/);
  });

  it('writes pretty JSON with two-space indent like serde to_string_pretty', () => {
    const value = parseJson('{"a":[1,{"b":[]}],"c":{}}');
    assert.strictEqual(stringifyJson(value, 2), '{\n  "a": [\n    1,\n    {\n      "b": []\n    }\n  ],\n  "c": {}\n}');
  });
});

/** Property-based checks over arbitrary JSON: round trips, and only our error type escapes. */
import * as assert from 'assert';
import fc from 'fast-check';
import { exportFlowResult, FlowResult, FlowResultError, flowResultsEqual, parseFlowResult, scanFlowResult, serializeFlowResult } from '../../src/core/flowResult';
import { exportFlowResultText } from '../../src/core/exportText';
import { JsonNumber, JsonSyntaxError, JsonValue, newObject, parseJson, stringifyJson } from '../../src/core/json';

/** Arbitrary JSON values including big integers, floats kept as text, odd keys. */
const jsonValue: fc.Arbitrary<JsonValue> = fc.letrec<{ value: JsonValue }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.constant(null),
    fc.boolean(),
    fc.integer(),
    fc.bigInt({ min: -(2n ** 64n), max: 2n ** 64n }).map((n) => (Number.isSafeInteger(Number(n)) ? Number(n) : new JsonNumber(String(n)))),
    fc.double({ noNaN: true, noDefaultInfinity: true }).map((d) => (Number.isInteger(d) ? new JsonNumber(`${d}.0`.replace('e+', 'e').replace(/e(\d+)\.0$/, 'e$1')) : new JsonNumber(String(d)))),
    fc.string({ unit: 'grapheme' }),
    fc.array(tie('value'), { maxLength: 5 }),
    fc.dictionary(fc.oneof(fc.string(), fc.constantFrom('__proto__', 'constructor', '1', 'toString')), tie('value'), { maxKeys: 5 }).map((d) => {
      const o = newObject();
      for (const k of Object.keys(d)) o[k] = d[k];
      return o;
    }),
  ),
})).value;

const nodeId = fc.string({ minLength: 1, maxLength: 12 });

const flowResult: fc.Arbitrary<FlowResult> = fc
  .record({
    id: fc.uuid(),
    nodes: fc.uniqueArray(nodeId, { maxLength: 6 }),
    context: fc.dictionary(fc.string(), jsonValue, { maxKeys: 4 }),
    outputs: fc.array(jsonValue, { maxLength: 6 }),
  })
  .map(({ id, nodes, context, outputs }) => {
    const out = newObject();
    nodes.forEach((n, i) => (out[n] = i % 3 === 2 ? null : outputs[i] ?? 1));
    const ctx = newObject();
    for (const k of Object.keys(context)) ctx[k] = context[k];
    return { executionId: id, outputs: out, completedNodes: nodes, skippedNodes: nodes.filter((_, i) => i % 3 === 2), context: ctx, extraFields: newObject() };
  });

describe('properties', () => {
  it('parse(stringify(v)) gives v back, compact and pretty', () => {
    fc.assert(
      fc.property(jsonValue, (v) => {
        assert.strictEqual(stringifyJson(parseJson(stringifyJson(v))), stringifyJson(v));
        assert.strictEqual(stringifyJson(parseJson(stringifyJson(v, 2))), stringifyJson(v));
      }),
      { numRuns: 500 },
    );
  });

  it('agrees with JSON.parse on documents without risky numbers', () => {
    fc.assert(
      fc.property(fc.json(), (text) => {
        const ours = stringifyJson(parseJson(text));
        assert.deepStrictEqual(JSON.parse(ours), JSON.parse(text));
      }),
      { numRuns: 500 },
    );
  });

  it('round-trips FlowResults through save and export forms', () => {
    fc.assert(
      fc.property(flowResult, (r) => {
        assert.ok(flowResultsEqual(parseFlowResult(serializeFlowResult(r)), r));
        assert.ok(flowResultsEqual(parseFlowResult(exportFlowResult(r)), r));
      }),
      { numRuns: 300 },
    );
  });

  it('never throws anything but our error types on arbitrary text', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json(), fc.json().map((t) => t.slice(0, Math.floor(t.length / 2)))), (text) => {
        try {
          parseFlowResult(text);
        } catch (e) {
          assert.ok(e instanceof FlowResultError, `unexpected ${String(e)}`);
        }
        try {
          parseJson(text);
        } catch (e) {
          assert.ok(e instanceof JsonSyntaxError, `unexpected ${String(e)}`);
        }
      }),
      { numRuns: 1000 },
    );
  });
});

describe('scan (big runs) agrees with parse', () => {
  it('accepts and rejects the same texts, and its spans hold the same values', () => {
    fc.assert(
      fc.property(flowResult, fc.boolean(), (r, pretty) => {
        const text = pretty ? exportFlowResult(r) : serializeFlowResult(r);
        const scan = scanFlowResult(text);
        assert.strictEqual(scan.executionId, r.executionId);
        assert.deepStrictEqual([...scan.completedNodes].sort(), [...r.completedNodes].sort());
        for (const span of scan.outputs) {
          assert.strictEqual(stringifyJson(parseJson(text.slice(span.start, span.end))), stringifyJson(r.outputs[span.key]));
        }
        assert.strictEqual(scan.outputs.length, Object.keys(r.outputs).length);
        assert.strictEqual(scan.context.length, Object.keys(r.context).length);
      }),
      { numRuns: 200 },
    );
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json(), flowResult.map((r) => serializeFlowResult(r).slice(0, -3))), (text) => {
        let parsed = true;
        let scanned = true;
        try {
          parseFlowResult(text);
        } catch {
          parsed = false;
        }
        try {
          scanFlowResult(text);
        } catch (e) {
          assert.ok(e instanceof FlowResultError);
          scanned = false;
        }
        assert.strictEqual(scanned, parsed, text);
      }),
      { numRuns: 500 },
    );
  });
});

describe('export from text (big runs) agrees with export from the parsed run', () => {
  it('gives the same run, and byte-identical files unless nested keys look like integers', () => {
    // A parsed JS object lists integer-like keys first; the text path keeps the stored order.
    const integerLike = (text: string) => /"(0|[1-9]\d*)":/.test(text);
    fc.assert(
      fc.property(flowResult, fc.boolean(), (r, pretty) => {
        const text = pretty ? exportFlowResult(r) : serializeFlowResult(r);
        const fromText = exportFlowResultText(text);
        assert.ok(flowResultsEqual(parseFlowResult(fromText), r));
        assert.strictEqual(exportFlowResultText(fromText), fromText);
        if (!integerLike(text)) assert.strictEqual(fromText, exportFlowResult(parseFlowResult(text)));
      }),
      { numRuns: 300 },
    );
  });

  it('normalises escapes like the parsed form; keeps repeated keys as stored', () => {
    const id = '67e55044-10b1-426f-9247-bb680e5fe0c8';
    const wrap = (outputs: string) => `{"execution_id":"${id}","outputs":${outputs},"completed_nodes":["a"],"skipped_nodes":[],"zz":{"q":[1,{}]}}`;
    for (const outputs of ['{"a":"\\u0041\\/\\"x\\\\"}', '{"b":{ },"a":[1.0, -0, 18446744073709551616]}']) {
      assert.strictEqual(exportFlowResultText(wrap(outputs)), exportFlowResult(parseFlowResult(wrap(outputs))), outputs);
    }
    const repeated = wrap('{"a":{"k":1,"k":2}}');
    assert.match(exportFlowResultText(repeated), /"k": 1,\n\s+"k": 2/);
    assert.ok(flowResultsEqual(parseFlowResult(exportFlowResultText(repeated)), parseFlowResult(repeated)));
  });
});

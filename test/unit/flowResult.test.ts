import * as assert from 'assert';
import { exportFlowResult, FlowResultError, flowResultsEqual, parseFlowResult, parseFlowResultBytes, serializeFlowResult } from '../../src/core/flowResult';
import { JsonNumber } from '../../src/core/json';
import { summarize } from '../../src/core/summary';

const ID = '67e55044-10b1-426f-9247-bb680e5fe0c8';
const EXAMPLE = `{"execution_id":"${ID}",
 "outputs":{"fetch":{"status":200,"items":[1,2]},"notify":null},
 "completed_nodes":["fetch","notify"],
 "skipped_nodes":["notify"],
 "context":{"tenant":"acme"}}`;

function rejectsWith(text: string, message: RegExp): void {
  assert.throws(() => parseFlowResult(text), (e: unknown) => e instanceof FlowResultError && message.test(e.message), `expected rejection ${message}`);
}

describe('FlowResult parsing', () => {
  it('reads the reference example', () => {
    const r = parseFlowResult(EXAMPLE);
    assert.strictEqual(r.executionId, ID);
    assert.deepStrictEqual(r.completedNodes, ['fetch', 'notify']);
    assert.deepStrictEqual(r.skippedNodes, ['notify']);
    assert.strictEqual(r.outputs.notify, null);
    assert.strictEqual(r.context.tenant, 'acme');
  });

  it('accepts every UUID form serde reads, in any case, and normalises it', () => {
    for (const form of [ID, ID.toUpperCase(), ID.replace(/-/g, ''), `{${ID}}`, `{${ID.toUpperCase()}}`, `urn:uuid:${ID}`, `urn:uuid:${ID.toUpperCase()}`]) {
      const r = parseFlowResult(`{"execution_id":"${form}","outputs":{},"completed_nodes":[],"skipped_nodes":[]}`);
      assert.strictEqual(r.executionId, ID, form);
    }
  });

  it('rejects ids serde rejects', () => {
    for (const form of [`URN:UUID:${ID}`, `{${ID.replace(/-/g, '')}}`, ID.slice(1), `${ID} `, '', '../etc/passwd']) {
      rejectsWith(`{"execution_id":${JSON.stringify(form)},"outputs":{},"completed_nodes":[],"skipped_nodes":[]}`, /execution_id/);
    }
    rejectsWith(`{"execution_id":5,"outputs":{},"completed_nodes":[],"skipped_nodes":[]}`, /execution_id: invalid type: integer `5`/);
  });

  it('reads a missing context as {} and keeps unknown fields', () => {
    const r = parseFlowResult(`{"execution_id":"${ID}","outputs":{},"completed_nodes":[],"skipped_nodes":[],"engine":"a3s","rev":18446744073709551615}`);
    assert.deepStrictEqual(Object.keys(r.context), []);
    assert.strictEqual(r.extraFields.engine, 'a3s');
    assert.ok(exportFlowResult(r).includes('"rev": 18446744073709551615'));
  });

  it('collapses duplicates in node sets', () => {
    const r = parseFlowResult(`{"execution_id":"${ID}","outputs":{},"completed_nodes":["a","b","a"],"skipped_nodes":["b","b"]}`);
    assert.deepStrictEqual(r.completedNodes, ['a', 'b']);
    assert.deepStrictEqual(r.skippedNodes, ['b']);
  });

  it('accepts the array form of the struct, as serde does', () => {
    const r = parseFlowResult(`["${ID}",{"a":1},["a"],[]]`);
    assert.strictEqual(r.outputs.a, 1);
    rejectsWith(`["${ID}",{},[]]`, /invalid length 3/);
  });

  it('says which field is wrong and what was expected', () => {
    rejectsWith(`{"outputs":{},"completed_nodes":[],"skipped_nodes":[]}`, /missing field `execution_id`/);
    rejectsWith(`{"execution_id":"${ID}","completed_nodes":[],"skipped_nodes":[]}`, /missing field `outputs`/);
    rejectsWith(`{"execution_id":"${ID}","outputs":{},"skipped_nodes":[]}`, /missing field `completed_nodes`/);
    rejectsWith(`{"execution_id":"${ID}","outputs":[],"completed_nodes":[],"skipped_nodes":[]}`, /outputs: invalid type: sequence, expected a map/);
    rejectsWith(`{"execution_id":"${ID}","outputs":{},"completed_nodes":[1],"skipped_nodes":[]}`, /completed_nodes\[0\]: invalid type: integer `1`, expected a string/);
    rejectsWith(`{"execution_id":"${ID}","outputs":{},"completed_nodes":[],"skipped_nodes":[],"context":null}`, /context: invalid type: null, expected a map/);
    rejectsWith(`{"execution_id":"${ID}","outputs":{},"outputs":{},"completed_nodes":[],"skipped_nodes":[]}`, /duplicate field `outputs`/);
    rejectsWith('"just a string"', /invalid type: string "just a string", expected struct FlowResult/);
    rejectsWith('{"execution_id":', /Invalid JSON: EOF while parsing a value at line 1 column 16/);
  });

  it('refuses invalid UTF-8 and says where', () => {
    const bytes = Buffer.concat([Buffer.from(`{"execution_id":"${ID}","outputs":{"a":"`), Buffer.from([0xff, 0xfe]), Buffer.from('"},"completed_nodes":[],"skipped_nodes":[]}')]);
    assert.throws(() => parseFlowResultBytes(bytes), /Invalid UTF-8 at byte 71/);
  });

  it('like serde, skips unknown fields without checking surrogates, depth, range or UTF-8', () => {
    const base = `{"execution_id":"${ID}","outputs":{},"completed_nodes":[],"skipped_nodes":[],"x":`;
    for (const x of ['"\\ud800"', '['.repeat(300) + ']'.repeat(300), '1e400']) assert.doesNotThrow(() => parseFlowResult(`${base}${x}}`), x);
    const bytes = Buffer.concat([Buffer.from(`${base}"`), Buffer.from([0xff]), Buffer.from('"}')]);
    assert.strictEqual(parseFlowResultBytes(bytes).executionId, ID);
    const inOutputs = Buffer.concat([Buffer.from(`{"execution_id":"${ID}","outputs":{"a":"`), Buffer.from([0xff]), Buffer.from('"},"completed_nodes":[],"skipped_nodes":[]}')]);
    assert.throws(() => parseFlowResultBytes(inOutputs), /Invalid UTF-8 at byte 71/);
    assert.throws(() => parseFlowResult(`{"execution_id":"${ID}","outputs":{"a":1e400},"completed_nodes":[],"skipped_nodes":[]}`), /number out of range/);
    assert.throws(() => parseFlowResult(`{"execution_id":"${ID}","outputs":{"a":1${'0'.repeat(309)}},"completed_nodes":[],"skipped_nodes":[]}`), /number out of range/);
  });

  it('round-trips through the compact and the export form', () => {
    const r = parseFlowResult(`{"execution_id":"${ID}","outputs":{"b":{"n":18446744073709551615,"f":1.0},"a":[1e-7,"é"]},"completed_nodes":["b","a"],"skipped_nodes":[],"context":{"t":-0.0},"x":true}`);
    assert.ok(flowResultsEqual(parseFlowResult(serializeFlowResult(r)), r));
    assert.ok(flowResultsEqual(parseFlowResult(exportFlowResult(r)), r));
    assert.strictEqual(
      serializeFlowResult(r),
      `{"execution_id":"${ID}","outputs":{"b":{"n":18446744073709551615,"f":1.0},"a":[1e-7,"é"]},"completed_nodes":["b","a"],"skipped_nodes":[],"context":{"t":-0.0},"x":true}`,
    );
  });

  it('exports pretty, in struct order, sets and top-level maps sorted, trailing newline', () => {
    const r = parseFlowResult(`{"zz":1,"skipped_nodes":["c"],"context":{"k2":1,"k1":2},"completed_nodes":["c","b","a"],"outputs":{"c":null,"a":{"y":1,"x":2},"b":3},"execution_id":"${ID.toUpperCase()}"}`);
    assert.strictEqual(
      exportFlowResult(r),
      [
        '{',
        `  "execution_id": "${ID}",`,
        '  "outputs": {',
        '    "a": {',
        '      "y": 1,',
        '      "x": 2',
        '    },',
        '    "b": 3,',
        '    "c": null',
        '  },',
        '  "completed_nodes": [',
        '    "a",',
        '    "b",',
        '    "c"',
        '  ],',
        '  "skipped_nodes": [',
        '    "c"',
        '  ],',
        '  "context": {',
        '    "k1": 2,',
        '    "k2": 1',
        '  },',
        '  "zz": 1',
        '}',
        '',
      ].join('\n'),
    );
  });
});

describe('summaries', () => {
  it('derives executed = completed − skipped, counts and sizes', () => {
    const s = summarize(parseFlowResult(EXAMPLE));
    assert.deepStrictEqual(s.executed, ['fetch']);
    assert.deepStrictEqual(s.skipped, ['notify']);
    assert.strictEqual(s.nodeCount, 2);
    assert.deepStrictEqual(
      s.nodes.map((n) => [n.id, n.status, n.outputType, n.outputBytes]),
      [
        ['fetch', 'executed', 'object', '{"status":200,"items":[1,2]}'.length],
        ['notify', 'skipped', 'null', 4],
      ],
    );
    assert.strictEqual(s.contextKeys, 1);
  });

  it('counts UTF-8 bytes and marks outputs of nodes never completed', () => {
    const s = summarize(parseFlowResult(`{"execution_id":"${ID}","outputs":{"x":"é😀","ghost":1},"completed_nodes":["x"],"skipped_nodes":[]}`));
    assert.strictEqual(s.nodes.find((n) => n.id === 'x')?.outputBytes, 2 + 2 + 4);
    assert.strictEqual(s.nodes.find((n) => n.id === 'ghost')?.status, 'output-only');
    assert.strictEqual(s.nodeCount, 1);
  });

  it('keeps big numbers exact in summaries', () => {
    const r = parseFlowResult(`{"execution_id":"${ID}","outputs":{"x":12345678901234567890},"completed_nodes":["x"],"skipped_nodes":[]}`);
    assert.ok(r.outputs.x instanceof JsonNumber);
    assert.strictEqual(String(r.outputs.x), '12345678901234567890');
  });
});

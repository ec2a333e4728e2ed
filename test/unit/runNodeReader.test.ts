/**
 * One node (or the context, or the extra fields) read straight from a run's bytes gives what
 * the detail panel's view of the run gives (buildRunViewFromBytes, then the node's output as
 * nodeOutput reads it, deferred ones included), on sample runs and hostile ones; and the
 * one-pass read is the one taken for ordinary runs (the full scan only where it is not sure).
 */
import * as assert from 'assert';
import { serializeFlowResult } from '../../src/core/flowResult';
import { generateSampleRuns } from '../../src/core/sample';
import { fullRead, NodeRead, NodeReadTarget, quickReadRunNode, readRunNode } from '../../src/node/runNodeReader';
import { buildRunViewFromBytes } from '../../src/node/runViewModel';
import { decodeRunNodes } from '../../src/shared/protocol';
import { badFiles } from '../support/badFiles';
import { allPayloads, chunks, payloadRunText } from '../support/hostilePayloads';

const ID = '3f2504e0-4f89-41d3-9a0c-0305e82c3301';

/** What Node History and the plot got before: the panel's whole view, then the node's output (as nodeOutput). */
function viaView(bytes: Uint8Array, id: string, target: NodeReadTarget): NodeRead {
  const built = buildRunViewFromBytes(bytes, { id, storeKey: 'k', storeLabel: 'l', savedAt: 0, size: bytes.byteLength });
  if (!built.ok) return built;
  if (target.kind === 'context') return { ok: true, status: 'absent', text: built.view.context };
  if (target.kind === 'extra') return { ok: true, status: 'absent', text: built.view.extraFields };
  const node = decodeRunNodes(built.view, built.rest).find((n) => n.id === target.nodeId);
  if (!node) return { ok: true, status: 'absent' };
  if (node.outputType === 'none') return { ok: true, status: node.status };
  const span = built.deferred.find(([n]) => n === target.nodeId);
  return { ok: true, status: node.status, text: node.output ?? built.text.slice(span![1], span![2]) };
}

function targetsOf(bytes: Uint8Array): NodeReadTarget[] {
  const ids = new Set<string>(['absent-node', '']);
  try {
    const value = JSON.parse(Buffer.from(bytes).toString('utf8')) as { outputs?: object; completed_nodes?: unknown[]; skipped_nodes?: unknown[] };
    for (const k of Object.keys(value.outputs ?? {})) ids.add(k);
    for (const k of [...(Array.isArray(value.completed_nodes) ? value.completed_nodes : []), ...(Array.isArray(value.skipped_nodes) ? value.skipped_nodes : [])]) if (typeof k === 'string') ids.add(k);
  } catch {
    // not JSON: the absent node and the other targets still say why it cannot be read
  }
  return [{ kind: 'context' }, { kind: 'extra' }, ...[...ids].map((nodeId) => ({ kind: 'node' as const, nodeId }))];
}

/** Every target of a run: readRunNode, the full scan and the view agree; the quick read agrees whenever it answers. */
function assertSame(name: string, bytes: Uint8Array, id = ID): number {
  let quick = 0;
  for (const target of targetsOf(bytes)) {
    const expected = viaView(bytes, id, target);
    const what = `${name}: ${JSON.stringify(target).slice(0, 120)}`;
    assert.deepStrictEqual(readRunNode(bytes, id, target), expected, what);
    assert.deepStrictEqual(fullRead(bytes, id, target), expected, what);
    const answered = quickReadRunNode(bytes, id, target);
    if (answered) {
      quick++;
      assert.deepStrictEqual(answered, expected, `${what} (one pass)`);
    }
  }
  return quick;
}

const run = (rest: string, id = ID) => Buffer.from(`{"execution_id":"${id}",${rest}}`, 'utf8');

/**
 * The run with an unknown field of 20 KiB first: a run that big has its values checked by the
 * WebAssembly kernel (src/wasm/exportKernel.ts, `check`), a small one in TypeScript.
 */
const padded = (bytes: Buffer) => (bytes[0] === 0x7b ? Buffer.concat([Buffer.from(`{"pad":["${'p'.repeat(20 * 1024)}",{"n":[1.5,-2e-3,null,true,false]}],`), bytes.subarray(1)]) : bytes);

describe('reading one node of a run from its bytes', () => {
  it('gives the view\'s answer on sample runs, big ones included, in one pass', () => {
    const runs = [...generateSampleRuns({ count: 6, nodes: 8, seed: 7 }), ...generateSampleRuns({ count: 2, nodes: 6, seed: 8, payloadBytes: 600 * 1024 })];
    for (const [i, r] of runs.entries()) {
      const bytes = Buffer.from(serializeFlowResult(r), 'utf8');
      const targets = targetsOf(bytes).length;
      assert.strictEqual(assertSame(`sample ${i}`, bytes, r.executionId), targets, `sample ${i}: every target read in one pass`);
    }
  });

  it('node executed, skipped, output-only and absent; outputs with escapes and big integers, exact', () => {
    const bytes = run(
      '"outputs":{"a":{"n":18446744073709551615,"f":1.0,"e":-1.5E-7,"s":"tab\\there \\"q\\" \\u00e9 \\u2028 \\/ ✅"},"b":null,"only":[1,2e3,{}],"x\\u00e9":7},' +
        '"completed_nodes":["a","b","xé"],"skipped_nodes":["b","s"],"context":{"k":1e2,"big":123456789012345678901234567890}',
    );
    assert.strictEqual(assertSame('statuses', bytes), targetsOf(bytes).length);
    assert.deepStrictEqual(readRunNode(bytes, ID, { kind: 'node', nodeId: 'a' }), {
      ok: true,
      status: 'executed',
      text: '{"n":18446744073709551615,"f":1.0,"e":-1.5E-7,"s":"tab\\there \\"q\\" \\u00e9 \\u2028 \\/ ✅"}',
    });
    assert.deepStrictEqual(readRunNode(bytes, ID, { kind: 'node', nodeId: 'b' }), { ok: true, status: 'skipped', text: 'null' });
    assert.deepStrictEqual(readRunNode(bytes, ID, { kind: 'node', nodeId: 's' }), { ok: true, status: 'skipped' });
    assert.deepStrictEqual(readRunNode(bytes, ID, { kind: 'node', nodeId: 'only' }), { ok: true, status: 'output-only', text: '[1,2e3,{}]' });
    assert.deepStrictEqual(readRunNode(bytes, ID, { kind: 'node', nodeId: 'xé' }), { ok: true, status: 'executed', text: '7' });
    assert.deepStrictEqual(readRunNode(bytes, ID, { kind: 'node', nodeId: 'zz' }), { ok: true, status: 'absent' });
    assert.deepStrictEqual(readRunNode(bytes, ID, { kind: 'context' }), { ok: true, status: 'absent', text: '{"k":1e2,"big":123456789012345678901234567890}' });
  });

  it('repeated keys as serde sees them: the last output wins, a repeated field is refused, a repeated unknown field moves last', () => {
    assertSame('repeated output', run('"outputs":{"a":1,"b":2,"a":{"v":3}},"completed_nodes":["a"],"skipped_nodes":[],"context":{"c":1,"d":2,"c":3}'));
    assert.deepStrictEqual(readRunNode(run('"outputs":{"a":1,"a":{"v":3}},"completed_nodes":["a"],"skipped_nodes":[],"context":{}'), ID, { kind: 'node', nodeId: 'a' }), { ok: true, status: 'executed', text: '{"v":3}' });
    assertSame('repeated context key', run('"outputs":{},"completed_nodes":[],"skipped_nodes":[],"context":{"c":1,"d":2,"c":3}'));
    assertSame('repeated field', run('"outputs":{},"completed_nodes":[],"skipped_nodes":[],"context":{},"outputs":{}'));
    const extra = run('"x":1,"outputs":{},"y":[2],"completed_nodes":[],"skipped_nodes":[],"context":{},"x":{"z":3}');
    assertSame('repeated unknown field', extra);
    assert.deepStrictEqual(readRunNode(extra, ID, { kind: 'extra' }), { ok: true, status: 'absent', text: '{"y":[2],"x":{"z":3}}' });
    assert.match(String((readRunNode(run('"outputs":{},"completed_nodes":[],"skipped_nodes":[],"context":{},"outputs":{}'), ID, { kind: 'node', nodeId: 'a' }) as { reason: string }).reason), /duplicate field `outputs`/);
  });

  it('what the one pass is not sure of goes to the full scan, which says why or reads it', () => {
    const cases: [string, Buffer][] = [
      ['surrogate pair escape', run('"outputs":{"a":"\\ud83d\\ude00"},"completed_nodes":["a"],"skipped_nodes":[],"context":{}')],
      ['lone surrogate escape', run('"outputs":{"a":"\\ud83d"},"completed_nodes":["a"],"skipped_nodes":[],"context":{}')],
      ['number out of range', run('"outputs":{"a":1e400},"completed_nodes":["a"],"skipped_nodes":[],"context":{}')],
      ['long number within range', run(`"outputs":{"a":${'9'.repeat(305)}},"completed_nodes":["a"],"skipped_nodes":[],"context":{}`)],
      ['deep nesting, refused', run(`"outputs":{"a":${'['.repeat(130)}${']'.repeat(130)}},"completed_nodes":["a"],"skipped_nodes":[],"context":{}`)],
      ['deep nesting, accepted', run(`"outputs":{"a":${'['.repeat(110)}${']'.repeat(110)}},"completed_nodes":["a"],"skipped_nodes":[],"context":{}`)],
      ['deep unknown field (serde skips it unchecked)', run(`"outputs":{},"completed_nodes":[],"skipped_nodes":[],"context":{},"x":${'['.repeat(200)}${']'.repeat(200)}`)],
      ['no context (serde\'s default)', run('"outputs":{"a":1},"completed_nodes":["a"],"skipped_nodes":[]')],
      ['braced id', run('"outputs":{},"completed_nodes":[],"skipped_nodes":[],"context":{}', `{${ID}}`)],
      ['other id', run('"outputs":{},"completed_nodes":[],"skipped_nodes":[],"context":{}', '0f8fad5b-d9cb-469f-a165-70867728950e')],
      ['trailing comma', run('"outputs":{"a":[1,]},"completed_nodes":["a"],"skipped_nodes":[],"context":{}')],
      ['control character in a string', run('"outputs":{"a":"x\ty"},"completed_nodes":["a"],"skipped_nodes":[],"context":{}')],
      ['bad escape', run('"outputs":{"a":"\\x"},"completed_nodes":["a"],"skipped_nodes":[],"context":{}')],
      ['leading zero', run('"outputs":{"a":01},"completed_nodes":["a"],"skipped_nodes":[],"context":{}')],
      ['trailing text', Buffer.from(`{"execution_id":"${ID}","outputs":{},"completed_nodes":[],"skipped_nodes":[],"context":{}} x`)],
      ['array form', Buffer.from(`["${ID}",{"a":1},["a"],[],{}]`)],
      ['key starting with a byte order mark', run('"outputs":{"\ufeffa":1},"completed_nodes":["\ufeffa"],"skipped_nodes":[],"context":{"\ufeffc":2}')],
      ['invalid UTF-8 in an unknown field', Buffer.concat([run('"outputs":{"a":1},"completed_nodes":["a"],"skipped_nodes":[],"context":{}').subarray(0, -1), Buffer.from(',"x":"'), Buffer.from([0xff]), Buffer.from('"}')])],
    ];
    for (const [name, bytes] of cases) {
      const quick = assertSame(name, bytes);
      // Checked by the kernel: the same answers, and at least as many in one pass (it also
      // takes surrogate pairs, which the TypeScript check leaves to the full scan).
      assert.ok(assertSame(`${name} (kernel)`, padded(bytes)) >= quick, `${name}: the kernel answers where TypeScript did`);
    }
    assert.strictEqual(quickReadRunNode(padded(cases[5][1]), ID, { kind: 'node', nodeId: 'a' }), undefined);
    assert.strictEqual(quickReadRunNode(padded(cases[0][1]), ID, { kind: 'node', nodeId: 'a' })?.ok, true);
    // The deep-but-accepted output is left to the full scan; a key starting with U+FEFF is read in one pass.
    assert.strictEqual(quickReadRunNode(cases[5][1], ID, { kind: 'node', nodeId: 'a' }), undefined);
    assert.strictEqual(quickReadRunNode(cases[16][1], ID, { kind: 'node', nodeId: '\ufeffa' })?.ok, true);
  });

  it('the catalogue of broken run files: the same reason as the detail panel', () => {
    for (const bad of badFiles) {
      assertSame(bad.name, bad.bytes(ID));
      assertSame(`${bad.name} (kernel)`, padded(Buffer.from(bad.bytes(ID))));
    }
  });

  it('hostile payloads as node ids, output keys and values, context keys and values', () => {
    let quick = 0;
    let kernel = 0;
    for (const [i, chunk] of chunks(allPayloads('http://127.0.0.1:1'), 40).entries()) {
      const bytes = Buffer.from(payloadRunText(ID, chunk), 'utf8');
      quick += assertSame(`payload chunk ${i}`, bytes);
      kernel += assertSame(`payload chunk ${i} (kernel)`, padded(bytes));
    }
    assert.ok(quick > 0, 'some hostile runs are read in one pass');
    assert.ok(kernel >= quick, 'the kernel answers where TypeScript did');
  });
});

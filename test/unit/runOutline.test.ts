/**
 * The tree's outline of a run (src/node/runViewModel.ts), built from spans in the scan
 * worker for big runs: the same rows as parsing the whole run, and only a page of them.
 */
import * as assert from 'assert';
import * as path from 'path';
import { parseFlowResult, scanFlowResult, serializeFlowResult } from '../../src/core/flowResult';
import { previewValue } from '../../src/core/format';
import { generateSampleRuns } from '../../src/core/sample';
import { summarize } from '../../src/core/summary';
import { RunScanner } from '../../src/node/runScanner';
import { buildRunOutline } from '../../src/node/runViewModel';

describe('Run outline (tree rows of a run)', () => {
  const [run] = generateSampleRuns({ count: 1, nodes: 300, seed: 16 });
  const text = serializeFlowResult(run);

  it('gives the rows of the full parse, only the first page of them', () => {
    const outline = buildRunOutline(scanFlowResult(text), 40);
    const parsed = parseFlowResult(text);
    const summary = summarize(parsed);
    assert.strictEqual(outline.total, summary.nodes.length);
    assert.strictEqual(outline.nodeCount, summary.nodeCount);
    assert.strictEqual(outline.executed, summary.executed.length);
    assert.strictEqual(outline.skipped, summary.skipped.length);
    assert.strictEqual(outline.nodes.length, 40);
    const expected = summary.nodes.slice(0, 40).map((n) => ({
      id: n.id,
      status: n.status,
      preview: n.status === 'skipped' ? 'skipped' : n.outputType === 'none' ? 'no output' : previewValue(parsed.outputs[n.id], 80),
    }));
    assert.deepStrictEqual(outline.nodes, expected);
    assert.strictEqual(outline.contextPreview, previewValue(parsed.context, 80));
    assert.strictEqual(outline.contextKeys, Object.keys(parsed.context).length);
  });

  it('figures only (limit 0): no node and no preview parsed', () => {
    const outline = buildRunOutline(scanFlowResult(text), 0);
    assert.deepStrictEqual(outline.nodes, []);
    assert.strictEqual(outline.contextPreview, '');
  });

  it('in the scan worker: a page comes back, and why a run is refused', async () => {
    const scanner = new RunScanner(path.join(__dirname, '..', '..', 'src', 'node', 'runScannerThread.js'));
    try {
      const bytes = new TextEncoder().encode(text);
      const ok = await scanner.outline({ bytes }, run.executionId, 5);
      assert.ok(ok.ok && ok.outline.nodes.length === 5, JSON.stringify(ok));
      const wrong = await scanner.outline({ bytes: new TextEncoder().encode(text) }, '00000000-0000-4000-8000-000000000000', 5);
      assert.ok(!wrong.ok && /id/i.test(wrong.reason), JSON.stringify(wrong));
    } finally {
      scanner.dispose();
    }
  });
});

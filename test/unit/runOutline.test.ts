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
import { buildRunOutline, previewSpan } from '../../src/node/runViewModel';
import { parseJson } from '../../src/core/json';

describe('Run outline (tree rows of a run)', () => {
  it('previews a big value from its text, with the member count the parsed preview gives', () => {
    const values: unknown[] = [
      Array.from({ length: 20_000 }, (_, i) => ({ i, s: `a,"]}\\${i}` })),
      Object.fromEntries(Array.from({ length: 9_000 }, (_, i) => [`k${i}`, [i, { x: '{,}' }]])),
      'x'.repeat(100_000),
      [],
      {},
      { small: [1, 2, 3] },
    ];
    for (const value of values) {
      const text = ` ${JSON.stringify(value)} `;
      const start = 1;
      const end = text.length - 1;
      const parsed = previewValue(parseJson(text.slice(start, end)), 80);
      const preview = previewSpan(text, start, end);
      // The same count and the same start (the text is compact JSON here).
      assert.strictEqual(preview.split(' ')[0], parsed.split(' ')[0], parsed);
      assert.strictEqual(preview.slice(0, 40), parsed.slice(0, 40));
      assert.ok(preview.length <= 81, preview);
    }
  });

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

  describe('the scan worker, when idle', () => {
    const script = path.join(__dirname, '..', '..', 'src', 'node', 'runScannerThread.js');
    const until = async (what: string, test: () => boolean): Promise<void> => {
      for (let i = 0; i < 200 && !test(); i++) await new Promise((resolve) => setTimeout(resolve, 25));
      assert.ok(test(), what);
    };

    it('stops when it has nothing to do, and a new one answers the next request', async () => {
      const scanner = new RunScanner(script, undefined, 50);
      try {
        const first = await scanner.outline({ bytes: new TextEncoder().encode(text) }, run.executionId, 3);
        assert.ok(first.ok);
        await until('the idle worker stopped', () => !scanner.running);
        const second = await scanner.outline({ bytes: new TextEncoder().encode(text) }, run.executionId, 3);
        assert.ok(second.ok && second.outline.nodes.length === 3);
        assert.strictEqual(scanner.started, 2);
      } finally {
        scanner.dispose();
      }
    });

    it('keeps running while a panel may still ask for a deferred output, stops once released', async () => {
      const scanner = new RunScanner(script, undefined, 50);
      try {
        const big = { ...run, outputs: { ...run.outputs, big: 'x'.repeat(600_000) } };
        const built = await scanner.build(new TextEncoder().encode(serializeFlowResult(big)), { id: run.executionId, storeKey: '', storeLabel: '', savedAt: 0, size: 0 });
        assert.ok(built.ok && built.deferred.has('big'), 'the big output is deferred');
        await new Promise((resolve) => setTimeout(resolve, 300));
        assert.ok(scanner.running, 'the worker keeps the run text for the panel');
        assert.strictEqual((await built.readOutput('big'))?.length, 600_002);
        built.release();
        await until('the worker stopped after the release', () => !scanner.running);
      } finally {
        scanner.dispose();
      }
    });
  });
});

/** Plot Across Runs: value extraction over runs (src/core/plotSeries.ts). */
import * as assert from 'assert';
import { bracketPath, indexPath, memberPath, outputPath } from '../../media/detail/jsonPath';
import { approximateNote, buildPlotSeries, JsonPathError, parseJsonPath, plotNumber, PlotRun, splitOutputPath } from '../../src/core/plotSeries';
import { JsonNumber } from '../../src/core/json';
import { parseHistoryPageMessage } from '../../src/shared/historyProtocol';
import { parsePlotHostMessage, parsePlotPageMessage } from '../../src/shared/plotProtocol';
import { parseWebviewMessage } from '../../src/shared/protocol';

const T0 = Date.UTC(2026, 11, 1, 10, 0, 0);
const run = (n: number, text?: string, unreadable?: string): PlotRun => ({
  id: `run-${n}`,
  savedAt: T0 + n * 60_000,
  ...(text !== undefined ? { text } : {}),
  ...(unreadable !== undefined ? { unreadable } : {}),
});
const record = (outputs: string) => `{"execution_id":"x","outputs":${outputs},"completed_nodes":[],"skipped_nodes":[],"context":{"retries":3}}`;

describe('plotSeries: JSON paths', () => {
  it('reads the paths Copy Path writes, keys with dots, quotes, brackets and indices', () => {
    const nasty = 'a.b"[0]\\ \u0001é';
    const path = memberPath(indexPath(bracketPath(outputPath('classify.v2'), nasty), 3), 'x');
    assert.deepStrictEqual(parseJsonPath(path), ['outputs', 'classify.v2', nasty, 3, 'x']);
    assert.deepStrictEqual(parseJsonPath('$.outputs.classify.confidence'), ['outputs', 'classify', 'confidence']);
    assert.deepStrictEqual(parseJsonPath('$'), []);
    assert.deepStrictEqual(parseJsonPath('$.context["__proto__"]'), ['context', '__proto__']);
  });

  it('refuses what is not a path', () => {
    for (const bad of ['', 'outputs.x', '$.', '$.1a', '$[', '$["a"', '$["a]', '$[-1]', '$[01]', '$.a b', '$["\\q"]']) {
      assert.throws(() => parseJsonPath(bad), JsonPathError, bad);
    }
  });

  it('splits a path at the node output', () => {
    assert.deepStrictEqual(splitOutputPath(['outputs', 'n', 'x', 0]), { nodeId: 'n', rest: ['x', 0] });
    assert.strictEqual(splitOutputPath(['context', 'x']), undefined);
    assert.strictEqual(splitOutputPath(['outputs']), undefined);
  });
});

describe('plotSeries: numbers', () => {
  it('keeps what a double holds as exact and flags the rest', () => {
    assert.deepStrictEqual(plotNumber(0.93), { value: 0.93, text: '0.93', approximate: false });
    assert.deepStrictEqual(plotNumber(new JsonNumber('0.930')), { value: 0.93, text: '0.930', approximate: false });
    assert.deepStrictEqual(plotNumber(new JsonNumber('1e3')), { value: 1000, text: '1e3', approximate: false });
    assert.deepStrictEqual(plotNumber(new JsonNumber('-0')), { value: -0, text: '-0', approximate: false });
    const big = plotNumber(new JsonNumber('12345678901234567890'))!;
    assert.strictEqual(big.text, '12345678901234567890');
    assert.strictEqual(big.approximate, true);
    assert.strictEqual(big.value, 12345678901234567000);
    assert.strictEqual(plotNumber(new JsonNumber('9007199254740993'))!.approximate, true);
    assert.strictEqual(plotNumber(new JsonNumber('0.12345678901234567890123'))!.approximate, true);
    assert.strictEqual(plotNumber(new JsonNumber('1.5e308'))!.approximate, false);
    assert.strictEqual(plotNumber('1'), undefined);
    assert.strictEqual(plotNumber(null), undefined);
    assert.strictEqual(plotNumber(true), undefined);
    assert.strictEqual(plotNumber([1]), undefined);
  });

  it('words the note', () => {
    assert.strictEqual(approximateNote(1), '1 value exceeds 2^53: shown exactly in the table, plotted approximately');
    assert.strictEqual(approximateNote(3), '3 values exceed 2^53: shown exactly in the table, plotted approximately');
  });
});

describe('plotSeries: series over runs', () => {
  it('one point per run, oldest first, with gaps where the run lacks the path, holds no number, or is unreadable', () => {
    const runs = [
      run(5, record('{"classify":{"confidence":0.5}}')),
      run(1, record('{"classify":{"confidence":0.25}}')),
      run(2, record('{"other":1}')),
      run(3, record('{"classify":{"confidence":"high"}}')),
      run(4, undefined, 'not JSON at line 1'),
      run(6, '{"outputs": {'),
      run(7, record('{"classify":{"confidence":123456789012345678901}}')),
      run(0, record('{"classify":{"confidence":null}}')),
    ];
    const series = buildPlotSeries(runs, parseJsonPath('$.outputs["classify"].confidence'));
    assert.deepStrictEqual(
      series.points.map((p) => [p.id, p.number?.text ?? p.gap]),
      [
        ['run-0', 'not a number'],
        ['run-1', '0.25'],
        ['run-2', 'missing'],
        ['run-3', 'not a number'],
        ['run-4', 'unreadable'],
        ['run-5', '0.5'],
        ['run-6', 'unreadable'],
        ['run-7', '123456789012345678901'],
      ],
    );
    assert.strictEqual(series.points[4].reason, 'not JSON at line 1');
    assert.match(series.points[6].reason!, /EOF/);
    assert.strictEqual(series.plotted, 3);
    assert.strictEqual(series.gaps, 5);
    assert.strictEqual(series.approximate, 1);
    assert.strictEqual(series.points[7].number!.approximate, true);
  });

  it('reads array indices and keys that look like paths, never the prototype', () => {
    const text = record('{"a.b":[0,1,2,{"x":42}],"n":{"__proto__":7}}');
    assert.strictEqual(buildPlotSeries([run(1, text)], parseJsonPath('$.outputs["a.b"][3].x')).points[0].number?.text, '42');
    assert.strictEqual(buildPlotSeries([run(1, text)], parseJsonPath('$.outputs["a.b"][9]')).points[0].gap, 'missing');
    assert.strictEqual(buildPlotSeries([run(1, text)], parseJsonPath('$.outputs["a.b"].x')).points[0].gap, 'missing');
    assert.strictEqual(buildPlotSeries([run(1, text)], parseJsonPath('$.outputs["n"]["__proto__"]')).points[0].number?.text, '7');
    assert.strictEqual(buildPlotSeries([run(1, text)], parseJsonPath('$.outputs["n"].toString')).points[0].gap, 'missing');
    assert.strictEqual(buildPlotSeries([run(1, text)], parseJsonPath('$.context.retries')).points[0].number?.value, 3);
  });
});

describe('plotSeries: messages', () => {
  it('the panel\'s plot action carries a path, and no other action does', () => {
    const path = '$.outputs["a"].x';
    assert.deepStrictEqual(parseWebviewMessage({ type: 'action', action: 'plot', id: 'r', path }), { type: 'action', action: 'plot', id: 'r', path });
    assert.strictEqual(parseWebviewMessage({ type: 'action', action: 'plot', id: 'r' }), undefined);
    assert.strictEqual(parseWebviewMessage({ type: 'action', action: 'export', id: 'r', path }), undefined);
    assert.strictEqual(parseWebviewMessage({ type: 'action', action: 'plot', id: 'r', path, nodeId: 'a' }), undefined);
    assert.strictEqual(parseWebviewMessage({ type: 'action', action: 'plot', id: 'r', path: 1 }), undefined);
  });

  it('the plot page may only ask to open a run, say it is ready or that it drew; Node History may ask for a plot', () => {
    assert.deepStrictEqual(parsePlotPageMessage({ type: 'openRun', runId: 'r' }), { type: 'openRun', runId: 'r' });
    assert.strictEqual(parsePlotPageMessage({ type: 'openRun', runId: 'r', path: '$' }), undefined);
    assert.strictEqual(parsePlotPageMessage({ type: 'openRun', runId: 'r'.repeat(201) }), undefined);
    assert.strictEqual(parsePlotPageMessage({ type: 'rendered', points: -1 }), undefined);
    assert.deepStrictEqual(parseHistoryPageMessage({ type: 'plot' }), { type: 'plot' });
    assert.strictEqual(parseHistoryPageMessage({ type: 'plot', path: '$' }), undefined);
  });

  it('the page checks the points it is sent', () => {
    const message = { type: 'plot', storeLabel: 's', path: '$.x', points: [{ id: 'r', savedAt: 1, value: 2, text: '2' }, { id: 'q', savedAt: 2, gap: 'missing' }], plotted: 1, approximate: 0, total: 2 };
    assert.deepStrictEqual(parsePlotHostMessage(message), message);
    assert.strictEqual(parsePlotHostMessage({ ...message, points: [{ id: 'r', savedAt: 1, value: Infinity }] }), undefined);
    assert.strictEqual(parsePlotHostMessage({ ...message, points: [{ id: 'r', savedAt: 1, gap: 'other' }] }), undefined);
  });
});

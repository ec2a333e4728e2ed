/** A node's history (src/core/nodeHistory.ts) and the path diff it shares with Compare (src/core/diff.ts). */
import * as assert from 'assert';
import { diffValues } from '../../src/core/diff';
import { parseJson } from '../../src/core/json';
import { buildNodeHistory, describeChange, NodeChange, NodeHistoryRun } from '../../src/core/nodeHistory';
import { parseGridPageMessage } from '../../src/shared/gridProtocol';
import { HistoryHostMessage, parseHistoryHostMessage, parseHistoryPageMessage } from '../../src/shared/historyProtocol';
import { parseWebviewMessage } from '../../src/shared/protocol';

const T0 = Date.UTC(2026, 11, 1, 10, 0, 0);
const id = (n: number) => `0000000${n}-0000-4000-8000-000000000000`;
const run = (n: number, status: NodeHistoryRun['status'], output?: string, unreadable?: string): NodeHistoryRun => ({
  id: id(n),
  savedAt: T0 + n * 60_000,
  ...(status ? { status } : {}),
  ...(output !== undefined ? { output } : {}),
  ...(unreadable !== undefined ? { unreadable } : {}),
});

function compared(change: NodeChange) {
  assert.strictEqual(change.kind, 'compared', describeChange(change));
  return change as Extract<NodeChange, { kind: 'compared' }>;
}

describe('node history', () => {
  it('keeps the runs in the order given (newest first) and compares each with the next older one', () => {
    const history = buildNodeHistory('fetch', [run(3, 'executed', '{"n":3}'), run(2, 'executed', '{"n":2}'), run(1, 'executed', '{"n":2}')]);
    assert.deepStrictEqual(
      history.map((e) => e.id),
      [id(3), id(2), id(1)],
    );
    const newest = compared(history[0].change);
    assert.strictEqual(newest.previousId, id(2));
    assert.strictEqual(newest.output, 'changed');
    assert.deepStrictEqual(newest.paths, ['$.n']);
    assert.strictEqual(describeChange(newest), 'Output changed: 1 path since 00000002.');
    const middle = compared(history[1].change);
    assert.strictEqual(middle.output, 'same');
    assert.strictEqual(middle.status, undefined);
    assert.strictEqual(describeChange(middle), 'Unchanged since 00000001.');
    assert.deepStrictEqual(history[2].change, { kind: 'first' });
  });

  it('reports status changes, including to and from absent, with the output added or removed', () => {
    const history = buildNodeHistory('notify', [run(4, 'executed', '"sent"'), run(3, 'absent'), run(2, 'skipped', 'null'), run(1, 'executed', '"sent"')]);
    const [four, three, two] = history.map((e) => e.change);
    assert.deepStrictEqual(compared(four).status, { from: 'absent', to: 'executed' });
    assert.strictEqual(compared(four).output, 'added');
    assert.deepStrictEqual(compared(three).status, { from: 'skipped', to: 'absent' });
    assert.strictEqual(compared(three).output, 'removed');
    assert.deepStrictEqual(compared(two).status, { from: 'executed', to: 'skipped' });
    assert.strictEqual(compared(two).output, 'changed');
    assert.deepStrictEqual(compared(two).paths, ['$']);
    assert.strictEqual(describeChange(two), 'Status executed → skipped; output changed: 1 path since 00000001.');
    assert.strictEqual(describeChange(four), 'Status absent → executed; output added since 00000003.');
  });

  it('absent in two runs in a row is no change; output-only is a status of its own', () => {
    const history = buildNodeHistory('x', [run(3, 'output-only', '1'), run(2, 'absent'), run(1, 'absent')]);
    assert.deepStrictEqual(compared(history[0].change).status, { from: 'absent', to: 'output-only' });
    const two = compared(history[1].change);
    assert.strictEqual(two.status, undefined);
    assert.strictEqual(two.output, 'same');
  });

  it('lists every changed path of an output, in key order, nested and in arrays', () => {
    const older = '{"items":[{"sku":"a","qty":1},{"sku":"b"}],"total":2,"meta":{"by":"x"},"odd key":1}';
    const newer = '{"items":[{"sku":"a","qty":2}],"total":2,"meta":{"by":"y","at":5},"odd key":2}';
    const change = compared(buildNodeHistory('n', [run(2, 'executed', newer), run(1, 'executed', older)])[0].change);
    assert.deepStrictEqual(change.paths, ['$.items[0].qty', '$.items[1]', '$.meta.at', '$.meta.by', '$["odd key"]']);
    assert.strictEqual(change.morePaths, false);
    assert.match(describeChange(change), /^Output changed: 5 paths since /);
  });

  it('caps the listed paths and says there are more', () => {
    const a = JSON.stringify(Object.fromEntries(Array.from({ length: 80 }, (_, i) => [`k${i}`, i])));
    const b = JSON.stringify(Object.fromEntries(Array.from({ length: 80 }, (_, i) => [`k${i}`, i + 1])));
    const change = compared(buildNodeHistory('n', [run(2, 'executed', b), run(1, 'executed', a)])[0].change);
    assert.strictEqual(change.paths.length, 50);
    assert.strictEqual(change.morePaths, true);
    assert.match(describeChange(change), /more than 50 paths/);
  });

  it('unreadable runs are marked, not compared, and skipped over by the next newer run', () => {
    const history = buildNodeHistory('n', [run(4, 'executed', '1'), run(3, undefined, undefined, 'not valid JSON'), run(2, undefined, undefined, 'gone'), run(1, 'executed', '1')]);
    assert.deepStrictEqual(history[1].change, { kind: 'unreadable' });
    assert.strictEqual(history[1].unreadable, 'not valid JSON');
    assert.deepStrictEqual(history[2].change, { kind: 'unreadable' });
    const four = compared(history[0].change);
    assert.strictEqual(four.previousId, id(1));
    assert.strictEqual(four.unreadableBetween, 2);
    assert.strictEqual(four.output, 'same');
    assert.strictEqual(describeChange(four), 'Unchanged since 00000001 (2 unreadable runs between).');
    // Only unreadable runs older than it: nothing to compare with.
    assert.deepStrictEqual(buildNodeHistory('n', [run(2, 'executed', '1'), run(1, undefined, undefined, 'bad')])[0].change, { kind: 'first' });
  });

  it('keeps big integers exact: two that one f64 cannot tell apart still differ', () => {
    const history = buildNodeHistory('n', [run(3, 'executed', '{"id":9007199254740993}'), run(2, 'executed', '{"id":9007199254740992}'), run(1, 'executed', '{"id":9007199254740992}')]);
    assert.deepStrictEqual(compared(history[0].change).paths, ['$.id']);
    assert.strictEqual(compared(history[1].change).output, 'same');
    assert.strictEqual(history[0].output, '{"id":9007199254740993}');
    // 1.0 and 1 are different JSON for serde (float vs integer): the text decides.
    assert.deepStrictEqual(diffValues(parseJson('[1.0]'), parseJson('[1]')).paths, ['$[0]']);
  });

  it('an empty history is empty; one run is "first"', () => {
    assert.deepStrictEqual(buildNodeHistory('n', []), []);
    assert.deepStrictEqual(buildNodeHistory('n', [run(1, 'executed', '1')])[0].change, { kind: 'first' });
  });
});

describe('node history messages', () => {
  it('accepts exactly the page messages it knows, and refuses anything more', () => {
    for (const message of [{ type: 'ready' }, { type: 'loadMore' }, { type: 'openOutput', runId: id(1) }, { type: 'openRun', runId: id(1) }, { type: 'rendered', entries: 3 }]) {
      assert.deepStrictEqual(parseHistoryPageMessage(message), message);
    }
    for (const bad of [
      { type: 'openOutput', runId: id(1), nodeId: 'x' },
      { type: 'openOutput', runId: 'x'.repeat(201) },
      { type: 'openRun' },
      { type: 'rendered', entries: -1 },
      { type: 'exec', command: 'rm' },
      null,
      'ready',
    ]) {
      assert.strictEqual(parseHistoryPageMessage(bad), undefined, JSON.stringify(bad));
    }
  });

  it('the page accepts the host message it is sent, and refuses a malformed change', () => {
    const history = buildNodeHistory('n', [run(2, 'skipped', 'null'), run(1, 'executed', '{"a":1}')]);
    const message: HistoryHostMessage = {
      type: 'history',
      storeLabel: 'store',
      nodeId: 'n',
      entries: history.map((e) => ({ id: e.id, savedAt: e.savedAt, status: e.status, hasOutput: e.output !== undefined, preview: e.output ?? '', change: e.change })),
      total: 2,
      now: T0,
    };
    assert.deepStrictEqual(parseHistoryHostMessage(JSON.parse(JSON.stringify(message))), message);
    const broken = JSON.parse(JSON.stringify(message)) as { entries: { change: { kind: string; paths?: unknown } }[] };
    broken.entries[0].change.paths = [1];
    assert.strictEqual(parseHistoryHostMessage(broken), undefined);
    broken.entries[0].change = { kind: 'other' };
    assert.strictEqual(parseHistoryHostMessage(broken), undefined);
  });

  it('the panel\'s nodeHistory action carries a node id, and no other action does; the grid asks by node id', () => {
    assert.deepStrictEqual(parseWebviewMessage({ type: 'action', action: 'nodeHistory', id: id(1), nodeId: 'fetch' }), { type: 'action', action: 'nodeHistory', id: id(1), nodeId: 'fetch' });
    assert.strictEqual(parseWebviewMessage({ type: 'action', action: 'nodeHistory', id: id(1) }), undefined);
    assert.strictEqual(parseWebviewMessage({ type: 'action', action: 'export', id: id(1), nodeId: 'fetch' }), undefined);
    assert.deepStrictEqual(parseWebviewMessage({ type: 'action', action: 'export', id: id(1) }), { type: 'action', action: 'export', id: id(1) });
    assert.deepStrictEqual(parseGridPageMessage({ type: 'nodeHistory', nodeId: 'fetch' }), { type: 'nodeHistory', nodeId: 'fetch' });
    assert.strictEqual(parseGridPageMessage({ type: 'nodeHistory', nodeId: 'fetch', runId: id(1) }), undefined);
    assert.strictEqual(parseGridPageMessage({ type: 'nodeHistory' }), undefined);
  });
});

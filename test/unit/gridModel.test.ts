/** The Run Grid's pure model (src/core/gridModel.ts): order, statuses, filters, time strip, window; its summaries and messages. */
import * as assert from 'assert';
import { bucketLabel, buildGrid, cellLabel, GridRun, gridWindow, MAX_WINDOW_CELLS, timeBuckets, visibleRows } from '../../src/core/gridModel';
import { gridRunFromBytes } from '../../src/core/gridSummary';
import { GridHostMessage, GridPageMessage, parseGridHostMessage, parseGridPageMessage } from '../../src/shared/gridProtocol';

const T0 = Date.UTC(2026, 11, 1, 10, 0, 0);
const MIN = 60_000;
const HOUR = 60 * MIN;

function run(n: number, savedAt: number, completed: string[], skipped: string[] = [], unreadable?: string): GridRun {
  return { id: `0000000${n}-0000-4000-8000-000000000000`, savedAt, completed, skipped, unreadable };
}

function statuses(model: ReturnType<typeof buildGrid>): string[][] {
  return model.nodes.map((_, row) => model.runs.map((__, column) => model.status(row, column)));
}

describe('grid model', () => {
  it('columns newest first; rows in first-seen order of the newest run, then the rest', () => {
    const model = buildGrid([
      run(1, T0, ['a', 'old', 'b']),
      run(3, T0 + 2 * MIN, ['b', 'a', 'notify'], ['notify']),
      run(2, T0 + MIN, ['a', 'b', 'mid']),
    ]);
    assert.deepStrictEqual(
      model.runs.map((r) => r.id[7]),
      ['3', '2', '1'],
    );
    assert.deepStrictEqual(model.nodes, ['b', 'a', 'notify', 'mid', 'old']);
  });

  it('cells are executed, skipped (skipped wins over completed), absent or unreadable', () => {
    const model = buildGrid([run(1, T0, ['a', 'b'], ['b']), run(2, T0 + MIN, ['a', 'c']), run(3, T0 + 2 * MIN, [], [], 'Invalid JSON')]);
    assert.deepStrictEqual(model.nodes, ['a', 'c', 'b']);
    assert.deepStrictEqual(statuses(model), [
      ['unreadable', 'executed', 'executed'],
      ['unreadable', 'executed', 'absent'],
      ['unreadable', 'absent', 'skipped'],
    ]);
  });

  it('a node listed only as skipped is a row too; an unreadable run adds no rows', () => {
    const model = buildGrid([run(1, T0, ['a'], ['z']), run(2, T0 + MIN, ['ignored'], [], 'bad')]);
    assert.deepStrictEqual(model.nodes, ['a', 'z']);
    assert.strictEqual(model.status(1, 1), 'skipped');
  });

  it('the name filter is case-insensitive and "only differing" keeps rows whose status changes across readable runs', () => {
    const model = buildGrid([
      run(1, T0, ['fetch', 'Notify', 'same']),
      run(2, T0 + MIN, ['fetch', 'Notify', 'same'], ['Notify']),
      run(3, T0 + 2 * MIN, ['same', 'new']),
      run(4, T0 + 3 * MIN, [], [], 'unreadable'),
    ]);
    const names = (rows: number[]) => rows.map((r) => model.nodes[r]);
    assert.deepStrictEqual(names(visibleRows(model, '', false)), ['same', 'new', 'fetch', 'Notify']);
    assert.deepStrictEqual(names(visibleRows(model, 'NOT', false)), ['Notify']);
    assert.deepStrictEqual(names(visibleRows(model, '  e ', false)), ['same', 'new', 'fetch']);
    // `same` executed in every readable run: the unreadable column does not make it differ.
    assert.deepStrictEqual(names(visibleRows(model, '', true)), ['new', 'fetch', 'Notify']);
    assert.deepStrictEqual(names(visibleRows(model, 'fe', true)), ['fetch']);
    assert.deepStrictEqual(visibleRows(buildGrid([run(1, T0, ['a'])]), '', true), [], 'one run differs from nothing');
  });

  it('time strip: hourly within two days, counts "all executed" / "some skipped", empty hours kept, first column per bucket', () => {
    const model = buildGrid([
      run(1, T0 + 5 * MIN, ['a']),
      run(2, T0 + 20 * MIN, ['a', 'b'], ['b']),
      run(3, T0 + 3 * HOUR + MIN, ['a']),
      run(4, T0 + 3 * HOUR + 2 * MIN, [], [], 'bad'),
    ]);
    const buckets = timeBuckets(model);
    assert.deepStrictEqual(
      buckets.map((b) => [bucketLabel(b), b.allExecuted, b.someSkipped, b.unreadable, b.firstColumn]),
      [
        ['2026-12-01 10:00 UTC', 1, 1, 0, 2],
        ['2026-12-01 11:00 UTC', 0, 0, 0, -1],
        ['2026-12-01 12:00 UTC', 0, 0, 0, -1],
        ['2026-12-01 13:00 UTC', 1, 0, 1, 0],
      ],
    );
  });

  it('time strip: daily beyond two days, and only non-empty days over a very long span', () => {
    const days = timeBuckets(buildGrid([run(1, T0, ['a']), run(2, T0 + 3 * 24 * HOUR, ['a'])]));
    assert.deepStrictEqual(
      days.map((b) => [b.unit, bucketLabel(b), b.allExecuted]),
      [
        ['day', '2026-12-01', 1],
        ['day', '2026-12-02', 0],
        ['day', '2026-12-03', 0],
        ['day', '2026-12-04', 1],
      ],
    );
    const sparse = timeBuckets(buildGrid([run(1, T0 - 1000 * 24 * HOUR, ['a']), run(2, T0, ['a'])]));
    assert.deepStrictEqual(
      sparse.map((b) => bucketLabel(b)),
      ['2024-03-06', '2026-12-01'],
    );
    assert.deepStrictEqual(timeBuckets(buildGrid([])), []);
  });

  it('cell names say node, run, when and status', () => {
    assert.strictEqual(cellLabel('notify', { id: '8b744f43-1111-4000-8000-000000000000' }, '5 min ago', 'skipped'), 'notify in run 8b744f43, 5 min ago: skipped');
    assert.strictEqual(cellLabel('x', { id: '8b744f43-1111' }, 'just now', 'absent'), 'x in run 8b744f43, just now: not in this run');
  });

  it('the drawn window covers the viewport and never exceeds MAX_WINDOW_CELLS', () => {
    const cell = { width: 28, height: 24 };
    const w = gridWindow({ scrollTop: 240, scrollLeft: 280, height: 240, width: 280 }, cell, { rows: 1000, columns: 200 }, 2);
    assert.deepStrictEqual(w, { rowStart: 8, rowEnd: 23, columnStart: 8, columnEnd: 23 });
    const clampedEnd = gridWindow({ scrollTop: 1e9, scrollLeft: 0, height: 240, width: 280 }, cell, { rows: 50, columns: 5 }, 2);
    assert.deepStrictEqual([clampedEnd.rowEnd, clampedEnd.columnStart, clampedEnd.columnEnd], [50, 0, 5]);
    for (const [height, width] of [
      [2000, 4000],
      [20000, 40000],
      [100, 1e6],
    ]) {
      const big = gridWindow({ scrollTop: 0, scrollLeft: 0, height, width }, cell, { rows: 100_000, columns: 100_000 });
      const cells = (big.rowEnd - big.rowStart) * (big.columnEnd - big.columnStart);
      assert.ok(cells > 0 && cells <= MAX_WINDOW_CELLS, `${cells} cells for ${width}×${height}`);
    }
  });
});

describe('grid summaries and messages', () => {
  const ID = '67e55044-10b1-426f-9247-bb680e5fe0c8';
  const bytes = (text: string) => new TextEncoder().encode(text);

  it('reads node ids from a run without its outputs, and says why a run is unreadable', () => {
    const text = `{"execution_id":"${ID}","outputs":{"fetch":{"n":18446744073709551615},"notify":null},"completed_nodes":["fetch","notify"],"skipped_nodes":["notify"],"context":{}}`;
    assert.deepStrictEqual(gridRunFromBytes(bytes(text), ID, 5), { id: ID, savedAt: 5, completed: ['fetch', 'notify'], skipped: ['notify'] });
    const other = '0f8fad5b-d9cb-469f-a165-70867728950e';
    assert.match(gridRunFromBytes(bytes(text), other, 5).unreadable ?? '', /67e55044/);
    assert.match(gridRunFromBytes(bytes('{"execution_id":'), ID, 5).unreadable ?? '', /JSON/i);
    assert.ok(gridRunFromBytes(bytes(`{"execution_id":"${ID}","outputs":{},"completed_nodes":[],"context":{}}`), ID, 5).unreadable, 'a missing field');
    // Invalid UTF-8 inside an unknown field is accepted (as serde does); elsewhere it is not.
    const withUnknown = new Uint8Array([...bytes(`{"execution_id":"${ID}","x":"`), 0xff, ...bytes(`","outputs":{},"completed_nodes":["a"],"skipped_nodes":[],"context":{}}`)]);
    assert.deepStrictEqual(gridRunFromBytes(withUnknown, ID, 1).completed, ['a']);
    const inOutputs = new Uint8Array([...bytes(`{"execution_id":"${ID}","outputs":{"a":"`), 0xff, ...bytes(`"},"completed_nodes":["a"],"skipped_nodes":[],"context":{}}`)]);
    assert.ok(gridRunFromBytes(inOutputs, ID, 1).unreadable);
  });

  it('accepts exactly the page messages it knows, and refuses anything else', () => {
    const good: GridPageMessage[] = [
      { type: 'ready' },
      { type: 'loadMore' },
      { type: 'openRun', runId: ID },
      { type: 'openNode', runId: ID, nodeId: 'fetch' },
      { type: 'compare', runIds: [ID, 'b'] },
      { type: 'preview', requestId: 3, runId: ID, nodeId: 'x' },
      { type: 'rendered', columns: 2, rows: 3, cells: 6 },
    ];
    for (const message of good) assert.deepStrictEqual(parseGridPageMessage(message), message);
    const bad: unknown[] = [
      null,
      'ready',
      { type: 'nope' },
      { type: 'ready', extra: 1 },
      { type: 'openRun' },
      { type: 'openRun', runId: 7 },
      { type: 'openRun', runId: 'x'.repeat(201) },
      { type: 'compare', runIds: [ID] },
      { type: 'compare', runIds: [ID, ID] },
      { type: 'compare', runIds: [ID, 'b', 'c'] },
      { type: 'preview', requestId: -1, runId: ID, nodeId: 'x' },
      { type: 'rendered', columns: 1.5, rows: 0, cells: 0 },
      Object.assign(Object.create({ runId: ID }), { type: 'openRun' }),
    ];
    for (const message of bad) assert.strictEqual(parseGridPageMessage(message), undefined, JSON.stringify(message));
  });

  it('the page accepts the host messages and refuses malformed ones', () => {
    const grid: GridHostMessage = { type: 'grid', storeLabel: 's', runs: [{ id: ID, savedAt: 1, completed: ['a'], skipped: [], unreadable: undefined }], total: 1, now: 2 };
    assert.deepStrictEqual(parseGridHostMessage(grid)?.type, 'grid');
    assert.deepStrictEqual(parseGridHostMessage({ type: 'preview', requestId: 1, text: 'x' }), { type: 'preview', requestId: 1, text: 'x' });
    assert.strictEqual(parseGridHostMessage({ ...grid, runs: [{ id: ID, savedAt: 1, completed: [1], skipped: [] }] }), undefined);
    assert.strictEqual(parseGridHostMessage({ ...grid, more: false }), undefined);
  });
});

describe('grid window budget', () => {
  it('stays within a smaller budget, leaving room for the active row and column', () => {
    const w = gridWindow({ scrollTop: 0, scrollLeft: 0, height: 5000, width: 5000 }, { width: 28, height: 24 }, { rows: 10_000, columns: 10_000 }, 4, 4000);
    assert.ok((w.rowEnd - w.rowStart) * (w.columnEnd - w.columnStart) <= 4000);
  });
});

/** Node History in a real VS Code: from a tree node, the grid and the panel; statuses, changes, live updates, refusals. */
import * as assert from 'assert';
import * as fs from 'fs';
import * as vscode from 'vscode';
import type { NodeHistoryPanel } from '../../src/panel/historyPanel';
import type { HistoryHostMessage } from '../../src/shared/historyProtocol';
import type { FlowStepNode } from '../../src/tree/treeNodes';
import { extensionExports, runText, storeDir, stub, waitFor, workspaceFolder, writeRunAtomically } from './support';

type Internals = Awaited<ReturnType<typeof extensionExports>>['internals'];

const NODE = 'nh_probe';
const OLD = 'a1a1a1a1-0000-4000-8000-000000000001';
const MID = 'a1a1a1a1-0000-4000-8000-000000000002';
const NEW = 'a1a1a1a1-0000-4000-8000-000000000003';
const LATE = 'a1a1a1a1-0000-4000-8000-000000000004';
const BROKEN = 'c9bf9e57-1685-4c89-bafb-ff5af830be8a';

function lastHistory(history: NodeHistoryPanel): Extract<HistoryHostMessage, { type: 'history' }> | undefined {
  return [...history.posted].reverse().find((m) => m.type === 'history');
}

describe('Node History', function () {
  let internals: Internals;
  let history: NodeHistoryPanel;
  const storeKey = () => workspaceFolder().uri.toString();
  const files: string[] = [];
  // Newer than the fixture runs (and than runs other files write now), oldest first.
  const base = Date.now() + 3_600_000;

  before(async () => {
    internals = (await extensionExports()).internals;
    const dir = storeDir();
    files.push(
      writeRunAtomically(dir, OLD, runText(OLD, `{"${NODE}":{"v":1,"id":12345678901234567890}}`, `["${NODE}"]`), new Date(base)),
      writeRunAtomically(dir, MID, runText(MID, `{"${NODE}":null}`, `["${NODE}"]`, `["${NODE}"]`), new Date(base + 60_000)),
      writeRunAtomically(dir, NEW, runText(NEW, `{"${NODE}":{"v":2,"id":12345678901234567891,"tags":["a"]}}`, `["${NODE}"]`), new Date(base + 120_000)),
    );
    // From a node row of the tree, as its context menu passes it.
    const ref = { storeKey: storeKey(), id: NEW };
    await waitFor('the new run in the tree', async () => (await internals.tree.entries(storeKey())).some((e) => e.id === NEW));
    const children = await internals.tree.getChildren(internals.tree.runNode(ref));
    const row = children.find((c): c is FlowStepNode => c.kind === 'node' && c.nodeId === NODE);
    assert.ok(row, 'the node row under the run');
    history = (await vscode.commands.executeCommand<NodeHistoryPanel>('a3sFlow.history.showNodeHistory', row))!;
    assert.ok(history, 'the command returns the history');
    await history.whenLoaded();
  });

  after(async () => {
    for (const file of files) fs.rmSync(file, { force: true });
    internals.histories.dispose();
    internals.grids.dispose();
    internals.panels.dispose();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('lists the node across the runs, newest first, with statuses, previews and what changed', async () => {
    const message = await waitFor('history message', () => lastHistory(history));
    assert.strictEqual(message.nodeId, NODE);
    const ids = message.entries.map((e) => e.id);
    assert.deepStrictEqual(ids.slice(0, 3), [NEW, MID, OLD]);
    assert.ok(message.entries.every((e, i) => i === 0 || message.entries[i - 1].savedAt >= e.savedAt), 'newest first');
    const [newest, mid, old] = message.entries;
    assert.deepStrictEqual([newest.status, mid.status, old.status], ['executed', 'skipped', 'executed']);
    // Big integers exact in the preview, never rounded.
    assert.strictEqual(newest.preview, '{"v":2,"id":12345678901234567891,"tags":["a"]}');
    assert.strictEqual(mid.preview, 'null');
    assert.deepStrictEqual(newest.change, { kind: 'compared', previousId: MID, unreadableBetween: 0, status: { from: 'skipped', to: 'executed' }, output: 'changed', paths: ['$'], morePaths: false });
    assert.deepStrictEqual(mid.change, { kind: 'compared', previousId: OLD, unreadableBetween: 0, status: { from: 'executed', to: 'skipped' }, output: 'changed', paths: ['$'], morePaths: false });
    // The fixture runs do not have the node; the broken fixture is marked unreadable.
    const older = message.entries.slice(3);
    assert.ok(older.length > 0 && older.every((e) => e.status === 'absent' || e.unreadable !== undefined), 'older runs: absent or unreadable');
    assert.ok(message.entries.find((e) => e.id === BROKEN)?.unreadable, 'the broken run is marked unreadable');
    assert.ok(old.change.kind === 'compared' && old.change.status?.from === 'absent' && old.change.output === 'added', JSON.stringify(old.change));
    assert.strictEqual(message.total, message.entries.length);
    // The page (a real webview) drew every entry.
    await waitFor('rendered', () => history.lastRendered === message.entries.length, 15_000);
    const html = history.panel.webview.html;
    assert.match(html, /default-src 'none'/);
    assert.doesNotMatch(html, /unsafe-inline|unsafe-eval/);
    assert.doesNotMatch(html, new RegExp(NEW));
    // Invoked again for the same node and store: the same panel.
    assert.strictEqual(await vscode.commands.executeCommand('a3sFlow.history.showNodeHistory', { storeKey: storeKey(), nodeId: NODE }), history);
  });

  it('updates live when a run is added, comparing it with the one before', async () => {
    files.push(writeRunAtomically(storeDir(), LATE, runText(LATE, `{"${NODE}":{"v":3,"id":12345678901234567891,"tags":["a","b"]}}`, `["${NODE}"]`), new Date(base + 180_000)));
    const entry = await waitFor('the new run in the history', () => {
      const first = lastHistory(history)?.entries[0];
      return first?.id === LATE ? first : undefined;
    });
    assert.strictEqual(entry.status, 'executed');
    assert.deepStrictEqual(entry.change, { kind: 'compared', previousId: NEW, unreadableBetween: 0, output: 'changed', paths: ['$.tags[1]', '$.v'], morePaths: false });
  });

  it('Open Output opens the node output of that run; requests about other runs are refused', async () => {
    await history.handleMessage({ type: 'openOutput', runId: OLD });
    const editor = await waitFor('output editor', () => vscode.window.visibleTextEditors.find((e) => e.document.uri.scheme === 'flow-history' && e.document.getText().includes('12345678901234567890')));
    assert.match(editor.document.getText(), /"v": 1/);
    const before = vscode.window.tabGroups.all.flatMap((g) => g.tabs).length;
    await history.handleMessage({ type: 'openOutput', runId: 'eeeeeeee-1111-4222-8333-666666666666' });
    await history.handleMessage({ type: 'openRun', runId: `../${NEW}` });
    assert.strictEqual(vscode.window.tabGroups.all.flatMap((g) => g.tabs).length, before, 'nothing opened for runs the page was not sent');
    await history.handleMessage({ type: 'openRun', runId: NEW });
    const panel = await waitFor('run panel', () => internals.panels.get({ storeKey: storeKey(), id: NEW }));
    await panel.whenLoaded();
    // The panel's node section button takes the same path (validated: a node of the run shown).
    history.panel.dispose();
    await panel.handleMessage({ type: 'action', action: 'nodeHistory', id: NEW, nodeId: 'not-a-node' });
    assert.strictEqual(internals.histories.get(storeKey(), 'not-a-node'), undefined, 'refused: not a node of the run');
    await panel.handleMessage({ type: 'action', action: 'nodeHistory', id: NEW, nodeId: NODE });
    history = await waitFor('history from the panel', () => internals.histories.get(storeKey(), NODE));
    await history.whenLoaded();
    assert.strictEqual(lastHistory(history)?.entries[0].id, LATE);
  });

  it('opens from a Run Grid row, only for a node the grid shows', async () => {
    history.panel.dispose();
    const grid = (await vscode.commands.executeCommand<{ whenLoaded(): Promise<void>; handleMessage(m: unknown): Promise<void> }>('a3sFlow.history.showGrid', storeKey()))!;
    await grid.whenLoaded();
    await grid.handleMessage({ type: 'nodeHistory', nodeId: 'no-such-node' });
    assert.strictEqual(internals.histories.get(storeKey(), 'no-such-node'), undefined);
    await grid.handleMessage({ type: 'nodeHistory', nodeId: NODE });
    const fromGrid = await waitFor('history from the grid', () => internals.histories.get(storeKey(), NODE));
    await fromGrid.whenLoaded();
    assert.deepStrictEqual(
      lastHistory(fromGrid)
        ?.entries.slice(0, 4)
        .map((e) => e.id),
      [LATE, NEW, MID, OLD],
    );
  });

  it('a long read shows a cancellable progress; Cancel keeps the newest runs read, Load more reads the rest', async () => {
    const fresh = (await vscode.commands.executeCommand<NodeHistoryPanel>('a3sFlow.history.showNodeHistory', { storeKey: storeKey(), nodeId: 'nh_cancel' }))!;
    await fresh.whenLoaded();
    const all = lastHistory(fresh)!.entries.map((e) => e.id);
    assert.ok(all.length >= 4, `${all.length} runs`);
    fresh.panel.dispose();
    // Cancel pressed at once: the progress shows immediately (0 ms) and its token is cancelled.
    const progress = stub(vscode.window, 'withProgress', ((_options: vscode.ProgressOptions, task: (p: unknown, t: vscode.CancellationToken) => Thenable<unknown>) => {
      const token = { isCancellationRequested: true, onCancellationRequested: (listener: () => void) => (listener(), { dispose: () => undefined }) } as unknown as vscode.CancellationToken;
      return task({ report: () => undefined }, token);
    }) as unknown as typeof vscode.window.withProgress);
    let cancelled: NodeHistoryPanel;
    try {
      const shown = internals.histories.show(internals.stores.get(storeKey())!, 'nh_cancel');
      shown.progressAfterMs = 0;
      cancelled = shown;
      const message = await waitFor('the cancelled read', () => lastHistory(shown));
      assert.strictEqual(message.cancelled, true);
      assert.strictEqual(message.more, true);
      assert.ok(message.entries.length < all.length, `${message.entries.length} of ${all.length} read`);
      assert.deepStrictEqual(
        message.entries.map((e) => e.id),
        all.slice(0, message.entries.length),
        'the newest runs, no gap',
      );
      const options = progress.calls[0][0] as vscode.ProgressOptions;
      assert.deepStrictEqual([options.cancellable, options.location], [true, vscode.ProgressLocation.Notification]);
    } finally {
      progress.restore();
    }
    cancelled.progressAfterMs = 60_000;
    await cancelled.handleMessage({ type: 'loadMore' });
    const rest = lastHistory(cancelled)!;
    assert.strictEqual(rest.cancelled, undefined);
    assert.deepStrictEqual(
      rest.entries.map((e) => e.id),
      all,
    );
  });

  it("reads a big local run's node in the scan worker, straight from its file, exact", async () => {
    const BIG = 'a1a1a1a1-0000-4000-8000-0000000000b1';
    // Over the worker threshold (512 KB): another node's output fills it.
    const filler = JSON.stringify('x'.repeat(600 * 1024));
    const output = '{"v":7,"id":18446744073709551615,"s":"tab\\t \\u00e9 ✅","n":1.50}';
    files.push(writeRunAtomically(storeDir(), BIG, runText(BIG, `{"filler":${filler},"${NODE}":${output}}`, `["filler","${NODE}"]`), new Date(base - 60_000)));
    await waitFor('the big run in the tree', async () => (await internals.tree.entries(storeKey())).some((e) => e.id === BIG));
    internals.histories.get(storeKey(), NODE)?.panel.dispose();
    const fresh = (await vscode.commands.executeCommand<NodeHistoryPanel>('a3sFlow.history.showNodeHistory', { storeKey: storeKey(), nodeId: NODE }))!;
    await fresh.whenLoaded();
    const entries = lastHistory(fresh)!.entries;
    const big = entries.find((e) => e.id === BIG);
    assert.ok(big, 'the big run is in the history');
    assert.strictEqual(big.status, 'executed');
    // Its stored text, escapes and big integer as written.
    assert.strictEqual(big.preview, output);
    assert.strictEqual(fresh.readBy.get(BIG), 'scan worker');
    assert.strictEqual(fresh.readBy.get(OLD), 'extension host', 'a small run is read on the host');
    // The next run compares its output with the one read from the big file.
    const old = entries.find((e) => e.id === OLD)!;
    assert.deepStrictEqual(old.change, { kind: 'compared', previousId: BIG, unreadableBetween: 0, output: 'changed', paths: ['$.id', '$.n', '$.s', '$.v'], morePaths: false });
  });
});

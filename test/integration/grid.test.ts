/** The Run Grid in a real VS Code: the command, the page's messages, live updates, refusals. */
import * as assert from 'assert';
import * as fs from 'fs';
import * as vscode from 'vscode';
import { MAX_WINDOW_CELLS } from '../../src/core/gridModel';
import type { RunGridPanel } from '../../src/panel/gridPanel';
import { extensionExports, runText, storeDir, waitFor, workspaceFolder, writeRunAtomically } from './support';

const EXAMPLE = '67e55044-10b1-426f-9247-bb680e5fe0c8';
const BIG = '0f8fad5b-d9cb-469f-a165-70867728950e';
const BROKEN = 'c9bf9e57-1685-4c89-bafb-ff5af830be8a';

type Internals = Awaited<ReturnType<typeof extensionExports>>['internals'];

function lastGrid(grid: RunGridPanel) {
  const message = [...grid.posted].reverse().find((m) => m.type === 'grid');
  return message?.type === 'grid' ? message : undefined;
}

describe('Run Grid', function () {
  let internals: Internals;
  let grid: RunGridPanel;
  const storeKey = () => workspaceFolder().uri.toString();

  before(async () => {
    internals = (await extensionExports()).internals;
    // The store group's context menu passes the group's node.
    grid = (await vscode.commands.executeCommand<RunGridPanel>('a3sFlow.history.showGrid', { kind: 'store', storeKey: storeKey() }))!;
    assert.ok(grid, 'the command returns the grid');
    await grid.whenLoaded();
  });

  after(() => internals.grids.dispose());

  it('opens over the store: node ids of every run, unreadable runs marked, the page draws a bounded window', async () => {
    const message = await waitFor('grid message', () => lastGrid(grid));
    assert.strictEqual(message.storeLabel, workspaceFolder().name);
    const byId = new Map(message.runs.map((r) => [r.id, r]));
    assert.deepStrictEqual([byId.get(EXAMPLE)?.completed, byId.get(EXAMPLE)?.skipped], [['fetch', 'notify'], ['notify']]);
    assert.deepStrictEqual([...byId.get(BIG)!.completed].sort(), ['load', 'publish', 'transform']);
    assert.ok(byId.get(BROKEN)?.unreadable, 'the broken run is a column marked unreadable');
    assert.ok(message.runs.every((r, i) => i === 0 || message.runs[i - 1].savedAt >= r.savedAt), 'newest first');
    // The page (a real webview) drew the grid and said how many cells it holds.
    const rendered = await waitFor('rendered', () => grid.lastRender, 15_000);
    assert.strictEqual(rendered.columns, message.runs.length);
    assert.ok(rendered.cells > 0 && rendered.cells <= MAX_WINDOW_CELLS, `${rendered.cells} cells`);
    // The same page rules as the detail panel: nonce CSP, no data in the HTML, no command links.
    const html = grid.panel.webview.html;
    assert.match(html, /default-src 'none'/);
    assert.doesNotMatch(html, /unsafe-inline|unsafe-eval/);
    assert.doesNotMatch(html, new RegExp(EXAMPLE));
    assert.strictEqual(grid.panel.webview.options.enableCommandUris, false);
    // Invoked again: the same grid, revealed.
    assert.strictEqual(await vscode.commands.executeCommand('a3sFlow.history.showGrid', storeKey()), grid);
  });

  it('re-renders when a run is added or removed', async () => {
    const id = 'dddddddd-1111-4222-8333-555555555555';
    const file = writeRunAtomically(storeDir(), id, runText(id, '{"fetch":1,"classify":2}', '["fetch","classify"]'));
    try {
      const added = await waitFor('the new run in the grid', () => lastGrid(grid)?.runs.find((r) => r.id === id));
      assert.deepStrictEqual([added.completed, added.skipped], [['fetch', 'classify'], []]);
    } finally {
      fs.rmSync(file, { force: true });
    }
    await waitFor('the run gone from the grid', () => lastGrid(grid) && !lastGrid(grid)!.runs.some((r) => r.id === id));
  });

  it('previews an output on request, and refuses runs it does not show', async () => {
    await grid.handleMessage({ type: 'preview', requestId: 41, runId: EXAMPLE, nodeId: 'fetch' });
    const preview = grid.posted.find((m) => m.type === 'preview' && m.requestId === 41);
    assert.ok(preview?.type === 'preview');
    assert.strictEqual(preview.text, '{2} {"status":200,"items":[1,2]}');
    const before = grid.posted.length;
    const stranger = 'eeeeeeee-1111-4222-8333-666666666666';
    await grid.handleMessage({ type: 'preview', requestId: 42, runId: stranger, nodeId: 'a' });
    await grid.handleMessage({ type: 'openNode', runId: `../${EXAMPLE}`, nodeId: 'fetch' });
    assert.strictEqual(grid.posted.length, before, 'no answer about a run the grid does not show');
  });

  it('works over the session (memory) store too, live', async () => {
    const api = await extensionExports();
    const handle = internals.stores.all().find((h) => h.store === api.memoryStore)!;
    const first = 'ffffffff-1111-4222-8333-777777777777';
    const second = 'ffffffff-2222-4222-8333-777777777777';
    await api.save(runText(first, '{"x":1}', '["x","y"]', '["y"]'));
    try {
      const memoryGrid = (await vscode.commands.executeCommand<RunGridPanel>('a3sFlow.history.showGrid', handle.key))!;
      await memoryGrid.whenLoaded();
      const message = await waitFor('memory grid', () => lastGrid(memoryGrid)?.runs.find((r) => r.id === first));
      assert.deepStrictEqual([message.completed, message.skipped], [['x', 'y'], ['y']]);
      await api.save(runText(second, '{"x":2}'));
      await waitFor('the second run in the memory grid', () => lastGrid(memoryGrid)?.runs.some((r) => r.id === second));
      memoryGrid.panel.dispose();
    } finally {
      // Other files share this window: leave the session store empty, as it was.
      for (const id of [first, second]) await api.memoryStore.delete(id).catch(() => undefined);
    }
  });

  it('opens a node output, the run and a comparison through the existing commands', async () => {
    await grid.handleMessage({ type: 'openNode', runId: EXAMPLE, nodeId: 'fetch' });
    const editor = await waitFor('output editor', () => vscode.window.visibleTextEditors.find((e) => e.document.uri.scheme === 'flow-history' && e.document.getText().includes('"status"')));
    assert.deepStrictEqual(JSON.parse(editor.document.getText()), { status: 200, items: [1, 2] });
    await grid.handleMessage({ type: 'openRun', runId: EXAMPLE });
    const panel = await waitFor('run panel', () => internals.panels.get({ storeKey: storeKey(), id: EXAMPLE }));
    await panel.whenLoaded();
    internals.panels.dispose();
    await grid.handleMessage({ type: 'compare', runIds: [EXAMPLE, BIG] });
    await waitFor('diff editor', () => vscode.window.tabGroups.all.some((g) => g.tabs.some((t) => t.input instanceof vscode.TabInputTextDiff && t.label.includes(EXAMPLE.slice(0, 8)))));
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });
});

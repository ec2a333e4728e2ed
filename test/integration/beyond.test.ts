/** Compare, node output documents, Go to Run, search, retention, import and export many — in VS Code. */
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import { exportFlowResult, parseFlowResult } from '../../src/core/flowResult';
import { extensionExports, runText, storeDir, stub, waitFor, workspaceFolder, writeRunAtomically } from './support';

type Internals = Awaited<ReturnType<typeof extensionExports>>['internals'];
const DAY = 86_400_000;
const A = '10000000-0000-4000-8000-00000000000a';
const B = '10000000-0000-4000-8000-00000000000b';

describe('beyond the peers', function () {
  let internals: Internals;
  const key = () => workspaceFolder().uri.toString();
  const run = (id: string) => internals.tree.runNode({ storeKey: key(), id });
  const file = (id: string) => path.join(storeDir(), `${id}.json`);

  before(async () => {
    internals = (await extensionExports()).internals;
    writeRunAtomically(storeDir(), A, runText(A, '{"fetch":{"n":18446744073709551615},"gate":null}', '["fetch","gate"]', '["gate"]'), new Date(Date.now() - 5 * DAY));
    writeRunAtomically(storeDir(), B, runText(B, '{"fetch":{"n":18446744073709551614},"gate":{"ok":true},"extra":1}', '["fetch","gate","extra"]'), new Date(Date.now() - 4 * DAY));
    internals.tree.refreshAll();
    await waitFor('listed', async () => {
      await internals.tree.getChildren(undefined);
      return internals.tree.entry({ storeKey: key(), id: A }) && internals.tree.entry({ storeKey: key(), id: B });
    });
  });

  afterEach(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('compares two selected runs in the diff editor, on their export form', async () => {
    assert.strictEqual(await vscode.commands.executeCommand('a3sFlow.history.compareRuns', run(B), [run(B), run(A)]), true);
    const tab = await waitFor('diff tab', () => {
      const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
      return input instanceof vscode.TabInputTextDiff ? input : undefined;
    });
    assert.strictEqual(tab.original.scheme, 'flow-history');
    const left = await vscode.workspace.openTextDocument(tab.original);
    const right = await vscode.workspace.openTextDocument(tab.modified);
    // Older run on the left.
    assert.strictEqual(left.getText(), exportFlowResult(parseFlowResult(fs.readFileSync(file(A), 'utf8'))));
    assert.strictEqual(right.getText(), exportFlowResult(parseFlowResult(fs.readFileSync(file(B), 'utf8'))));
    assert.match(left.getText(), /18446744073709551615/);
    assert.match(vscode.window.tabGroups.activeTabGroup.activeTab!.label, /10000000 ↔ 10000000/);
  });

  it('"Compare with…" asks for the second run', async () => {
    const pick = stub(vscode.window, 'showQuickPick', (async (items: readonly vscode.QuickPickItem[]) => items.find((i) => i.label === B)) as unknown as typeof vscode.window.showQuickPick);
    try {
      assert.strictEqual(await vscode.commands.executeCommand('a3sFlow.history.compareRuns', run(A)), true);
      const items = (await (pick.calls[0][0] as Thenable<vscode.QuickPickItem[]> | vscode.QuickPickItem[])) as vscode.QuickPickItem[];
      assert.ok(!items.some((i) => i.label === A), 'the first run is not offered again');
    } finally {
      pick.restore();
    }
    await waitFor('diff', () => vscode.window.tabGroups.activeTabGroup.activeTab?.input instanceof vscode.TabInputTextDiff);
  });

  it('opens a node output as a read-only JSON document', async () => {
    const children = await internals.tree.getChildren(run(A));
    const fetch = children.find((c) => c.kind === 'node' && c.nodeId === 'fetch');
    const editor = await vscode.commands.executeCommand<vscode.TextEditor>('a3sFlow.history.openNodeOutput', fetch);
    assert.ok(editor);
    assert.strictEqual(editor.document.languageId, 'json');
    assert.strictEqual(editor.document.uri.scheme, 'flow-history');
    assert.strictEqual(editor.document.getText(), '{\n  "n": 18446744073709551615\n}\n');
  });

  it('Go to Run finds a run by a prefix of its id and opens it', async () => {
    const pick = stub(vscode.window, 'showQuickPick', (async (items: readonly vscode.QuickPickItem[]) => (await items).find((i) => i.label.startsWith('10000000-0000-4000-8000-00000000000b'))) as unknown as typeof vscode.window.showQuickPick);
    try {
      await vscode.commands.executeCommand('a3sFlow.history.goToRun');
    } finally {
      pick.restore();
    }
    const panel = await waitFor('panel', () => internals.panels.get({ storeKey: key(), id: B }));
    await panel.whenLoaded();
    internals.panels.dispose();
  });

  it('searches history by id, node id and output text; shows the filter; clears it', async () => {
    try {
      await search();
    } finally {
      await vscode.commands.executeCommand('a3sFlow.history.clearSearch');
    }
  });

  async function search(): Promise<void> {
    assert.strictEqual(await vscode.commands.executeCommand('a3sFlow.history.search', '18446744073709551614'), 1);
    let ids = (await internals.tree.getChildren(undefined)).flatMap((n) => (n.kind === 'run' ? [n.id] : []));
    assert.deepStrictEqual(ids, [B]);
    await waitFor('description', () => internals.treeView.description === 'filter: 18446744073709551614');
    assert.strictEqual(await vscode.commands.executeCommand('a3sFlow.history.search', '"gate"'), 2);
    assert.strictEqual(await vscode.commands.executeCommand('a3sFlow.history.search', A.toUpperCase()), 1);
    await vscode.commands.executeCommand('a3sFlow.history.clearSearch');
    ids = (await internals.tree.getChildren(undefined)).flatMap((n) => (n.kind === 'run' ? [n.id] : []));
    assert.ok(ids.includes(A) && ids.includes(B));
    await waitFor('no description', () => internals.treeView.description === undefined);
  }

  describe('retention', () => {
    const OLD = ['20000000-0000-4000-8000-000000000001', '20000000-0000-4000-8000-000000000002'];
    const BROKEN_OLD = '20000000-0000-4000-8000-0000000000ff';
    let prompts: string[];
    let warn: { restore(): void };

    beforeEach(async () => {
      for (const id of OLD) writeRunAtomically(storeDir(), id, runText(id), new Date(Date.now() - 400 * DAY));
      writeRunAtomically(storeDir(), BROKEN_OLD, '{"execution_id":', new Date(Date.now() - 500 * DAY));
      internals.tree.refreshAll();
      prompts = [];
      warn = stub(vscode.window, 'showWarningMessage', (async (message: string, options: vscode.MessageOptions, ...items: string[]) => {
        prompts.push(`${message} | ${options?.detail ?? ''}`);
        return items[0];
      }) as unknown as typeof vscode.window.showWarningMessage);
    });
    afterEach(() => warn.restore());

    it('deletes runs older than N days after a confirmation with the count; never unreadable files', async () => {
      const deleted = await vscode.commands.executeCommand<number>('a3sFlow.history.deleteOlderThan', 365);
      assert.strictEqual(deleted, 2);
      assert.match(prompts[0], /2 runs older than 365 days\. 1 unreadable run will be kept\./);
      for (const id of OLD) assert.ok(!fs.existsSync(file(id)));
      assert.ok(fs.existsSync(file(BROKEN_OLD)));
      assert.ok(fs.existsSync(file(A)));
    });

    it('keeps only the newest N runs', async () => {
      const store = internals.stores.folders()[0].store;
      const files = (await store.list()).length;
      // Oldest files: the unreadable one (kept whatever happens), then the two 400-day-old runs.
      const deleted = await vscode.commands.executeCommand<number>('a3sFlow.history.keepNewest', files - 3);
      assert.strictEqual(deleted, 2);
      assert.match(prompts[0], new RegExp(`2 runs beyond the newest ${files - 3}\\. 1 unreadable run will be kept\\.`));
      for (const id of OLD) assert.ok(!fs.existsSync(file(id)));
      assert.ok(fs.existsSync(file(BROKEN_OLD)));
      assert.ok(fs.existsSync(file(A)));
    });

    it('applies the retention settings only when asked, with the same confirmation', async () => {
      const config = vscode.workspace.getConfiguration('a3sFlow.history');
      await config.update('retention.maxAgeDays', 300, vscode.ConfigurationTarget.Workspace);
      try {
        assert.ok(fs.existsSync(file(OLD[0])), 'setting alone removes nothing');
        assert.strictEqual(await vscode.commands.executeCommand<number>('a3sFlow.history.applyRetention'), 2);
        assert.strictEqual(prompts.length >= 1, true);
      } finally {
        await config.update('retention.maxAgeDays', undefined, vscode.ConfigurationTarget.Workspace);
      }
    });
  });

  describe('import and export', () => {
    const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'flow-history-io-'));

    it('imports valid files (single runs and arrays) and reports invalid ones, saving nothing of them', async () => {
      const dir = tmp();
      const C = '30000000-0000-4000-8000-00000000000c';
      const D = '30000000-0000-4000-8000-00000000000d';
      fs.writeFileSync(path.join(dir, 'one.json'), runText(C.toUpperCase(), '{"x":12345678901234567890}', '["x"]'));
      fs.writeFileSync(path.join(dir, 'many.json'), `[${runText(D)}]`);
      fs.writeFileSync(path.join(dir, 'bad.json'), '{"execution_id":"nope","outputs":{},"completed_nodes":[],"skipped_nodes":[]}');
      const warn = stub(vscode.window, 'showWarningMessage', (async () => undefined) as typeof vscode.window.showWarningMessage);
      try {
        const report = await vscode.commands.executeCommand<{ imported: string[]; failed: { file: string; reason: string }[] }>(
          'a3sFlow.history.importRuns',
          ['one.json', 'many.json', 'bad.json'].map((n) => vscode.Uri.file(path.join(dir, n))),
        );
        assert.deepStrictEqual(report?.imported, [C, D]);
        assert.deepStrictEqual(report?.failed.map((f) => f.file), ['bad.json']);
        assert.match(report!.failed[0].reason, /execution_id: "nope" is not a UUID/);
        assert.match(String(warn.calls[0][0]), /Imported 2 runs .*1 file could not be imported: bad\.json/);
      } finally {
        warn.restore();
        fs.rmSync(dir, { recursive: true, force: true });
      }
      assert.match(fs.readFileSync(file(C), 'utf8'), /"x":12345678901234567890/);
      for (const id of [C, D]) fs.unlinkSync(file(id));
    });

    it('exports selected runs as one JSON array in the export format', async () => {
      const out = vscode.Uri.file(path.join(tmp(), 'runs.json'));
      const dialog = stub(vscode.window, 'showSaveDialog', (async () => out) as typeof vscode.window.showSaveDialog);
      try {
        await vscode.commands.executeCommand('a3sFlow.history.exportRuns', run(A), [run(A), run(B)]);
      } finally {
        dialog.restore();
      }
      const text = fs.readFileSync(out.fsPath, 'utf8');
      const parsed = JSON.parse(text.replace(/18446744073709551615|18446744073709551614/g, '0')) as { execution_id: string }[];
      assert.deepStrictEqual(parsed.map((r) => r.execution_id), [A, B]);
      assert.match(text, /"n": 18446744073709551615/);
      assert.ok(text.endsWith(']\n'));
    });

    it('exports all runs', async () => {
      const out = vscode.Uri.file(path.join(tmp(), 'all.json'));
      const dialog = stub(vscode.window, 'showSaveDialog', (async () => out) as typeof vscode.window.showSaveDialog);
      try {
        await vscode.commands.executeCommand('a3sFlow.history.exportAll');
      } finally {
        dialog.restore();
      }
      const count = (fs.readFileSync(out.fsPath, 'utf8').match(/"execution_id"/g) ?? []).length;
      const store = internals.stores.folders()[0].store;
      let readable = 0;
      for (const e of await store.listEntries()) if ((await store.inspect(e.id)).kind === 'ok') readable++;
      assert.strictEqual(count, readable);
    });
  });
});

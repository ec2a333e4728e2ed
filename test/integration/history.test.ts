/** The tree, the panel, the commands and the API in a real VS Code, on the fixture workspace. */
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import { exportStoredRun, joinPieces } from '../../src/core/exportText';
import { exportFlowResult, parseFlowResult, serializeFlowResult } from '../../src/core/flowResult';
import { generateSampleRuns } from '../../src/core/sample';
import type { HistoryNode } from '../../src/tree/treeNodes';
import { extensionExports, runText, storeDir, stub, waitFor, workspaceFolder, writeRunAtomically } from './support';
import { decodeNodes } from '../../src/shared/protocol';
import { EARLY_EXPORT_DELAY_MS, EARLY_EXPORT_SUFFIX } from '../../src/node/earlyExport';

const EXAMPLE = '67e55044-10b1-426f-9247-bb680e5fe0c8';
const BIG = '0f8fad5b-d9cb-469f-a165-70867728950e';

/** Early exports (written while the save dialog is open) in the store folder now. */
const earlyExports = () => fs.readdirSync(storeDir()).filter((name) => name.endsWith(EARLY_EXPORT_SUFFIX));
const BROKEN = 'c9bf9e57-1685-4c89-bafb-ff5af830be8a';

type Internals = Awaited<ReturnType<typeof extensionExports>>['internals'];

async function rootRuns(internals: Internals): Promise<HistoryNode[]> {
  return internals.tree.getChildren(undefined);
}

async function rootIds(internals: Internals): Promise<string[]> {
  return (await rootRuns(internals)).flatMap((n) => (n.kind === 'run' ? [n.id] : []));
}

function runNode(internals: Internals, id: string): HistoryNode {
  return internals.tree.runNode({ storeKey: workspaceFolder().uri.toString(), id });
}

describe('Flow History in VS Code', function () {
  let internals: Internals;
  let now = Date.now();

  before(async () => {
    internals = (await extensionExports()).internals;
    // Known saved times: EXAMPLE newest, then BIG, then BROKEN. Taken once the extension is
    // up, so a slow start (a loaded machine) cannot turn "1 min ago" into "2 min ago".
    now = Date.now();
    const times: [string, number][] = [
      [EXAMPLE, now - 60_000],
      [BIG, now - 3_600_000],
      [BROKEN, now - 7_200_000],
    ];
    for (const [id, time] of times) fs.utimesSync(path.join(storeDir(), `${id}.json`), new Date(time), new Date(time));
    internals.tree.refreshAll();
  });

  describe('tree', () => {
    it('shows the runs newest first (saved time = file modification time)', async () => {
      const ids = await rootIds(internals);
      assert.deepStrictEqual(ids.filter((id) => [EXAMPLE, BIG, BROKEN].includes(id)), [EXAMPLE, BIG, BROKEN]);
      const times = ids.map((id) => internals.tree.entry({ storeKey: workspaceFolder().uri.toString(), id })!.savedAt);
      assert.deepStrictEqual(times, [...times].sort((a, b) => b - a));
    });

    it('describes a run: short id, relative time, node and skipped counts, state icon, full id in tooltip', async () => {
      const item = await internals.tree.getTreeItem(runNode(internals, EXAMPLE));
      assert.strictEqual(item.label, EXAMPLE.slice(0, 8));
      assert.strictEqual(item.description, '1 min ago · 2 nodes · 1 skipped');
      assert.strictEqual((item.iconPath as vscode.ThemeIcon).id, 'debug-step-over');
      assert.strictEqual(item.contextValue, 'run readable files trash writable live persistent');
      assert.match(String(item.tooltip), new RegExp(`Execution ${EXAMPLE}`));
      assert.strictEqual(item.command?.command, 'a3sFlow.history.openRun');
      const all = await internals.tree.getTreeItem(runNode(internals, BIG));
      assert.strictEqual((all.iconPath as vscode.ThemeIcon).id, 'pass');
      assert.strictEqual(all.description, '1 h ago · 3 nodes');
    });

    it('shows an unreadable file as a warning row with its reason, openable as raw text', async () => {
      const item = await internals.tree.getTreeItem(runNode(internals, BROKEN));
      assert.strictEqual((item.iconPath as vscode.ThemeIcon).id, 'warning');
      assert.strictEqual(item.contextValue, 'run unreadable files trash writable live persistent');
      assert.match(String(item.description), /unreadable: Invalid JSON: EOF while parsing/);
      assert.strictEqual(item.collapsibleState, vscode.TreeItemCollapsibleState.None);
      assert.strictEqual(item.command?.command, 'a3sFlow.history.openRawJson');
    });

    it('expands a run into its nodes with one-line previews, big integers exact, and its context', async () => {
      const children = await internals.tree.getChildren(runNode(internals, BIG));
      const items = await Promise.all(children.map((c) => internals.tree.getTreeItem(c)));
      assert.deepStrictEqual(
        items.map((i) => [i.label, i.description]),
        [
          ['load', '{2} {"rows":3,"checksum":18446744073709551615}'],
          ['publish', 'null'],
          ['transform', '{2} {"trace_id":9007199254740993,"ok":true}'],
          ['context', '{2} {"tenant":"globex","started_ns":1732620000123456789}'],
        ],
      );
      const skipped = await internals.tree.getChildren(runNode(internals, EXAMPLE));
      const notify = skipped.find((c) => c.kind === 'node' && c.nodeId === 'notify');
      assert.strictEqual((await internals.tree.getTreeItem(notify!)).description, 'skipped');
      assert.strictEqual(internals.tree.getParent(notify!), runNode(internals, EXAMPLE));
    });

    it('shows the run count in the view badge', async () => {
      await rootRuns(internals);
      const count = (await internals.stores.folders()[0].store.list()).length;
      await waitFor('badge', () => internals.treeView.badge?.value === count);
      assert.match(internals.treeView.badge!.tooltip, new RegExp(`${count} runs, newest`));
    });

    it('answers with the runs when the stores are rebuilt while it lists them (a settings or folder change)', async () => {
      // VS Code 1.90 reports a configuration change for a restricted setting edited in an
      // untrusted workspace, so a rebuild can land in the middle of any listing. Without
      // re-listing, the cleared states made the memory store count as shown: the tree
      // answered with two store rows (or nothing) instead of the runs.
      const racing = rootRuns(internals);
      internals.tree.refreshAll();
      const during = await racing;
      const settled = await rootRuns(internals);
      assert.ok(settled.some((n) => n.kind === 'run') && settled.every((n) => n.kind !== 'store'), 'one store: runs at the root');
      assert.deepStrictEqual(during, settled);
    });

    it('pages the runs with a Show more row', async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flow-history-paging-'));
      const config = vscode.workspace.getConfiguration('a3sFlow.history');
      await config.update('pageSize', 10, vscode.ConfigurationTarget.Global);
      try {
        internals.tree.refreshAll();
        const store = internals.stores.folders()[0].store;
        const before = (await store.list()).length;
        const ids: string[] = [];
        for (let i = 0; i < 12; i++) {
          const id = `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
          ids.push(id);
          writeRunAtomically(storeDir(), id, runText(id), new Date(now - 86_400_000 * (2 + i)));
        }
        internals.tree.refreshAll();
        let children = await rootRuns(internals);
        assert.strictEqual(children.length, 11);
        const more = children[10];
        assert.strictEqual(more.kind, 'more');
        assert.match(String((await internals.tree.getTreeItem(more)).label), new RegExp(`Show more… \\(${before + 12 - 10} older\\)`));
        await vscode.commands.executeCommand('a3sFlow.history.showMore', more.storeKey);
        children = await rootRuns(internals);
        assert.strictEqual(children.filter((c) => c.kind === 'run').length, Math.min(20, before + 12));
        // Go to Run reveals a run beyond the rows shown: its page is shown and its row selected.
        internals.tree.refreshAll();
        const oldest = ids[11];
        assert.ok(!(await rootRuns(internals)).some((c) => c.kind === 'run' && c.id === oldest), 'not on the first page');
        const ref = await vscode.commands.executeCommand('a3sFlow.history.goToRun', oldest);
        assert.deepStrictEqual(ref, { storeKey: internals.stores.folders()[0].key, id: oldest });
        assert.ok((await rootRuns(internals)).some((c) => c.kind === 'run' && c.id === oldest), 'the run is a row');
        await waitFor('the row selected', () => internals.treeView.selection.some((n) => n.kind === 'run' && n.id === oldest));
        internals.panels.dispose();
        for (const id of ids) fs.unlinkSync(path.join(storeDir(), `${id}.json`));
      } finally {
        await config.update('pageSize', undefined, vscode.ConfigurationTarget.Global);
        fs.rmSync(dir, { recursive: true, force: true });
        internals.tree.refreshAll();
      }
    });
  });

  describe('live refresh', () => {
    it('shows a run written by another process without a refresh, and drops it when removed', async () => {
      const id = 'aaaaaaaa-1111-4222-8333-444444444444';
      const before = internals.tree.refreshCount;
      writeRunAtomically(storeDir(), id, runText(id));
      await waitFor('new run at the top', async () => (await rootIds(internals))[0] === id);
      await waitFor('a refresh fired by the watcher', () => internals.tree.refreshCount > before);
      fs.unlinkSync(path.join(storeDir(), `${id}.json`));
      await waitFor('run gone', async () => !(await rootIds(internals)).includes(id));
    });

    it('takes late watcher events for runs it deleted as its own, and a run re-created by another process as new', async function () {
      this.timeout(30_000);
      const id = 'abababab-1111-4222-8333-444444444444';
      writeRunAtomically(storeDir(), id, runText(id));
      await waitFor('listed', async () => (await rootIds(internals)).includes(id));
      await internals.stores.forFolder(workspaceFolder())!.store.delete(id);
      await waitFor('gone from the tree', async () => !(await rootIds(internals)).includes(id));
      // Later than any time window: another process writes the file and removes it again, so
      // the watcher reports it while the run is as we left it (gone).
      await new Promise((resolve) => setTimeout(resolve, 2500));
      const before = internals.tree.refreshCount;
      const file = path.join(storeDir(), `${id}.json`);
      fs.writeFileSync(file, runText(id));
      fs.unlinkSync(file);
      await new Promise((resolve) => setTimeout(resolve, 1500));
      assert.strictEqual(internals.tree.refreshCount, before, 'no refresh for a run that is still gone');
      // The run comes back: that is news.
      writeRunAtomically(storeDir(), id, runText(id));
      await waitFor('listed again', async () => (await rootIds(internals)).includes(id));
      await waitFor('a refresh for it', () => internals.tree.refreshCount > before);
      fs.unlinkSync(file);
      await waitFor('gone again', async () => !(await rootIds(internals)).includes(id));
    });

    it('re-parses only the run that changed', async () => {
      await Promise.all((await rootRuns(internals)).map((n) => internals.tree.getTreeItem(n)));
      const parses = internals.tree.summaries.parses;
      const id = 'bbbbbbbb-1111-4222-8333-444444444444';
      writeRunAtomically(storeDir(), id, runText(id));
      await waitFor('new run', async () => (await rootIds(internals)).includes(id));
      await Promise.all((await rootRuns(internals)).map((n) => internals.tree.getTreeItem(n)));
      assert.strictEqual(internals.tree.summaries.parses - parses, 1);
      fs.unlinkSync(path.join(storeDir(), `${id}.json`));
    });
  });

  describe('detail panel', () => {
    afterEach(() => internals.panels.dispose());

    it('opens one panel per run, revealed instead of duplicated, with exact data', async () => {
      const ref = { storeKey: workspaceFolder().uri.toString(), id: BIG };
      await vscode.commands.executeCommand('a3sFlow.history.openRun', runNode(internals, BIG));
      const panel = await waitFor('panel', () => internals.panels.get(ref));
      await panel.whenLoaded();
      await vscode.commands.executeCommand('a3sFlow.history.openRun', runNode(internals, BIG));
      assert.strictEqual(internals.panels.all().length, 1);
      const message = await waitFor('run message', () => panel.posted.find((m) => m.type === 'run'));
      assert.ok(message.type === 'run');
      assert.strictEqual(message.run.id, BIG);
      // Outputs are the stored text of each node (this fixture is pretty-printed by hand).
      assert.deepStrictEqual(
        decodeNodes(message.run.nodes).map((n) => [n.id, n.status, n.output]),
        [
          ['load', 'executed', '{ "rows": 3, "checksum": 18446744073709551615 }'],
          ['publish', 'executed', 'null'],
          ['transform', 'executed', '{ "trace_id": 9007199254740993, "ok": true }'],
        ],
      );
      assert.strictEqual(message.run.context, '{"tenant":"globex","started_ns":1732620000123456789}');
      assert.strictEqual(panel.panel.webview.options.enableCommandUris, false);
      const html = panel.panel.webview.html;
      assert.match(html, /default-src 'none'/);
      assert.doesNotMatch(html, /unsafe-inline|unsafe-eval/);
      const nonce = /'nonce-([^']+)'/.exec(html)?.[1] ?? '';
      assert.ok(nonce.length >= 22, `nonce ${nonce} carries at least 128 bits`);
      assert.doesNotMatch(html, new RegExp(BIG), 'no data in the HTML');
    });

    it('follows the store: updates on change, says when the run is deleted', async () => {
      const id = 'cccccccc-1111-4222-8333-444444444444';
      writeRunAtomically(storeDir(), id, runText(id, '{"a":1}'));
      const ref = { storeKey: workspaceFolder().uri.toString(), id };
      await waitFor('listed', async () => (await rootIds(internals)).includes(id));
      internals.panels.show(ref);
      const panel = await waitFor('panel', () => internals.panels.get(ref));
      await panel.whenLoaded();
      writeRunAtomically(storeDir(), id, runText(id, '{"a":2}'));
      await waitFor('update', () => panel.posted.some((m) => m.type === 'run' && decodeNodes(m.run.nodes)[0].output === '2'));
      fs.unlinkSync(path.join(storeDir(), `${id}.json`));
      await waitFor('deleted banner', () => panel.posted.at(-1)?.type === 'deleted');
    });

    it('refuses actions for another run and malformed messages', async () => {
      const ref = { storeKey: workspaceFolder().uri.toString(), id: EXAMPLE };
      internals.panels.show(ref);
      const panel = await waitFor('panel', () => internals.panels.get(ref));
      await panel.whenLoaded();
      const warn = stub(vscode.window, 'showWarningMessage', (async () => undefined) as typeof vscode.window.showWarningMessage);
      try {
        await panel.handleMessage({ type: 'action', action: 'delete', id: BIG });
        assert.strictEqual(warn.calls.length, 0, 'no delete confirmation for a run the panel does not show');
        const { parseWebviewMessage } = await import('../../src/shared/protocol');
        for (const bad of [{ type: 'action', action: 'rm', id: EXAMPLE }, { type: 'copy', what: 'value' }, { type: 'ready', extra: 1 }, 'ready', null, { type: 'command', command: 'workbench.action.terminal.new' }]) {
          assert.strictEqual(parseWebviewMessage(bad), undefined, JSON.stringify(bad));
        }
      } finally {
        warn.restore();
      }
      assert.ok(fs.existsSync(path.join(storeDir(), `${BIG}.json`)));
    });

    it('reads a very big local run once its page is ready, a smaller one while the page loads', async () => {
      const id = '99999999-1111-4222-8333-555555555555';
      const smaller = '99999999-1111-4222-8333-666666666666';
      // Past LATE_READ_BYTES (16 MiB): one 17 MB string output; and a 1 MB run (read by the
      // scan worker too, from 512 KB).
      writeRunAtomically(storeDir(), id, runText(id, `{"big":"${'x'.repeat(17 * 1024 * 1024)}"}`, '["big"]'));
      writeRunAtomically(storeDir(), smaller, runText(smaller, `{"big":"${'x'.repeat(1024 * 1024)}"}`, '["big"]'));
      const ready = new Map<string, boolean>();
      const scanner = internals.scanner;
      const builds = stub(scanner, 'buildFromFile', (async (file: string, maxBytes: number, meta: { id: string }) => {
        const panel = internals.panels.get({ storeKey: workspaceFolder().uri.toString(), id: meta.id });
        ready.set(meta.id, (panel as unknown as { ready: boolean } | undefined)?.ready ?? false);
        return Object.getPrototypeOf(scanner).buildFromFile.call(scanner, file, maxBytes, meta);
      }) as typeof scanner.buildFromFile);
      try {
        for (const runId of [id, smaller]) {
          const ref = { storeKey: workspaceFolder().uri.toString(), id: runId };
          internals.panels.show(ref);
          const panel = await waitFor('panel', () => internals.panels.get(ref));
          await panel.whenLoaded();
          assert.strictEqual(panel.fileReadBy, 'scan worker');
        }
      } finally {
        builds.restore();
        internals.panels.dispose();
        for (const runId of [id, smaller]) fs.unlinkSync(path.join(storeDir(), `${runId}.json`));
      }
      assert.strictEqual(ready.get(id), true, 'the 17 MB run is read after its page said ready');
      assert.strictEqual(ready.get(smaller), false, 'the 1 MB run is read while its page loads');
    });

    it('sends a big output only when the page asks for it, and only for its own nodes', async () => {
      const id = '99999999-1111-4222-8333-444444444444';
      const big = `[${Array.from({ length: 60_000 }, (_, i) => `{"i":${i},"h":${18446744073709551615n - BigInt(i)}}`).join(',')}]`;
      writeRunAtomically(storeDir(), id, runText(id, `{"big":${big},"small":{"ok":true}}`, '["big","small"]'));
      const ref = { storeKey: workspaceFolder().uri.toString(), id };
      internals.panels.show(ref);
      const panel = await waitFor('panel', () => internals.panels.get(ref));
      await panel.whenLoaded();
      const message = await waitFor('run message', () => panel.posted.find((m) => m.type === 'run'));
      assert.ok(message.type === 'run');
      const [bigNode, smallNode] = decodeNodes(message.run.nodes);
      // A big run in a local folder is read by the scan worker, not on the extension host.
      assert.strictEqual(panel.fileReadBy, 'scan worker');
      assert.deepStrictEqual([bigNode.id, bigNode.deferred, bigNode.output, bigNode.outputType], ['big', true, undefined, 'array']);
      assert.strictEqual(bigNode.outputBytes, Buffer.byteLength(big));
      assert.strictEqual(smallNode.output, '{"ok":true}');
      await panel.handleMessage({ type: 'loadOutput', requestId: 7, nodeId: 'big' });
      const output = panel.posted.at(-1);
      // As bytes, read from the file by range: the run's text is not kept anywhere.
      assert.ok(output?.type === 'output' && output.requestId === 7 && output.nodeId === 'big' && output.output instanceof Uint8Array);
      assert.strictEqual(Buffer.from(output.output).toString('utf8'), big);
      const before = panel.posted.length;
      await panel.handleMessage({ type: 'loadOutput', requestId: 8, nodeId: 'small' });
      await panel.handleMessage({ type: 'loadOutput', requestId: 9, nodeId: '../../etc/passwd' });
      assert.strictEqual(panel.posted.length, before, 'nothing sent for nodes that are not deferred outputs of this run');
      const rendered = await waitFor('page rendered', () => panel.lastRender);
      assert.ok(rendered.rows < 5000, `rows in the DOM: ${rendered.rows}`);
      fs.unlinkSync(path.join(storeDir(), `${id}.json`));
    });

    it('restores a panel after a reload from its saved state', async () => {
      const panel = vscode.window.createWebviewPanel('a3sFlow.history.run', 'restored', vscode.ViewColumn.Active, {});
      await internals.panels.deserializeWebviewPanel(panel, { storeKey: workspaceFolder().uri.toString(), id: EXAMPLE });
      const restored = internals.panels.get({ storeKey: workspaceFolder().uri.toString(), id: EXAMPLE });
      assert.ok(restored);
      await restored.whenLoaded();
      assert.ok(restored.posted.some((m) => m.type === 'run' && m.run.id === EXAMPLE));
      const junk = vscode.window.createWebviewPanel('a3sFlow.history.run', 'junk', vscode.ViewColumn.Active, {});
      let disposed = false;
      junk.onDidDispose(() => (disposed = true));
      await internals.panels.deserializeWebviewPanel(junk, { storeKey: 'x', id: '../../etc/passwd' });
      assert.ok(disposed, 'bad state closes the panel');
    });
  });

  describe('commands', () => {
    it('registers every command under the Flow History category', async () => {
      const commands = await vscode.commands.getCommands(true);
      const ours = ['refresh', 'openRun', 'openRawJson', 'exportRun', 'deleteRuns', 'copyExecutionId', 'revealInExplorer', 'createSampleRuns', 'showMore'].map((c) => `a3sFlow.history.${c}`);
      for (const c of ours) assert.ok(commands.includes(c), c);
      const pkg = vscode.extensions.getExtension('a3s.flow-history')!.packageJSON as { contributes: { commands: { category: string }[] } };
      assert.ok(pkg.contributes.commands.every((c) => c.category === 'Flow History'));
    });

    it('exports a run to the file chosen in the save dialog, in the export format', async () => {
      const out = vscode.Uri.file(path.join(os.tmpdir(), `flow-history-export-${process.pid}.json`));
      const dialog = stub(vscode.window, 'showSaveDialog', (async () => out) as typeof vscode.window.showSaveDialog);
      try {
        const written = await vscode.commands.executeCommand<vscode.Uri>('a3sFlow.history.exportRun', runNode(internals, BIG));
        assert.strictEqual(written?.fsPath, out.fsPath);
        const options = dialog.calls[0][0] as vscode.SaveDialogOptions;
        assert.ok(options.defaultUri?.path.endsWith(`/${BIG}.json`));
        const expected = exportFlowResult(parseFlowResult(fs.readFileSync(path.join(storeDir(), `${BIG}.json`), 'utf8')));
        assert.strictEqual(fs.readFileSync(out.fsPath, 'utf8'), expected);
        assert.match(expected, /"checksum": 18446744073709551615/);
      } finally {
        dialog.restore();
        fs.rmSync(out.fsPath, { force: true });
      }
    });

    it('exports a 5 MB run through the WebAssembly kernel in this runtime, the command writing the same file', async () => {
      const [run] = generateSampleRuns({ count: 1, seed: 11, nodes: 8, payloadBytes: 5 * 1024 * 1024 });
      const stored = path.join(storeDir(), `${run.executionId}.json`);
      writeRunAtomically(storeDir(), run.executionId, serializeFlowResult(run));
      const out = vscode.Uri.file(path.join(os.tmpdir(), `flow-history-export-big-${process.pid}.json`));
      let chosen: vscode.Uri | undefined;
      const dialog = stub(vscode.window, 'showSaveDialog', (async () => chosen) as typeof vscode.window.showSaveDialog);
      try {
        // Cancelled before the early export began (it waits for the dialog to open): it never
        // begins, so nothing is ever written beside the run.
        const seen = new Set<string>();
        let watching = setInterval(() => earlyExports().forEach((name) => seen.add(name)), 1);
        assert.strictEqual(await vscode.commands.executeCommand('a3sFlow.history.exportRun', runNode(internals, run.executionId)), undefined);
        await new Promise((resolve) => setTimeout(resolve, 2 * EARLY_EXPORT_DELAY_MS));
        clearInterval(watching);
        assert.deepStrictEqual([...seen], [], 'a cancelled early export began');
        await waitFor('the scan worker done and stopped', () => !internals.scanner.running);
        chosen = out;
        const bytes = fs.readFileSync(stored);
        const expected = exportFlowResult(parseFlowResult(bytes.toString('utf8')));
        // The kernel instantiates and runs in the extension host's own Node/V8.
        const exported = exportStoredRun(bytes);
        assert.strictEqual(exported.via, 'kernel');
        assert.strictEqual(Buffer.from(joinPieces(exported)).toString('utf8'), expected);
        exported.release();
        // A big local run is exported while the dialog is open, beside it, and moved into place.
        watching = setInterval(() => earlyExports().forEach((name) => seen.add(name)), 1);
        const written = await vscode.commands.executeCommand<vscode.Uri>('a3sFlow.history.exportRun', runNode(internals, run.executionId));
        clearInterval(watching);
        assert.strictEqual(written?.fsPath, out.fsPath);
        assert.strictEqual(fs.readFileSync(out.fsPath, 'utf8'), expected);
        assert.ok([...seen].some((name) => name.startsWith(`.${run.executionId}.`)), 'the export was written beside the run first');
        assert.deepStrictEqual(earlyExports(), [], 'and moved, not left behind');
      } finally {
        dialog.restore();
        fs.rmSync(out.fsPath, { force: true });
        fs.rmSync(stored, { force: true });
      }
      await waitFor('gone from the tree', async () => !(await rootIds(internals)).includes(run.executionId));
    });

    it('export of a cancelled dialog writes nothing', async () => {
      const dialog = stub(vscode.window, 'showSaveDialog', (async () => undefined) as typeof vscode.window.showSaveDialog);
      try {
        assert.strictEqual(await vscode.commands.executeCommand('a3sFlow.history.exportRun', runNode(internals, BIG)), undefined);
      } finally {
        dialog.restore();
      }
    });

    it('deletes selected runs after a modal confirmation; permanently only after saying so', async () => {
      const ids = ['dddddddd-1111-4222-8333-444444444444', 'eeeeeeee-1111-4222-8333-444444444444'];
      for (const id of ids) writeRunAtomically(storeDir(), id, runText(id));
      internals.tree.refreshAll();
      await waitFor('listed', async () => {
        const listed = await rootIds(internals);
        return ids.every((id) => listed.includes(id));
      });
      const nodes = ids.map((id) => runNode(internals, id));
      // Start from "trash not known to be missing", whatever ran before in this window.
      internals.stores.forgetTrashMissing();
      const prompts: string[] = [];
      const warn = stub(vscode.window, 'showWarningMessage', (async (message: string, options: vscode.MessageOptions, ...items: string[]) => {
        prompts.push(`${message} | ${options.detail} | ${items.join(',')} | modal=${options.modal}`);
        return items[0];
      }) as unknown as typeof vscode.window.showWarningMessage);
      try {
        const refreshes = internals.tree.refreshCount;
        const deleted = await vscode.commands.executeCommand<number>('a3sFlow.history.deleteRuns', nodes[0], nodes);
        assert.strictEqual(deleted, 2);
        for (const id of ids) assert.ok(!fs.existsSync(path.join(storeDir(), `${id}.json`)), id);
        assert.match(prompts[0], /^Move 2 runs to the trash\? \| dddddddd-.*\neeeeeeee-.*modal=true/s);
        // code-server has no trash: the second question must say "permanently".
        assert.match(prompts[1], /^The trash is not available here\. Permanently delete 2 runs\?.*This cannot be undone.*Delete Permanently/s);
        await waitFor('gone from the tree', async () => !(await rootIds(internals)).some((id) => ids.includes(id)));
        assert.ok(internals.tree.refreshCount - refreshes <= 2, `one refresh for the batch (plus the watcher's), got ${internals.tree.refreshCount - refreshes}`);
        // The next delete already knows: one question, saying permanently.
        const id = 'ffffffff-1111-4222-8333-444444444444';
        writeRunAtomically(storeDir(), id, runText(id));
        prompts.length = 0;
        assert.strictEqual(await vscode.commands.executeCommand<number>('a3sFlow.history.deleteRuns', { storeKey: workspaceFolder().uri.toString(), id }), 1);
        assert.strictEqual(prompts.length, 1);
        assert.match(prompts[0], /^Permanently delete run ffffffff-.*Delete Permanently/s);
      } finally {
        warn.restore();
      }
    });

    it('deletes nothing when the confirmation is dismissed', async () => {
      const warn = stub(vscode.window, 'showWarningMessage', (async () => undefined) as typeof vscode.window.showWarningMessage);
      try {
        assert.strictEqual(await vscode.commands.executeCommand<number>('a3sFlow.history.deleteRuns', runNode(internals, EXAMPLE)), 0);
        assert.ok(fs.existsSync(path.join(storeDir(), `${EXAMPLE}.json`)));
      } finally {
        warn.restore();
      }
    });

    it('copies the execution id', async () => {
      await vscode.commands.executeCommand('a3sFlow.history.copyExecutionId', runNode(internals, EXAMPLE));
      assert.strictEqual(await vscode.env.clipboard.readText(), EXAMPLE);
    });

    it('opens the raw JSON of an unreadable run as text, unchanged', async () => {
      const before = fs.readFileSync(path.join(storeDir(), `${BROKEN}.json`), 'utf8');
      await vscode.commands.executeCommand('a3sFlow.history.openRawJson', runNode(internals, BROKEN));
      const editor = await waitFor('editor', () => vscode.window.activeTextEditor);
      assert.strictEqual(editor.document.uri.fsPath, path.join(storeDir(), `${BROKEN}.json`));
      assert.strictEqual(editor.document.getText(), before);
      await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
    });

    it('reveals a run file in the Explorer', async () => {
      await vscode.commands.executeCommand('a3sFlow.history.revealInExplorer', runNode(internals, EXAMPLE));
    });

    it('creates sample runs in the workspace store', async () => {
      const store = internals.stores.folders()[0].store;
      const before = (await store.list()).length;
      assert.strictEqual(await vscode.commands.executeCommand('a3sFlow.history.createSampleRuns', 3), 3);
      assert.strictEqual((await store.list()).length, before + 3);
      await waitFor('tree shows them', async () => (await rootIds(internals)).length >= Math.min(before + 3, 200));
    });
  });

  describe('API', () => {
    it('saves runs handed to it into the memory store; the tree groups stores then', async () => {
      const api = await extensionExports();
      const events: string[] = [];
      const subscription = api.onDidChangeHistory((e) => events.push(`${e.storeKey}:${e.saved.join(',')}`));
      const id = await api.save(runText('12345678-90AB-4CDE-8F01-234567890ABC'.toUpperCase()));
      subscription.dispose();
      assert.strictEqual(id, '12345678-90ab-4cde-8f01-234567890abc');
      assert.deepStrictEqual(events, [`memory:${id}`]);
      assert.ok(await api.memoryStore.load(id));
      const roots = await waitFor('grouped', async () => {
        const nodes = await rootRuns(internals);
        return nodes.every((n) => n.kind === 'store') && nodes.length === 2 ? nodes : undefined;
      });
      const labels = await Promise.all(roots.map(async (r) => (await internals.tree.getTreeItem(r)).label));
      assert.deepStrictEqual(labels, [workspaceFolder().name, 'Session (memory)']);
      const memoryRuns = await internals.tree.getChildren(roots[1]);
      assert.deepStrictEqual(memoryRuns.map((n) => (n.kind === 'run' ? n.id : n.kind)), [id]);
      assert.strictEqual((await internals.tree.getTreeItem(memoryRuns[0])).contextValue, 'run readable writable live');
      await api.memoryStore.delete(id);
      await waitFor('ungrouped', async () => (await rootRuns(internals)).every((n) => n.kind === 'run'));
    });

    it('rejects invalid results with a precise message', async () => {
      const api = await extensionExports();
      await assert.rejects(api.save('{"execution_id":"x","outputs":{},"completed_nodes":[],"skipped_nodes":[]}'), /execution_id: "x" is not a UUID/);
    });
  });
});

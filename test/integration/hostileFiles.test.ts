/**
 * Paths and bad files in VS Code (the vscode.workspace.fs port, the extension's own store and
 * commands): commands invoked with ids that try to leave the store touch nothing outside it;
 * broken files are unreadable rows and panels with their exact reason and stay as they were;
 * a 600 MB file is refused by size without being loaded; the size limit and the store folder
 * come from settings, and the folder setting cannot leave the workspace folder.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import * as os from 'os';
import { newExecutionId } from '../../src/core/executionId';
import { InvalidExecutionIdError } from '../../src/core/executionStore';
import { FolderExecutionStore } from '../../src/core/folderStore';
import { FolderPort } from '../../src/core/folderPort';
import { VscodeFolderPort } from '../../src/stores/folderPorts';
import { oneLine } from '../../src/core/format';
import { badFiles, validRunText } from '../support/badFiles';
import { hostileIds } from '../support/hostileIds';
import { extensionExports, storeDir, stub, waitFor, workspaceFolder, writeRunAtomically } from './support';

type Internals = Awaited<ReturnType<typeof extensionExports>>['internals'];

const EXAMPLE = '67e55044-10b1-426f-9247-bb680e5fe0c8';
const BIG = '0f8fad5b-d9cb-469f-a165-70867728950e';

/** Size, mtime and bytes of files (large ones by size and mtime only). */
function fingerprint(files: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const file of files) {
    const stat = fs.statSync(file);
    out[file] = `${stat.size} ${stat.mtimeMs} ${stat.size > 16 * 1024 * 1024 ? '' : fs.readFileSync(file).toString('base64')}`;
  }
  return out;
}

describe('hostile ids and files in VS Code', function () {
  this.timeout(120_000);
  let internals: Internals;
  const key = () => workspaceFolder().uri.toString();

  before(async () => {
    internals = (await extensionExports()).internals;
  });

  afterEach(async () => {
    internals.panels.dispose();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  describe('ids that try to leave the store folder', () => {
    const victims: string[] = [];
    before(() => {
      const ws = workspaceFolder().uri.fsPath;
      const parent = path.dirname(ws);
      fs.mkdirSync(path.join(parent, 'outside'), { recursive: true });
      // Where `../../x`, `../../../victim` and `../../../../outside/x` would land, plus `.json`.
      for (const file of [path.join(ws, '.a3s', 'x.json'), path.join(ws, 'victim.json'), path.join(parent, 'outside', 'x.json'), path.join(ws, '.a3s', 'flow', 'x.json')]) {
        fs.writeFileSync(file, validRunText(EXAMPLE));
        victims.push(file);
      }
    });
    after(() => {
      for (const file of victims) fs.rmSync(file, { force: true });
    });

    it('commands given such ids by any caller read, open, delete and write nothing outside', async () => {
      const ids = [...hostileIds(EXAMPLE), '../../x', '../../../victim', '../../../../outside/x', `${path.dirname(storeDir())}/x`];
      // Commands that open editors or panels cost seconds each: they get the ids aimed at the victims.
      const aimed = new Set(['../../x', '../../../victim', '../../../../outside/x', `${path.dirname(storeDir())}/x`, '/etc/passwd', '%2f..']);
      const panelIds = new Set(['../../x', '../../../victim', '%2f..']);
      const uiCommands = new Set(['openRawJson', 'revealInExplorer', 'openRun', 'compareRuns', 'openNodeOutput']);
      const before = fingerprint([...victims, ...fs.readdirSync(storeDir()).map((n) => path.join(storeDir(), n))]);
      const warn = stub(vscode.window, 'showWarningMessage', (async (_message: string, options: unknown, ...items: string[]) => (typeof options === 'object' ? items[0] : undefined)) as unknown as typeof vscode.window.showWarningMessage);
      const exportTarget = vscode.Uri.file(path.join(path.dirname(workspaceFolder().uri.fsPath), 'outside', 'exported.json'));
      const save = stub(vscode.window, 'showSaveDialog', (async () => exportTarget) as typeof vscode.window.showSaveDialog);
      const errors = stub(vscode.window, 'showErrorMessage', (async () => undefined) as unknown as typeof vscode.window.showErrorMessage);
      const commands = ['deleteRuns', 'openRawJson', 'revealInExplorer', 'exportRun', 'exportRuns', 'openRun', 'compareRuns', 'openNodeOutput'];
      const openedDocuments: string[] = [];
      const watchOpen = vscode.workspace.onDidOpenTextDocument((d) => openedDocuments.push(d.uri.toString()));
      let invocations = 0;
      let panels = 0;
      try {
        for (const id of ids) {
          const ref = { storeKey: key(), id };
          for (const command of commands) {
            if (uiCommands.has(command) && !aimed.has(id)) continue;
            if (command === 'openRun' && !panelIds.has(id)) continue;
            const args: unknown[] =
              command === 'compareRuns' ? [ref, [ref, { storeKey: key(), id: EXAMPLE }]] : command === 'openNodeOutput' ? [{ kind: 'node', storeKey: key(), runId: id, nodeId: 'fetch' }] : [ref];
            await vscode.commands.executeCommand(`a3sFlow.history.${command}`, ...args);
            invocations++;
          }
          // A panel opened for such an id says it is not a run; it never shows data.
          const panel = internals.panels.get(ref);
          if (panel) {
            await Promise.race([panel.whenLoaded(), new Promise((resolve) => setTimeout(resolve, 5000))]);
            assert.ok(!panel.posted.some((m) => m.type === 'run'), `no run shown for ${JSON.stringify(id)}`);
            panels++;
            panel.panel.dispose();
          }
        }
      } finally {
        watchOpen.dispose();
        warn.restore();
        save.restore();
        errors.restore();
      }
      // Anything in the temp area around the workspace (VS Code itself may open its own settings).
      const area = path.dirname(workspaceFolder().uri.fsPath) + path.sep;
      const outsideStore = openedDocuments
        .filter((uri) => uri.startsWith('file:'))
        .map((uri) => vscode.Uri.parse(uri).fsPath)
        .filter((file) => file.startsWith(area) && !file.startsWith(storeDir() + path.sep));
      assert.deepStrictEqual(outsideStore, [], 'no file outside the store was opened');
      assert.deepStrictEqual(fingerprint(Object.keys(before)), before, 'every victim and every run file unchanged');
      // Export Selected asks where to write before reading; what it writes then holds no run.
      if (fs.existsSync(exportTarget.fsPath)) assert.strictEqual(fs.readFileSync(exportTarget.fsPath, 'utf8'), '[]\n');
      fs.rmSync(exportTarget.fsPath, { force: true });
      // (the valid run every comparison was asked against aside)
      for (const uri of openedDocuments.filter((u) => u.startsWith('flow-history:') && new URLSearchParams(vscode.Uri.parse(u).query).get('id') !== EXAMPLE)) {
        const document = await vscode.workspace.openTextDocument(vscode.Uri.parse(uri));
        assert.doesNotMatch(document.getText(), /"execution_id"/, `no run data in ${uri}`);
      }
      console.log(`      ${invocations} invocations of ${commands.length} commands over ${ids.length} hostile ids (${panels} panels opened); nothing outside touched`);
    });
  });

  describe('the vscode.workspace.fs port (virtual and remote workspaces)', () => {
    let root: string;
    let dir: string;
    let calls: string[];
    let store: FolderExecutionStore;
    beforeEach(() => {
      root = fs.mkdtempSync(path.join(os.tmpdir(), 'flow-history-vscode-paths-'));
      dir = path.join(root, 'ws', '.a3s', 'flow', 'executions');
      fs.mkdirSync(dir, { recursive: true });
      fs.mkdirSync(path.join(root, 'outside'));
      const inner = new VscodeFolderPort(vscode.Uri.file(dir));
      calls = [];
      const record = <T>(what: string, work: () => Promise<T>): Promise<T> => {
        calls.push(what);
        return work();
      };
      const port: FolderPort = {
        location: inner.location,
        list: () => record('list', () => inner.list()),
        stat: (name) => record(`stat ${name}`, () => inner.stat(name)),
        read: (name) => record(`read ${name}`, () => inner.read(name)),
        write: (name, data) => record(`write ${name}`, () => inner.write(name, data)),
        rename: (from, to) => record(`rename ${from} ${to}`, () => inner.rename(from, to)),
        remove: (name, options) => record(`remove ${name}`, () => inner.remove(name, options)),
        locate: (name) => inner.locate(name),
      };
      store = new FolderExecutionStore(port);
    });
    afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

    it('refuses hostile ids before any file system call', async () => {
      const ids = hostileIds(EXAMPLE);
      for (const id of ids) {
        await assert.rejects(store.inspect(id), InvalidExecutionIdError);
        await assert.rejects(store.readRaw(id), InvalidExecutionIdError);
        await assert.rejects(store.delete(id), InvalidExecutionIdError);
        await assert.rejects(store.save({ executionId: id, outputs: {}, completedNodes: [], skippedNodes: [], context: {}, extraFields: {} }), InvalidExecutionIdError);
      }
      assert.deepStrictEqual(calls, []);
      const raw = new VscodeFolderPort(vscode.Uri.file(dir));
      for (const name of ['../x.json', '/etc/passwd', 'a/b', 'a\\b', '..', '.', 'x\u0000y']) assert.throws(() => raw.uri(name), /outside the store folder/, name);
    });

    it('symlinks out of the folder are listed as unreadable, never read, written or deleted through', async () => {
      const id = newExecutionId();
      const target = path.join(root, 'outside', 'x.json');
      fs.writeFileSync(target, validRunText(id));
      fs.symlinkSync(target, path.join(dir, `${id}.json`));
      const toDir = newExecutionId();
      fs.symlinkSync(path.join(root, 'outside'), path.join(dir, `${toDir}.json`));
      const before = fingerprint([target]);
      const entries = await store.listEntries();
      assert.deepStrictEqual(entries.map((e) => e.id).sort(), [id, toDir].sort());
      for (const entry of entries) assert.match(entry.problem ?? '', /symbolic link/);
      assert.strictEqual((await store.inspect(id)).kind, 'unreadable');
      assert.strictEqual(await store.readRaw(id), undefined);
      assert.deepStrictEqual(calls.filter((c) => c.startsWith('read')), [], 'nothing read through a link');
      await store.save({ executionId: id, outputs: {}, completedNodes: [], skippedNodes: [], context: {}, extraFields: {} });
      assert.ok(fs.lstatSync(path.join(dir, `${id}.json`)).isFile(), 'the link itself was replaced');
      // Saving over a link to a folder replaces the link, not the folder's contents.
      await store.save({ executionId: toDir, outputs: {}, completedNodes: [], skippedNodes: [], context: {}, extraFields: {} });
      assert.ok(fs.lstatSync(path.join(dir, `${toDir}.json`)).isFile());
      await store.delete(toDir);
      assert.ok(!fs.existsSync(path.join(dir, `${toDir}.json`)));
      assert.ok(fs.statSync(path.join(root, 'outside')).isDirectory());
      assert.deepStrictEqual(fingerprint([target]), before, 'the target outside is unchanged');
    });

    it('a directory named <uuid>.json is ignored, kept and never written over', async () => {
      const id = newExecutionId();
      fs.mkdirSync(path.join(dir, `${id}.json`));
      fs.writeFileSync(path.join(dir, `${id}.json`, 'inside.txt'), 'keep');
      assert.deepStrictEqual(await store.list(), []);
      assert.strictEqual((await store.inspect(id)).kind, 'missing');
      await store.delete(id);
      const saved = await store.save({ executionId: id, outputs: {}, completedNodes: [], skippedNodes: [], context: {}, extraFields: {} }).then(
        () => 'saved',
        (error: unknown) => String(error),
      );
      assert.ok(fs.lstatSync(path.join(dir, `${id}.json`)).isDirectory(), `the directory is still there (save: ${saved})`);
      assert.strictEqual(fs.readFileSync(path.join(dir, `${id}.json`, 'inside.txt'), 'utf8'), 'keep');
      assert.notStrictEqual(saved, 'saved', 'the save is refused');
      assert.deepStrictEqual(fs.readdirSync(dir), [`${id}.json`], 'no temp file left behind');
    });

    it(`gives the ${badFiles.length} broken files the same exact reasons`, async () => {
      for (const bad of badFiles) {
        const id = newExecutionId();
        fs.writeFileSync(path.join(dir, `${id}.json`), bad.bytes(id));
        const outcome = await store.inspect(id);
        assert.deepStrictEqual(outcome.kind === 'unreadable' && outcome.reason, String(bad.reason(id)), bad.name);
      }
    });
  });

  describe('broken files', () => {
    const written: string[] = [];
    const ids = new Map<string, string>();
    let big: string;
    after(() => {
      for (const file of written) fs.rmSync(file, { force: true });
      internals.tree.refreshAll();
    });

    it(`shows each of the ${badFiles.length} broken files and a 600 MB one as unreadable rows and panels with the exact reason, unchanged`, async () => {
      for (const bad of badFiles) {
        const id = newExecutionId();
        ids.set(bad.name, id);
        const file = path.join(storeDir(), `${id}.json`);
        fs.writeFileSync(file, bad.bytes(id));
        written.push(file);
      }
      big = newExecutionId();
      const bigFile = path.join(storeDir(), `${big}.json`);
      fs.writeFileSync(bigFile, '{"execution_id":');
      fs.truncateSync(bigFile, 600 * 1024 * 1024);
      written.push(bigFile);
      const before = fingerprint(written);
      const memoryBefore = process.memoryUsage().arrayBuffers;

      internals.tree.refreshAll();
      await waitFor('listed', async () => {
        await internals.tree.getChildren(undefined);
        return [...ids.values(), big].every((id) => internals.tree.entry({ storeKey: key(), id }));
      });
      const cases: [string, string, string][] = [...badFiles.map((b) => [b.name, ids.get(b.name)!, String(b.reason(ids.get(b.name)!))] as [string, string, string]), ['600 MB (sparse)', big, 'is 600 MB, over the 256 MB size limit']];
      for (const [name, id, reason] of cases) {
        const item = await internals.tree.getTreeItem(internals.tree.runNode({ storeKey: key(), id }));
        assert.strictEqual(item.contextValue, 'run unreadable files trash writable live persistent', name);
        assert.ok(String(item.description).endsWith(`unreadable: ${oneLine(reason, 80)}`), `${name}: ${String(item.description)}`);
        assert.ok(String(item.tooltip).includes(`Unreadable: ${oneLine(reason, 300)}`), name);
      }

      // The panel of a run whose file goes bad in each of these ways says why, each time.
      const followed = newExecutionId();
      const followedFile = writeRunAtomically(storeDir(), followed, validRunText(followed));
      written.push(followedFile);
      const ref = { storeKey: key(), id: followed };
      internals.panels.show(ref);
      const panel = await waitFor('panel', () => internals.panels.get(ref));
      await panel.whenLoaded();
      assert.strictEqual(panel.posted.at(-1)?.type, 'run');
      const panelCases: [string, () => void, string][] = [
        ...badFiles.map((b) => [b.name, () => fs.writeFileSync(followedFile, b.bytes(followed)), String(b.reason(followed))] as [string, () => void, string]),
        ['600 MB (sparse)', () => fs.truncateSync(followedFile, 600 * 1024 * 1024), 'is 600 MB, over the 256 MB size limit'],
      ];
      for (const [name, spoil, reason] of panelCases) {
        spoil();
        const message = await waitFor(`panel reason for ${name}`, () => {
          const last = panel.posted.at(-1);
          return last?.type === 'unreadable' && last.reason === reason ? last : undefined;
        }).catch(() => panel.posted.at(-1));
        assert.deepStrictEqual(message?.type === 'unreadable' ? message.reason : message, reason, name);
      }
      panel.panel.dispose();
      // Searching reads run files; the big one is skipped by its size, not loaded.
      assert.strictEqual(typeof (await vscode.commands.executeCommand('a3sFlow.history.search', 'acme')), 'number');
      await vscode.commands.executeCommand('a3sFlow.history.clearSearch');
      const grown = process.memoryUsage().arrayBuffers - memoryBefore;
      assert.ok(grown < 128 * 1024 * 1024, `the 600 MB file was never loaded (array buffers grew ${grown} bytes)`);
      assert.deepStrictEqual(fingerprint(Object.keys(before)), before, 'no broken file was modified');

      // The rest of the store keeps working.
      const example = await internals.tree.getTreeItem(internals.tree.runNode({ storeKey: key(), id: EXAMPLE }));
      assert.strictEqual(example.contextValue, 'run readable files trash writable live persistent');
      assert.strictEqual((await internals.stores.folders()[0].store.load(BIG))?.executionId, BIG);
      console.log(`      ${cases.length} broken files shown with their exact reason`);
    });
  });

  describe('settings', () => {
    const config = () => vscode.workspace.getConfiguration('a3sFlow.history', workspaceFolder());
    const storeFolder = () => internals.stores.folders()[0].storeUri!.fsPath;
    const settingsFile = () => path.join(workspaceFolder().uri.fsPath, '.vscode', 'settings.json');
    let hadSettings = false;
    before(() => {
      hadSettings = fs.existsSync(settingsFile());
    });
    after(async () => {
      await config().update('directory', undefined, vscode.ConfigurationTarget.Workspace);
      await config().update('maxFileSizeMB', undefined, vscode.ConfigurationTarget.Global);
      if (!hadSettings) fs.rmSync(path.dirname(settingsFile()), { recursive: true, force: true });
      await waitFor('default store', () => storeFolder() === storeDir());
    });

    it('the size limit follows a3sFlow.history.maxFileSizeMB', async () => {
      const id = newExecutionId();
      const base = validRunText(id);
      const text = `${base.slice(0, -1)},"pad":"${'x'.repeat(2 * 1024 * 1024)}"}`;
      const file = writeRunAtomically(storeDir(), id, text);
      try {
        const ref = { storeKey: key(), id };
        await config().update('maxFileSizeMB', 1, vscode.ConfigurationTarget.Global);
        await waitFor('limited', async () => (await internals.stores.folders()[0].store.inspect(id)).kind === 'unreadable');
        const outcome = await internals.stores.folders()[0].store.inspect(id);
        assert.deepStrictEqual(outcome.kind === 'unreadable' && outcome.reason, 'is 2.0 MB, over the 1.0 MB size limit');
        internals.tree.refreshAll();
        await internals.tree.getChildren(undefined);
        assert.match(String((await internals.tree.getTreeItem(internals.tree.runNode(ref))).description), /unreadable: is 2\.0 MB, over the 1\.0 MB size limit$/);
        await config().update('maxFileSizeMB', undefined, vscode.ConfigurationTarget.Global);
        await waitFor('default limit', async () => (await internals.stores.folders()[0].store.inspect(id)).kind === 'ok');
      } finally {
        fs.rmSync(file, { force: true });
      }
    });

    it('a3sFlow.history.directory cannot point outside the workspace folder, even when trusted', async () => {
      assert.strictEqual(vscode.workspace.isTrusted, true);
      const ws = workspaceFolder().uri.fsPath;
      const outside = path.join(path.dirname(ws), 'outside');
      fs.mkdirSync(outside, { recursive: true });
      const planted = newExecutionId();
      fs.writeFileSync(path.join(outside, `${planted}.json`), validRunText(planted));
      try {
        // A relative folder inside the workspace is honoured (the control)...
        await config().update('directory', 'custom/runs', vscode.ConfigurationTarget.Workspace);
        await waitFor('custom store', () => storeFolder() === path.join(ws, 'custom', 'runs'));
        // ...anything that leaves it falls back to the default folder.
        for (const value of ['../outside', '..', 'a/../../outside', './../outside', outside, '/etc', '~/x', 'C:\\Windows', '\\\\server\\share', '..\\outside']) {
          await config().update('directory', 'custom/runs', vscode.ConfigurationTarget.Workspace);
          await waitFor('custom store', () => storeFolder() === path.join(ws, 'custom', 'runs'));
          await config().update('directory', value, vscode.ConfigurationTarget.Workspace);
          await waitFor(`store for ${JSON.stringify(value)}`, () => storeFolder() === storeDir());
          assert.ok(!(await internals.stores.folders()[0].store.list()).includes(planted), `${JSON.stringify(value)} does not reach ${outside}`);
        }
      } finally {
        fs.rmSync(path.join(outside, `${planted}.json`), { force: true });
        fs.rmSync(path.join(ws, 'custom'), { recursive: true, force: true });
      }
    });
  });
});

/**
 * Restricted Mode (workspace trust on, folder not trusted; the `restricted` run of
 * test/harness/runIntegration.ts on test/fixtures/restricted): the tree and the panel work;
 * delete, import, retention and sample creation refuse even when invoked directly as
 * commands, and nothing on disk changes; the workspace's own `.vscode/settings.json`
 * (which points the store at `../outside`, then at an absolute path) cannot move the store.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { extensionExports, storeDir, stub, waitFor, workspaceFolder } from '../support';
import { decodeNodes } from '../../../src/shared/protocol';

type Internals = Awaited<ReturnType<typeof extensionExports>>['internals'];

const EXAMPLE = '67e55044-10b1-426f-9247-bb680e5fe0c8';
const SCRAPED = '9b2f1c3e-5a4d-4e6f-8a7b-0c1d2e3f4a5b';
const PLANTED = 'deadbeef-0000-4000-8000-000000000001';

function runJson(id: string): string {
  return `{"execution_id":"${id}","outputs":{"a":1},"completed_nodes":["a"],"skipped_nodes":[],"context":{}}`;
}

/** Names, sizes, mtimes and bytes of every file under the given folders. */
function fingerprint(folders: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (dir: string) => {
    if (!fs.existsSync(dir)) return;
    for (const name of fs.readdirSync(dir).sort()) {
      const full = path.join(dir, name);
      const stat = fs.lstatSync(full);
      if (stat.isDirectory()) walk(full);
      else out[full] = `${stat.size} ${stat.mtimeMs} ${fs.readFileSync(full).toString('base64')}`;
    }
  };
  for (const folder of folders) walk(folder);
  return out;
}

describe('Restricted Mode', function () {
  this.timeout(60_000);
  let internals: Internals;
  const ws = () => workspaceFolder().uri.fsPath;
  const outside = () => path.join(path.dirname(ws()), 'outside');
  const key = () => workspaceFolder().uri.toString();

  before(async () => {
    // What `../outside` (the fixture's setting) names, holding a run that must never be listed.
    fs.mkdirSync(outside(), { recursive: true });
    fs.writeFileSync(path.join(outside(), `${PLANTED}.json`), runJson(PLANTED));
    internals = (await extensionExports()).internals;
  });

  it('runs untrusted, with a workspace setting VS Code does not even report', () => {
    assert.strictEqual(vscode.workspace.isTrusted, false);
    assert.match(fs.readFileSync(path.join(ws(), '.vscode', 'settings.json'), 'utf8'), /"a3sFlow\.history\.directory": "\.\.\/outside"/);
    // A restricted setting's workspace value is withheld from extensions in Restricted Mode.
    const inspected = vscode.workspace.getConfiguration('a3sFlow.history', workspaceFolder()).inspect<string>('directory');
    assert.strictEqual(inspected?.workspaceValue, undefined);
    assert.strictEqual(vscode.workspace.getConfiguration('a3sFlow.history', workspaceFolder()).get('directory'), '.a3s/flow/executions');
  });

  it('ignores the workspace databases setting: no database group, no connection', async () => {
    assert.match(fs.readFileSync(path.join(ws(), '.vscode', 'settings.json'), 'utf8'), /"a3sFlow\.history\.databases": \[\{ "name": "planted"/);
    assert.deepStrictEqual(internals.stores.databases(), []);
    const roots = await internals.tree.getChildren();
    assert.ok(!roots.some((n) => n.storeKey.startsWith('database:')), JSON.stringify(roots));
  });

  it('ignores the workspace store folder setting: the store stays in the workspace', async () => {
    assert.strictEqual(internals.stores.folders()[0].storeUri?.fsPath, storeDir());
    assert.deepStrictEqual((await internals.stores.folders()[0].store.list()).sort(), [EXAMPLE, SCRAPED].sort());
  });

  it('also ignores an absolute path written to the workspace settings later', async () => {
    const settings = path.join(ws(), '.vscode', 'settings.json');
    const original = fs.readFileSync(settings, 'utf8');
    let changes = 0;
    const subscription = internals.stores.onDidChangeStores(() => changes++);
    try {
      fs.writeFileSync(settings, JSON.stringify({ 'a3sFlow.history.directory': outside() }));
      // VS Code reads settings files within about a second; give it three.
      await new Promise((resolve) => setTimeout(resolve, 3000));
      assert.strictEqual(internals.stores.folders()[0].storeUri?.fsPath, storeDir(), `store unchanged after ${changes} store change(s)`);
      assert.ok(!(await internals.stores.folders()[0].store.list()).includes(PLANTED));
    } finally {
      subscription.dispose();
      fs.writeFileSync(settings, original);
    }
  });

  it('shows the runs in the tree and opens the panel', async () => {
    internals.tree.refreshAll();
    const roots = await internals.tree.getChildren(undefined);
    assert.deepStrictEqual(roots.map((n) => (n.kind === 'run' ? n.id : n.kind)).sort(), [EXAMPLE, SCRAPED].sort());
    const item = await internals.tree.getTreeItem(internals.tree.runNode({ storeKey: key(), id: SCRAPED }));
    assert.strictEqual(item.contextValue, 'run readable files trash writable live persistent');
    await vscode.commands.executeCommand('a3sFlow.history.openRun', { storeKey: key(), id: SCRAPED });
    const panel = await waitFor('panel', () => internals.panels.get({ storeKey: key(), id: SCRAPED }));
    await panel.whenLoaded();
    const message = panel.posted.find((m) => m.type === 'run');
    assert.ok(message && message.type === 'run' && String(decodeNodes(message.run.nodes)[0].output).includes('<script>'), 'the page gets the run (as data)');
    internals.panels.dispose();
  });

  it('delete, import, retention and sample creation refuse, however invoked; nothing changes', async () => {
    const importSource = path.join(outside(), 'import-me.json');
    fs.writeFileSync(importSource, runJson('deadbeef-0000-4000-8000-000000000002'));
    const before = fingerprint([ws(), outside()]);
    const prompts: string[] = [];
    const modal: string[] = [];
    const warn = stub(vscode.window, 'showWarningMessage', (async (message: string, options?: unknown) => {
      prompts.push(message);
      if (typeof options === 'object' && options !== null && (options as vscode.MessageOptions).modal) modal.push(message);
      return undefined;
    }) as unknown as typeof vscode.window.showWarningMessage);
    const open = stub(vscode.window, 'showOpenDialog', (async () => [vscode.Uri.file(importSource)]) as typeof vscode.window.showOpenDialog);
    const input = stub(vscode.window, 'showInputBox', (async () => '0') as typeof vscode.window.showInputBox);
    const ref = { storeKey: key(), id: EXAMPLE, kind: 'run' };
    const calls: [string, unknown[], unknown][] = [
      ['deleteRuns', [ref], 0],
      ['deleteRuns', [ref, [ref, { storeKey: key(), id: SCRAPED, kind: 'run' }]], 0],
      ['deleteRuns', [], 0],
      ['importRuns', [[vscode.Uri.file(importSource)]], undefined],
      ['importRuns', [], undefined],
      ['deleteOlderThan', [0], 0],
      ['deleteOlderThan', [], 0],
      ['keepNewest', [0], 0],
      ['keepNewest', [], 0],
      ['applyRetention', [], 0],
      ['createSampleRuns', [5], 0],
      ['createSampleRuns', [], 0],
    ];
    try {
      for (const [command, args, expected] of calls) {
        const result = await vscode.commands.executeCommand(`a3sFlow.history.${command}`, ...args);
        assert.strictEqual(result, expected, `${command} returns ${String(expected)}`);
      }
      // The panel's Delete button goes through the same command.
      internals.panels.show({ storeKey: key(), id: EXAMPLE });
      const panel = await waitFor('panel', () => internals.panels.get({ storeKey: key(), id: EXAMPLE }));
      await panel.whenLoaded();
      await panel.handleMessage({ type: 'action', action: 'delete', id: EXAMPLE });
      // And the API refuses to write into the folder.
      const api = await extensionExports();
      await assert.rejects(api.save(runJson('deadbeef-0000-4000-8000-000000000003'), workspaceFolder()), /not available in Restricted Mode/);
    } finally {
      warn.restore();
      open.restore();
      input.restore();
      internals.panels.dispose();
    }
    assert.deepStrictEqual(modal, [], 'no confirmation was even asked');
    assert.strictEqual(prompts.length, calls.length + 1, 'each refusal says why');
    for (const prompt of prompts) assert.match(prompt, /is not available in Restricted Mode\. Trust this workspace to enable it\./);
    assert.deepStrictEqual(fingerprint([ws(), outside()]), before, 'no file created, changed or deleted');
    assert.deepStrictEqual((await internals.stores.folders()[0].store.list()).sort(), [EXAMPLE, SCRAPED].sort());
    console.log(`      ${calls.length + 2} direct invocations refused, files unchanged`);
  });
});

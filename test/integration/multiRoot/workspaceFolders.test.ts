// Runs in the multi-root run of the harness (test/fixtures/multi-root).
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { extensionExports, runText, waitFor, writeRunAtomically } from '../support';

describe('multi-root workspace', () => {
  it('opens both fixture folders', () => {
    const names = (vscode.workspace.workspaceFolders ?? []).map((folder) => folder.name);
    assert.deepStrictEqual(names, ['orders', 'billing']);
  });

  it('activates the extension with a folder that has no run store', async () => {
    const extension = vscode.extensions.getExtension('a3s.flow-history');
    assert.ok(extension);
    await extension.activate();
    assert.strictEqual(extension.isActive, true);
  });
});

describe('Flow History with two workspace folders', () => {
  type Exports = Awaited<ReturnType<typeof extensionExports>>;
  let internals: Exports['internals'];
  const folder = (name: string) => vscode.workspace.workspaceFolders!.find((f) => f.name === name)!;

  before(async () => {
    internals = (await extensionExports()).internals;
  });

  it('has one store per folder and groups the tree by store', async () => {
    const roots = await internals.tree.getChildren(undefined);
    assert.deepStrictEqual(
      roots.map((r) => r.kind),
      ['store', 'store'],
    );
    const labels = await Promise.all(roots.map(async (r) => (await internals.tree.getTreeItem(r)).label));
    assert.deepStrictEqual(labels, ['orders', 'billing']);
    const orders = await internals.tree.getChildren(roots[0]);
    assert.ok(orders.length >= 1 && orders.every((n) => n.kind === 'run'));
    assert.deepStrictEqual(await internals.tree.getChildren(roots[1]), []);
    const item = await internals.tree.getTreeItem(roots[0]);
    assert.match(String(item.description), /^\d+ runs?$/);
  });

  it('shows the first run of a project whose store folder is created after the window opened', async () => {
    const billing = folder('billing');
    const dir = path.join(billing.uri.fsPath, '.a3s', 'flow', 'executions');
    assert.ok(!fs.existsSync(dir), 'the fixture has no store folder yet');
    const id = '77777777-1111-4222-8333-444444444444';
    // What the engine does on its first run: mkdir -p, then an atomic write.
    writeRunAtomically(dir, id, runText(id));
    const billingRoot = internals.tree.runNode({ storeKey: billing.uri.toString(), id });
    await waitFor('the run in the billing group', async () => {
      const roots = await internals.tree.getChildren(undefined);
      const group = roots.find((r) => r.kind === 'store' && r.storeKey === billing.uri.toString());
      return group && (await internals.tree.getChildren(group)).includes(billingRoot);
    }, 15_000);
  });

  it('saves through the API into the chosen folder only', async () => {
    const api = await extensionExports();
    const id = '88888888-1111-4222-8333-444444444444';
    await api.save(runText(id), folder('orders'));
    assert.ok(fs.existsSync(path.join(folder('orders').uri.fsPath, '.a3s', 'flow', 'executions', `${id}.json`)));
    assert.strictEqual(await api.storeFor(folder('billing'))!.load(id), undefined);
  });
});

// Runs in the multi-root run of the harness (test/fixtures/multi-root).
import * as assert from 'assert';
import * as vscode from 'vscode';

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

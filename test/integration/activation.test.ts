import * as assert from 'assert';
import * as vscode from 'vscode';

const extensionId = 'a3s.flow-history';

describe('activation', () => {
  it('runs inside a real VS Code 1.x', () => {
    assert.ok(vscode.version.startsWith('1.'), `unexpected VS Code version ${vscode.version}`);
  });

  it(`activates ${extensionId}`, async () => {
    const extension = vscode.extensions.getExtension(extensionId);
    assert.ok(extension, `${extensionId} is not loaded from the development path`);
    await extension.activate();
    assert.strictEqual(extension.isActive, true);
  });
});

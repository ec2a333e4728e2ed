/**
 * Export never overwrites behind the user's back: every export asks VS Code's save dialog
 * (which itself confirms replacing an existing file) with no option that could skip that,
 * writes only to the file the dialog returned, and writes nothing when it is cancelled —
 * not even to the proposed default file. (The CLI's `--force` rule is in test/unit/cli.test.ts.)
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { extensionExports, stub, workspaceFolder } from './support';

const EXAMPLE = '67e55044-10b1-426f-9247-bb680e5fe0c8';
const ALLOWED_OPTIONS = new Set(['title', 'saveLabel', 'defaultUri', 'filters']);

describe('export safety', () => {
  const ref = () => ({ storeKey: workspaceFolder().uri.toString(), id: EXAMPLE, kind: 'run' });
  const exports: [string, () => unknown[]][] = [
    ['exportRun', () => [ref()]],
    ['exportRuns', () => [ref(), [ref()]]],
    ['exportAll', () => []],
  ];

  before(async () => {
    await extensionExports();
  });

  for (const [command, args] of exports) {
    it(`${command}: asks the save dialog with no overwrite option, writes nothing when cancelled`, async () => {
      const offered: vscode.SaveDialogOptions[] = [];
      const dialog = stub(vscode.window, 'showSaveDialog', (async (options: vscode.SaveDialogOptions) => {
        offered.push(options);
        return undefined;
      }) as typeof vscode.window.showSaveDialog);
      // Something already lives where the dialog will propose to write.
      const existing: string[] = [];
      try {
        await vscode.commands.executeCommand(`a3sFlow.history.${command}`, ...args());
        assert.strictEqual(offered.length, 1, 'the dialog was asked');
        const proposed = offered[0].defaultUri!.fsPath;
        fs.mkdirSync(path.dirname(proposed), { recursive: true });
        fs.writeFileSync(proposed, 'precious');
        existing.push(proposed);
        await vscode.commands.executeCommand(`a3sFlow.history.${command}`, ...args());
        for (const options of offered) {
          assert.deepStrictEqual(Object.keys(options).filter((k) => !ALLOWED_OPTIONS.has(k)), [], 'no option beyond title, label, default and filters');
        }
        assert.strictEqual(fs.readFileSync(proposed, 'utf8'), 'precious', 'a cancelled dialog writes nothing, not even to the proposed file');
      } finally {
        dialog.restore();
        for (const file of existing) fs.rmSync(file, { force: true });
      }
    });
  }

  it('writes only to the file the dialog returned (the dialog confirmed any replacement)', async () => {
    const chosen = vscode.Uri.file(path.join(path.dirname(workspaceFolder().uri.fsPath), `chosen-${Date.now()}.json`));
    fs.writeFileSync(chosen.fsPath, 'old');
    const dialog = stub(vscode.window, 'showSaveDialog', (async () => chosen) as typeof vscode.window.showSaveDialog);
    try {
      const written = await vscode.commands.executeCommand<vscode.Uri>('a3sFlow.history.exportRun', ref());
      assert.strictEqual(written?.fsPath, chosen.fsPath);
      assert.match(fs.readFileSync(chosen.fsPath, 'utf8'), new RegExp(`"execution_id": "${EXAMPLE}"`));
    } finally {
      dialog.restore();
      fs.rmSync(chosen.fsPath, { force: true });
    }
  });
});

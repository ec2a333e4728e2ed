/**
 * The port for `file:` store folders. The extension host runs where the files are (also in
 * remote workspaces), so Node's fs is correct there and several times faster than
 * `vscode.workspace.fs` for 100,000 stats; it also flushes saves to disk and opens files
 * without following symlinks. Deletes still go through `vscode.workspace.fs`, which knows
 * the OS trash. Big listings run in a worker thread. Other schemes (virtual workspaces) use `VscodeFolderPort`.
 */
import * as vscode from 'vscode';
import { NodeFolderPort } from '../node/nodeFolderPort';
import { RunListingWorker } from '../node/runListingWorker';
import { VscodeFolderPort } from './vscodeFolderPort';

export class LocalFolderPort extends NodeFolderPort {
  private readonly trashPort: VscodeFolderPort;

  /** `listing`: lists run files off the extension host's thread (see runListingWorker.ts). */
  constructor(
    readonly folder: vscode.Uri,
    listing?: RunListingWorker,
  ) {
    super(folder.fsPath, { listing });
    this.trashPort = new VscodeFolderPort(folder);
  }

  override async remove(name: string, options: { useTrash?: boolean } = {}): Promise<void> {
    await this.trashPort.remove(name, options);
  }
}

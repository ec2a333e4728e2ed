/**
 * The ports the extension's folder stores use (the contract is core/folderPort.ts):
 * - `LocalFolderPort` for `file:` store folders. The extension host runs where the files are
 *   (also in remote workspaces), so Node's fs (node/nodeFolderPort.ts) is correct there and
 *   several times faster than `vscode.workspace.fs` for 100,000 stats; it also flushes saves
 *   to disk and opens files without following symlinks. Deletes still go through
 *   `vscode.workspace.fs`, which knows the OS trash. Big listings run in a worker thread.
 * - `VscodeFolderPort` over `vscode.workspace.fs` for every other scheme, so the store works
 *   in remote and virtual workspaces.
 * `folderPortFor` picks one.
 */
import * as vscode from 'vscode';
import { TrashUnavailableError } from '../core/executionStore';
import { FolderPort, PortEntry, PortEntryKind, PortStat } from '../core/folderPort';
import { NodeFolderPort } from '../node/nodeFolderPort';
import { RunListingWorker } from '../node/runListingWorker';

/** The port for a store folder: Node fs for `file:`, `vscode.workspace.fs` for other schemes. */
export function folderPortFor(folder: vscode.Uri, listing?: RunListingWorker): FolderPort {
  return folder.scheme === 'file' ? new LocalFolderPort(folder, listing) : new VscodeFolderPort(folder);
}

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

/** `FolderPort` over `vscode.workspace.fs`, so the store works in remote and virtual workspaces. */
export class VscodeFolderPort implements FolderPort {
  readonly location: string;

  constructor(readonly folder: vscode.Uri) {
    this.location = folder.scheme === 'file' ? folder.fsPath : folder.toString(true);
  }

  async list(): Promise<PortEntry[] | undefined> {
    try {
      const entries = await vscode.workspace.fs.readDirectory(this.folder);
      return entries.map(([name, type]) => ({ name, kind: kindOf(type) }));
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  async stat(name: string): Promise<PortStat | undefined> {
    try {
      const stat = await vscode.workspace.fs.stat(this.uri(name));
      return { kind: kindOf(stat.type), mtime: stat.mtime, size: stat.size };
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  async read(name: string): Promise<Uint8Array> {
    return vscode.workspace.fs.readFile(this.uri(name));
  }

  async write(name: string, data: Uint8Array): Promise<void> {
    await vscode.workspace.fs.createDirectory(this.folder);
    await vscode.workspace.fs.writeFile(this.uri(name), data);
  }

  async rename(from: string, to: string): Promise<void> {
    // With `overwrite`, VS Code's file systems first remove whatever is at the target, a
    // folder too, with everything in it: only ever replace a file (or a link itself).
    const target = await this.stat(to);
    if (target && target.kind !== 'file' && target.kind !== 'symlink') throw vscode.FileSystemError.FileIsADirectory(this.uri(to));
    await vscode.workspace.fs.rename(this.uri(from), this.uri(to), { overwrite: true });
  }

  async remove(name: string, options: { useTrash?: boolean } = {}): Promise<void> {
    try {
      await vscode.workspace.fs.delete(this.uri(name), { recursive: false, useTrash: !!options.useTrash });
    } catch (error) {
      // No API says whether a file system has a trash; this error is the only signal, and
      // the file is still in place when it comes.
      if (options.useTrash && error instanceof Error && /trash/i.test(error.message)) throw new TrashUnavailableError(error.message);
      throw error;
    }
  }

  locate(name: string): string {
    const uri = this.uri(name);
    return uri.scheme === 'file' ? uri.fsPath : uri.toString(true);
  }

  uri(name: string): vscode.Uri {
    if (name.includes('/') || name.includes('\\') || name === '..' || name === '.' || name.includes('\0')) {
      throw new Error(`Refusing a path outside the store folder: ${JSON.stringify(name)}`);
    }
    return vscode.Uri.joinPath(this.folder, name);
  }
}

/** Symlinks are reported as such whatever they point to: the store does not follow them. */
function kindOf(type: vscode.FileType): PortEntryKind {
  if (type & vscode.FileType.SymbolicLink) return 'symlink';
  if (type & vscode.FileType.File) return 'file';
  if (type & vscode.FileType.Directory) return 'directory';
  return 'other';
}

function isNotFound(error: unknown): boolean {
  return error instanceof vscode.FileSystemError && (error.code === 'FileNotFound' || error.code === 'EntryNotFound' || error.code === 'FileNotADirectory');
}

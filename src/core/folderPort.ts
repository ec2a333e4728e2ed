/**
 * The small file-system port the folder store is written against. A port is scoped to one
 * folder and only ever receives plain file names (validated by the store, never a path),
 * so no caller can reach outside the folder through it. Adapters: Node `fs` (CLI, tests)
 * and `vscode.workspace.fs` (the extension).
 */
import type { RunColumns } from './runList';

export type PortEntryKind = 'file' | 'directory' | 'symlink' | 'other';

export interface PortEntry {
  readonly name: string;
  readonly kind: PortEntryKind;
}

export interface PortStat {
  readonly kind: PortEntryKind;
  readonly mtime: number;
  readonly size: number;
}

/** The folder's run files (`<canonical id>.json`, files and symlinks), newest first, in columns. */
export interface RunFileColumns extends RunColumns {
  /** 1 where the entry is a symbolic link (a run file that is never followed). */
  readonly links: Uint8Array;
}

export interface FolderPort {
  /** Where the folder is, for messages (a path or a URI string). */
  readonly location: string;
  /** The folder's entries; undefined when the folder does not exist. Symlinks are reported as such. */
  list(): Promise<PortEntry[] | undefined>;
  /** Stats an entry without following a symlink; undefined when it does not exist. */
  stat(name: string): Promise<PortStat | undefined>;
  /** Stats many entries; adapters may batch. Missing entries give undefined. */
  statMany?(names: readonly string[]): Promise<(PortStat | undefined)[]>;
  /**
   * Lists the run files with their stats in columns, off the calling thread: no object per
   * run is left for the caller's garbage collector. Undefined when the folder does not exist.
   */
  listRunFiles?(): Promise<RunFileColumns | undefined>;
  read(name: string): Promise<Uint8Array>;
  /**
   * Reads many small files (never following a symlink), each to its bytes or the error
   * reading it gave; adapters may batch. For bulk copies such as `flow-history push`.
   */
  readMany?(names: readonly string[]): Promise<(Uint8Array | Error)[]>;
  /** Writes a new file, flushed to disk where the host allows it; creates the folder if needed. */
  write(name: string, data: Uint8Array): Promise<void>;
  /** Renames within the folder, replacing the target. */
  rename(from: string, to: string): Promise<void>;
  /** Removes an entry (a symlink itself, never its target). Throws `TrashUnavailableError` when asked for the trash and there is none. */
  remove(name: string, options?: { useTrash?: boolean }): Promise<void>;
  /** Path or URI string of an entry, for messages and "open raw". */
  locate(name: string): string;
  /** The local file path of an entry, where the folder is on the local disk. */
  localPath?(name: string): string;
}

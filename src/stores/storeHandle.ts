/**
 * A store as the extension hosts it: its contract (`store`), what it can do
 * (`capabilities`) and how it is shown (`presentation`). The tree, the panel, the commands,
 * the API and package.json `when` clauses ask capabilities, never the kind: only this module
 * and historyStores.ts look at `kind`, so a new kind of store is a change in this folder.
 */
import * as vscode from 'vscode';
import { ExecutionEntry, ExecutionStore } from '../core/executionStore';
import { RunFigures } from '../core/summaryCache';
import { runFileName } from '../core/folderStore';
import { rawRunUri } from './runUris';

/** The kinds of store. Read only by this module and historyStores.ts. */
export type StoreKind = 'folder' | 'memory' | 'database';

export interface StoreCapabilities {
  /** Each run is a file on disk (can be revealed in the Explorer). */
  readonly files: boolean;
  /** Deleted runs can go to a trash (where its file system has one). */
  readonly trash: boolean;
  /** Runs can be saved, imported and deleted. */
  readonly writable: boolean;
  /** Changes made by others (the engine, another window) show up by themselves. */
  readonly live: boolean;
  /** Runs outlive the window. */
  readonly persistent: boolean;
  /** Reached over a connection of the settings (a database): it can be removed, and may hold a password. */
  readonly connection: boolean;
}

export interface StorePresentation {
  /** The group label: the workspace folder's name, or "Session (memory)". */
  readonly label: string;
  /** Where the runs are, in a sentence fragment for pickers: a path, or "this session only". */
  readonly where: string;
  readonly tooltip: string;
  /** A codicon id. */
  readonly icon: string;
  /** Shown (as a group or in the welcome view) even while it holds no runs. */
  readonly showWhenEmpty: boolean;
}

export interface StoreHandle {
  readonly kind: StoreKind;
  /** Stable key: the workspace folder's URI for a folder store, `memory` for the memory store. */
  readonly key: string;
  /** Same as presentation.label. */
  readonly label: string;
  readonly store: ExecutionStore;
  /** The workspace folder the store belongs to, if any (default folder for dialogs). */
  readonly folder?: vscode.WorkspaceFolder;
  readonly capabilities: StoreCapabilities;
  readonly presentation: StorePresentation;
  /** Stores with the same scope share one trash, or one lack of it. */
  readonly trashScope: string;
  /** Where a run's raw JSON opens: its file, or a read-only `flow-history:` document. */
  rawJsonUri(id: string): vscode.Uri;
  /** The run's file on disk (stores with `files` only). Throws for an id that is not a run's. */
  runFile(id: string): vscode.Uri | undefined;
  /** The run's file as the user reads it (a path, or a URI for remote schemes); undefined without files. */
  runLocation(id: string): string | undefined;
  /**
   * Stores too big to list whole (a shared database) are shown page by page through this;
   * the others are listed whole (and shown in pages).
   */
  readonly pager?: StorePager;
  /**
   * Stores whose rights are the server's (a database role): throws a clear error, before
   * anything is done, when the role may not save (`insert`) or delete runs. Absent: always may.
   */
  requireRight?(what: 'insert' | 'delete'): Promise<void>;
  /**
   * Deletes many runs in one transaction (all or none), permanently; returns the ids deleted.
   * Absent: runs are deleted one by one.
   */
  deleteMany?(ids: readonly string[]): Promise<string[]>;
}

/** A listed run with its row figures when the store computed them (no body read for the row). */
export interface PagedEntry extends ExecutionEntry {
  readonly figures?: RunFigures;
}

/** Keyset pages of a store, newest first: a page deep in costs the same as the first. */
export interface StorePager {
  /** `after`: the `next` of the previous page. */
  page(after: string | undefined, limit: number): Promise<{ entries: PagedEntry[]; next?: string }>;
  /** How many runs (an estimate for a big store), for the badge and "Show more…". */
  count(): Promise<{ count: number; exact: boolean }>;
  /**
   * Runs whose stored record contains `term` (case-insensitive), newest first, searched in
   * the store itself and paged by keyset like `page`. Absent: callers read each listed run.
   * Aborting `signal` stops the search in the server and rejects with an OperationCancelledError.
   */
  search?(term: string, after: string | undefined, limit: number, signal?: AbortSignal): Promise<{ entries: PagedEntry[]; next?: string }>;
  /** Runs whose id starts with `prefix` (any case), found in the store itself, at most `limit`. */
  findByPrefix?(prefix: string, limit: number, signal?: AbortSignal): Promise<PagedEntry[]>;
}

/** Every capability, in token order (the compiler checks the list is complete). */
const CAPABILITY_ORDER = Object.keys({ files: true, trash: true, writable: true, live: true, persistent: true, connection: true } satisfies Record<keyof StoreCapabilities, true>) as (keyof StoreCapabilities)[];

/** `run readable files trash writable live persistent` and the like (see package.json menus). */
export function contextValue(item: 'run' | 'store', handle: StoreHandle, state?: 'readable' | 'unreadable'): string {
  const caps = CAPABILITY_ORDER.filter((c) => handle.capabilities[c]);
  return [item, ...(state ? [state] : []), ...caps].join(' ');
}

export function displayUri(uri: vscode.Uri): string {
  return uri.scheme === 'file' ? uri.fsPath : uri.toString(true);
}

/** A workspace folder's store, kept in `storeUri` (its store folder). */
export interface FolderStoreHandle extends StoreHandle {
  readonly kind: 'folder';
  readonly folder: vscode.WorkspaceFolder;
  /** The store folder. */
  readonly storeUri: vscode.Uri;
}

export function folderStoreHandle(folder: vscode.WorkspaceFolder, storeUri: vscode.Uri, store: ExecutionStore): FolderStoreHandle {
  // runFileName validates the id: `../x` must never name a file outside the store folder.
  const runFile = (id: string) => vscode.Uri.joinPath(storeUri, runFileName(id));
  return {
    kind: 'folder',
    key: folder.uri.toString(),
    label: folder.name,
    store,
    folder,
    storeUri,
    capabilities: { files: true, trash: true, writable: true, live: true, persistent: true, connection: false },
    presentation: { label: folder.name, where: displayUri(storeUri), tooltip: `${store.label}: ${displayUri(storeUri)}`, icon: 'root-folder', showWhenEmpty: true },
    trashScope: `${storeUri.scheme}://${storeUri.authority}`,
    rawJsonUri: runFile,
    runFile,
    runLocation: (id) => displayUri(runFile(id)),
  };
}

/** The one name of the store of runs handed to the API this session. */
export const MEMORY_STORE_KEY = 'memory';
export const MEMORY_STORE_LABEL = 'Session (memory)';

export function memoryStoreHandle(store: ExecutionStore): StoreHandle {
  return {
    kind: 'memory',
    key: MEMORY_STORE_KEY,
    label: MEMORY_STORE_LABEL,
    store,
    capabilities: { files: false, trash: false, writable: true, live: true, persistent: false, connection: false },
    presentation: { label: MEMORY_STORE_LABEL, where: 'this session only', tooltip: 'Runs recorded through the Flow History API in this window', icon: 'server-process', showWhenEmpty: false },
    trashScope: MEMORY_STORE_KEY,
    rawJsonUri: (id) => rawRunUri({ storeKey: MEMORY_STORE_KEY, id }),
    runFile: () => undefined,
    runLocation: () => undefined,
  };
}

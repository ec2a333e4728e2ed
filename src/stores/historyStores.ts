/**
 * The stores the extension hosts: one folder store per workspace folder (multi-root), over
 * `vscode.workspace.fs`, plus the in-memory store for runs handed to our API this session.
 * Keeps them live: a VS Code file watcher per store folder, Node's `fs.watch` for `file:`
 * folders (it also sees a store folder created after the window opened), and a backing-off
 * check for other schemes until the folder exists. Bursts of events are debounced.
 */
import * as path from 'path';
import * as vscode from 'vscode';
import { readConfig, readDatabases } from '../host/config';
import { PostgresExecutionStore, StoreWatch } from '../postgres/postgresStore';
import { errorMessage } from '../core/errors';
import { createDatabaseStoreHandle, databaseSecretKey, DatabaseStoreHandle } from './databaseStoreHandle';
import { Emitter } from '../core/events';
import { StoreChange } from '../core/executionStore';
import { FolderExecutionStore, idFromFileName, runFileName } from '../core/folderStore';
import { MemoryExecutionStore } from '../core/memoryStore';
import { log } from '../host/log';
import { FolderWatcher } from '../node/folderWatcher';
import { RunListingWorker } from '../node/runListingWorker';
import { folderPortFor } from './folderPorts';
import { FolderStoreHandle, folderStoreHandle, MEMORY_STORE_LABEL, memoryStoreHandle, StoreHandle } from './storeHandle';

export type { StoreHandle } from './storeHandle';

const DEBOUNCE_MS = 75;
/** How long a watcher event for a run we just saved counts as our own echo. */
const OWN_ECHO_MS = 2000;
/**
 * How long we remember runs we deleted. A watcher event for one whose file is still gone is
 * our own echo however late it comes: under load VS Code's watcher delivers the events of a
 * 1,000-run delete seconds after the files went.
 */
const DELETED_ECHO_MS = 60_000;

export interface RunsChange {
  readonly handle: StoreHandle;
  readonly change: StoreChange;
}

/**
 * The one module that creates stores and knows their kinds; everything else asks a
 * StoreHandle's capabilities.
 */
export class HistoryStores implements vscode.Disposable {
  readonly memory = new MemoryExecutionStore(MEMORY_STORE_LABEL);
  private readonly memoryHandle: StoreHandle = memoryStoreHandle(this.memory);
  private folderHandles: FolderStoreHandle[] = [];
  private databaseHandles: DatabaseStoreHandle[] = [];
  private readonly databaseParts = new Map<string, vscode.Disposable>();
  /** The databases setting as last applied (a change elsewhere in the section keeps the connections). */
  private databasesApplied = '';
  /** Trash scopes whose file system refused the trash this session. */
  private readonly trashMissingScopes = new Set<string>();
  private readonly watchers = new Map<string, vscode.Disposable>();
  private readonly storesChanged = new Emitter<void>();
  private readonly runsChanged = new Emitter<RunsChange>();
  private readonly disposables: vscode.Disposable[] = [];
  /** Fires when stores are added or removed (folders, settings). */
  readonly onDidChangeStores = this.storesChanged.event;
  /** Fires when runs of a store change, from our own writes or from outside. */
  readonly onDidChangeRuns = this.runsChanged.event;

  /**
   * `listing`: the worker that lists local store folders (none: they are listed on this
   * thread). `secrets`: where "Connect to Database…" keeps passwords (asked at each connect).
   */
  constructor(
    private readonly listing?: RunListingWorker,
    private readonly secrets?: vscode.SecretStorage,
  ) {
    this.disposables.push(this.forward(this.memoryHandle));
    this.rebuildDatabases(false);
    this.rebuild();
    this.disposables.push(
      vscode.workspace.onDidChangeWorkspaceFolders(() => this.rebuild()),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('a3sFlow.history.directory') || e.affectsConfiguration('a3sFlow.history.maxFileSizeMB')) this.rebuild();
        if (e.affectsConfiguration('a3sFlow.history.databases')) this.rebuildDatabases(true);
      }),
      vscode.workspace.onDidGrantWorkspaceTrust(() => {
        this.rebuildDatabases(false);
        this.rebuild();
      }),
    );
  }

  /** Folder stores in workspace order, then the databases in settings order, then the memory store. */
  all(): StoreHandle[] {
    return [...this.folderHandles, ...this.databaseHandles, this.memoryHandle];
  }

  /** The PostgreSQL histories of the settings (user settings; workspace ones only when trusted). */
  databases(): readonly StoreHandle[] {
    return this.databaseHandles;
  }

  /** The setting behind a database group (name and URL, never a password). */
  databaseSetting(key: string): { name: string; url: string } | undefined {
    const handle = this.databaseHandles.find((h) => h.key === key);
    return handle && { name: handle.label, url: handle.url };
  }

  /**
   * Connects the databases of the settings. Creating a store opens no connection: the pool
   * connects on the first query, so a database that is down never delays the folder stores.
   */
  private rebuildDatabases(announce: boolean): void {
    const { databases, problems } = readDatabases();
    const applied = JSON.stringify(databases);
    if (applied === this.databasesApplied && this.databaseHandles.length === databases.length) return;
    this.databasesApplied = applied;
    for (const problem of problems) log().warn(problem);
    for (const part of this.databaseParts.values()) part.dispose();
    this.databaseParts.clear();
    const handles: DatabaseStoreHandle[] = [];
    for (const database of databases) {
      let store: PostgresExecutionStore;
      try {
        const secrets = this.secrets;
        const secretKey = databaseSecretKey(database.name, database.url);
        // Read when a connection opens: a password stored or forgotten later applies to the next one.
        const password = secrets && (async () => secrets.get(secretKey).then((value) => value, () => undefined));
        store = new PostgresExecutionStore({ url: database.url, password });
      } catch (error) {
        log().warn(`The database "${database.name}" cannot be used: ${errorMessage(error)}`);
        continue;
      }
      const handle = createDatabaseStoreHandle(database.name, database.url, store);
      handles.push(handle);
      let disposed = false;
      let watch: StoreWatch | undefined;
      let retry: ReturnType<typeof setTimeout> | undefined;
      let delay = 1000;
      // Live: LISTEN on the trigger's channel (or the fallback poll), started without waiting.
      const startWatching = () => {
        retry = undefined;
        store.watch({ log: (message) => log().info(message) }).then(
          (started) => {
            if (disposed) started.dispose();
            else watch = started;
          },
          (error) => {
            if (disposed) return;
            log().warn(`Live updates of ${handle.label} could not start; retrying in ${Math.round(delay / 1000)} s`, error);
            retry = setTimeout(startWatching, delay);
            delay = Math.min(delay * 2, 30_000);
          },
        );
      };
      startWatching();
      this.databaseParts.set(
        handle.key,
        vscode.Disposable.from(
          this.forward(handle),
          new vscode.Disposable(() => {
            disposed = true;
            if (retry) clearTimeout(retry);
            watch?.dispose();
            void store.close();
          }),
        ),
      );
      // What the role may do decides which commands are offered; until the server says, none that write.
      void handle.checkPrivileges().then(
        (changed) => {
          if (changed && !disposed) this.storesChanged.fire();
        },
        (error) => log().warn(`Could not ask ${handle.label} what the role may do`, error),
      );
    }
    this.databaseHandles = handles;
    if (announce) this.storesChanged.fire();
  }

  /** The workspace folders' stores (tests and the benchmark reach their store folders here). */
  folders(): readonly FolderStoreHandle[] {
    return this.folderHandles;
  }

  get(key: string): StoreHandle | undefined {
    return this.all().find((h) => h.key === key);
  }

  /** The store of a workspace folder (by the folder or its URI); undefined when it is not open. */
  forFolder(folder: vscode.WorkspaceFolder | vscode.Uri): StoreHandle | undefined {
    const uri = folder instanceof vscode.Uri ? folder : folder.uri;
    return this.folderHandles.find((h) => h.key === uri.toString());
  }

  /** Whether the store's file system was found to have no trash this session. */
  trashMissing(handle: StoreHandle): boolean {
    return this.trashMissingScopes.has(handle.trashScope);
  }

  noteTrashMissing(handle: StoreHandle): void {
    this.trashMissingScopes.add(handle.trashScope);
  }

  /** Forgets what noteTrashMissing learnt (tests). */
  forgetTrashMissing(): void {
    this.trashMissingScopes.clear();
  }

  private rebuild(): void {
    for (const watcher of this.watchers.values()) watcher.dispose();
    this.watchers.clear();
    for (const handle of this.folderHandles) (handle.store as FolderExecutionStore).dispose();
    this.folderHandles = (vscode.workspace.workspaceFolders ?? []).map((folder) => {
      const config = readConfig(folder);
      if (config.directoryProblem) log().warn(config.directoryProblem);
      const storeUri = vscode.Uri.joinPath(folder.uri, ...config.directorySegments);
      const port = folderPortFor(storeUri, this.listing);
      const store = new FolderExecutionStore(port, { maxFileBytes: config.maxFileBytes, label: folder.name });
      const handle = folderStoreHandle(folder, storeUri, store);
      this.watchers.set(handle.key, vscode.Disposable.from(this.forward(handle), this.watch(handle, config.directory)));
      return handle;
    });
    this.storesChanged.fire();
  }

  private forward(handle: StoreHandle): vscode.Disposable {
    const subscription = handle.store.onDidChange((change) => this.runsChanged.fire({ handle, change }));
    return new vscode.Disposable(() => subscription.dispose());
  }

  private watch(handle: FolderStoreHandle, directory: string): vscode.Disposable {
    const store = handle.store as FolderExecutionStore;
    const folder = handle.folder;
    const names = new Set<string>();
    let reset = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    // Our own saves and deletes were already announced by the store: their watcher echoes
    // would only refresh the tree a second time (deleting 1,000 runs must refresh once).
    const own = new Map<string, { at: number; deleted: boolean }>();
    const ownChanges = store.onDidChange((change) => {
      const at = Date.now();
      for (const id of change.saved) own.set(id, { at, deleted: false });
      for (const id of change.deleted) own.set(id, { at, deleted: true });
    });
    const isEcho = async (id: string): Promise<boolean> => {
      const mine = own.get(id);
      if (!mine) return false;
      if (!mine.deleted) return true;
      // Deleted by us and still gone: nothing the tree does not already show.
      return (await store.port.stat(runFileName(id))) === undefined;
    };
    const flush = async () => {
      timer = undefined;
      const now = Date.now();
      for (const [id, mine] of own) if (now - mine.at >= (mine.deleted ? DELETED_ECHO_MS : OWN_ECHO_MS)) own.delete(id);
      const all = reset;
      const named = [...names].map((n) => idFromFileName(n)).filter((id): id is string => !!id);
      names.clear();
      reset = false;
      const ids: string[] = [];
      for (const id of named) {
        if (await isEcho(id).catch(() => false)) continue;
        // Changed by someone else since: what we did no longer explains its next events.
        own.delete(id);
        ids.push(id);
      }
      if (all) store.reportExternalChange({ saved: [], deleted: [], changed: ids, all: true });
      else if (ids.length > 0) store.reportExternalChange({ saved: [], deleted: [], changed: ids });
    };
    const schedule = () => {
      if (!timer) timer = setTimeout(() => void flush(), DEBOUNCE_MS);
    };
    const onUri = (uri: vscode.Uri) => {
      names.add(path.posix.basename(uri.path));
      schedule();
    };
    const parts: vscode.Disposable[] = [new vscode.Disposable(() => ownChanges.dispose())];
    const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(folder, `${directory}/*.json`));
    parts.push(watcher, watcher.onDidCreate(onUri), watcher.onDidChange(onUri), watcher.onDidDelete(onUri));
    if (folder.uri.scheme === 'file') {
      const nodeWatcher = new FolderWatcher(folder.uri.fsPath, handle.storeUri.fsPath, {
        onNames: (list) => {
          for (const n of list) names.add(n);
          schedule();
        },
        onReset: () => {
          reset = true;
          schedule();
        },
      });
      parts.push(new vscode.Disposable(() => nodeWatcher.dispose()));
    } else {
      parts.push(this.waitForFolder(handle, () => {
        reset = true;
        schedule();
      }));
    }
    parts.push(new vscode.Disposable(() => timer && clearTimeout(timer)));
    return vscode.Disposable.from(...parts);
  }

  /** Non-`file:` schemes: a cheap, backing-off stat until the store folder exists. */
  private waitForFolder(handle: FolderStoreHandle, appeared: () => void): vscode.Disposable {
    let delay = 1000;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let disposed = false;
    const check = async () => {
      try {
        await vscode.workspace.fs.stat(handle.storeUri);
        if (!disposed) appeared();
        return;
      } catch {
        // not there yet
      }
      if (disposed) return;
      delay = Math.min(delay * 2, 30_000);
      timer = setTimeout(check, delay);
    };
    void vscode.workspace.fs.stat(handle.storeUri).then(
      () => undefined,
      () => {
        if (!disposed) timer = setTimeout(check, delay);
      },
    );
    return new vscode.Disposable(() => {
      disposed = true;
      if (timer) clearTimeout(timer);
    });
  }

  dispose(): void {
    for (const watcher of this.watchers.values()) watcher.dispose();
    this.watchers.clear();
    for (const part of this.databaseParts.values()) part.dispose();
    this.databaseParts.clear();
    for (const d of this.disposables) d.dispose();
    this.memory.dispose();
    this.storesChanged.dispose();
    this.runsChanged.dispose();
  }
}


/**
 * What the webviews over one store's runs share (Run Grid, Node History, Plot Across Runs):
 * the page's messages validated before use, loads one at a time (a change during a load
 * loads again after it), a reload when the store's runs change (debounced; a hidden page is
 * gone and asks again when shown), and the messages posted kept for tests.
 */
import * as vscode from 'vscode';
import { ExecutionEntry } from '../core/executionStore';
import { RunList } from '../core/runList';
import { log } from '../host/log';
import { NodeRead, NodeReadTarget, RunScanner, ScannedRun, WORKER_THRESHOLD_BYTES } from '../node/runScanner';
import { decodeRunNodes, NodeView } from '../shared/protocol';
import { HistoryStores, StoreHandle } from '../stores/historyStores';

/** Changes closer together than this make one reload. */
const CHANGE_DEBOUNCE_MS = 100;
/** Messages kept in `posted`. */
const KEPT_MESSAGES = 10;
/** A read taking longer than this shows a cancellable progress notification. */
export const PROGRESS_AFTER_MS = 1000;

/** A read under way: Cancel sets `requested`; `read` of `of` runs are done. */
export interface ReadProgress {
  readonly cancel: { readonly requested: boolean };
  read: number;
  of: number;
}

export abstract class StorePanel<HostMessage, PageMessage> {
  protected readonly disposables: vscode.Disposable[] = [];
  /** The page said it listens (it asks again after it was hidden and shown). */
  protected ready = false;
  protected disposed = false;
  private loading: Promise<void> | undefined;
  private again = false;
  /** Reading started with the panel, before its page was ready: the page gets that answer. */
  private early = false;
  /** That early read, once started. */
  private earlyLoad: Promise<void> | undefined;
  /** Messages posted before the page was ready, sent once it is. */
  private readonly held: HostMessage[] = [];
  private changeTimer: ReturnType<typeof setTimeout> | undefined;
  /** Every message posted, newest last (integration tests read what the page was sent). */
  readonly posted: HostMessage[] = [];
  /** After this long a read shows its cancellable progress (tests set 0). */
  progressAfterMs = PROGRESS_AFTER_MS;
  /** Which thread read each run file last (tests: big local runs are read by the scan worker). */
  readonly readBy = new Map<string, 'scan worker' | 'extension host'>();

  constructor(
    readonly panel: vscode.WebviewPanel,
    stores: HistoryStores,
    protected readonly handle: StoreHandle,
    /** The panel, for the log: "the Run Grid of orders". */
    private readonly what: () => string,
    parse: (data: unknown) => PageMessage | undefined,
  ) {
    this.disposables.push(
      panel.webview.onDidReceiveMessage((data: unknown) => {
        const message = parse(data);
        if (!message) {
          log().warn(`Ignored a malformed message from ${this.what()}`);
          return;
        }
        void this.handleMessage(message);
      }),
      stores.onDidChangeRuns(({ handle }) => {
        if (handle.key !== this.handle.key || !this.panel.visible) return;
        if (this.changeTimer) clearTimeout(this.changeTimer);
        this.changeTimer = setTimeout(() => {
          this.changeTimer = undefined;
          void this.load();
        }, CHANGE_DEBOUNCE_MS);
      }) as vscode.Disposable,
    );
  }

  get storeKey(): string {
    return this.handle.key;
  }

  /** Public for tests: what happens with a validated message from the page. */
  abstract handleMessage(message: PageMessage): Promise<void>;

  /**
   * Reads what the page shows and posts it (called one at a time: once the page is ready, or
   * from the start while it loads, see loadEarly).
   */
  protected abstract loadNow(): Promise<void>;

  /**
   * Starts reading while the page loads (a subclass calls it last in its constructor): the
   * first webview of a window takes a second or more to start, and the runs are read
   * meanwhile; what is posted before the page is ready is held and sent when it is. The read
   * starts on the next turn of the event loop, after whoever opened the panel set it up.
   */
  protected loadEarly(): void {
    this.early = true;
    setTimeout(() => {
      if (this.early && !this.disposed) this.earlyLoad = this.load();
    }, 0);
  }

  /**
   * The page listens (first load, or again after it was hidden and shown): the held messages
   * are sent; the read started early answers it, else it is read now.
   */
  protected async pageReady(): Promise<void> {
    this.ready = true;
    const early = this.early;
    this.early = false;
    for (const message of this.held.splice(0)) void this.panel.webview.postMessage(message);
    // The early read's answer (held, or posted when it ends) is the page's; read now only when
    // it has not started yet (its timer then finds the page ready and does nothing).
    await (early ? (this.earlyLoad ?? this.load()) : this.load());
  }

  /** Resolves when the latest load has been posted (for tests). */
  async whenLoaded(): Promise<void> {
    while (!this.ready || this.loading || this.changeTimer) await (this.loading ?? new Promise((resolve) => setTimeout(resolve, 20)));
  }

  /** The newest `count` runs: one keyset page of a paged store, else the head of its listing. */
  protected async newestRuns(count: number): Promise<{ entries: ExecutionEntry[]; total: number; more: boolean }> {
    const store = this.handle.store;
    if (this.handle.pager) {
      const [page, counted] = await Promise.all([this.handle.pager.page(undefined, Math.min(count, 5000)), this.handle.pager.count()]);
      const entries = page.entries.map((e) => ({ id: e.id, savedAt: e.savedAt, size: e.size, ...(e.problem ? { problem: e.problem } : {}) }));
      return { entries, total: Math.max(counted.count, entries.length), more: page.next !== undefined };
    }
    const runs = store.listRuns ? await store.listRuns() : new RunList(await store.listEntries());
    const n = Math.min(count, runs.length);
    return { entries: Array.from({ length: n }, (_, i) => runs.at(i)), total: runs.length, more: runs.length > n };
  }

  /** Loads one at a time; a change during a load loads again after it. */
  protected load(): Promise<void> {
    if (this.loading) {
      this.again = true;
      return this.loading;
    }
    const work = (async () => {
      do {
        this.again = false;
        if ((this.ready || this.early) && !this.disposed) await this.loadNow();
      } while (this.again && !this.disposed);
    })();
    this.loading = work.finally(() => {
      this.loading = undefined;
    });
    return this.loading;
  }

  /**
   * Runs `read` with a progress notification, shown once it takes `progressAfterMs`, whose
   * Cancel asks `read` to stop reading runs.
   */
  protected async withProgress(title: string, read: (progress: ReadProgress) => Promise<void>): Promise<void> {
    const cancel = { requested: false };
    let done = false;
    const progress: ReadProgress = { cancel, read: 0, of: 0 };
    const timer = setTimeout(() => {
      if (done || this.disposed) return;
      void vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, async (report, token) => {
        token.onCancellationRequested(() => (cancel.requested = true));
        let last = 0;
        while (!done && !this.disposed) {
          if (progress.of) {
            report.report({ message: `${progress.read} of ${progress.of} runs read`, increment: ((progress.read - last) / progress.of) * 100 });
            last = progress.read;
          }
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      });
    }, this.progressAfterMs);
    try {
      await read(progress);
    } finally {
      done = true;
      clearTimeout(timer);
    }
  }

  /**
   * A run read as the detail panel reads it: a big local run by the scan worker, straight
   * from its file; anything else through the store (big bytes, a database row say, scanned in
   * the worker). Release what comes back.
   */
  protected async buildRun(entry: ExecutionEntry, scanner: RunScanner): Promise<ScannedRun> {
    const store = this.handle.store;
    const meta = { id: entry.id, storeKey: this.handle.key, storeLabel: this.handle.label, savedAt: entry.savedAt, size: entry.size };
    const local = entry.size >= WORKER_THRESHOLD_BYTES ? await store.localRun?.(entry.id) : undefined;
    const built = local?.kind === 'file' ? await scanner.buildFromFile(local.path, local.maxBytes, meta) : undefined;
    this.readBy.set(entry.id, built ? 'scan worker' : 'extension host');
    if (built) return built;
    const outcome = await store.readRun(entry.id);
    if (outcome.kind === 'missing') return { ok: false, reason: 'the run no longer exists' };
    if (outcome.kind === 'unreadable') return { ok: false, reason: outcome.reason };
    return scanner.build(outcome.bytes, meta);
  }

  /**
   * One node of a run (its status and output's stored text), or its context or extra fields,
   * as `buildRun` and `nodeOutput` would give it, without building the run's view: a big
   * local run's by the scan worker from its file; anything else from the bytes the store
   * reads (a big run's checked in the worker, a small one's here).
   */
  protected async readRunNode(entry: ExecutionEntry, scanner: RunScanner, target: NodeReadTarget): Promise<NodeRead> {
    const local = entry.size >= WORKER_THRESHOLD_BYTES ? await this.handle.store.localRun?.(entry.id) : undefined;
    const read = local?.kind === 'file' ? await scanner.readNode(local.path, local.maxBytes, entry.id, target) : undefined;
    if (read) {
      this.readBy.set(entry.id, 'scan worker');
      return read;
    }
    this.readBy.set(entry.id, 'extension host');
    const outcome = await this.handle.store.readRun(entry.id);
    if (outcome.kind === 'missing') return { ok: false, reason: 'the run no longer exists' };
    if (outcome.kind === 'unreadable') return { ok: false, reason: outcome.reason };
    return scanner.readNodeFromBytes(outcome.bytes, entry.id, target);
  }

  protected post(message: HostMessage): void {
    if (this.disposed) return;
    this.posted.push(message);
    if (this.posted.length > KEPT_MESSAGES) this.posted.shift();
    if (this.ready) void this.panel.webview.postMessage(message);
    else this.held.push(message);
  }

  dispose(): void {
    this.disposed = true;
    if (this.changeTimer) clearTimeout(this.changeTimer);
    this.changeTimer = undefined;
    for (const d of this.disposables) d.dispose();
  }
}

const utf8 = new TextDecoder();

/**
 * A node of a run read by `buildRun`, with its output's stored text (a big one read now):
 * undefined when the run has no such node, 'changed' when its file changed meanwhile.
 */
export async function nodeOutput(built: ScannedRun & { ok: true }, nodeId: string): Promise<{ node: NodeView; output?: string } | undefined | 'changed'> {
  const node = decodeRunNodes(built.view, built.rest).find((n) => n.id === nodeId);
  if (!node) return undefined;
  if (node.outputType === 'none') return { node };
  if (node.output !== undefined) return { node, output: node.output };
  const deferred = await built.readOutput(nodeId);
  return deferred ? { node, output: utf8.decode(deferred) } : 'changed';
}

/** What a panel read of each run, reused while the run's saved time and size stay the same. */
export class RunCache<T> {
  private readonly runs = new Map<string, { readonly savedAt: number; readonly size: number; readonly value: T }>();

  async get(entry: ExecutionEntry, read: (entry: ExecutionEntry) => Promise<T>): Promise<T> {
    const hit = this.runs.get(entry.id);
    if (hit && hit.savedAt === entry.savedAt && hit.size === entry.size) return hit.value;
    const value = await read(entry);
    this.runs.set(entry.id, { savedAt: entry.savedAt, size: entry.size, value });
    return value;
  }

  /** The value kept for a run, whatever its age. */
  peek(id: string): T | undefined {
    return this.runs.get(id)?.value;
  }

  /** Forgets the runs no longer listed. */
  keepOnly(entries: readonly ExecutionEntry[]): void {
    const listed = new Set(entries.map((e) => e.id));
    for (const id of [...this.runs.keys()]) if (!listed.has(id)) this.runs.delete(id);
  }
}

/** `fn` over `items`, at most `limit` at a time, results in order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/**
 * The open panels of one kind, by key (a store, a store and a node, ...): opening one that is
 * open reveals it; a closed one leaves the set.
 */
export class StorePanelSet<P extends { readonly panel: vscode.WebviewPanel; dispose(): void }> implements vscode.Disposable {
  private readonly open = new Map<string, P>();

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly viewType: string,
  ) {}

  show(key: string, title: string, create: (panel: vscode.WebviewPanel) => P): P {
    const existing = this.open.get(key);
    if (existing) {
      existing.panel.reveal(undefined, false);
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(this.viewType, title, { viewColumn: vscode.ViewColumn.Active, preserveFocus: false }, {
      enableScripts: true,
      enableCommandUris: false,
      enableForms: false,
      localResourceRoots: [vscode.Uri.joinPath(this.extensionUri, 'dist'), vscode.Uri.joinPath(this.extensionUri, 'media')],
      retainContextWhenHidden: false,
    });
    const created = create(panel);
    this.open.set(key, created);
    panel.onDidDispose(() => {
      if (this.open.get(key) === created) this.open.delete(key);
      created.dispose();
    });
    return created;
  }

  get(key: string): P | undefined {
    return this.open.get(key);
  }

  dispose(): void {
    for (const open of [...this.open.values()]) open.panel.dispose();
    this.open.clear();
  }
}

/**
 * The detail panel: one webview panel per run, revealed instead of duplicated, restored
 * after a reload, following its store (updates when the file changes, says so when it is
 * deleted). The page gets data only through postMessage and renders it as text; every
 * message from the page is validated before use.
 */
import { renderWebviewShell } from './webviewShell';
import * as vscode from 'vscode';
import { parseJsonPath, PathSegment, splitOutputPath } from '../core/plotSeries';
import { changedIds } from '../core/executionStore';
import { errorMessage } from '../core/errors';
import { log, reportError } from '../host/log';
import { decodeRunNodes, HostMessage, NodeTable, parsePanelState, parseWebviewMessage, PanelAction, PanelState, WebviewMessage } from '../shared/protocol';
import { HistoryStores, StoreHandle } from '../stores/historyStores';
import { RunScanner, ScannedRun, WORKER_THRESHOLD_BYTES } from '../node/runScanner';
import { RunRef } from '../stores/runRef';

/**
 * A local run file this big is read once the page is ready, not while it loads: its scan
 * (about half a second of a core for 50 MB) would share the machine with the new webview's
 * own start and make the extension host wait for a core. Smaller (and wide) runs are read
 * while the page loads, which is what makes their first screen quick.
 */
export const LATE_READ_BYTES = 16 * 1024 * 1024;

export const DETAIL_VIEW_TYPE = 'a3sFlow.history.run';

/**
 * Runs a panel button's action (export, delete, open raw JSON, copy id) on the run the
 * panel shows: the commands register the same functions they run themselves.
 */
export type PanelActionHandler = (action: PanelAction, ref: RunRef, nodeId?: string, path?: string) => Promise<unknown> | unknown;

/** What the panel does for its page: the buttons' actions, and copying text. */
interface PanelActions {
  run(action: PanelAction, ref: RunRef, nodeId?: string, path?: string): Promise<unknown>;
  copy(text: string, what: 'value' | 'path'): Promise<void>;
}

export class DetailPanels implements vscode.Disposable, vscode.WebviewPanelSerializer {
  private readonly panels = new Map<string, ExecutionDetailPanel>();
  private actionHandler: PanelActionHandler | undefined;
  private readonly actions: PanelActions = {
    run: async (action, ref, nodeId, path) => {
      if (!this.actionHandler) {
        log().warn(`No handler for the panel's ${action} button`);
        return;
      }
      try {
        await this.actionHandler(action, ref, nodeId, path);
      } catch (error) {
        log().error(`The panel's ${action} button failed`, error);
        reportError(`Flow History: ${errorMessage(error)}`);
      }
    },
    copy: async (text, what) => {
      await vscode.env.clipboard.writeText(text);
      vscode.window.setStatusBarMessage(what === 'path' ? `Copied path ${text.slice(0, 80)}` : 'Copied value', 3000);
    },
  };

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly stores: HistoryStores,
    private readonly scanner: RunScanner,
  ) {}

  /** Sets what the panels' buttons run (the commands' functions); disposing it unsets it. */
  handleActions(handler: PanelActionHandler): vscode.Disposable {
    this.actionHandler = handler;
    return new vscode.Disposable(() => {
      if (this.actionHandler === handler) this.actionHandler = undefined;
    });
  }

  /** Opens (or reveals) the panel of a run; `focusNode` scrolls to a node or `$context`. */
  show(ref: RunRef, focusNode?: string): ExecutionDetailPanel | undefined {
    const key = panelKey(ref);
    const existing = this.panels.get(key);
    if (existing) {
      existing.reveal(focusNode);
      return existing;
    }
    const handle = this.stores.get(ref.storeKey);
    if (!handle) return undefined;
    const panel = vscode.window.createWebviewPanel(DETAIL_VIEW_TYPE, panelTitle(ref.id), { viewColumn: vscode.ViewColumn.Active, preserveFocus: false }, webviewOptions(this.extensionUri));
    return this.adopt(panel, handle, ref, focusNode);
  }

  /** Restores a panel after a window reload from the state its page saved. */
  async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: unknown): Promise<void> {
    const parsed = parsePanelState(state);
    const handle = parsed && this.stores.get(parsed.storeKey);
    if (!parsed || !handle) {
      panel.dispose();
      return;
    }
    panel.webview.options = webviewOptions(this.extensionUri);
    this.adopt(panel, handle, { storeKey: parsed.storeKey, id: parsed.id });
  }

  get(ref: RunRef): ExecutionDetailPanel | undefined {
    return this.panels.get(panelKey(ref));
  }

  all(): ExecutionDetailPanel[] {
    return [...this.panels.values()];
  }

  private adopt(panel: vscode.WebviewPanel, handle: StoreHandle, ref: RunRef, focusNode?: string): ExecutionDetailPanel {
    const key = panelKey(ref);
    const detail = new ExecutionDetailPanel(panel, this.extensionUri, this.stores, handle, ref.id, this.actions, this.scanner, focusNode);
    this.panels.set(key, detail);
    panel.onDidDispose(() => {
      if (this.panels.get(key) === detail) this.panels.delete(key);
      detail.dispose();
    });
    return detail;
  }

  dispose(): void {
    for (const panel of [...this.panels.values()]) panel.panel.dispose();
    this.panels.clear();
  }


}

export class ExecutionDetailPanel {
  private readonly disposables: vscode.Disposable[] = [];
  private ready = false;
  private pendingFocus: string | undefined;
  /** Every message posted, newest last: lets integration tests see what the page was sent. */
  readonly posted: HostMessage[] = [];
  private loading: Promise<void> | undefined;
  private disposed = false;
  /** The run shown, with its big (deferred) outputs readable on request. */
  private source: (ScannedRun & { ok: true }) | undefined;
  private loadStartedAt = 0;
  /** A wide run's nodes after its first page, sent when the page has drawn the first screen. */
  private pendingRest: NodeTable | undefined;
  /** The run read as the panel opened, for the page's first `ready`. */
  private early: Promise<Loaded> | undefined;
  private markReady: () => void = () => undefined;
  /** Resolves at the page's first `ready` (or when the panel closes). */
  private readonly pageReady = new Promise<void>((resolve) => (this.markReady = resolve));
  private readonly renderEmitter = new vscode.EventEmitter<{ rows: number; ms: number }>();
  /** The page drew a run: rows in its DOM, ms from starting to read the file. */
  readonly onDidRender = this.renderEmitter.event;
  lastRender: { rows: number; ms: number } | undefined;

  constructor(
    readonly panel: vscode.WebviewPanel,
    extensionUri: vscode.Uri,
    private readonly stores: HistoryStores,
    private readonly handle: StoreHandle,
    readonly id: string,
    private readonly actions: PanelActions,
    private readonly scanner: RunScanner,
    focusNode?: string,
  ) {
    this.pendingFocus = focusNode;
    panel.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'flow-history.svg');
    panel.webview.html = renderShell(panel.webview, extensionUri);
    // The run is read while the page loads, not after it says it is ready (a very big local
    // run waits for the page: LATE_READ_BYTES).
    this.early = this.read();
    this.disposables.push(
      panel.webview.onDidReceiveMessage((data: unknown) => this.onMessage(data)),
      this.stores.onDidChangeRuns(({ handle: changed, change }) => {
        if (changed.key === this.handle.key && (change.all || changedIds(change).includes(this.id))) void this.load();
      }) as vscode.Disposable,
    );
  }

  get ref(): RunRef {
    return { storeKey: this.handle.key, id: this.id };
  }

  reveal(focusNode?: string): void {
    this.panel.reveal(undefined, false);
    if (focusNode) {
      if (this.ready) this.post({ type: 'focusNode', nodeId: focusNode });
      else this.pendingFocus = focusNode;
    }
  }

  /** Resolves when the latest load has been posted (for tests). */
  async whenLoaded(): Promise<void> {
    while (!this.ready || this.loading) {
      await (this.loading ?? new Promise((resolve) => setTimeout(resolve, 20)));
    }
  }

  private onMessage(data: unknown): void {
    const message = parseWebviewMessage(data);
    if (!message) {
      log().warn(`Ignored a malformed message from the panel of ${this.id}`);
      return;
    }
    void this.handleMessage(message);
  }

  /** Public for tests: what happens with a (validated) message from the page. */
  async handleMessage(message: WebviewMessage): Promise<void> {
    switch (message.type) {
      case 'ready':
        this.ready = true;
        this.markReady();
        await this.load();
        return;
      case 'copy':
        await this.actions.copy(message.text, message.what);
        return;
      case 'loadOutput': {
        const output = this.source?.deferred.has(message.nodeId) ? await this.source.readOutput(message.nodeId) : undefined;
        if (output === undefined) {
          log().warn(`Refused output of an unknown node from the panel of ${this.id}`);
          return;
        }
        this.post({ type: 'output', requestId: message.requestId, nodeId: message.nodeId, output });
        return;
      }
      case 'rendered':
        if (message.id === this.id) {
          this.lastRender = { rows: message.rows, ms: this.loadStartedAt ? Date.now() - this.loadStartedAt : 0 };
          // A wide run's other nodes, now that its first screen is drawn.
          const rest = this.pendingRest;
          this.pendingRest = undefined;
          if (rest) this.post({ type: 'nodes', id: this.id, nodes: rest });
          this.renderEmitter.fire(this.lastRender);
        }
        return;
      case 'action':
        // A page may only act on the run it shows.
        if (message.id !== this.id) {
          log().warn(`Refused a ${message.action} request for ${message.id.slice(0, 80)} from the panel of ${this.id}`);
          return;
        }
        // A node's history: only of a node of the run shown.
        if (message.nodeId !== undefined && !(this.source && decodeRunNodes(this.source.view, this.source.rest).some((n) => n.id === message.nodeId))) {
          log().warn(`Refused the history of node ${message.nodeId.slice(0, 80)} from the panel of ${this.id}: not a node of the run shown`);
          return;
        }
        // A plot: only of a path into the run shown (a node's output: a node of that run).
        if (message.path !== undefined && !this.isPlottablePath(message.path)) {
          log().warn(`Refused to plot ${message.path.slice(0, 80)} from the panel of ${this.id}: not a path into the run shown`);
          return;
        }
        await this.actions.run(message.action, this.ref, message.nodeId, message.path);
        return;
    }
  }

  private isPlottablePath(path: string): boolean {
    let segments: PathSegment[];
    try {
      segments = parseJsonPath(path);
    } catch {
      return false;
    }
    const output = splitOutputPath(segments);
    if (!output) return segments[0] === 'context' || (typeof segments[0] === 'string' && segments.length > 0 && !['execution_id', 'outputs', 'completed_nodes', 'skipped_nodes'].includes(segments[0]));
    return !!this.source && decodeRunNodes(this.source.view, this.source.rest).some((n) => n.id === output.nodeId);
  }

  /** Loads are chained so a burst of changes posts in order and the last one wins. */
  private load(): Promise<void> {
    // A change before the page is ready: what was read early is out of date.
    if (!this.ready) this.dropEarly();
    const work: Promise<void> = (this.loading ?? Promise.resolve()).then(() => this.loadNow());
    const tracked = work.finally(() => {
      if (this.loading === tracked) this.loading = undefined;
    });
    this.loading = tracked;
    return tracked;
  }

  /** Which thread read the run file last (tests: big local runs never touch the host's heap). */
  fileReadBy: 'scan worker' | 'extension host' | undefined;

  private async loadNow(): Promise<void> {
    if (!this.ready) return;
    // Read while the page was loading (the panel's first load), else now.
    const early = this.early;
    this.early = undefined;
    this.show(await (early ?? this.read()));
  }

  /**
   * Reads and builds the run for the page. The first read starts with the panel, while its
   * page loads (a wide run's scan takes about as long as a new webview), so the page's
   * `ready` finds the run built; a change meanwhile drops it and the run is read again.
   */
  private async read(): Promise<Loaded> {
    let where: string | undefined;
    try {
      // Throws for an id that is not a run's (a panel opened by a direct command call).
      where = this.handle.runLocation(this.id);
      const started = Date.now();
      // A big local run is read by the scan worker; anything else is read here.
      const local = await this.handle.store.localRun?.(this.id);
      if (local?.kind === 'file' && local.entry.size >= LATE_READ_BYTES) {
        await this.pageReady;
        // Closed before its page was ready: nothing to read for (nothing is posted either).
        if (this.disposed) return { message: { type: 'loading', id: this.id } };
      }
      const outcome = local?.kind === 'file' && local.entry.size >= WORKER_THRESHOLD_BYTES ? local : await this.handle.store.readRun(this.id);
      if (outcome.kind === 'missing') return { message: { type: 'deleted', id: this.id } };
      if (outcome.kind === 'unreadable') return { message: { type: 'unreadable', id: this.id, reason: outcome.reason, location: where } };
      const meta = { id: this.id, storeKey: this.handle.key, storeLabel: this.handle.label, savedAt: outcome.entry.savedAt, size: outcome.entry.size, location: where };
      let built = outcome.kind === 'file' ? await this.scanner.buildFromFile(outcome.path, outcome.maxBytes, meta) : undefined;
      this.fileReadBy = built ? 'scan worker' : 'extension host';
      built ??= await this.scanner.build(outcome.kind === 'bytes' ? outcome.bytes : await this.readBytes(), meta);
      if (!built.ok) return { message: { type: 'unreadable', id: this.id, reason: built.reason, location: where } };
      return { built, started };
    } catch (error) {
      log().error(`Could not load run ${this.id}`, error);
      return { message: { type: 'unreadable', id: this.id, reason: errorMessage(error), location: where } };
    }
  }

  private show(loaded: Loaded): void {
    if (this.disposed) {
      if ('built' in loaded) loaded.built.release();
      return;
    }
    if ('message' in loaded) {
      this.releaseSource();
      this.pendingRest = undefined;
      this.post(loaded.message);
      return;
    }
    const { built, started } = loaded;
    // Kept while the panel is open: big outputs are read from it when the page asks.
    this.source?.release();
    this.source = built;
    this.loadStartedAt = started;
    this.post({ type: 'run', run: built.view, focusNode: this.pendingFocus });
    // A wide run's other nodes go once the page has drawn its first screen (it says `rendered`).
    this.pendingRest = built.rest;
    this.pendingFocus = undefined;
  }

  /** The run's bytes through the store (where no worker could read its file). */
  private async readBytes(): Promise<Uint8Array> {
    const outcome = await this.handle.store.readRun(this.id);
    if (outcome.kind !== 'bytes') throw new Error(outcome.kind === 'missing' ? 'the run no longer exists' : outcome.reason);
    return outcome.bytes;
  }

  private dropEarly(): void {
    void this.early?.then((loaded) => 'built' in loaded && loaded.built.release());
    this.early = undefined;
  }

  private releaseSource(): void {
    this.source?.release();
    this.source = undefined;
  }

  private post(message: HostMessage): void {
    // A load that finishes after the panel was closed has no page to tell.
    if (this.disposed) return;
    this.posted.push(message);
    if (this.posted.length > 20) this.posted.shift();
    void this.panel.webview.postMessage(message);
  }

  dispose(): void {
    this.disposed = true;
    this.markReady();
    for (const d of this.disposables) d.dispose();
    this.renderEmitter.dispose();
    this.dropEarly();
    this.releaseSource();
  }
}

/** A run read for the page: built, or the message that says why not. */
type Loaded = { readonly built: ScannedRun & { ok: true }; readonly started: number } | { readonly message: HostMessage };

export function panelKey(ref: RunRef): string {
  return `${ref.storeKey}\n${ref.id}`;
}

function panelTitle(id: string): string {
  return `Run ${id.slice(0, 8)}`;
}

function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewPanelOptions & vscode.WebviewOptions {
  return {
    enableScripts: true,
    enableCommandUris: false,
    enableForms: false,
    localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist'), vscode.Uri.joinPath(extensionUri, 'media')],
    retainContextWhenHidden: false,
  };
}

/** The detail page's shell. */
export function renderShell(webview: vscode.Webview, extensionUri: vscode.Uri): string {
  return renderWebviewShell(webview, extensionUri, { css: 'detail.css', script: 'detail.js', title: 'Flow run', appAttributes: ' aria-live="polite"' });
}

export type { PanelState };

/** The detail panels, restored after a reload; their buttons run what `handleActions` is given. */
export function register(context: vscode.ExtensionContext, stores: HistoryStores, scanner: RunScanner): DetailPanels {
  const panels = new DetailPanels(context.extensionUri, stores, scanner);
  context.subscriptions.push(panels, vscode.window.registerWebviewPanelSerializer(DETAIL_VIEW_TYPE, panels));
  return panels;
}

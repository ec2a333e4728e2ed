/**
 * The Run Grid: one webview panel per store, runs as columns (newest first, a page at a
 * time), node ids as rows. The host lists the store and sends each shown run's node ids
 * (never outputs); the page builds the grid with the pure model. Re-sent when the store's
 * runs change. Every message from the page is validated, and a page may only ask about the
 * runs it was sent.
 */
import * as vscode from 'vscode';
import { ExecutionEntry } from '../core/executionStore';
import { errorMessage } from '../core/errors';
import { oneLine, previewValue } from '../core/format';
import { GridRun } from '../core/gridModel';
import { gridRunFromBytes } from '../core/gridSummary';
import { BIG_RUN_BYTES } from '../core/limits';
import { COMPARE_RUNS_COMMAND, OPEN_NODE_OUTPUT_COMMAND, OPEN_RUN_COMMAND, SHOW_NODE_HISTORY_COMMAND } from '../host/commands';
import { log } from '../host/log';
import { decodeRunNodes } from '../shared/protocol';
import { RunScanner } from '../node/runScanner';
import { GridHostMessage, GridPageMessage, parseGridPageMessage } from '../shared/gridProtocol';
import { HistoryStores, StoreHandle } from '../stores/historyStores';
import { mapLimit, nodeOutput, RunCache, StorePanel, StorePanelSet } from './storePanel';
import { renderWebviewShell } from './webviewShell';

export const GRID_VIEW_TYPE = 'a3sFlow.history.grid';
/** Runs per page of the grid (like the tree's pages). */
export const GRID_PAGE_RUNS = 200;
/** Runs summarised at once. */
const CONCURRENCY = 8;
const PREVIEW_CHARS = 300;

export class RunGridPanels implements vscode.Disposable {
  private readonly grids: StorePanelSet<RunGridPanel>;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly stores: HistoryStores,
    private readonly scanner: RunScanner,
  ) {
    this.grids = new StorePanelSet(extensionUri, GRID_VIEW_TYPE);
  }

  /** Opens (or reveals) the grid of a store. */
  show(handle: StoreHandle): RunGridPanel {
    return this.grids.show(handle.key, `Run Grid: ${handle.label}`, (panel) => new RunGridPanel(panel, this.extensionUri, this.stores, handle, this.scanner));
  }

  get(storeKey: string): RunGridPanel | undefined {
    return this.grids.get(storeKey);
  }

  dispose(): void {
    this.grids.dispose();
  }
}

export class RunGridPanel extends StorePanel<GridHostMessage, GridPageMessage> {
  private shown = GRID_PAGE_RUNS;
  /** The runs last sent, by id (what the page may ask about). */
  private sent = new Map<string, ExecutionEntry>();
  private readonly cache = new RunCache<GridRun>();
  private readonly renderEmitter = new vscode.EventEmitter<{ columns: number; rows: number; cells: number }>();
  /** The page drew the grid. */
  readonly onDidRender = this.renderEmitter.event;
  lastRender: { columns: number; rows: number; cells: number } | undefined;

  constructor(
    panel: vscode.WebviewPanel,
    extensionUri: vscode.Uri,
    stores: HistoryStores,
    handle: StoreHandle,
    private readonly scanner: RunScanner,
  ) {
    super(panel, stores, handle, () => `the Run Grid of ${handle.label}`, parseGridPageMessage);
    panel.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'flow-history.svg');
    panel.webview.html = renderGridShell(panel.webview, extensionUri);
    this.disposables.push(this.renderEmitter);
    this.loadEarly();
  }

  /** Public for tests: what happens with a validated message from the page. */
  async handleMessage(message: GridPageMessage): Promise<void> {
    switch (message.type) {
      case 'ready':
        await this.pageReady();
        return;
      case 'loadMore':
        this.shown += GRID_PAGE_RUNS;
        await this.load();
        return;
      case 'rendered':
        this.lastRender = { columns: message.columns, rows: message.rows, cells: message.cells };
        this.renderEmitter.fire(this.lastRender);
        return;
      case 'openRun':
        if (!this.known(message.runId)) return;
        await vscode.commands.executeCommand(OPEN_RUN_COMMAND, { storeKey: this.handle.key, id: message.runId });
        return;
      case 'openNode':
        if (!this.known(message.runId)) return;
        await vscode.commands.executeCommand(OPEN_NODE_OUTPUT_COMMAND, { kind: 'node', storeKey: this.handle.key, runId: message.runId, nodeId: message.nodeId });
        return;
      case 'nodeHistory': {
        // Only a node of a run the page was sent.
        const shown = [...this.sent.keys()].some((id) => {
          const run = this.cache.peek(id);
          return run !== undefined && (run.completed.includes(message.nodeId) || run.skipped.includes(message.nodeId));
        });
        if (!shown) {
          log().warn(`Refused the history of node ${message.nodeId.slice(0, 80)} from the Run Grid of ${this.handle.label}: not shown there`);
          return;
        }
        await vscode.commands.executeCommand(SHOW_NODE_HISTORY_COMMAND, { storeKey: this.handle.key, nodeId: message.nodeId });
        return;
      }
      case 'compare': {
        if (!message.runIds.every((id) => this.known(id))) return;
        const refs = message.runIds.map((id) => ({ storeKey: this.handle.key, id }));
        await vscode.commands.executeCommand(COMPARE_RUNS_COMMAND, refs[0], refs);
        return;
      }
      case 'preview': {
        if (!this.known(message.runId)) return;
        const text = await this.preview(message.runId, message.nodeId);
        this.post({ type: 'preview', requestId: message.requestId, text });
        return;
      }
    }
  }

  private known(runId: string): boolean {
    if (this.sent.has(runId)) return true;
    log().warn(`Refused a request about run ${runId.slice(0, 80)} from the Run Grid of ${this.handle.label}: not shown there`);
    return false;
  }

  /** A one-line preview of a node's output, read when the page asks (hover, focus). */
  private async preview(runId: string, nodeId: string): Promise<string> {
    try {
      const entry = this.sent.get(runId)!;
      if (entry.size >= BIG_RUN_BYTES) {
        // Big runs are scanned in the worker, as the panel does; the output is its stored text.
        const built = await this.buildRun(entry, this.scanner);
        if (!built.ok) return built.reason === 'the run no longer exists' ? 'The run no longer exists.' : built.reason;
        try {
          const found = await nodeOutput(built, nodeId);
          if (found === 'changed') return 'The run changed while it was read.';
          if (found?.output === undefined) return found?.node.status === 'skipped' ? 'Skipped: no output.' : 'No output.';
          return oneLine(found.output, PREVIEW_CHARS);
        } finally {
          built.release();
        }
      }
      const outcome = await this.handle.store.inspect(runId);
      if (outcome.kind === 'missing') return 'The run no longer exists.';
      if (outcome.kind === 'unreadable') return outcome.reason;
      const outputs = outcome.result.outputs;
      if (!Object.prototype.hasOwnProperty.call(outputs, nodeId)) return outcome.result.skippedNodes.includes(nodeId) ? 'Skipped: no output.' : 'No output.';
      return previewValue(outputs[nodeId], PREVIEW_CHARS);
    } catch (error) {
      return `Could not read the output: ${errorMessage(error)}`;
    }
  }

  protected async loadNow(): Promise<void> {
    try {
      const { entries, total, more } = await this.newestRuns(this.shown);
      // A run's node ids, kept while it is unchanged.
      const runs = await mapLimit(entries, CONCURRENCY, (entry) => this.cache.get(entry, (e) => this.read(e)));
      this.cache.keepOnly(entries);
      this.sent = new Map(entries.map((e) => [e.id, e]));
      this.post({ type: 'grid', storeLabel: this.handle.label, runs, total, more: more ? true : undefined, now: Date.now() });
    } catch (error) {
      log().error(`Could not list the runs of ${this.handle.label} for the Run Grid`, error);
      this.sent = new Map();
      this.post({ type: 'grid', storeLabel: `${this.handle.label}: could not list runs (${errorMessage(error)})`, runs: [], total: 0, now: Date.now() });
    }
  }

  private async read(entry: ExecutionEntry): Promise<GridRun> {
    const unreadable = (reason: string): GridRun => ({ id: entry.id, savedAt: entry.savedAt, completed: [], skipped: [], unreadable: reason });
    if (entry.problem) return unreadable(entry.problem);
    try {
      if (entry.size < BIG_RUN_BYTES) {
        const outcome = await this.handle.store.readRun(entry.id);
        if (outcome.kind === 'missing') return unreadable('the run no longer exists');
        if (outcome.kind === 'unreadable') return unreadable(outcome.reason);
        if (outcome.bytes.byteLength < BIG_RUN_BYTES) return gridRunFromBytes(outcome.bytes, entry.id, entry.savedAt);
      }
      // A big run is read as the panel reads it (a local one by the scan worker, from its file).
      const built = await this.buildRun(entry, this.scanner);
      if (!built.ok) return unreadable(built.reason);
      built.release();
      const nodes = decodeRunNodes(built.view, built.rest);
      return {
        id: entry.id,
        savedAt: entry.savedAt,
        completed: nodes.filter((n) => n.status === 'executed').map((n) => n.id),
        skipped: nodes.filter((n) => n.status === 'skipped').map((n) => n.id),
      };
    } catch (error) {
      return unreadable(errorMessage(error));
    }
  }

}

/** The grid page's shell. */
export function renderGridShell(webview: vscode.Webview, extensionUri: vscode.Uri): string {
  return renderWebviewShell(webview, extensionUri, { css: 'grid.css', script: 'grid.js', title: 'Run Grid' });
}

/** The Run Grid panels (not restored after a reload: the command opens them again). */
export function register(context: vscode.ExtensionContext, stores: HistoryStores, scanner: RunScanner): RunGridPanels {
  const grids = new RunGridPanels(context.extensionUri, stores, scanner);
  context.subscriptions.push(grids);
  return grids;
}

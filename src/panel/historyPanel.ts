/**
 * Node History: one webview panel per store and node id, the node across the newest runs
 * of the store (a page at a time, like the tree), each with what changed since the run
 * before. The host reads only the node of each run: a big local run's by the scan worker,
 * straight from its file in one pass without building the run's view (readRunNode); other
 * runs as the detail panel reads them (through the store, big ones scanned in the worker).
 * It sends the page previews (never whole outputs). Re-read when the store's runs change (unchanged runs come from a cache). Every
 * message from the page is validated, and a page may only ask about the runs it was sent.
 */
import * as vscode from 'vscode';
import { ExecutionEntry } from '../core/executionStore';
import { errorMessage } from '../core/errors';
import { oneLine } from '../core/format';
import { buildNodeHistory, NodeHistoryRun } from '../core/nodeHistory';
import { readConfig } from '../host/config';
import { OPEN_NODE_OUTPUT_COMMAND, OPEN_RUN_COMMAND, PLOT_ACROSS_RUNS_COMMAND } from '../host/commands';
import { log } from '../host/log';
import { RunScanner } from '../node/runScanner';
import { HistoryEntryView, HistoryHostMessage, HistoryPageMessage, parseHistoryPageMessage } from '../shared/historyProtocol';
import { HistoryStores, StoreHandle } from '../stores/historyStores';
import { mapLimit, ReadProgress, RunCache, StorePanel, StorePanelSet } from './storePanel';
import { renderWebviewShell } from './webviewShell';

export const HISTORY_VIEW_TYPE = 'a3sFlow.history.nodeHistory';
/** Runs read at once. */
const CONCURRENCY = 4;
const PREVIEW_CHARS = 300;

export class NodeHistoryPanels implements vscode.Disposable {
  private readonly histories: StorePanelSet<NodeHistoryPanel>;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly stores: HistoryStores,
    private readonly scanner: RunScanner,
  ) {
    this.histories = new StorePanelSet(extensionUri, HISTORY_VIEW_TYPE);
  }

  /** Opens (or reveals) the history of a node in a store. */
  show(handle: StoreHandle, nodeId: string): NodeHistoryPanel {
    return this.histories.show(`${handle.key}\n${nodeId}`, `History: ${oneLine(nodeId, 40)}`, (panel) => new NodeHistoryPanel(panel, this.extensionUri, this.stores, handle, nodeId, this.scanner));
  }

  get(storeKey: string, nodeId: string): NodeHistoryPanel | undefined {
    return this.histories.get(`${storeKey}\n${nodeId}`);
  }

  dispose(): void {
    this.histories.dispose();
  }
}

interface CachedRun {
  readonly run: NodeHistoryRun;
  readonly preview: string;
}

export class NodeHistoryPanel extends StorePanel<HistoryHostMessage, HistoryPageMessage> {
  private shown = readConfig().pageSize;
  /** The runs last sent, by id (what the page may ask about), with whether the node has an output there. */
  private sent = new Map<string, { readonly hasOutput: boolean }>();
  /** The node in each run read, kept while the run is unchanged. */
  private readonly cache = new RunCache<CachedRun>();
  /** The last read was cancelled: "Load more" first reads the rest of the page it stopped in. */
  private partial = false;
  private readonly renderEmitter = new vscode.EventEmitter<number>();
  /** The page drew the list (its entry count). */
  readonly onDidRender = this.renderEmitter.event;
  /** The entry count the page last drew. */
  lastRendered: number | undefined;

  constructor(
    panel: vscode.WebviewPanel,
    extensionUri: vscode.Uri,
    stores: HistoryStores,
    handle: StoreHandle,
    readonly nodeId: string,
    private readonly scanner: RunScanner,
  ) {
    super(panel, stores, handle, () => `the Node History of ${nodeId.slice(0, 80)}`, parseHistoryPageMessage);
    panel.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'flow-history.svg');
    panel.webview.html = renderWebviewShell(panel.webview, extensionUri, { css: 'history.css', extraCss: ['media/base.css'], script: 'history.js', title: 'Node History' });
    this.disposables.push(this.renderEmitter);
    this.loadEarly();
  }

  /** Public for tests: what happens with a validated message from the page. */
  async handleMessage(message: HistoryPageMessage): Promise<void> {
    switch (message.type) {
      case 'ready':
        await this.pageReady();
        return;
      case 'loadMore':
        if (!this.partial) this.shown += readConfig().pageSize;
        await this.load();
        return;
      case 'rendered':
        this.lastRendered = message.entries;
        this.renderEmitter.fire(message.entries);
        return;
      case 'plot':
        // The node's own output: the path the panel's Copy path gives it.
        await vscode.commands.executeCommand(PLOT_ACROSS_RUNS_COMMAND, { storeKey: this.handle.key, path: `$.outputs[${JSON.stringify(this.nodeId)}]` });
        return;
      case 'openRun':
        if (!this.known(message.runId)) return;
        await vscode.commands.executeCommand(OPEN_RUN_COMMAND, { storeKey: this.handle.key, id: message.runId }, undefined, this.nodeId);
        return;
      case 'openOutput': {
        if (!this.known(message.runId)) return;
        if (!this.sent.get(message.runId)!.hasOutput) {
          log().warn(`Refused Open Output of ${this.nodeId.slice(0, 80)} in run ${message.runId}: the node has no output there`);
          return;
        }
        await vscode.commands.executeCommand(OPEN_NODE_OUTPUT_COMMAND, { kind: 'node', storeKey: this.handle.key, runId: message.runId, nodeId: this.nodeId });
        return;
      }
    }
  }

  private known(runId: string): boolean {
    if (this.sent.has(runId)) return true;
    log().warn(`Refused a request about run ${runId.slice(0, 80)} from the Node History of ${this.nodeId.slice(0, 80)}: not shown there`);
    return false;
  }

  /** A load that takes long shows a progress notification whose Cancel stops reading runs. */
  protected loadNow(): Promise<void> {
    return this.withProgress(`Node history of ${oneLine(this.nodeId, 40)}`, (progress) => this.readAll(progress));
  }

  private async readAll(progress: ReadProgress): Promise<void> {
    try {
      const { entries, total, more } = await this.newestRuns(this.shown);
      progress.of = entries.length;
      const read = await mapLimit(entries, CONCURRENCY, async (entry) => {
        if (progress.cancel.requested || this.disposed) return undefined;
        const cached = await this.cache.get(entry, (e) => this.readNode(e));
        progress.read++;
        return cached;
      });
      this.cache.keepOnly(entries);
      // Cancelled: the runs read so far, newest first, with no gap among them.
      const firstMissing = read.indexOf(undefined);
      const done = (firstMissing < 0 ? read : read.slice(0, firstMissing)) as CachedRun[];
      const previews = new Map(done.map((c) => [c.run.id, c.preview]));
      const history = buildNodeHistory(
        this.nodeId,
        done.map((c) => c.run),
      );
      const views = history.map(
        (e): HistoryEntryView => ({
          id: e.id,
          savedAt: e.savedAt,
          ...(e.status ? { status: e.status } : {}),
          ...(e.unreadable !== undefined ? { unreadable: e.unreadable } : {}),
          hasOutput: e.output !== undefined,
          preview: previews.get(e.id) ?? '',
          change: e.change,
        }),
      );
      this.sent = new Map(views.map((v) => [v.id, { hasOutput: v.hasOutput }]));
      const cancelled = firstMissing >= 0;
      this.partial = cancelled;
      this.post({ type: 'history', storeLabel: this.handle.label, nodeId: this.nodeId, entries: views, total, ...(more || cancelled ? { more: true as const } : {}), now: Date.now(), ...(cancelled ? { cancelled: true as const } : {}) });
    } catch (error) {
      log().error(`Could not list the runs of ${this.handle.label} for the Node History`, error);
      this.sent = new Map();
      this.post({ type: 'history', storeLabel: `${this.handle.label}: could not list runs (${errorMessage(error)})`, nodeId: this.nodeId, entries: [], total: 0, now: Date.now() });
    }
  }

  private async readNode(entry: ExecutionEntry): Promise<{ run: NodeHistoryRun; preview: string }> {
    const unreadable = (reason: string) => ({ run: { id: entry.id, savedAt: entry.savedAt, unreadable: reason }, preview: '' });
    if (entry.problem) return unreadable(entry.problem);
    try {
      const read = await this.readRunNode(entry, this.scanner, { kind: 'node', nodeId: this.nodeId });
      if (!read.ok) return unreadable(read.reason);
      if (read.status === 'absent') return { run: { id: entry.id, savedAt: entry.savedAt, status: 'absent' }, preview: '' };
      const output = read.text;
      return { run: { id: entry.id, savedAt: entry.savedAt, status: read.status, ...(output !== undefined ? { output } : {}) }, preview: output === undefined ? '' : oneLine(output.slice(0, PREVIEW_CHARS * 4), PREVIEW_CHARS) };
    } catch (error) {
      return unreadable(errorMessage(error));
    }
  }
}

/** The Node History panels (not restored after a reload: the command opens them again). */
export function register(context: vscode.ExtensionContext, stores: HistoryStores, scanner: RunScanner): NodeHistoryPanels {
  const histories = new NodeHistoryPanels(context.extensionUri, stores, scanner);
  context.subscriptions.push(histories);
  return histories;
}

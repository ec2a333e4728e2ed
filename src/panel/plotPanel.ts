/**
 * Plot Across Runs: one webview panel per store and JSON path, the number at that path over
 * the newest `a3sFlow.history.plotRuns` runs as a line chart (uPlot) and a table. The host
 * reads each run the way Node History does (a big local run's node, context or extra fields
 * by the scan worker, straight from its file in one pass; other runs through the store, big
 * ones scanned in the worker), keeps only the text of the value under the path's root (a
 * node's output, the context or the extra fields), and sends the page the points. Re-read when the store's runs change (unchanged
 * runs come from a cache). Every message from the page is validated, and a page may only
 * open the runs it was sent.
 */
import * as vscode from 'vscode';
import { ExecutionEntry } from '../core/executionStore';
import { errorMessage } from '../core/errors';
import { oneLine } from '../core/format';
import { buildPlotSeries, parseJsonPath, PathSegment, PlotRun, splitOutputPath } from '../core/plotSeries';
import { readConfig } from '../host/config';
import { OPEN_RUN_COMMAND } from '../host/commands';
import { log } from '../host/log';
import { RunScanner } from '../node/runScanner';
import { PlotHostMessage, PlotPageMessage, PlotPointView, parsePlotPageMessage } from '../shared/plotProtocol';
import { HistoryStores, StoreHandle } from '../stores/historyStores';
import { mapLimit, ReadProgress, RunCache, StorePanel, StorePanelSet } from './storePanel';
import { renderWebviewShell } from './webviewShell';

export const PLOT_VIEW_TYPE = 'a3sFlow.history.plot';
const CONCURRENCY = 4;

/** Where a path's value lives in a run: a node's output, the context, or the other top-level fields. */
interface PathRoot {
  readonly kind: 'output' | 'context' | 'extra';
  readonly nodeId?: string;
  /** The path below that root. */
  readonly rest: readonly PathSegment[];
}

function pathRoot(segments: readonly PathSegment[]): PathRoot | undefined {
  const output = splitOutputPath(segments);
  if (output) return { kind: 'output', nodeId: output.nodeId, rest: output.rest };
  if (segments[0] === 'context') return { kind: 'context', rest: segments.slice(1) };
  // execution_id, outputs, completed_nodes and skipped_nodes hold no number of their own.
  if (typeof segments[0] === 'string' && !['execution_id', 'outputs', 'completed_nodes', 'skipped_nodes'].includes(segments[0])) return { kind: 'extra', rest: segments };
  return undefined;
}

export class PlotPanels implements vscode.Disposable {
  private readonly plots: StorePanelSet<PlotPanel>;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly stores: HistoryStores,
    private readonly scanner: RunScanner,
  ) {
    this.plots = new StorePanelSet(extensionUri, PLOT_VIEW_TYPE);
  }

  /** Opens (or reveals) the plot of `path` over a store's runs; throws when the path cannot hold a number. */
  show(handle: StoreHandle, path: string): PlotPanel {
    const root = pathRoot(parseJsonPath(path));
    if (!root) throw new Error(`${oneLine(path, 80)} cannot hold a number to plot.`);
    return this.plots.show(`${handle.key}\n${path}`, `Plot: ${oneLine(path, 40)}`, (panel) => new PlotPanel(panel, this.extensionUri, this.stores, handle, path, root, this.scanner));
  }

  get(storeKey: string, path: string): PlotPanel | undefined {
    return this.plots.get(`${storeKey}\n${path}`);
  }

  dispose(): void {
    this.plots.dispose();
  }
}

export class PlotPanel extends StorePanel<PlotHostMessage, PlotPageMessage> {
  /** The runs last sent (what the page may open). */
  private sent = new Set<string>();
  /** The value in each run read, kept while the run is unchanged. */
  private readonly cache = new RunCache<PlotRun>();
  private readonly renderEmitter = new vscode.EventEmitter<number>();
  /** The page drew the chart (its point count). */
  readonly onDidRender = this.renderEmitter.event;
  lastRendered: number | undefined;

  constructor(
    panel: vscode.WebviewPanel,
    extensionUri: vscode.Uri,
    stores: HistoryStores,
    handle: StoreHandle,
    readonly path: string,
    private readonly root: PathRoot,
    private readonly scanner: RunScanner,
  ) {
    super(panel, stores, handle, () => `the plot of ${path.slice(0, 80)}`, parsePlotPageMessage);
    panel.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'flow-history.svg');
    panel.webview.html = renderWebviewShell(panel.webview, extensionUri, { css: 'plot.css', extraCss: ['media/base.css', 'dist/uplot/uPlot.min.css'], script: 'plot.js', title: 'Plot Across Runs' });
    this.disposables.push(this.renderEmitter);
    this.loadEarly();
  }

  /** Public for tests: what happens with a validated message from the page. */
  async handleMessage(message: PlotPageMessage): Promise<void> {
    switch (message.type) {
      case 'ready':
        await this.pageReady();
        return;
      case 'rendered':
        this.lastRendered = message.points;
        this.renderEmitter.fire(message.points);
        return;
      case 'openRun':
        if (!this.sent.has(message.runId)) {
          log().warn(`Refused to open run ${message.runId.slice(0, 80)} from the plot of ${this.path.slice(0, 80)}: not shown there`);
          return;
        }
        await vscode.commands.executeCommand(OPEN_RUN_COMMAND, { storeKey: this.handle.key, id: message.runId }, undefined, this.root.nodeId);
        return;
    }
  }

  /** A load that takes long shows a progress notification whose Cancel stops reading runs. */
  protected loadNow(): Promise<void> {
    return this.withProgress(`Plot of ${oneLine(this.path, 40)}`, (progress) => this.readAll(progress));
  }

  private async readAll(progress: ReadProgress): Promise<void> {
    try {
      const { entries, total } = await this.newestRuns(readConfig().plotRuns);
      progress.of = entries.length;
      const read = await mapLimit(entries, CONCURRENCY, async (entry) => {
        if (progress.cancel.requested || this.disposed) return undefined;
        const cached = await this.cache.get(entry, (e) => this.readValue(e));
        progress.read++;
        return cached;
      });
      this.cache.keepOnly(entries);
      const done = read.filter((r): r is PlotRun => r !== undefined);
      const series = buildPlotSeries(
        done,
        this.root.rest,
      );
      const points = series.points.map(
        (p): PlotPointView => ({
          id: p.id,
          savedAt: p.savedAt,
          ...(p.number ? { value: p.number.value, text: p.number.text, ...(p.number.approximate ? { approximate: true as const } : {}) } : {}),
          ...(p.gap ? { gap: p.gap } : {}),
          ...(p.reason !== undefined ? { reason: p.reason } : {}),
        }),
      );
      this.sent = new Set(points.map((p) => p.id));
      const cancelled = done.length < entries.length;
      this.post({ type: 'plot', storeLabel: this.handle.label, path: this.path, points, plotted: series.plotted, approximate: series.approximate, total, ...(cancelled ? { cancelled: true as const } : {}) });
    } catch (error) {
      log().error(`Could not list the runs of ${this.handle.label} for a plot`, error);
      this.sent = new Set();
      this.post({ type: 'plot', storeLabel: `${this.handle.label}: could not list runs (${errorMessage(error)})`, path: this.path, points: [], plotted: 0, approximate: 0, total: 0 });
    }
  }

  /** The text of the value at the path's root in one run (a node's output, the context, the extra fields). */
  private async readValue(entry: ExecutionEntry): Promise<PlotRun> {
    const unreadable = (reason: string): PlotRun => ({ id: entry.id, savedAt: entry.savedAt, unreadable: reason });
    const found = (text: string | undefined): PlotRun => ({ id: entry.id, savedAt: entry.savedAt, ...(text !== undefined ? { text } : { absent: true as const }) });
    if (entry.problem) return unreadable(entry.problem);
    try {
      const read = await this.readRunNode(entry, this.scanner, this.root.kind === 'output' ? { kind: 'node', nodeId: this.root.nodeId! } : { kind: this.root.kind });
      if (!read.ok) return unreadable(read.reason);
      return found(read.text);
    } catch (error) {
      return unreadable(errorMessage(error));
    }
  }
}

/** The plot panels (not restored after a reload: the command opens them again). */
export function register(context: vscode.ExtensionContext, stores: HistoryStores, scanner: RunScanner): PlotPanels {
  const plots = new PlotPanels(context.extensionUri, stores, scanner);
  context.subscriptions.push(plots);
  return plots;
}

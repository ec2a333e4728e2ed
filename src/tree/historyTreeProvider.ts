/**
 * The Flow History tree: runs newest first, grouped by store only when there is more than
 * one; paged ("Show more…") so VS Code never receives tens of thousands of items; per-row
 * figures computed lazily and cached; refreshes only the store whose runs changed.
 */
import * as vscode from 'vscode';
import { readConfig } from '../config';
import { ExecutionEntry, ExecutionStore } from '../core/executionStore';
import { RunScanner } from '../panel/runScanner';
import { errorMessage } from '../core/folderStore';
import { formatBytes, formatRelativeTime, formatTimestamp, oneLine, plural, previewValue } from '../core/format';
import { RunList } from '../core/runList';
import { RunFigures, SummaryCache } from '../core/summaryCache';
import { buildSummary, outputType } from '../core/summary';
import { log } from '../log';
import { HistoryStores, MEMORY_STORE_KEY, StoreHandle } from '../stores/historyStores';
import { ContextNode, FlowNodeNode, HistoryNode, MessageNode, MoreNode, RunNode, RunRef, StoreNode } from './historyNodes';

const REFRESH_DEBOUNCE_MS = 50;

interface StoreState {
  runs: RunList | undefined;
  error?: string;
  shown: number;
  listing?: Promise<void>;
  stale: boolean;
}

export class HistoryTreeProvider implements vscode.TreeDataProvider<HistoryNode>, vscode.Disposable {
  private readonly changeEmitter = new vscode.EventEmitter<HistoryNode | undefined>();
  readonly onDidChangeTreeData = this.changeEmitter.event;
  private readonly totalsEmitter = new vscode.EventEmitter<void>();
  /** Fires after a store was listed: run counts may have changed. */
  readonly onDidChangeTotals = this.totalsEmitter.event;
  readonly summaries: SummaryCache;
  private readonly states = new Map<string, StoreState>();
  private readonly runNodes = new Map<string, RunNode>();
  private readonly storeNodes = new Map<string, StoreNode>();
  private readonly moreNodes = new Map<string, MoreNode>();
  /** Nodes shown under a run expanded past its first page, by store and run id. */
  private readonly nodesShown = new Map<string, number>();
  /** Entries of the rows currently shown, by store and id (a few hundred at most). */
  private readonly shownEntries = new Map<string, ExecutionEntry>();
  private readonly pendingStores = new Set<string>();
  private refreshTimer: ReturnType<typeof setTimeout> | undefined;
  private held = 0;
  private grouped = false;
  private readonly disposables: vscode.Disposable[] = [];
  /** Only runs matching this filter are shown (see the search command); undefined = all. */
  private filter: { text: string; ids: Map<string, Set<string>> } | undefined;

  constructor(
    private readonly stores: HistoryStores,
    scanner?: RunScanner,
  ) {
    // Big runs are summarised in the scan worker so a row never stalls the extension host.
    this.summaries = new SummaryCache(scanner && ((store, entry) => bigRunFigures(scanner, store, entry)));
    this.disposables.push(
      this.changeEmitter,
      this.totalsEmitter,
      toDisposable(stores.onDidChangeStores(() => this.refreshAll())),
      toDisposable(
        stores.onDidChangeRuns(({ handle }) => {
          this.markStale(handle.key);
        }),
      ),
    );
  }

  /** Re-lists every store and redraws the whole tree (the Refresh button). */
  refreshAll(): void {
    for (const handle of this.stores.all()) this.summaries.forget(handle.key);
    this.states.clear();
    this.changeEmitter.fire(undefined);
  }

  /** A store's runs changed: list it again soon; bursts become one refresh. */
  markStale(storeKey: string): void {
    const state = this.states.get(storeKey);
    if (state) state.stale = true;
    this.pendingStores.add(storeKey);
    if (!this.refreshTimer) this.refreshTimer = setTimeout(() => this.flushRefresh(), REFRESH_DEBOUNCE_MS);
  }

  /**
   * Holds refreshes while a batch runs (deleting 1,000 runs): the release triggers one
   * refresh for everything that changed meanwhile.
   */
  holdRefresh(): () => void {
    this.held++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.held--;
      if (this.held === 0 && this.pendingStores.size > 0 && !this.refreshTimer) this.flushRefresh();
    };
  }

  /** Tree refreshes fired so far (for tests and the benchmark). */
  refreshCount = 0;

  private flushRefresh(): void {
    this.refreshTimer = undefined;
    if (this.held > 0) return;
    this.refreshCount++;
    const keys = [...this.pendingStores];
    this.pendingStores.clear();
    const groupedNow = this.visibleStores().length > 1;
    if (groupedNow !== this.grouped || !this.grouped) {
      this.changeEmitter.fire(undefined);
      return;
    }
    for (const key of keys) this.changeEmitter.fire(this.storeNode(key));
  }

  showMore(storeKey: string): void {
    const state = this.states.get(storeKey);
    if (!state) return;
    state.shown += readConfig().pageSize;
    this.changeEmitter.fire(this.grouped ? this.storeNode(storeKey) : undefined);
  }

  /** The next page of a run's nodes ("Show more…" under a wide run). */
  showMoreNodes(run: RunRef): void {
    const key = `${run.storeKey}\n${run.id}`;
    this.nodesShown.set(key, (this.nodesShown.get(key) ?? readConfig().pageSize) + readConfig().pageSize);
    this.changeEmitter.fire(this.runNode(run));
  }

  setFilter(text: string | undefined, ids?: Map<string, Set<string>>): void {
    this.filter = text && ids ? { text, ids } : undefined;
    for (const state of this.states.values()) state.shown = readConfig().pageSize;
    this.changeEmitter.fire(undefined);
  }

  get activeFilter(): string | undefined {
    return this.filter?.text;
  }

  /** Stores shown: every folder store, and the memory store once it holds runs. */
  visibleStores(): StoreHandle[] {
    return this.stores.all().filter((h) => h.key !== MEMORY_STORE_KEY || (this.states.get(h.key)?.runs?.length ?? 1) > 0);
  }

  /** Entries of a store, listing it when needed (newest first, unfiltered). */
  async entries(storeKey: string): Promise<ExecutionEntry[]> {
    const state = await this.ensureListed(storeKey);
    return state.runs?.toArray() ?? [];
  }

  /** A run's entry: from the rows shown (cheap), else looked up in its store's list. */
  entry(ref: RunRef): ExecutionEntry | undefined {
    return this.shownEntries.get(`${ref.storeKey}\n${ref.id}`) ?? this.states.get(ref.storeKey)?.runs?.find(ref.id);
  }

  /** Total runs across listed stores, and the newest one. */
  totals(): { count: number; newest?: { ref: RunRef; entry: ExecutionEntry } } {
    let count = 0;
    let newest: { ref: RunRef; entry: ExecutionEntry } | undefined;
    for (const [storeKey, state] of this.states) {
      const runs = state.runs;
      count += runs?.length ?? 0;
      const first = runs && runs.length > 0 ? runs.at(0) : undefined;
      if (first && (!newest || first.savedAt > newest.entry.savedAt)) newest = { ref: { storeKey, id: first.id }, entry: first };
    }
    return { count, newest };
  }

  // The same object for the same row every time: VS Code finds elements by identity
  // when one is refreshed or revealed.
  runNode(ref: RunRef): RunNode {
    return memo(this.runNodes, `${ref.storeKey}\n${ref.id}`, () => ({ kind: 'run', storeKey: ref.storeKey, id: ref.id }));
  }

  private storeNode(storeKey: string): StoreNode {
    return memo(this.storeNodes, storeKey, () => ({ kind: 'store', storeKey }));
  }

  private moreNode(storeKey: string): MoreNode {
    return memo(this.moreNodes, storeKey, () => ({ kind: 'more', storeKey }));
  }

  async getChildren(element?: HistoryNode): Promise<HistoryNode[]> {
    if (!element) {
      await Promise.all(this.stores.all().map((h) => this.ensureListed(h.key)));
      const visible = this.visibleStores();
      this.grouped = visible.length > 1;
      this.totalsEmitter.fire();
      if (visible.length === 0) return [];
      if (this.grouped) {
        return visible.map((h) => this.storeNode(h.key));
      }
      const only = visible[0];
      const children = this.runChildren(only.key);
      // An empty single store shows the welcome view (empty list) unless listing failed.
      return children;
    }
    switch (element.kind) {
      case 'store':
        await this.ensureListed(element.storeKey);
        return this.runChildren(element.storeKey);
      case 'run':
        return this.nodeChildren(element);
      default:
        return [];
    }
  }

  getParent(element: HistoryNode): HistoryNode | undefined {
    switch (element.kind) {
      case 'store':
        return undefined;
      case 'more':
        if (element.runId !== undefined) return this.runNode({ storeKey: element.storeKey, id: element.runId });
        return this.grouped ? this.storeNode(element.storeKey) : undefined;
      case 'run':
      case 'message':
        return this.grouped ? this.storeNode(element.storeKey) : undefined;
      case 'node':
      case 'context':
        return this.runNode({ storeKey: element.storeKey, id: element.runId });
    }
  }

  private runChildren(storeKey: string): HistoryNode[] {
    const state = this.states.get(storeKey);
    if (!state) return [];
    if (state.error) {
      const message: MessageNode = { kind: 'message', storeKey, text: 'Could not list runs', detail: state.error };
      return [message];
    }
    const runs = state.runs;
    const ids = this.filter?.ids.get(storeKey);
    // Positions of the runs this store shows (all, or those matching the search).
    const positions: number[] = [];
    const total = runs?.length ?? 0;
    for (let i = 0; i < total && positions.length <= state.shown; i++) {
      if (!this.filter || ids?.has(runs!.idAt(i))) positions.push(i);
    }
    for (const key of [...this.shownEntries.keys()]) if (key.startsWith(`${storeKey}\n`)) this.shownEntries.delete(key);
    const nodes: HistoryNode[] = positions.slice(0, state.shown).map((i) => {
      const entry = runs!.at(i);
      this.shownEntries.set(`${storeKey}\n${entry.id}`, entry);
      return this.runNode({ storeKey, id: entry.id });
    });
    if (positions.length > state.shown) nodes.push(this.moreNode(storeKey));
    if (this.filter && positions.length === 0 && this.grouped) {
      nodes.push({ kind: 'message', storeKey, text: 'No matching runs' });
    }
    return nodes;
  }

  private async nodeChildren(run: RunNode): Promise<HistoryNode[]> {
    const handle = this.stores.get(run.storeKey);
    if (!handle) return [];
    const outcome = await handle.store.inspect(run.id);
    if (outcome.kind !== 'ok') return [];
    const result = outcome.result;
    const outputs = result.outputs;
    // Ids, statuses and types only: no output of a wide run is serialised just to be measured.
    const summary = buildSummary(result.completedNodes, result.skippedNodes, Object.keys(outputs), Object.keys(result.context).length, (id) => ({ type: outputType(outputs[id]), bytes: 0 }));
    // A page at a time, like the runs: a run of 20,000 nodes shows its first page.
    const shown = this.nodesShown.get(`${run.storeKey}\n${run.id}`) ?? readConfig().pageSize;
    const nodes: HistoryNode[] = summary.nodes.slice(0, shown).map(
      (n): FlowNodeNode => ({
        kind: 'node',
        storeKey: run.storeKey,
        runId: run.id,
        nodeId: n.id,
        status: n.status,
        preview: n.status === 'skipped' ? 'skipped' : n.outputType === 'none' ? 'no output' : previewValue(result.outputs[n.id], 80),
      }),
    );
    if (summary.nodes.length > shown) nodes.push({ kind: 'more', storeKey: run.storeKey, runId: run.id, remaining: summary.nodes.length - shown });
    const context: ContextNode = { kind: 'context', storeKey: run.storeKey, runId: run.id, preview: previewValue(result.context, 80), keys: summary.contextKeys };
    nodes.push(context);
    return nodes;
  }

  private async ensureListed(storeKey: string): Promise<StoreState> {
    let state = this.states.get(storeKey);
    if (!state) {
      state = { runs: undefined, shown: readConfig().pageSize, stale: true };
      this.states.set(storeKey, state);
    }
    if (state.stale && !state.listing) {
      const current = state;
      current.stale = false;
      current.listing = this.list(storeKey, current).finally(() => {
        current.listing = undefined;
      });
    }
    if (state.listing) await state.listing;
    return state;
  }

  private async list(storeKey: string, state: StoreState): Promise<void> {
    const handle = this.stores.get(storeKey);
    if (!handle) {
      state.runs = new RunList([]);
      return;
    }
    try {
      const store = handle.store;
      const runs = store.listRuns ? await store.listRuns() : new RunList(await store.listEntries());
      state.runs = runs;
      state.error = undefined;
      // Forget the row objects of runs that are gone, so they do not pile up over a long session.
      const kept = [...this.runNodes.values()].filter((node) => node.storeKey === storeKey);
      const present = runs.presentOf(kept.map((node) => node.id));
      for (const node of kept) if (!present.has(node.id)) this.runNodes.delete(`${storeKey}\n${node.id}`);
    } catch (error) {
      state.runs = new RunList([]);
      state.error = errorMessage(error);
      log().error(`Could not list runs of ${handle.label}`, error);
    }
  }

  async getTreeItem(element: HistoryNode): Promise<vscode.TreeItem> {
    switch (element.kind) {
      case 'store':
        return this.storeItem(element);
      case 'run':
        return this.runItem(element);
      case 'more': {
        if (element.runId !== undefined) {
          const remaining = element.remaining ?? 0;
          const item = new vscode.TreeItem(`Show more… (${remaining.toLocaleString('en-US')} more ${remaining === 1 ? 'node' : 'nodes'})`, vscode.TreeItemCollapsibleState.None);
          item.id = `more:${element.storeKey}:${element.runId}`;
          item.iconPath = new vscode.ThemeIcon('ellipsis');
          item.contextValue = 'more';
          item.command = { command: 'a3sFlow.history.showMore', title: 'Show More', arguments: [element.storeKey, element.runId] };
          return item;
        }
        const state = this.states.get(element.storeKey);
        const matching = this.filter ? (this.filter.ids.get(element.storeKey)?.size ?? 0) : (state?.runs?.length ?? 0);
        const remaining = Math.max(0, matching - (state?.shown ?? 0));
        const item = new vscode.TreeItem(`Show more… (${remaining.toLocaleString('en-US')} older)`, vscode.TreeItemCollapsibleState.None);
        item.id = `more:${element.storeKey}`;
        item.iconPath = new vscode.ThemeIcon('ellipsis');
        item.contextValue = 'more';
        item.command = { command: 'a3sFlow.history.showMore', title: 'Show More', arguments: [element.storeKey] };
        return item;
      }
      case 'node':
        return this.flowNodeItem(element);
      case 'context': {
        const item = new vscode.TreeItem('context', vscode.TreeItemCollapsibleState.None);
        item.id = `context:${element.storeKey}:${element.runId}`;
        item.description = element.preview;
        item.tooltip = `Final context: ${plural(element.keys, 'key')}\n${element.preview}`;
        item.iconPath = new vscode.ThemeIcon('symbol-namespace');
        item.contextValue = 'context';
        item.command = { command: 'a3sFlow.history.openRun', title: 'Open', arguments: [{ storeKey: element.storeKey, id: element.runId }, undefined, '$context'] };
        return item;
      }
      case 'message': {
        const item = new vscode.TreeItem(element.text, vscode.TreeItemCollapsibleState.None);
        item.description = element.detail ? oneLine(element.detail, 200) : undefined;
        item.tooltip = element.detail;
        item.iconPath = new vscode.ThemeIcon(element.detail ? 'error' : 'info');
        item.contextValue = 'message';
        return item;
      }
    }
  }

  private storeItem(element: StoreNode): vscode.TreeItem {
    const handle = this.stores.get(element.storeKey);
    const state = this.states.get(element.storeKey);
    const item = new vscode.TreeItem(handle?.label ?? element.storeKey, vscode.TreeItemCollapsibleState.Expanded);
    item.id = `store:${element.storeKey}`;
    const count = state?.runs?.length ?? 0;
    item.description = plural(count, 'run');
    item.tooltip = handle?.storeUri ? `${handle.store.label}: ${handle.storeUri.scheme === 'file' ? handle.storeUri.fsPath : handle.storeUri.toString(true)}` : 'Runs recorded through the Flow History API in this window';
    item.iconPath = new vscode.ThemeIcon(handle?.storeUri ? 'root-folder' : 'server-process');
    item.contextValue = handle?.storeUri ? 'store' : 'store-memory';
    return item;
  }

  private async runItem(element: RunNode): Promise<vscode.TreeItem> {
    const handle = this.stores.get(element.storeKey);
    const entry = this.entry(element);
    const item = new vscode.TreeItem(element.id.slice(0, 8), vscode.TreeItemCollapsibleState.Collapsed);
    item.id = `run:${element.storeKey}:${element.id}`;
    if (!handle || !entry) {
      item.collapsibleState = vscode.TreeItemCollapsibleState.None;
      item.description = 'removed';
      return item;
    }
    let figures: RunFigures;
    try {
      figures = await this.summaries.get(handle.key, handle.store, entry);
    } catch (error) {
      figures = { kind: 'unreadable', reason: errorMessage(error) };
    }
    const when = formatRelativeTime(entry.savedAt, Date.now());
    const memory = handle.key === MEMORY_STORE_KEY;
    const location = this.stores.runUri(handle, element.id);
    const where = location ? (location.scheme === 'file' ? location.fsPath : location.toString(true)) : handle.label;
    const lines = [`Execution ${element.id}`, `Saved ${formatTimestamp(entry.savedAt)} (${when})`];
    if (figures.kind === 'ok') {
      item.description = `${when} · ${plural(figures.nodeCount, 'node')}${figures.skipped ? ` · ${figures.skipped} skipped` : ''}`;
      item.iconPath = figures.skipped
        ? new vscode.ThemeIcon('debug-step-over', new vscode.ThemeColor('testing.iconSkipped'))
        : new vscode.ThemeIcon('pass', new vscode.ThemeColor('testing.iconPassed'));
      item.contextValue = memory ? 'execution-memory' : 'execution';
      lines.push(`${plural(figures.nodeCount, 'node')}: ${figures.executed} executed, ${figures.skipped} skipped`);
      item.command = { command: 'a3sFlow.history.openRun', title: 'Open', arguments: [element] };
    } else {
      const reason = figures.kind === 'unreadable' ? figures.reason : 'removed';
      item.description = `${when} · unreadable: ${oneLine(reason, 80)}`;
      item.iconPath = new vscode.ThemeIcon('warning', new vscode.ThemeColor('problemsWarningIcon.foreground'));
      item.collapsibleState = vscode.TreeItemCollapsibleState.None;
      item.contextValue = 'execution-unreadable';
      lines.push(`Unreadable: ${oneLine(reason, 300)}`);
      item.command = { command: 'a3sFlow.history.openRawJson', title: 'Open Raw JSON', arguments: [element] };
    }
    lines.push(`${formatBytes(entry.size)} · ${where}`);
    // Plain string tooltip: stored data never goes into a (trusted) MarkdownString.
    item.tooltip = lines.join('\n');
    item.accessibilityInformation = { label: `Run ${element.id}, ${item.description}` };
    return item;
  }

  private flowNodeItem(element: FlowNodeNode): vscode.TreeItem {
    const item = new vscode.TreeItem(oneLine(element.nodeId, 80), vscode.TreeItemCollapsibleState.None);
    item.id = `node:${element.storeKey}:${element.runId}:${element.nodeId}`;
    item.description = element.preview;
    const icon = element.status === 'executed' ? 'pass' : element.status === 'skipped' ? 'debug-step-over' : 'question';
    item.iconPath = new vscode.ThemeIcon(icon);
    item.tooltip = `${oneLine(element.nodeId, 300)} — ${element.status}\n${element.preview}`;
    item.contextValue = 'node';
    item.command = { command: 'a3sFlow.history.openRun', title: 'Open', arguments: [{ storeKey: element.storeKey, id: element.runId }, undefined, element.nodeId] };
    return item;
  }

  dispose(): void {
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    for (const d of this.disposables) d.dispose();
  }
}

const BIG_RUN_BYTES = 512 * 1024;

async function bigRunFigures(scanner: RunScanner, store: ExecutionStore, entry: ExecutionEntry): Promise<RunFigures | undefined> {
  if (entry.size < BIG_RUN_BYTES) return undefined;
  const outcome = await store.readRun(entry.id);
  if (outcome.kind === 'missing') return { kind: 'missing' };
  if (outcome.kind === 'unreadable') return { kind: 'unreadable', reason: outcome.reason };
  const built = await scanner.build(outcome.bytes, { id: entry.id, storeKey: '', storeLabel: '', savedAt: entry.savedAt, size: entry.size });
  if (!built.ok) return { kind: 'unreadable', reason: built.reason };
  return { kind: 'ok', nodeCount: built.view.nodeCount, executed: built.view.executedCount, skipped: built.view.skippedCount };
}

function memo<T>(cache: Map<string, T>, key: string, create: () => T): T {
  let value = cache.get(key);
  if (value === undefined) {
    value = create();
    cache.set(key, value);
  }
  return value;
}

function toDisposable(d: { dispose(): void }): vscode.Disposable {
  return new vscode.Disposable(() => d.dispose());
}

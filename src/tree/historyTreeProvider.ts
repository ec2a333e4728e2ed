/**
 * The Flow History tree: runs newest first, grouped by store only when there is more than
 * one; paged ("Show more…") so VS Code never receives tens of thousands of items; per-row
 * figures computed lazily and cached; refreshes only the store whose runs changed.
 */
import * as vscode from 'vscode';
import { readConfig } from '../host/config';
import { ExecutionEntry, ExecutionStore } from '../core/executionStore';
import { BIG_RUN_BYTES } from '../core/limits';
import { RunSource, RunScanner } from '../node/runScanner';
import { RunOutline } from '../node/runViewModel';
import { errorMessage, OperationCancelledError } from '../core/errors';
import { previewValue } from '../core/format';
import { RunList } from '../core/runList';
import { RunFigures, SummaryCache } from '../core/summaryCache';
import { buildSummary, outputType } from '../core/summary';
import { log } from '../host/log';
import { HistoryStores, StoreHandle } from '../stores/historyStores';
import { PagedEntry } from '../stores/storeHandle';
import { contextItem, flowStepItem, messageItem, moreItem, removedRunItem, retryItem, runItem, storeItem } from './treeItems';
import { ContextNode, FlowStepNode, HistoryNode, MessageNode, MoreNode, RetryNode, RunNode, StoreNode } from './treeNodes';
import { RunRef } from '../stores/runRef';


const REFRESH_DEBOUNCE_MS = 50;

interface StoreState {
  runs: RunList | undefined;
  error?: string;
  shown: number;
  listing?: Promise<void>;
  stale: boolean;
  /** Stores with a pager: the cursor of the next page (undefined when all are loaded). */
  next?: string;
  /** Stores with a pager: how many runs the store holds (an estimate for a big one). */
  total?: number;
  /** Stores with a pager: a run beyond the loaded pages was added (Go to Run); pages merge in order. */
  included?: boolean;
  /** The count the group's row last showed ("3 runs"). */
  labelCount?: number;
}

/**
 * A search answered by the store itself (a database, see StorePager.search): the matches
 * loaded so far, newest first, and the keyset cursor of the next page of them.
 */
export interface ServerMatches {
  entries: ExecutionEntry[];
  next?: string;
  /** Why the server could not search (shown in the group; the matches loaded so far stay). */
  error?: string;
}

/** Automatic retries of a store whose listing failed (a database that is down): 1, 2, 4 … 30 s. */
interface RetryState {
  delay: number;
  timer?: ReturnType<typeof setTimeout>;
  due?: number;
}

const FIRST_RETRY_MS = 1000;
const MAX_RETRY_MS = 30_000;

/** The most rows one keyset page may hold (the store's limit). */
const MAX_PAGE = 5000;

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
  private readonly retries = new Map<string, RetryState>();
  private refreshTimer: ReturnType<typeof setTimeout> | undefined;
  private held = 0;
  private grouped = false;
  private readonly disposables: vscode.Disposable[] = [];
  /**
   * Only runs matching this filter are shown (see the search command); undefined = all.
   * `ids`: matches among a store's listed runs; `server`: stores that searched themselves.
   */
  private filter: { text: string; ids: Map<string, Set<string>>; server: Map<string, ServerMatches> } | undefined;
  /** Server searches for the current filter ("Show more…", a refresh): stopped in the server when it changes. */
  private filterSearches = new AbortController();
  private readonly scanner: RunScanner | undefined;
  /** Big runs' first page of nodes, from the scan that gave their row's figures. */
  private firstPages = new WeakMap<ExecutionStore, Map<string, { readonly savedAt: number; readonly size: number; readonly outline: RunOutline }>>();

  constructor(
    private readonly stores: HistoryStores,
    scanner?: RunScanner,
  ) {
    // Big runs are summarised in the scan worker so a row never stalls the extension host.
    // The same scan gives the first page of its nodes, kept for when the run is expanded.
    this.summaries = new SummaryCache(
      scanner &&
        ((store, entry) =>
          bigRunFigures(scanner, store, entry, readConfig().pageSize, (outline) => {
            memo(this.firstPages, store, () => new Map()).set(entry.id, { savedAt: entry.savedAt, size: entry.size, outline });
          })),
    );
    this.scanner = scanner;
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
    this.firstPages = new WeakMap();
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

  async showMore(storeKey: string): Promise<void> {
    const state = this.states.get(storeKey);
    if (!state) return;
    const pageSize = readConfig().pageSize;
    const handle = this.stores.get(storeKey);
    const server = this.filter?.server.get(storeKey);
    if (server && handle) {
      // The next keyset page of the search's matches, after the last one loaded.
      if (server.next !== undefined && server.entries.length < state.shown + pageSize) {
        await this.searchPage(handle, this.filter!.text, server, pageSize, this.filterSearches.signal);
      }
    } else if (handle?.pager && state.next !== undefined && !this.filter) {
      // The next keyset page, after the last row loaded (never OFFSET).
      if (state.listing) await state.listing;
      const work = this.loadNextPage(handle, state, pageSize);
      state.listing = work.finally(() => {
        state.listing = undefined;
      });
      await state.listing;
    }
    state.shown += pageSize;
    this.changeEmitter.fire(this.grouped ? this.storeNode(storeKey) : undefined);
  }

  /** The next page of a run's nodes ("Show more…" under a wide run). */
  showMoreNodes(run: RunRef): void {
    const key = `${run.storeKey}\n${run.id}`;
    this.nodesShown.set(key, (this.nodesShown.get(key) ?? readConfig().pageSize) + readConfig().pageSize);
    this.changeEmitter.fire(this.runNode(run));
  }

  private async loadNextPage(handle: StoreHandle, state: StoreState, limit: number): Promise<void> {
    if (!handle.pager || state.next === undefined) return;
    try {
      const page = await handle.pager.page(state.next, limit);
      for (const entry of page.entries) if (entry.figures) this.summaries.prime(handle.key, entry, entry.figures);
      const loaded = state.runs?.toArray() ?? [];
      const seen = new Set(loaded.map((e) => e.id));
      const merged = [...loaded, ...page.entries.filter((e) => !seen.has(e.id)).map((e) => ({ id: e.id, savedAt: e.savedAt, size: e.size }))];
      // A run included out of its page (Go to Run) keeps its place, newest first.
      if (state.included) merged.sort(newestFirst);
      state.runs = new RunList(merged);
      state.next = page.next;
      state.error = undefined;
    } catch (error) {
      state.error = errorMessage(error);
      log().error(`Could not list more runs of ${handle.label}`, error);
    }
  }

  /**
   * A search's first page of matches, found by the store's server (stores whose pager can
   * search). A failure is kept in the answer, to be shown in the group, not thrown. Aborting
   * `signal` stops the search in the server; the answer is then undefined.
   */
  async searchInStore(storeKey: string, text: string, signal?: AbortSignal): Promise<ServerMatches | undefined> {
    const handle = this.stores.get(storeKey);
    if (!handle?.pager?.search) return undefined;
    const matches: ServerMatches = { entries: [] };
    await this.searchPage(handle, text, matches, readConfig().pageSize, signal);
    return signal?.aborted ? undefined : matches;
  }

  /** Adds the next page of a server search to `matches` (or its error; nothing when cancelled). */
  private async searchPage(handle: StoreHandle, text: string, matches: ServerMatches, limit: number, signal?: AbortSignal): Promise<void> {
    if (!handle.pager?.search) return;
    try {
      const after = matches.entries.length > 0 ? matches.next : undefined;
      const page = await handle.pager.search(text, after, Math.min(MAX_PAGE, limit), signal);
      for (const entry of page.entries) if (entry.figures) this.summaries.prime(handle.key, entry, entry.figures);
      const seen = new Set(matches.entries.map((e) => e.id));
      matches.entries.push(...page.entries.filter((e) => !seen.has(e.id)).map((e) => ({ id: e.id, savedAt: e.savedAt, size: e.size })));
      matches.next = page.next;
      matches.error = undefined;
    } catch (error) {
      // Cancelled by the user: not a failure, and the matches stay as they were.
      if (error instanceof OperationCancelledError) return;
      matches.error = errorMessage(error);
      log().error(`Could not search ${handle.label} for ${JSON.stringify(text)}`, error);
    }
  }

  /** Whether the stores searched themselves hold more matches than those loaded. */
  hasMoreServerMatches(): boolean {
    return [...(this.filter?.server.values() ?? [])].some((m) => m.next !== undefined);
  }

  setFilter(text: string | undefined, ids?: Map<string, Set<string>>, server?: Map<string, ServerMatches>): void {
    this.filterSearches.abort();
    this.filterSearches = new AbortController();
    this.filter = text && ids ? { text, ids, server: server ?? new Map() } : undefined;
    for (const state of this.states.values()) state.shown = readConfig().pageSize;
    this.changeEmitter.fire(undefined);
  }

  get activeFilter(): string | undefined {
    return this.filter?.text;
  }

  /**
   * Go to Run: shows rows down to the run (page by page), so it can be revealed and selected.
   * In a paged store (a database), a run found outside the loaded pages becomes one of the
   * loaded rows, in its place among them; "Show more…" goes on from the same cursor (the row
   * is not repeated).
   */
  async includeRun(storeKey: string, entry: PagedEntry): Promise<void> {
    const handle = this.stores.get(storeKey);
    if (!handle) return;
    const state = await this.ensureListed(storeKey);
    if (!state.runs || state.error) return;
    let index = state.runs.indexOf(entry.id);
    const inserted = index < 0;
    // A store listed whole (a folder) has every run in its list already: its page is shown.
    if (inserted && !handle.pager) return;
    if (entry.figures) this.summaries.prime(storeKey, entry, entry.figures);
    if (inserted) {
      const runs = [...state.runs.toArray(), { id: entry.id, savedAt: entry.savedAt, size: entry.size }];
      state.runs = new RunList(runs.sort(newestFirst));
      state.included = true;
      index = state.runs.indexOf(entry.id);
    }
    if (this.filter || (index < state.shown && !inserted)) return;
    const pageSize = readConfig().pageSize;
    state.shown = Math.max(state.shown, Math.ceil((index + 1) / pageSize) * pageSize);
    this.changeEmitter.fire(this.grouped ? this.storeNode(storeKey) : undefined);
  }

  /** Stores shown: those shown even when empty (folder stores), and the others once they hold runs. */
  visibleStores(): StoreHandle[] {
    return this.stores.all().filter((h) => h.presentation.showWhenEmpty || (this.states.get(h.key)?.runs?.length ?? 1) > 0);
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
      count += state.total ?? runs?.length ?? 0;
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
      // A rebuild of the stores (a settings or folder change) clears their states, also while
      // they are being listed: list again rather than answer from cleared states, which would
      // show the store rows (or nothing). A few rounds at most; each rebuild also refreshes.
      // Stores listed in pages (a database) are listed when their group is expanded: a
      // database that is slow or down never delays the folder stores.
      for (let round = 0; round < 3; round++) {
        await Promise.all(this.stores.all().map((h) => (h.pager ? void this.ensureListed(h.key) : this.ensureListed(h.key))));
        if (this.stores.all().every((h) => this.states.has(h.key))) break;
      }
      const visible = this.visibleStores();
      // The only store shown (a database in a window without folders): its rows are the root's.
      if (visible.length === 1) await this.ensureListed(visible[0].key);
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
      case 'store': {
        const state = await this.ensureListed(element.storeKey);
        // VS Code draws the group's row before asking for its children: when the listing
        // changed the count, redraw the row (its children are listed by then: no loop).
        const count = state.total ?? state.runs?.length ?? 0;
        if (state.labelCount !== undefined && state.labelCount !== count) {
          state.labelCount = count;
          const node = this.storeNode(element.storeKey);
          setTimeout(() => this.changeEmitter.fire(node), 0);
        }
        return this.runChildren(element.storeKey);
      }
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
      case 'retry':
        return this.grouped ? this.storeNode(element.storeKey) : undefined;
      case 'node':
      case 'context':
        return this.runNode({ storeKey: element.storeKey, id: element.runId });
    }
  }

  private runChildren(storeKey: string): HistoryNode[] {
    const state = this.states.get(storeKey);
    if (!state) return [];
    const server = this.filter?.server.get(storeKey);
    if (server) return this.serverMatchChildren(storeKey, state, server);
    if (state.error) {
      const message: MessageNode = { kind: 'message', storeKey, text: 'Could not list runs', detail: state.error };
      // Stores that can be down (a database) offer Retry, and retry by themselves with back-off.
      if (!this.stores.get(storeKey)?.pager) return [message];
      const retry: RetryNode = { kind: 'retry', storeKey, nextAttempt: this.retries.get(storeKey)?.due };
      return [message, retry];
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
    const morePages = state.next !== undefined && !this.filter;
    if (positions.length > state.shown || morePages) nodes.push(this.moreNode(storeKey));
    if (this.filter && positions.length === 0 && this.grouped) {
      nodes.push({ kind: 'message', storeKey, text: 'No matching runs' });
    }
    return nodes;
  }

  /** A store that searched itself: its matches, a page at a time, and why a page failed. */
  private serverMatchChildren(storeKey: string, state: StoreState, server: ServerMatches): HistoryNode[] {
    for (const key of [...this.shownEntries.keys()]) if (key.startsWith(`${storeKey}\n`)) this.shownEntries.delete(key);
    const nodes: HistoryNode[] = server.entries.slice(0, state.shown).map((entry) => {
      this.shownEntries.set(`${storeKey}\n${entry.id}`, entry);
      return this.runNode({ storeKey, id: entry.id });
    });
    if (server.error) {
      // The matches loaded so far stay; Retry searches again.
      nodes.push({ kind: 'message', storeKey, text: 'Could not search runs', detail: server.error });
      nodes.push({ kind: 'retry', storeKey, nextAttempt: undefined });
      return nodes;
    }
    if (server.entries.length > state.shown || server.next !== undefined) nodes.push(this.moreNode(storeKey));
    if (server.entries.length === 0 && this.grouped) nodes.push({ kind: 'message', storeKey, text: 'No matching runs' });
    return nodes;
  }

  private async nodeChildren(run: RunNode): Promise<HistoryNode[]> {
    const handle = this.stores.get(run.storeKey);
    if (!handle) return [];
    // A page at a time, like the runs: a run of 20,000 nodes shows its first page.
    const shown = this.nodesShown.get(`${run.storeKey}\n${run.id}`) ?? readConfig().pageSize;
    const outline = (await this.firstPage(handle, run, shown)) ?? (await this.bigRunOutline(handle, run.id, shown)) ?? (await smallRunOutline(handle.store, run.id, shown));
    if (!outline) return [];
    const nodes: HistoryNode[] = outline.nodes.map(
      (n): FlowStepNode => ({ kind: 'node', storeKey: run.storeKey, runId: run.id, nodeId: n.id, status: n.status, preview: n.preview }),
    );
    if (outline.total > shown) nodes.push({ kind: 'more', storeKey: run.storeKey, runId: run.id, remaining: outline.total - shown });
    const context: ContextNode = { kind: 'context', storeKey: run.storeKey, runId: run.id, preview: outline.contextPreview, keys: outline.contextKeys };
    nodes.push(context);
    return nodes;
  }

  /**
   * A big run's first page, as its row's figures scan left it (waiting for that scan if it is
   * under way); undefined when more is shown, or the file changed since.
   */
  private async firstPage(handle: StoreHandle, run: RunNode, shown: number): Promise<RunOutline | undefined> {
    const entry = this.entry(run);
    if (!this.scanner || !entry || entry.size < BIG_RUN_BYTES) return undefined;
    await this.summaries.get(handle.key, handle.store, entry).catch(() => undefined);
    const hit = this.firstPages.get(handle.store)?.get(run.id);
    if (!hit || hit.savedAt !== entry.savedAt || hit.size !== entry.size) return undefined;
    const { outline } = hit;
    if (outline.nodes.length < Math.min(shown, outline.total)) return undefined;
    return { ...outline, nodes: outline.nodes.slice(0, shown) };
  }

  /**
   * A big run's page of nodes, from the scan worker: the host never holds the run or all of
   * its nodes (undefined: not big, or no worker; the run is then read here).
   */
  private async bigRunOutline(handle: StoreHandle, id: string, limit: number): Promise<RunOutline | undefined> {
    if (!this.scanner) return undefined;
    const local = await handle.store.localRun?.(id);
    let source: RunSource;
    if (local?.kind === 'file') {
      if (local.entry.size < BIG_RUN_BYTES) return undefined;
      source = { path: local.path, maxBytes: local.maxBytes };
    } else {
      const entry = this.shownEntries.get(`${handle.key}\n${id}`);
      if (!entry || entry.size < BIG_RUN_BYTES) return undefined;
      const outcome = await handle.store.readRun(id);
      if (outcome.kind !== 'bytes') return undefined;
      source = { bytes: outcome.bytes };
    }
    const result = await this.scanner.outline(source, id, limit);
    return result.ok ? result.outline : undefined;
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
      let runs: RunList;
      if (handle.pager) {
        // As many rows as are shown (the first page, or more after "Show more…"), newest first.
        const limit = Math.min(MAX_PAGE, Math.max(readConfig().pageSize, state.shown));
        const [page, count] = await Promise.all([handle.pager.page(undefined, limit), handle.pager.count()]);
        for (const entry of page.entries) if (entry.figures) this.summaries.prime(handle.key, entry, entry.figures);
        runs = new RunList(page.entries.map((e) => ({ id: e.id, savedAt: e.savedAt, size: e.size })));
        state.next = page.next;
        state.included = undefined;
        // An estimate may lag behind what is loaded.
        state.total = Math.max(count.count, runs.length + (page.next ? 1 : 0));
        // Under a search the store answered, its matches are searched again (runs came or went).
        const filter = this.filter;
        const server = filter?.server.get(storeKey);
        if (filter && server) {
          const again: ServerMatches = { entries: [] };
          await this.searchPage(handle, filter.text, again, Math.min(MAX_PAGE, Math.max(readConfig().pageSize, server.entries.length)), this.filterSearches.signal);
          if (this.filter === filter) filter.server.set(storeKey, again.error ? { ...server, error: again.error } : again);
        }
      } else {
        runs = store.listRuns ? await store.listRuns() : new RunList(await store.listEntries());
      }
      state.runs = runs;
      state.error = undefined;
      this.listedFine(storeKey);
      // Forget the row objects of runs that are gone, so they do not pile up over a long session.
      const kept = [...this.runNodes.values()].filter((node) => node.storeKey === storeKey);
      const present = runs.presentOf(kept.map((node) => node.id));
      for (const node of kept) if (!present.has(node.id)) this.runNodes.delete(`${storeKey}\n${node.id}`);
    } catch (error) {
      state.runs = new RunList([]);
      state.next = undefined;
      state.total = undefined;
      state.error = errorMessage(error);
      log().error(`Could not list runs of ${handle.label}`, error);
      if (handle.pager) this.scheduleRetry(storeKey);
    }
  }

  /** Lists a store again now (the Retry item); automatic retries go on backing off until one works. */
  retry(storeKey: string): void {
    const retry = this.retries.get(storeKey);
    if (retry?.timer) clearTimeout(retry.timer);
    if (retry) {
      retry.timer = undefined;
      retry.due = undefined;
    }
    this.markStale(storeKey);
  }

  private scheduleRetry(storeKey: string): void {
    let retry = this.retries.get(storeKey);
    if (!retry) {
      retry = { delay: FIRST_RETRY_MS };
      this.retries.set(storeKey, retry);
    }
    if (retry.timer) return;
    const state = retry;
    const delay = state.delay;
    state.delay = Math.min(state.delay * 2, MAX_RETRY_MS);
    state.due = Date.now() + delay;
    state.timer = setTimeout(() => {
      state.timer = undefined;
      state.due = undefined;
      if (this.stores.get(storeKey)) this.markStale(storeKey);
      else this.retries.delete(storeKey);
    }, delay);
  }

  /** A listing worked: the back-off starts again from 1 s next time. */
  private listedFine(storeKey: string): void {
    const retry = this.retries.get(storeKey);
    if (!retry) return;
    if (retry.timer) clearTimeout(retry.timer);
    this.retries.delete(storeKey);
  }

  async getTreeItem(element: HistoryNode): Promise<vscode.TreeItem> {
    switch (element.kind) {
      case 'store': {
        const handle = this.stores.get(element.storeKey);
        const state = this.states.get(element.storeKey);
        const count = state?.total ?? state?.runs?.length ?? 0;
        if (state) state.labelCount = count;
        return storeItem(element, handle, count);
      }
      case 'run':
        return this.runItem(element);
      case 'more': {
        if (element.runId !== undefined) return moreItem(element, element.remaining ?? 0);
        const state = this.states.get(element.storeKey);
        const server = this.filter?.server.get(element.storeKey);
        // A search in the server knows how many matches are loaded, not how many there are.
        if (server?.next !== undefined) return moreItem(element, undefined);
        const matching = server ? server.entries.length : this.filter ? (this.filter.ids.get(element.storeKey)?.size ?? 0) : (state?.total ?? state?.runs?.length ?? 0);
        return moreItem(element, Math.max(0, matching - (state?.shown ?? 0)));
      }
      case 'node':
        return flowStepItem(element);
      case 'context':
        return contextItem(element);
      case 'message':
        return messageItem(element);
      case 'retry':
        return retryItem(element, this.stores.get(element.storeKey)?.presentation.label ?? element.storeKey, Date.now());
    }
  }

  private async runItem(element: RunNode): Promise<vscode.TreeItem> {
    const handle = this.stores.get(element.storeKey);
    const entry = this.entry(element);
    if (!handle || !entry) return removedRunItem(element);
    let figures: RunFigures;
    try {
      figures = await this.summaries.get(handle.key, handle.store, entry);
    } catch (error) {
      figures = { kind: 'unreadable', reason: errorMessage(error) };
    }
    return runItem(element, handle, entry, figures);
  }

  dispose(): void {
    this.filterSearches.abort();
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    for (const retry of this.retries.values()) if (retry.timer) clearTimeout(retry.timer);
    this.retries.clear();
    for (const d of this.disposables) d.dispose();
  }
}

/** Newest first, then the greater id first (the keyset order of a paged store). */
function newestFirst(a: ExecutionEntry, b: ExecutionEntry): number {
  return b.savedAt - a.savedAt || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);
}

async function bigRunFigures(scanner: RunScanner, store: ExecutionStore, entry: ExecutionEntry, limit: number, keep: (outline: RunOutline) => void): Promise<RunFigures | undefined> {
  if (entry.size < BIG_RUN_BYTES) return undefined;
  // A local file is read by the worker itself; only the figures come back.
  const local = await store.localRun?.(entry.id);
  let source: RunSource;
  if (local?.kind === 'file') {
    source = { path: local.path, maxBytes: local.maxBytes };
  } else if (local?.kind === 'missing') {
    return { kind: 'missing' };
  } else if (local?.kind === 'unreadable') {
    return { kind: 'unreadable', reason: local.reason };
  } else {
    const outcome = await store.readRun(entry.id);
    if (outcome.kind === 'missing') return { kind: 'missing' };
    if (outcome.kind === 'unreadable') return { kind: 'unreadable', reason: outcome.reason };
    source = { bytes: outcome.bytes };
  }
  const result = await scanner.outline(source, entry.id, limit);
  if (!result.ok) return { kind: 'unreadable', reason: result.reason };
  keep(result.outline);
  return { kind: 'ok', nodeCount: result.outline.nodeCount, executed: result.outline.executed, skipped: result.outline.skipped };
}

/** A small run's page of nodes, read and parsed here. */
async function smallRunOutline(store: ExecutionStore, id: string, limit: number): Promise<RunOutline | undefined> {
  const outcome = await store.inspect(id);
  if (outcome.kind !== 'ok') return undefined;
  const result = outcome.result;
  const outputs = result.outputs;
  // Ids, statuses and types only: no output is serialised just to be measured.
  const summary = buildSummary(result.completedNodes, result.skippedNodes, Object.keys(outputs), Object.keys(result.context).length, (node) => ({ type: outputType(outputs[node]), bytes: 0 }));
  return {
    nodeCount: summary.nodeCount,
    executed: summary.executed.length,
    skipped: summary.skipped.length,
    total: summary.nodes.length,
    nodes: summary.nodes.slice(0, limit).map((n) => ({
      id: n.id,
      status: n.status,
      preview: n.status === 'skipped' ? 'skipped' : n.outputType === 'none' ? 'no output' : previewValue(outputs[n.id], 80),
    })),
    contextPreview: previewValue(result.context, 80),
    contextKeys: summary.contextKeys,
  };
}

function memo<K extends object | string, T>(cache: { get(key: K): T | undefined; set(key: K, value: T): unknown }, key: K, create: () => T): T {
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

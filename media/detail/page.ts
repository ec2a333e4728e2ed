/**
 * The detail page: header, filter, node sections, context; and the banners for runs that
 * are loading, unreadable or deleted. It renders what the host sends and posts back only
 * the messages of the shared protocol.
 */
import { formatBytes, plural } from '../../src/core/format';
import { decodeNodes, HostMessage, NodeTable, NodeView, PanelAction, RunView, WebviewMessage } from '../../src/shared/protocol';
import { button, codicon, displayText, el, flashDone, setTestId } from './dom';
import { outputPath } from './jsonPath';
import { NodeFilterIndex } from './nodeIndex';
import { NodeList } from './nodeList';
import { Query } from './query';
import { Section, SectionHost } from './section';

const utf8 = new TextDecoder();

export interface WebviewApi {
  postMessage(message: WebviewMessage): void;
  getState(): unknown;
  setState(state: unknown): void;
}

/** Node sections open at first: the first few, then small ones up to this many in all. */
const OPEN_FIRST = 3;
const OPEN_SMALL_MAX = 20;
const SMALL_OUTPUT = 2048;
/** A filter opens at most this many matching sections by itself... */
const FILTER_OPEN_MAX = 10;
/** ...and their viewers open at most this many rows by themselves, all together. */
const FILTER_AUTO_ROWS = 1500;
const FILTER_DELAY_MS = 120;
const MAX_FILTER_CHARS = 1000;

/** Runs `work` once the page has painted what it has (or soon, where no frame comes: a hidden page). */
function afterPaint(work: () => void): void {
  let done = false;
  const once = (): void => {
    if (done) return;
    done = true;
    work();
  };
  window.requestAnimationFrame(() => window.setTimeout(once, 0));
  window.setTimeout(once, 250);
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

export class DetailPage {
  private readonly status = el('div', 'status-area');
  private readonly content = el('div', 'content');
  private readonly toast = el('div', 'toast');
  private run: RunView | undefined;
  private nodeSections: Section[] = [];
  /** Nodes of the run still to come (a wide run's `nodes` message), and what waits for them. */
  private pendingNodes = 0;
  private afterNodes: { readonly open: ReadonlySet<string> | undefined; readonly focusNode: string | undefined } | undefined;
  /** Small sections opened at first so far (OPEN_SMALL_MAX in all). */
  private smallOpened = 0;
  private nodeList: NodeList | undefined;
  private filterIndex: NodeFilterIndex | undefined;
  private otherSections: Section[] = [];
  private filterText = '';
  private filterTimer: number | undefined;
  private filterInput: HTMLInputElement | undefined;
  private filterCount: HTMLElement | undefined;
  private toolbarStatus: HTMLElement | undefined;
  private noMatch: HTMLElement | undefined;
  private contextGroup: HTMLElement | undefined;
  private runActions: HTMLButtonElement[] = [];
  private toastTimer: number | undefined;

  constructor(
    private readonly app: HTMLElement,
    private readonly api: WebviewApi,
  ) {
    this.toast.setAttribute('role', 'status');
    setTestId(this.toast, 'toast');
    this.app.replaceChildren(this.status, this.content, this.toast);
    const state = asRecord(api.getState());
    if (typeof state?.filter === 'string') this.filterText = state.filter.slice(0, MAX_FILTER_CHARS);
  }

  start(): void {
    this.api.postMessage({ type: 'ready' });
  }

  handle(message: HostMessage): void {
    switch (message.type) {
      case 'run':
        this.showRun(message.run, message.focusNode);
        break;
      case 'nodes': {
        // After the first screen is painted: it must not wait for 20,000 nodes to be set up.
        const run = this.run;
        if (run?.id === message.id) afterPaint(() => this.run === run && this.addNodes(message.nodes));
        break;
      }
      case 'loading':
        this.showLoading(message.id);
        break;
      case 'unreadable':
        this.showUnreadable(message.id, message.reason, message.location);
        break;
      case 'deleted':
        this.showDeleted(message.id);
        break;
      case 'focusNode':
        this.focusNode(message.nodeId);
        break;
      case 'output': {
        const index = this.nodeSections.findIndex((section) => section.awaits(message.requestId, message.nodeId));
        if (index < 0) break;
        // Stored JSON as UTF-8 bytes (valid: the host validated the run); decoded once here.
        const output = utf8.decode(message.output);
        this.nodeSections[index].provideOutput(output);
        this.filterIndex?.setText(index, this.nodeSections[index].hasText ? output : undefined);
        this.nodeList?.schedule();
        break;
      }
    }
  }

  // ---- states ------------------------------------------------------------------------

  private showRun(run: RunView, focusNode: string | undefined): void {
    const same = this.run?.id === run.id;
    const open = same ? new Set([...this.nodeSections, ...this.otherSections].filter((s) => s.isExpanded).map((s) => `${s.source.kind}:${s.source.key}`)) : undefined;
    const scroll = same ? window.scrollY : 0;
    if (!same) {
      // The saved filter belongs to the run the panel was showing.
      const state = asRecord(this.api.getState());
      if (this.run || (typeof state?.id === 'string' && state.id !== run.id)) this.filterText = '';
    }
    this.run = run;
    this.status.replaceChildren();
    this.content.classList.remove('stale');
    this.content.removeAttribute('aria-disabled');

    const host: SectionHost = { post: (message: WebviewMessage) => this.api.postMessage(message), notify: (text: string) => this.notify(text), runId: run.id };
    this.sectionHost = host;
    this.nodeSections = decodeNodes(run.nodes).map((node) => this.nodeSection(node));
    this.pendingNodes = run.pendingNodes ?? 0;
    this.otherSections = [new Section({ kind: 'context', key: 'context', json: run.context, rootPath: '$.context', bracketTopLevel: true }, host)];
    if (run.extraFields.trim() !== '{}') {
      this.otherSections.push(new Section({ kind: 'other', key: 'other', json: run.extraFields, rootPath: '$', bracketTopLevel: false }, host));
    }

    this.nodeList?.dispose();
    this.nodeList = new NodeList(this.nodeSections);
    this.filterIndex = undefined; // built when the page is idle, or by the first filter
    this.noMatch = el('div', 'empty-state');
    setTestId(this.noMatch, 'no-match');
    this.noMatch.hidden = true;
    this.contextGroup = el('div', 'section-group');
    this.contextGroup.append(groupTitle('Context'), ...this.otherSections.map((s) => s.element));
    const nodesGroup = el('div', 'section-group');
    nodesGroup.append(groupTitle('Nodes'), this.nodeList.element, this.noMatch);
    if (this.nodeSections.length === 0) nodesGroup.append(el('p', 'section-note', 'This run has no nodes.'));
    this.content.replaceChildren(this.renderHeader(run), this.renderToolbar(), nodesGroup, this.contextGroup);

    // Viewers are built with the filter from the start, not rebuilt for it.
    const query = this.query();
    for (const section of [...this.nodeSections, ...this.otherSections]) section.setQuery(query);
    this.smallOpened = 0;
    this.nodeSections.forEach((section, index) => section.setExpanded(this.opensAtFirst(section, index, open, query)));
    for (const section of this.otherSections) {
      const key = `${section.source.kind}:${section.source.key}`;
      section.setExpanded(open ? open.has(key) : !query && (section.source.json ?? '').length < SMALL_OUTPUT);
    }
    this.applyFilter(!same);
    this.saveState();
    // A node among those still to come is focused when they are here.
    const later = focusNode !== undefined && this.pendingNodes > 0 && !this.nodeSections.some((s) => s.source.key === focusNode);
    this.afterNodes = this.pendingNodes > 0 ? { open, focusNode: later ? focusNode : undefined } : undefined;
    if (focusNode !== undefined && !later) this.focusNode(focusNode);
    else window.scrollTo(0, scroll);
    // Once painted: the host sends a wide run's other nodes then, not while this screen is drawn.
    const rows = document.querySelectorAll('[data-testid="json-row"]').length;
    afterPaint(() => this.api.postMessage({ type: 'rendered', id: run.id, rows }));
    // The filter's index, once the first screen is up: the first keystroke need not build it.
    const sections = this.nodeSections;
    window.requestIdleCallback(() => {
      if (this.nodeSections === sections) this.buildFilterIndex();
    }, { timeout: 3000 });
  }

  /**
   * The rest of a wide run's nodes, after the first screen: added to the list in order, opened
   * by the same rules, under the filter typed meanwhile; a node focused before they came is
   * focused now.
   */
  private addNodes(table: NodeTable): void {
    if (this.pendingNodes === 0 || !this.nodeList) return;
    const query = this.query();
    const { open, focusNode } = this.afterNodes ?? { open: undefined, focusNode: undefined };
    for (const node of decodeNodes(table)) {
      const section = this.nodeSection(node);
      section.setQuery(query);
      section.setExpanded(this.opensAtFirst(section, this.nodeSections.length, open, query));
      this.nodeSections.push(section);
    }
    this.pendingNodes = 0;
    this.afterNodes = undefined;
    this.nodeList.grow();
    this.filterIndex = undefined;
    this.applyFilter(false);
    if (focusNode !== undefined) this.focusNode(focusNode);
    const sections = this.nodeSections;
    window.requestIdleCallback(() => {
      if (this.nodeSections === sections) this.buildFilterIndex();
    }, { timeout: 3000 });
  }

  /** What the sections of the run shown talk to (set for each run). */
  private sectionHost: SectionHost = { post: (message: WebviewMessage) => this.api.postMessage(message), notify: (text: string) => this.notify(text) };

  private nodeSection(node: NodeView): Section {
    return new Section({ kind: 'node', key: node.id, json: node.output, rootPath: outputPath(node.id), bracketTopLevel: false, node }, this.sectionHost);
  }

  /** Open sections: as before for a refresh; none under a filter; else the first few and the small ones. */
  private opensAtFirst(section: Section, index: number, open: ReadonlySet<string> | undefined, query: Query | undefined): boolean {
    const node = section.source.node;
    if (open) return open.has(`node:${section.source.key}`);
    if (query || node?.deferred) return false; // big outputs open on request only
    if (index < OPEN_FIRST) return true;
    return node !== undefined && node.outputBytes < SMALL_OUTPUT && this.smallOpened++ < OPEN_SMALL_MAX - OPEN_FIRST;
  }

  private buildFilterIndex(): NodeFilterIndex {
    this.filterIndex ??= new NodeFilterIndex(this.nodeSections.map((section) => ({ id: section.source.key, text: section.hasText ? section.text : undefined })));
    return this.filterIndex;
  }

  private showLoading(id: string): void {
    const line = el('div', 'progress');
    setTestId(line, 'progress');
    line.setAttribute('role', 'progressbar');
    line.setAttribute('aria-label', 'Loading run');
    const bar = el('div', 'progress-bar');
    const text = el('div', 'progress-text');
    text.append(codicon('loading', 'codicon-modifier-spin'), el('span', undefined, this.run?.id === id ? 'Refreshing…' : 'Loading run '));
    if (this.run?.id !== id) {
      text.append(el('span', 'mono', displayText(id)), el('span', undefined, '…'));
      this.clearRun();
    }
    line.append(bar, text);
    this.status.replaceChildren(line);
  }

  private showUnreadable(id: string, reason: string, location: string | undefined): void {
    this.clearRun();
    const details: HTMLElement[] = [el('p', 'banner-reason', displayText(reason))];
    const idLine = el('p', 'banner-meta');
    idLine.append(el('span', 'banner-label', 'Execution'), el('span', 'mono', displayText(id)));
    details.push(idLine);
    if (location !== undefined) {
      const where = el('p', 'banner-meta');
      where.append(el('span', 'banner-label', 'File'), el('span', 'mono location-text', displayText(location)));
      details.push(where);
    }
    const actions = el('div', 'banner-actions');
    actions.append(
      this.actionButton('openRaw', id, 'go-to-file', 'Open Raw', 'Open the raw file', 'action-open-raw'),
      this.actionButton('delete', id, 'trash', 'Delete', 'Delete this run from the store', 'action-delete'),
    );
    this.status.replaceChildren(banner('warning', 'This run file is unreadable', details, actions));
  }

  private showDeleted(id: string): void {
    const showing = this.run?.id === id;
    const text = showing
      ? 'What you see is the last version read. It can no longer be exported or opened.'
      : `Execution ${displayText(id)} no longer exists.`;
    const notice = banner('info', 'This run was deleted from the store', [el('p', 'banner-reason', text)]);
    if (!showing || !this.toolbarStatus) {
      this.clearRun();
      this.status.replaceChildren(notice);
      return;
    }
    this.status.replaceChildren();
    this.toolbarStatus.replaceChildren(notice);
    this.content.classList.add('stale');
    this.content.setAttribute('aria-disabled', 'true');
    for (const action of this.runActions) action.disabled = true;
  }

  private clearRun(): void {
    this.run = undefined;
    this.nodeList?.dispose();
    this.nodeList = undefined;
    this.filterIndex = undefined;
    this.nodeSections = [];
    this.pendingNodes = 0;
    this.afterNodes = undefined;
    this.otherSections = [];
    this.runActions = [];
    this.toolbarStatus = undefined;
    this.content.replaceChildren();
  }

  // ---- header and toolbar ------------------------------------------------------------

  private renderHeader(run: RunView): HTMLElement {
    const header = el('header', 'run-header');
    const top = el('div', 'header-top');
    const titles = el('div', 'header-titles');
    const eyebrow = el('div', 'eyebrow');
    eyebrow.append(codicon('history'), el('span', undefined, 'Flow run'));
    if (run.storeLabel) eyebrow.append(el('span', 'store-label', displayText(run.storeLabel)));
    const idLine = el('div', 'id-line');
    const idText = el('h1', 'run-id', displayText(run.id));
    setTestId(idText, 'run-id');
    const copyId: HTMLButtonElement = button({
      icon: 'copy',
      label: 'Copy execution id',
      testId: 'action-copy-id',
      onClick: () => {
        this.api.postMessage({ type: 'action', action: 'copyId', id: run.id });
        flashDone(copyId);
      },
    });
    idLine.append(idText, copyId);
    titles.append(eyebrow, idLine);

    const actions = el('div', 'header-actions');
    this.runActions = [
      this.actionButton('export', run.id, 'export', 'Export', 'Export this run as JSON', 'action-export'),
      this.actionButton('openRaw', run.id, 'go-to-file', 'Open Raw', 'Open the raw JSON file', 'action-open-raw'),
      this.actionButton('delete', run.id, 'trash', 'Delete', 'Delete this run from the store', 'action-delete'),
    ];
    actions.append(...this.runActions);
    top.append(titles, actions);

    const meta = el('div', 'meta-line');
    meta.append(metaItem('calendar', `Saved ${displayText(run.savedAtText)}`), metaItem('database', formatBytes(run.size)));
    if (run.location !== undefined) {
      const location = el('button', 'location-button');
      location.type = 'button';
      setTestId(location, 'location');
      location.title = `Open ${displayText(run.location)}`;
      location.setAttribute('aria-label', `Open the raw file ${displayText(run.location)}`);
      location.append(codicon('file-code'), el('span', 'location-text', displayText(run.location)));
      location.addEventListener('click', () => this.api.postMessage({ type: 'action', action: 'openRaw', id: run.id }));
      meta.append(location);
      this.runActions.push(location);
    }

    const counts = el('div', 'counts-line');
    setTestId(counts, 'counts');
    counts.append(
      count(plural(run.nodeCount, 'node')),
      count(`${run.executedCount} executed`, 'pass', 'status-executed'),
      count(`${run.skippedCount} skipped`, 'debug-step-over', 'status-skipped'),
      count(`${formatBytes(run.outputBytes)} of output`),
    );
    header.append(top, meta, counts);
    return header;
  }

  private actionButton(action: PanelAction, id: string, icon: string, text: string, label: string, testId: string): HTMLButtonElement {
    return button({ icon, text, label, testId, onClick: () => this.api.postMessage({ type: 'action', action, id }) });
  }

  private renderToolbar(): HTMLElement {
    const toolbar = el('div', 'toolbar');
    // Banners about the run shown (deleted) live in the sticky bar, visible at any scroll.
    this.toolbarStatus = el('div', 'toolbar-status');
    const row = el('div', 'toolbar-row');
    const box = el('div', 'filter-box');
    const input = el('input', 'filter-input');
    input.type = 'search';
    input.placeholder = 'Filter nodes, keys and values';
    input.setAttribute('aria-label', 'Filter nodes, keys and values');
    input.maxLength = MAX_FILTER_CHARS;
    input.spellcheck = false;
    input.autocomplete = 'off';
    input.value = this.filterText;
    setTestId(input, 'filter');
    input.addEventListener('input', () => {
      window.clearTimeout(this.filterTimer);
      this.filterTimer = window.setTimeout(() => this.setFilter(input.value), FILTER_DELAY_MS);
    });
    input.addEventListener('keydown', (event) => {
      if (event.key === 'Escape' && input.value !== '') {
        event.preventDefault();
        input.value = '';
        this.setFilter('');
      } else if (event.key === 'Enter') {
        this.setFilter(input.value);
      }
    });
    box.append(codicon('filter', 'filter-icon'), input);
    this.filterInput = input;
    this.filterCount = el('span', 'filter-count');
    setTestId(this.filterCount, 'filter-count');
    this.filterCount.setAttribute('aria-live', 'polite');
    row.append(box, this.filterCount);
    toolbar.append(this.toolbarStatus, row);
    return toolbar;
  }

  // ---- filter ------------------------------------------------------------------------

  private setFilter(text: string): void {
    window.clearTimeout(this.filterTimer);
    this.filterTimer = undefined;
    const value = text.slice(0, MAX_FILTER_CHARS);
    if (this.filterInput && this.filterInput.value !== value) this.filterInput.value = value;
    if (value === this.filterText) return;
    this.filterText = value;
    this.applyFilter(true);
    this.saveState();
  }

  private query(): Query | undefined {
    const text = this.filterText.trim();
    return text ? new Query(text) : undefined;
  }

  private applyFilter(openMatches: boolean): void {
    const text = this.filterText.trim();
    const query = this.query();
    const sections = [...this.nodeSections, ...this.otherSections];
    const budget = { rows: FILTER_AUTO_ROWS };
    for (const section of sections) section.shareBudget(query ? budget : undefined);
    // Over the precomputed index: most filters need no output parsed, and only the sections
    // on screen are (re)built, by the node list.
    const matching = this.matchingNodes(query);
    for (const section of this.nodeSections) section.setQuery(query);
    if (query && openMatches) for (const index of matching.slice(0, FILTER_OPEN_MAX)) this.nodeSections[index].setExpanded(true);
    this.nodeList?.setOrder(matching);
    const shown = matching.length;
    let contextShown = 0;
    for (const section of this.otherSections) {
      const visible = section.matches(query);
      section.element.hidden = !visible;
      section.setQuery(query);
      if (visible) contextShown++;
      if (visible && query && openMatches) section.setExpanded(true);
    }
    for (const section of sections) section.shareBudget(undefined);
    if (this.contextGroup) this.contextGroup.hidden = contextShown === 0;
    const total = this.nodeSections.length + this.pendingNodes;
    const loading = this.pendingNodes > 0 ? ` (${plural(this.pendingNodes, 'node')} loading)` : '';
    if (this.filterCount) this.filterCount.textContent = `${query ? `${shown} of ` : ''}${plural(total, 'node')}${loading}`;
    if (this.noMatch) {
      this.noMatch.hidden = !query || shown > 0 || total === 0;
      if (query && shown === 0) {
        const clear = button({ icon: 'clear-all', text: 'Clear filter', label: 'Clear the filter', onClick: () => this.setFilter('') });
        const message = el('span', 'empty-text', `No node matches “${displayText(text.length > 80 ? `${text.slice(0, 80)}…` : text)}”`);
        this.noMatch.replaceChildren(codicon('search-stop', 'empty-icon'), message, clear);
      }
    }
  }

  /** Node indices under the filter, in order. */
  private matchingNodes(query: Query | undefined): number[] {
    if (!query) return this.nodeSections.map((_, index) => index);
    return this.buildFilterIndex().filter(query, (index) => this.nodeSections[index].matches(query));
  }

  private saveState(): void {
    if (!this.run) return;
    // Keep every field already there; the run says its store, so the panel can be restored.
    const previous = asRecord(this.api.getState()) ?? {};
    this.api.setState({ ...previous, storeKey: this.run.storeKey, id: this.run.id, filter: this.filterText });
  }

  // ---- focus -------------------------------------------------------------------------

  /** Scrolls to a node's section (or, for `$context` when no node has that id, the context). */
  private focusNode(nodeId: string): void {
    const index = this.nodeSections.findIndex((s) => s.source.key === nodeId);
    let section: Section | undefined;
    if (index >= 0 && this.nodeList) {
      if (this.nodeList.reveal(index, 'start') === undefined) this.setFilter(''); // hidden by the filter
      this.nodeSections[index].setExpanded(true);
      section = this.nodeList.reveal(index, 'start');
    } else if (nodeId === '$context') {
      section = this.otherSections.find((s) => s.source.kind === 'context');
      if (!section) return;
      if (this.contextGroup?.hidden) this.setFilter('');
      section.setExpanded(true);
      section.element.scrollIntoView({ block: 'start' });
    }
    if (!section) return;
    section.focusHeader();
    section.element.classList.remove('flash');
    void section.element.offsetWidth; // restart the highlight animation
    section.element.classList.add('flash');
  }

  private notify(text: string): void {
    this.toast.textContent = text;
    this.toast.classList.add('visible');
    window.clearTimeout(this.toastTimer);
    this.toastTimer = window.setTimeout(() => this.toast.classList.remove('visible'), 4000);
  }
}

function groupTitle(text: string): HTMLElement {
  return el('h2', 'group-title', text);
}

function metaItem(icon: string, text: string): HTMLElement {
  const item = el('span', 'meta-item');
  item.append(codicon(icon), el('span', undefined, text));
  return item;
}

function count(text: string, icon?: string, className?: string): HTMLElement {
  const item = el('span', className ? `count-item ${className}` : 'count-item');
  if (icon) item.append(codicon(icon));
  item.append(el('span', undefined, text));
  return item;
}

function banner(kind: 'warning' | 'info', title: string, details: HTMLElement[], actions?: HTMLElement): HTMLElement {
  const box = el('div', `banner banner-${kind}`);
  setTestId(box, 'banner');
  box.setAttribute('data-kind', kind);
  box.setAttribute('role', kind === 'warning' ? 'alert' : 'status');
  const body = el('div', 'banner-body');
  body.append(el('strong', 'banner-title', title), ...details);
  if (actions) body.append(actions);
  box.append(codicon(kind, 'banner-icon'), body);
  return box;
}

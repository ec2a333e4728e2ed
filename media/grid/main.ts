/**
 * The Run Grid's page (bundled to dist/webview/grid.js): runs as columns, nodes as rows,
 * drawn as a window of the DOM (never more than MAX_WINDOW_CELLS cells) under one
 * role="grid" with row and column indexes, a roving tab stop and arrow-key moves. Data
 * only by postMessage; every stored string is set as text, never parsed as HTML.
 */
import { bucketLabel, buildGrid, CellStatus, cellLabel, GridModel, gridWindow, MAX_WINDOW_CELLS, timeBuckets, visibleRows } from '../../src/core/gridModel';
import { formatRelativeTime, formatTimestamp } from '../../src/core/format';
import { GridHostMessage, GridPageMessage, parseGridHostMessage } from '../../src/shared/gridProtocol';

interface WebviewApi {
  postMessage(message: GridPageMessage): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): WebviewApi;

const LABEL_WIDTH = 220;
const CELL = { width: 28, height: 24 };
const HEADER_HEIGHT = 84;
const STRIP_HEIGHT = 40;
const PREVIEW_DELAY_MS = 250;

const ICONS: Record<CellStatus, string> = { executed: 'pass-filled', skipped: 'debug-step-over', absent: 'dash', unreadable: 'warning' };
const LEGEND: readonly [CellStatus, string][] = [
  ['executed', 'executed'],
  ['skipped', 'skipped'],
  ['absent', 'not in this run'],
  ['unreadable', 'run unreadable'],
];

function el<K extends keyof HTMLElementTagNameMap>(tag: K, className?: string, text?: string): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  if (className) element.className = className;
  if (text !== undefined) element.textContent = text;
  return element;
}

function icon(name: string): HTMLElement {
  const span = el('span', `codicon codicon-${name}`);
  span.setAttribute('aria-hidden', 'true');
  return span;
}

class GridPage {
  private model: GridModel = buildGrid([]);
  private rows: number[] = [];
  private now = Date.now();
  private storeLabel = '';
  private total = 0;
  private more = false;
  private filter = '';
  private onlyDiffering = false;
  /** The active cell: a position in `rows` (-1 = the header row) and a column (-1 = the node names). */
  private active = { row: 0, column: 0 };
  private readonly selected = new Set<string>();
  private nextRequest = 1;
  private readonly previews = new Map<number, (text: string) => void>();
  private hoverTimer: number | undefined;
  private rendering = false;
  private frame = 0;

  private readonly title = el('h1', 'title', 'Run Grid');
  private readonly counts = el('p', 'counts');
  private readonly filterBox = el('input', 'filter');
  private readonly differing = el('input');
  private readonly strip = el('div', 'strip');
  private readonly stripCaption = el('p', 'strip-caption');
  private readonly viewport = el('div', 'viewport');
  private readonly grid = el('div', 'grid');
  private readonly status = el('div', 'status');
  private readonly moreButton = el('button', 'text-button more', 'Load more runs');
  private readonly tooltip = el('div', 'tooltip');

  constructor(
    root: HTMLElement,
    private readonly vscode: WebviewApi,
  ) {
    const saved = vscode.getState() as { filter?: unknown; onlyDiffering?: unknown } | undefined;
    if (typeof saved?.filter === 'string') this.filter = saved.filter.slice(0, 1000);
    this.onlyDiffering = saved?.onlyDiffering === true;

    const header = el('header', 'header');
    header.append(this.title, this.counts);

    const toolbar = el('div', 'toolbar');
    toolbar.setAttribute('role', 'toolbar');
    toolbar.setAttribute('aria-label', 'Grid filters');
    this.filterBox.type = 'search';
    this.filterBox.placeholder = 'Filter nodes';
    this.filterBox.setAttribute('aria-label', 'Filter nodes by id');
    this.filterBox.value = this.filter;
    this.filterBox.dataset.testid = 'grid-filter';
    this.filterBox.addEventListener('input', () => {
      this.filter = this.filterBox.value;
      this.refilter();
    });
    const toggle = el('label', 'toggle');
    this.differing.type = 'checkbox';
    this.differing.checked = this.onlyDiffering;
    this.differing.dataset.testid = 'grid-differing';
    this.differing.addEventListener('change', () => {
      this.onlyDiffering = this.differing.checked;
      this.refilter();
    });
    toggle.append(this.differing, document.createTextNode(' Only nodes that differ'));
    const legend = el('ul', 'legend');
    legend.setAttribute('aria-label', 'Legend');
    for (const [status, text] of LEGEND) {
      const item = el('li');
      const swatch = el('span', `swatch cell-${status}`);
      swatch.append(icon(ICONS[status]));
      item.append(swatch, document.createTextNode(` ${text}`));
      legend.append(item);
    }
    toolbar.append(this.filterBox, toggle, legend);

    this.strip.setAttribute('role', 'group');
    this.strip.setAttribute('aria-label', 'Runs over time');
    this.strip.dataset.testid = 'grid-strip';

    this.grid.setAttribute('role', 'grid');
    this.grid.setAttribute('aria-label', 'Runs by node');
    this.grid.dataset.testid = 'run-grid';
    this.viewport.append(this.grid);
    this.viewport.addEventListener('scroll', () => this.schedule());
    window.addEventListener('resize', () => this.schedule());
    this.grid.addEventListener('keydown', (event) => this.onKey(event));
    this.grid.addEventListener('click', (event) => this.onClick(event));
    this.grid.addEventListener('mouseover', (event) => this.onHover(event));
    this.grid.addEventListener('mouseleave', () => this.hideTooltip());
    this.grid.addEventListener('focusin', (event) => {
      if (this.rendering) return;
      const target = (event.target as HTMLElement).closest<HTMLElement>('[data-row]');
      if (!target) return;
      // Only the tab stop moves: redrawing here would replace the element under a click
      // between its mousedown and mouseup, and the click would be lost.
      const previous = this.activeElement();
      if (previous && previous !== target) previous.tabIndex = -1;
      target.tabIndex = 0;
      this.active = { row: Number(target.dataset.row), column: Number(target.dataset.column) };
      this.describeActive();
    });

    this.status.setAttribute('role', 'status');
    this.status.setAttribute('aria-live', 'polite');
    this.status.dataset.testid = 'grid-status';
    this.moreButton.type = 'button';
    this.moreButton.hidden = true;
    this.moreButton.addEventListener('click', () => this.vscode.postMessage({ type: 'loadMore' }));
    this.tooltip.setAttribute('role', 'tooltip');
    this.tooltip.hidden = true;
    this.tooltip.dataset.testid = 'grid-tooltip';

    root.append(header, toolbar, this.strip, this.stripCaption, this.viewport, this.status, this.moreButton, this.tooltip);
  }

  start(): void {
    this.vscode.postMessage({ type: 'ready' });
  }

  handle(message: GridHostMessage): void {
    if (message.type === 'preview') {
      this.previews.get(message.requestId)?.(message.text);
      this.previews.delete(message.requestId);
      return;
    }
    const activeRun = this.model.runs[this.active.column]?.id;
    const activeNode = this.model.nodes[this.rows[this.active.row]];
    this.model = buildGrid(message.runs);
    this.now = message.now;
    this.storeLabel = message.storeLabel;
    this.total = message.total;
    this.more = message.more === true;
    for (const id of [...this.selected]) if (!this.model.runs.some((r) => r.id === id)) this.selected.delete(id);
    this.rows = visibleRows(this.model, this.filter, this.onlyDiffering);
    // Keep the active cell on the same run and node when they are still shown.
    const column = activeRun === undefined ? -1 : this.model.runs.findIndex((r) => r.id === activeRun);
    const row = activeNode === undefined ? -1 : this.rows.findIndex((r) => this.model.nodes[r] === activeNode);
    this.active = { row: this.active.row === -1 ? -1 : row >= 0 ? row : Math.min(this.active.row, this.rows.length - 1), column: this.active.column === -1 ? -1 : column >= 0 ? column : 0 };
    this.drawChrome();
    this.drawStrip();
    this.render();
    this.reportRendered();
  }

  private refilter(): void {
    this.vscode.setState({ filter: this.filter, onlyDiffering: this.onlyDiffering });
    this.rows = visibleRows(this.model, this.filter, this.onlyDiffering);
    this.active = { row: Math.min(this.active.row, this.rows.length - 1), column: this.active.column };
    this.drawChrome();
    this.render();
    this.reportRendered();
  }

  private drawChrome(): void {
    this.title.textContent = `Run Grid: ${this.storeLabel}`;
    const runs = this.model.runs.length;
    const nodes = this.model.nodes.length;
    const shownNodes = this.rows.length === nodes ? `${nodes} node${nodes === 1 ? '' : 's'}` : `${this.rows.length} of ${nodes} nodes`;
    this.counts.textContent = runs === 0 ? 'No runs yet.' : `${runs === this.total ? `${runs}` : `Newest ${runs} of ${this.total}`} run${this.total === 1 ? '' : 's'} · ${shownNodes}`;
    this.moreButton.hidden = !this.more;
    this.grid.setAttribute('aria-rowcount', String(this.rows.length + 1));
    this.grid.setAttribute('aria-colcount', String(runs + 1));
  }

  private drawStrip(): void {
    this.strip.replaceChildren();
    const buckets = timeBuckets(this.model);
    const max = Math.max(1, ...buckets.map((b) => b.allExecuted + b.someSkipped + b.unreadable));
    this.stripCaption.textContent =
      buckets.length === 0 ? '' : `Runs per ${buckets[0].unit}, ${bucketLabel(buckets[0])} to ${bucketLabel(buckets[buckets.length - 1])}: green all executed, striped some skipped, red unreadable. A bar jumps to its newest run.`;
    for (const bucket of buckets) {
      const runs = bucket.allExecuted + bucket.someSkipped + bucket.unreadable;
      const label = bucketLabel(bucket);
      if (runs === 0) {
        const gap = el('span', 'bar empty');
        gap.title = `${label}: no runs`;
        gap.setAttribute('aria-hidden', 'true');
        this.strip.append(gap);
        continue;
      }
      const bar = el('button', 'bar');
      bar.type = 'button';
      const parts = [`${bucket.allExecuted} all executed`, `${bucket.someSkipped} some skipped`, ...(bucket.unreadable ? [`${bucket.unreadable} unreadable`] : [])];
      bar.setAttribute('aria-label', `${label}: ${runs} run${runs === 1 ? '' : 's'}, ${parts.join(', ')}`);
      bar.title = bar.getAttribute('aria-label')!;
      bar.dataset.column = String(bucket.firstColumn);
      for (const [count, kind] of [
        [bucket.unreadable, 'unreadable'],
        [bucket.someSkipped, 'skipped'],
        [bucket.allExecuted, 'executed'],
      ] as const) {
        if (count === 0) continue;
        const segment = el('span', `segment segment-${kind}`);
        segment.style.height = `${Math.max(2, Math.round((count / max) * STRIP_HEIGHT))}px`;
        bar.append(segment);
      }
      bar.addEventListener('click', () => {
        this.setActive(this.active.row, bucket.firstColumn, true);
      });
      this.strip.append(bar);
    }
  }

  private schedule(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.render();
    });
  }

  /** Draws the rows and columns in view (plus a little) and the active cell. */
  private render(): void {
    const columns = this.model.runs.length;
    const width = LABEL_WIDTH + columns * CELL.width;
    const height = HEADER_HEIGHT + this.rows.length * CELL.height;
    this.grid.style.width = `${width}px`;
    this.grid.style.height = `${height}px`;
    const view = {
      scrollTop: this.viewport.scrollTop,
      scrollLeft: this.viewport.scrollLeft,
      height: Math.max(CELL.height, this.viewport.clientHeight - HEADER_HEIGHT),
      width: Math.max(CELL.width, this.viewport.clientWidth - LABEL_WIDTH),
    };
    // The active cell is drawn even when scrolled away (it keeps the focus): one more row
    // and column at most, so the window leaves room for them within MAX_WINDOW_CELLS.
    let budget = MAX_WINDOW_CELLS;
    let win = gridWindow(view, CELL, { rows: this.rows.length, columns }, 4, budget);
    while ((win.rowEnd - win.rowStart + 1) * (win.columnEnd - win.columnStart + 1) > MAX_WINDOW_CELLS && budget > 1) {
      budget = Math.max(1, budget - (win.rowEnd - win.rowStart) - (win.columnEnd - win.columnStart) - 1);
      win = gridWindow(view, CELL, { rows: this.rows.length, columns }, 4, budget);
    }
    const hadFocus = this.grid.contains(document.activeElement);
    this.rendering = true;
    const rowsShown = new Set<number>();
    for (let r = win.rowStart; r < win.rowEnd; r++) rowsShown.add(r);
    if (this.active.row >= 0 && this.active.row < this.rows.length) rowsShown.add(this.active.row);
    const columnsShown: number[] = [];
    for (let c = win.columnStart; c < win.columnEnd; c++) columnsShown.push(c);
    if (this.active.column >= 0 && this.active.column < columns && (this.active.column < win.columnStart || this.active.column >= win.columnEnd)) columnsShown.push(this.active.column);

    const fragment = document.createDocumentFragment();
    // The header row: pinned to the top of the viewport.
    const head = el('div', 'row header-row');
    head.setAttribute('role', 'row');
    head.setAttribute('aria-rowindex', '1');
    head.style.top = `${view.scrollTop}px`;
    head.style.width = `${width}px`;
    const corner = el('div', 'rowheader corner', 'Node \\ Run');
    corner.setAttribute('role', 'columnheader');
    corner.setAttribute('aria-colindex', '1');
    corner.style.left = `${view.scrollLeft}px`;
    this.cellAttrs(corner, -1, -1);
    head.append(corner);
    for (const c of columnsShown) head.append(this.columnHeader(c));
    fragment.append(head);

    for (const r of [...rowsShown].sort((a, b) => a - b)) {
      const nodeId = this.model.nodes[this.rows[r]];
      const row = el('div', 'row');
      row.setAttribute('role', 'row');
      row.setAttribute('aria-rowindex', String(r + 2));
      row.style.top = `${HEADER_HEIGHT + r * CELL.height}px`;
      row.style.width = `${width}px`;
      const name = el('div', 'rowheader', nodeId);
      name.setAttribute('role', 'rowheader');
      name.setAttribute('aria-description', 'Enter shows the node\'s history across runs');
      name.setAttribute('aria-colindex', '1');
      name.title = `${nodeId}\nClick or Enter: show the node's history across runs`;
      name.style.left = `${view.scrollLeft}px`;
      this.cellAttrs(name, r, -1);
      row.append(name);
      for (const c of columnsShown) {
        const run = this.model.runs[c];
        const status = this.model.status(this.rows[r], c);
        const cell = el('div', `cell cell-${status}`);
        cell.setAttribute('role', 'gridcell');
        cell.setAttribute('aria-colindex', String(c + 2));
        cell.setAttribute('aria-label', cellLabel(nodeId, run, formatRelativeTime(run.savedAt, this.now), status));
        cell.dataset.status = status;
        cell.dataset.run = run.id;
        cell.dataset.node = nodeId;
        cell.style.left = `${LABEL_WIDTH + c * CELL.width}px`;
        cell.append(icon(ICONS[status]));
        this.cellAttrs(cell, r, c);
        row.append(cell);
      }
      fragment.append(row);
    }
    this.grid.replaceChildren(fragment);
    if (hadFocus) this.activeElement()?.focus({ preventScroll: true });
    this.rendering = false;
  }

  private columnHeader(c: number): HTMLElement {
    const run = this.model.runs[c];
    const when = formatRelativeTime(run.savedAt, this.now);
    const header = el('div', `colheader${run.unreadable !== undefined ? ' unreadable' : ''}${this.selected.has(run.id) ? ' selected' : ''}`);
    header.setAttribute('role', 'columnheader');
    header.setAttribute('aria-colindex', String(c + 2));
    header.setAttribute('aria-selected', String(this.selected.has(run.id)));
    const label = `Run ${run.id.slice(0, 8)}, ${when}${run.unreadable !== undefined ? `, unreadable: ${run.unreadable}` : ''}`;
    header.setAttribute('aria-label', label);
    header.title = `${run.id}\n${formatTimestamp(run.savedAt)} (${when})${run.unreadable !== undefined ? `\nUnreadable: ${run.unreadable}` : ''}\nClick: open the run · Ctrl/Cmd-click two runs: compare them`;
    header.dataset.run = run.id;
    header.style.left = `${LABEL_WIDTH + c * CELL.width}px`;
    if (run.unreadable !== undefined) header.append(icon('warning'));
    header.append(el('span', 'colheader-text', run.id.slice(0, 8)));
    this.cellAttrs(header, -1, c);
    return header;
  }

  private cellAttrs(element: HTMLElement, row: number, column: number): void {
    element.dataset.row = String(row);
    element.dataset.column = String(column);
    element.tabIndex = row === this.active.row && column === this.active.column ? 0 : -1;
  }

  private activeElement(): HTMLElement | null {
    return this.grid.querySelector<HTMLElement>(`[data-row="${this.active.row}"][data-column="${this.active.column}"]`);
  }

  /** Moves the active cell, scrolls it into view, redraws and (when asked) focuses it. */
  private setActive(row: number, column: number, focus: boolean): void {
    const rows = this.rows.length;
    const columns = this.model.runs.length;
    this.active = { row: Math.max(-1, Math.min(rows - 1, row)), column: Math.max(-1, Math.min(columns - 1, column)) };
    // Scroll so the cell is inside the body area (not under the pinned header or names).
    const v = this.viewport;
    if (this.active.row >= 0) {
      const top = this.active.row * CELL.height;
      const bodyHeight = v.clientHeight - HEADER_HEIGHT;
      if (top < v.scrollTop) v.scrollTop = top;
      else if (top + CELL.height > v.scrollTop + bodyHeight) v.scrollTop = top + CELL.height - bodyHeight;
    }
    if (this.active.column >= 0) {
      const left = this.active.column * CELL.width;
      const bodyWidth = v.clientWidth - LABEL_WIDTH;
      if (left < v.scrollLeft) v.scrollLeft = left;
      else if (left + CELL.width > v.scrollLeft + bodyWidth) v.scrollLeft = left + CELL.width - bodyWidth;
    }
    this.render();
    if (focus) this.activeElement()?.focus({ preventScroll: true });
    this.describeActive();
  }

  /** The status line: what the active cell is, and its output's preview when it has one. */
  private describeActive(): void {
    const { row, column } = this.active;
    const run = this.model.runs[column];
    const nodeId = this.model.nodes[this.rows[row]];
    if (column < 0 && nodeId !== undefined) {
      this.status.textContent = `Node ${nodeId}. Enter shows its history across runs.`;
      return;
    }
    if (row < 0 || column < 0 || !run || nodeId === undefined) {
      this.status.textContent = run && row < 0 ? `Run ${run.id}, ${formatTimestamp(run.savedAt)}. Enter opens it; Space selects it for comparing.` : '';
      return;
    }
    const status = this.model.status(this.rows[row], column);
    const label = cellLabel(nodeId, run, formatRelativeTime(run.savedAt, this.now), status);
    this.status.textContent = label;
    if (status === 'executed') {this.requestPreview(run.id, nodeId, (text) => {
      if (this.model.runs[this.active.column] === run && this.model.nodes[this.rows[this.active.row]] === nodeId) this.status.textContent = `${label}. Output: ${text}`;
    });}
  }

  private requestPreview(runId: string, nodeId: string, then: (text: string) => void): void {
    const requestId = this.nextRequest++;
    this.previews.set(requestId, then);
    this.vscode.postMessage({ type: 'preview', requestId, runId, nodeId });
  }

  private onKey(event: KeyboardEvent): void {
    const { row, column } = this.active;
    const page = Math.max(1, Math.floor((this.viewport.clientHeight - HEADER_HEIGHT) / CELL.height) - 1);
    const moves: Record<string, () => [number, number]> = {
      ArrowUp: () => [row - 1, column],
      ArrowDown: () => [row + 1, column],
      ArrowLeft: () => [row, column - 1],
      ArrowRight: () => [row, column + 1],
      Home: () => (event.ctrlKey ? [-1, -1] : [row, -1]),
      End: () => (event.ctrlKey ? [this.rows.length - 1, this.model.runs.length - 1] : [row, this.model.runs.length - 1]),
      PageUp: () => [Math.max(0, row - page), column],
      PageDown: () => [row + page, column],
    };
    const move = moves[event.key];
    if (move) {
      event.preventDefault();
      const [r, c] = move();
      this.setActive(r, c, true);
      return;
    }
    if (event.key === 'Enter') {
      event.preventDefault();
      this.activate(row, column, event.ctrlKey || event.metaKey);
    } else if (event.key === ' ' && row === -1 && column >= 0) {
      event.preventDefault();
      this.toggleCompare(this.model.runs[column].id);
    }
  }

  private onClick(event: MouseEvent): void {
    const target = (event.target as HTMLElement).closest<HTMLElement>('[data-row]');
    if (!target) return;
    const row = Number(target.dataset.row);
    const column = Number(target.dataset.column);
    this.setActive(row, column, true);
    this.activate(row, column, event.ctrlKey || event.metaKey);
  }

  /** Enter or click: a cell opens the node's output, a node's name its history, a column header the run (or selects it for comparing). */
  private activate(row: number, column: number, select: boolean): void {
    if (column < 0 && row >= 0) {
      const nodeId = this.model.nodes[this.rows[row]];
      if (nodeId !== undefined) this.vscode.postMessage({ type: 'nodeHistory', nodeId });
      return;
    }
    const run = this.model.runs[column];
    if (!run) return;
    if (row < 0) {
      if (select) this.toggleCompare(run.id);
      else this.vscode.postMessage({ type: 'openRun', runId: run.id });
      return;
    }
    const nodeId = this.model.nodes[this.rows[row]];
    if (nodeId === undefined) return;
    const status = this.model.status(this.rows[row], column);
    if (status === 'executed' || status === 'skipped') this.vscode.postMessage({ type: 'openNode', runId: run.id, nodeId });
    else this.status.textContent = status === 'absent' ? `${nodeId} is not in run ${run.id.slice(0, 8)}: there is no output to open.` : `Run ${run.id.slice(0, 8)} is unreadable: ${run.unreadable ?? ''}`;
  }

  private toggleCompare(runId: string): void {
    if (this.selected.has(runId)) this.selected.delete(runId);
    else this.selected.add(runId);
    if (this.selected.size === 2) {
      const runIds = [...this.selected];
      this.selected.clear();
      this.status.textContent = `Comparing run ${runIds[0].slice(0, 8)} with ${runIds[1].slice(0, 8)}.`;
      this.vscode.postMessage({ type: 'compare', runIds });
    } else {
      this.status.textContent = this.selected.size === 1 ? `Run ${runId.slice(0, 8)} selected: Ctrl/Cmd-click (or Space on) another run's header to compare them.` : '';
    }
    this.render();
  }

  private onHover(event: MouseEvent): void {
    const cell = (event.target as HTMLElement).closest<HTMLElement>('.cell');
    if (this.hoverTimer) window.clearTimeout(this.hoverTimer);
    if (!cell) {
      this.hideTooltip();
      return;
    }
    const runId = cell.dataset.run!;
    const nodeId = cell.dataset.node!;
    const label = cell.getAttribute('aria-label') ?? '';
    const rect = cell.getBoundingClientRect();
    this.hoverTimer = window.setTimeout(() => {
      this.showTooltip(label, rect);
      if (cell.dataset.status === 'executed') {
        this.requestPreview(runId, nodeId, (text) => {
          if (!this.tooltip.hidden && this.tooltip.dataset.run === runId && this.tooltip.dataset.node === nodeId) this.tooltip.lastChild!.textContent = text;
        });
      }
      this.tooltip.dataset.run = runId;
      this.tooltip.dataset.node = nodeId;
    }, PREVIEW_DELAY_MS);
  }

  private showTooltip(label: string, rect: DOMRect): void {
    this.tooltip.replaceChildren(el('div', 'tooltip-title', label), el('div', 'tooltip-preview mono', ''));
    this.tooltip.hidden = false;
    const x = Math.min(rect.right + 4, window.innerWidth - 360);
    this.tooltip.style.left = `${Math.max(0, x)}px`;
    this.tooltip.style.top = `${Math.min(rect.bottom + 4, window.innerHeight - 80)}px`;
  }

  private hideTooltip(): void {
    if (this.hoverTimer) window.clearTimeout(this.hoverTimer);
    this.hoverTimer = undefined;
    this.tooltip.hidden = true;
  }

  private reportRendered(): void {
    this.vscode.postMessage({ type: 'rendered', columns: this.model.runs.length, rows: this.rows.length, cells: this.grid.querySelectorAll('[role="gridcell"]').length });
  }
}

const vscodeApi = acquireVsCodeApi();
const app = document.getElementById('app') ?? document.body.appendChild(document.createElement('main'));
const page = new GridPage(app, vscodeApi);
window.addEventListener('message', (event: MessageEvent<unknown>) => {
  const message = parseGridHostMessage(event.data);
  if (message) page.handle(message);
});
page.start();

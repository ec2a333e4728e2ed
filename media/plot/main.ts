/**
 * The Plot Across Runs page (bundled to dist/webview/plot.js): a line chart (uPlot, bundled;
 * its stylesheet comes through the shell) of one JSON path's number over runs, x = saved
 * time, gaps where a run has no number there, and the same points as a real table for
 * keyboards and screen readers. A point (or a table row's button) opens its run. Values a
 * double cannot hold exactly are plotted as the nearest double but shown as their exact text
 * in the table and the tooltip. Data only by postMessage; stored text set as text only.
 */
import uPlot from 'uplot';
import { formatTimestamp, oneLine } from '../../src/core/format';
import { approximateNote } from '../../src/core/plotSeries';
import { parsePlotHostMessage, PlotHostMessage, PlotPageMessage, PlotPointView } from '../../src/shared/plotProtocol';

interface WebviewApi {
  postMessage(message: PlotPageMessage): void;
}
declare function acquireVsCodeApi(): WebviewApi;

function el<K extends keyof HTMLElementTagNameMap>(tag: K, className?: string, text?: string): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  if (className) element.className = className;
  if (text !== undefined) element.textContent = text;
  return element;
}

/** A theme colour from VS Code's CSS variables, with a fallback variable. */
function themeColour(...names: string[]): string {
  const style = getComputedStyle(document.body);
  for (const name of names) {
    const value = style.getPropertyValue(name).trim();
    if (value) return value;
  }
  return 'currentColor';
}

/** A y-axis label that fits: big and tiny magnitudes in exponent form (the table has the exact text). */
function axisLabel(value: number): string {
  const magnitude = Math.abs(value);
  if (value === 0) return '0';
  if (magnitude >= 1e6 || magnitude < 1e-3) return value.toExponential(2).replace('e+', 'e');
  return String(Number(value.toPrecision(6)));
}

function padRange(min: number, max: number): [number, number] {
  const pad = max > min ? (max - min) * 0.02 : 60;
  return [min - pad, max + pad];
}

const GAP_TEXT: Record<NonNullable<PlotPointView['gap']>, string> = {
  missing: 'no value at this path',
  'not a number': 'not a number',
  unreadable: 'run unreadable',
};

class PlotPage {
  private readonly title = el('h1', 'title', 'Plot Across Runs');
  private readonly counts = el('p', 'counts');
  private readonly note = el('p', 'note');
  private readonly status = el('div', 'status');
  private readonly chartBox = el('div', 'chart');
  private readonly tooltip = el('div', 'tooltip');
  private readonly table = el('table', 'points');
  private readonly caption = el('caption');
  private readonly body = el('tbody');
  private chart: uPlot | undefined;
  private points: readonly PlotPointView[] = [];

  constructor(
    root: HTMLElement,
    private readonly vscode: WebviewApi,
  ) {
    const header = el('header', 'header');
    header.append(this.title, this.counts);
    this.note.hidden = true;
    this.note.dataset.testid = 'plot-note';
    this.status.setAttribute('role', 'status');
    this.status.setAttribute('aria-live', 'polite');
    this.status.dataset.testid = 'plot-status';
    this.chartBox.dataset.testid = 'plot-chart';
    // The chart is a picture of the table below, which is its text alternative.
    this.chartBox.setAttribute('aria-hidden', 'true');
    this.tooltip.hidden = true;
    this.tooltip.dataset.testid = 'plot-tooltip';
    this.chartBox.append(this.tooltip);
    this.table.dataset.testid = 'plot-table';
    const head = el('thead');
    const row = el('tr');
    for (const name of ['Run', 'Saved', 'Value']) {
      const th = el('th', undefined, name);
      th.scope = 'col';
      row.append(th);
    }
    head.append(row);
    this.table.append(this.caption, head, this.body);
    root.append(header, this.note, this.status, this.chartBox, this.table);
    window.addEventListener('resize', () => this.chart?.setSize(this.size()));
  }

  start(): void {
    this.vscode.postMessage({ type: 'ready' });
  }

  private size(): { width: number; height: number } {
    return { width: Math.max(200, this.chartBox.clientWidth || document.body.clientWidth - 32), height: 300 };
  }

  handle(message: PlotHostMessage): void {
    this.points = message.points;
    const path = oneLine(message.path, 200);
    this.title.textContent = `Plot of ${path}`;
    this.title.title = `${message.path} in ${message.storeLabel}`;
    const n = message.points.length;
    this.counts.textContent = `${message.plotted} number${message.plotted === 1 ? '' : 's'} in ${n === message.total ? `${n}` : `the newest ${n} of ${message.total}`} run${message.total === 1 ? '' : 's'} · ${message.storeLabel}`;
    this.note.hidden = message.approximate === 0;
    this.note.textContent = message.approximate ? `${approximateNote(message.approximate)}.` : '';
    this.status.textContent = message.cancelled ? `Reading was cancelled: ${n} run${n === 1 ? '' : 's'} shown.` : '';
    this.caption.textContent = `${path}: ${message.plotted} value${message.plotted === 1 ? '' : 's'} over ${n} run${n === 1 ? '' : 's'}, oldest first`;
    this.renderTable();
    this.renderChart();
    this.vscode.postMessage({ type: 'rendered', points: message.plotted });
  }

  private renderTable(): void {
    const rows = this.points.map((point) => {
      const tr = el('tr');
      tr.dataset.run = point.id;
      tr.dataset.testid = 'plot-row';
      if (point.gap) tr.classList.add('gap');
      const runCell = el('th');
      runCell.scope = 'row';
      const open = el('button', 'link-button mono', point.id.slice(0, 8));
      open.type = 'button';
      open.title = point.id;
      open.setAttribute('aria-label', `Open run ${point.id.slice(0, 8)}`);
      open.dataset.testid = 'plot-open-run';
      open.addEventListener('click', () => this.vscode.postMessage({ type: 'openRun', runId: point.id }));
      runCell.append(open);
      const time = el('time', undefined, formatTimestamp(point.savedAt));
      time.dateTime = new Date(point.savedAt).toISOString();
      const timeCell = el('td');
      timeCell.append(time);
      const valueCell = el('td', point.gap ? 'value none' : 'value mono');
      valueCell.dataset.testid = 'plot-value';
      if (point.text !== undefined) {
        valueCell.textContent = point.text;
        if (point.approximate) valueCell.append(el('span', 'approx', ' (plotted approximately)'));
      } else {
        valueCell.textContent = point.gap === 'unreadable' && point.reason ? `${GAP_TEXT.unreadable}: ${oneLine(point.reason, 200)}` : GAP_TEXT[point.gap ?? 'missing'];
      }
      tr.append(runCell, timeCell, valueCell);
      return tr;
    });
    this.body.replaceChildren(...rows);
  }

  private renderChart(): void {
    const xs = this.points.map((p) => p.savedAt / 1000);
    const ys = this.points.map((p) => (p.value === undefined ? null : p.value));
    const data: uPlot.AlignedData = [xs, ys];
    if (this.chart) {
      this.chart.setData(data);
      return;
    }
    const foreground = themeColour('--vscode-charts-foreground', '--vscode-foreground');
    const grid = themeColour('--vscode-charts-lines', '--vscode-editorWidget-border', '--vscode-panel-border');
    const line = themeColour('--vscode-charts-blue', '--vscode-textLink-foreground');
    const axis = { stroke: foreground, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } };
    const options: uPlot.Options = {
      ...this.size(),
      // A little room either side, so the first and last points are not cut by the edges.
      scales: { x: { time: true, range: (_u, min, max) => padRange(min, max) } },
      legend: { show: false },
      cursor: { points: { size: 10 }, drag: { x: false, y: false } },
      // Time labels such as "10:15am" need about 60 px: 80 px between ticks keeps them apart.
      axes: [{ ...axis, space: 80 }, { ...axis, size: 72, values: (_u, splits) => splits.map(axisLabel) }],
      series: [
        {},
        {
          label: 'value',
          stroke: line,
          width: 2,
          spanGaps: false,
          points: { show: true, size: 6, stroke: line, fill: line },
        },
      ],
      hooks: {
        setCursor: [(u) => this.showTooltip(u)],
        ready: [
          (u) => {
            u.over.addEventListener('click', () => {
              const index = u.cursor.idx;
              const point = index === null || index === undefined ? undefined : this.points[index];
              if (point && point.value !== undefined) this.vscode.postMessage({ type: 'openRun', runId: point.id });
            });
          },
        ],
      },
    };
    this.chart = new uPlot(options, data, this.chartBox);
  }

  private showTooltip(u: uPlot): void {
    const index = u.cursor.idx;
    const point = index === null || index === undefined ? undefined : this.points[index];
    if (!point || point.value === undefined || u.cursor.left === undefined || u.cursor.left < 0) {
      this.tooltip.hidden = true;
      return;
    }
    this.tooltip.replaceChildren(el('span', 'mono', point.text ?? ''), el('br'), el('span', undefined, `run ${point.id.slice(0, 8)} · ${formatTimestamp(point.savedAt)}`));
    this.tooltip.hidden = false;
    const left = u.valToPos(point.savedAt / 1000, 'x') + u.over.offsetLeft;
    const top = u.valToPos(point.value, 'y') + u.over.offsetTop;
    this.tooltip.style.left = `${Math.round(left + 10)}px`;
    this.tooltip.style.top = `${Math.round(top + 10)}px`;
  }
}

const vscodeApi = acquireVsCodeApi();
const app = document.getElementById('app') ?? document.body.appendChild(document.createElement('main'));
const page = new PlotPage(app, vscodeApi);
window.addEventListener('message', (event: MessageEvent<unknown>) => {
  const message = parsePlotHostMessage(event.data);
  if (message) page.handle(message);
});
page.start();

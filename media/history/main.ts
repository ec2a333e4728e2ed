/**
 * The Node History page (bundled to dist/webview/history.js): one node across runs, newest
 * first, as a list whose every entry has an accessible name, its status as icon and text,
 * its output's preview, what changed since the run before, and its buttons. Data only by
 * postMessage; every stored string is set as text, never parsed as HTML.
 */
import { formatRelativeTime, formatTimestamp, oneLine } from '../../src/core/format';
import { describeChange, HistoryStatus } from '../../src/core/nodeHistory';
import { HistoryEntryView, HistoryHostMessage, HistoryPageMessage, parseHistoryHostMessage } from '../../src/shared/historyProtocol';

interface WebviewApi {
  postMessage(message: HistoryPageMessage): void;
}
declare function acquireVsCodeApi(): WebviewApi;

const STATUS: Record<HistoryStatus | 'unreadable', { icon: string; text: string }> = {
  executed: { icon: 'pass-filled', text: 'executed' },
  skipped: { icon: 'debug-step-over', text: 'skipped' },
  'output-only': { icon: 'question', text: 'output only' },
  absent: { icon: 'dash', text: 'not in this run' },
  unreadable: { icon: 'warning', text: 'run unreadable' },
};

/** A JSON number (the whole preview of an output that is a number). */
const JSON_NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

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

class HistoryPage {
  private readonly title = el('h1', 'title', 'Node History');
  private readonly counts = el('p', 'counts');
  private readonly list = el('ol', 'entries');
  private readonly status = el('div', 'status');
  private readonly moreButton = el('button', 'text-button more', 'Load more runs');

  constructor(
    root: HTMLElement,
    private readonly vscode: WebviewApi,
  ) {
    const header = el('header', 'header');
    header.append(this.title, this.counts);
    this.list.setAttribute('aria-label', 'Runs, newest first');
    this.list.dataset.testid = 'history-list';
    this.status.setAttribute('role', 'status');
    this.status.setAttribute('aria-live', 'polite');
    this.status.dataset.testid = 'history-status';
    this.moreButton.type = 'button';
    this.moreButton.hidden = true;
    this.moreButton.dataset.testid = 'history-more';
    this.moreButton.addEventListener('click', () => {
      this.status.textContent = 'Loading more runs…';
      this.vscode.postMessage({ type: 'loadMore' });
    });
    root.append(header, this.status, this.list, this.moreButton);
  }

  start(): void {
    this.vscode.postMessage({ type: 'ready' });
  }

  handle(message: HistoryHostMessage): void {
    const node = oneLine(message.nodeId, 200);
    this.title.textContent = `History of ${node}`;
    this.title.title = `${message.nodeId} in ${message.storeLabel}`;
    const n = message.entries.length;
    this.counts.textContent = n === 0 ? `No runs in ${message.storeLabel}.` : `${n === message.total ? `${n}` : `Newest ${n} of ${message.total}`} run${message.total === 1 ? '' : 's'} · ${message.storeLabel}`;
    this.status.textContent = message.cancelled ? `Reading was cancelled: the newest ${n} run${n === 1 ? '' : 's'} shown.` : '';
    this.moreButton.hidden = message.more !== true;
    // Keep the focus on the same button of the same run across a refresh.
    const focused = document.activeElement instanceof HTMLElement && this.list.contains(document.activeElement) ? document.activeElement : undefined;
    const focus = focused ? { run: focused.closest<HTMLElement>('[data-run]')?.dataset.run, action: focused.dataset.action } : undefined;
    this.list.replaceChildren(...message.entries.map((entry, index) => this.entry(entry, node, message.now, index, n)));
    if (focus?.run) this.list.querySelector<HTMLElement>(`[data-run="${CSS.escape(focus.run)}"] [data-action="${focus.action ?? ''}"]`)?.focus();
    this.vscode.postMessage({ type: 'rendered', entries: n });
  }

  private entry(entry: HistoryEntryView, node: string, now: number, index: number, size: number): HTMLElement {
    const kind = entry.unreadable !== undefined ? 'unreadable' : (entry.status ?? 'unreadable');
    const status = STATUS[kind];
    const when = formatRelativeTime(entry.savedAt, now);
    const change = describeChange(entry.change);
    const item = el('li', `entry status-${kind}`);
    item.dataset.run = entry.id;
    item.dataset.status = kind;
    item.dataset.testid = 'history-entry';
    item.setAttribute('aria-posinset', String(index + 1));
    item.setAttribute('aria-setsize', String(size));
    const short = entry.id.slice(0, 8);
    item.setAttribute('aria-label', `${node} in run ${short}, ${when}: ${status.text}. ${change}`);

    const head = el('div', 'entry-head');
    const badge = el('span', `badge badge-${kind}`);
    badge.dataset.testid = 'history-status-badge';
    badge.append(icon(status.icon), el('span', 'badge-text', status.text));
    const run = el('span', 'run-id mono', short);
    run.title = entry.id;
    const time = el('time', 'when', `${formatTimestamp(entry.savedAt)} (${when})`);
    time.dateTime = new Date(entry.savedAt).toISOString();
    head.append(badge, run, time);

    const actions = el('div', 'actions');
    if (entry.hasOutput) actions.append(this.button('Open Output', 'go-to-file', 'openOutput', `Open the output of ${node} in run ${short}`, entry.id));
    if (entry.hasOutput && JSON_NUMBER.test(entry.preview)) actions.append(this.plotButton(node));
    actions.append(this.button('Open Run', 'open-preview', 'openRun', `Open run ${short}`, entry.id));
    head.append(actions);
    item.append(head);

    if (entry.unreadable !== undefined) {
      item.append(el('p', 'reason', `Unreadable: ${oneLine(entry.unreadable, 300)}`));
    } else if (entry.hasOutput) {
      const preview = el('p', 'preview mono', entry.preview);
      preview.dataset.testid = 'history-preview';
      item.append(preview);
    } else {
      item.append(el('p', 'preview none', 'No output.'));
    }

    const changeLine = el('p', `change change-${entry.change.kind === 'compared' && (entry.change.status || entry.change.output !== 'same') ? 'changed' : 'same'}`);
    changeLine.dataset.testid = 'history-change';
    changeLine.append(icon(entry.change.kind === 'compared' && (entry.change.status || entry.change.output !== 'same') ? 'diff' : 'circle-small'), el('span', undefined, change));
    item.append(changeLine);
    if (entry.change.kind === 'compared' && entry.change.paths.length > 0) {
      const paths = el('ul', 'paths mono');
      paths.setAttribute('aria-label', `Changed paths in the output of run ${short}`);
      paths.dataset.testid = 'history-paths';
      for (const path of entry.change.paths) paths.append(el('li', undefined, oneLine(path, 200)));
      if (entry.change.morePaths) paths.append(el('li', 'more-paths', '…and more'));
      item.append(paths);
    }
    return item;
  }

  /** Plot Across Runs of the node's output (shown on the entries whose output is a number). */
  private plotButton(node: string): HTMLButtonElement {
    const button = el('button', 'text-button');
    button.type = 'button';
    button.dataset.action = 'plot';
    button.setAttribute('aria-label', `Plot the output of ${node} across runs`);
    button.title = `Plot the output of ${node} across runs`;
    button.append(icon('graph-line'), el('span', undefined, 'Plot'));
    button.addEventListener('click', () => this.vscode.postMessage({ type: 'plot' }));
    return button;
  }

  private button(text: string, iconName: string, action: 'openOutput' | 'openRun', label: string, runId: string): HTMLButtonElement {
    const button = el('button', 'text-button');
    button.type = 'button';
    button.dataset.action = action;
    button.setAttribute('aria-label', label);
    button.title = label;
    button.append(icon(iconName), el('span', undefined, text));
    button.addEventListener('click', () => this.vscode.postMessage({ type: action, runId }));
    return button;
  }
}

const vscodeApi = acquireVsCodeApi();
const app = document.getElementById('app') ?? document.body.appendChild(document.createElement('main'));
const page = new HistoryPage(app, vscodeApi);
window.addEventListener('message', (event: MessageEvent<unknown>) => {
  const message = parseHistoryHostMessage(event.data);
  if (message) page.handle(message);
});
page.start();

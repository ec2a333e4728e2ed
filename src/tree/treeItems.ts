/** TreeItems for the tree's rows: plain model objects (treeNodes.ts) in, TreeItems out. */
import * as vscode from 'vscode';
import { ExecutionEntry } from '../core/executionStore';
import { formatBytes, formatRelativeTime, formatTimestamp, oneLine, plural } from '../core/format';
import { RunFigures } from '../core/summaryCache';
import { OPEN_RAW_JSON_COMMAND, OPEN_RUN_COMMAND, RETRY_STORE_COMMAND, SHOW_MORE_COMMAND } from '../host/commands';
import { contextValue, StoreHandle } from '../stores/storeHandle';
import { ContextNode, FlowStepNode, MessageNode, MoreNode, RetryNode, RunNode, StoreNode } from './treeNodes';

export function storeItem(element: StoreNode, handle: StoreHandle | undefined, count: number): vscode.TreeItem {
  const item = new vscode.TreeItem(handle?.presentation.label ?? element.storeKey, vscode.TreeItemCollapsibleState.Expanded);
  item.id = `store:${element.storeKey}`;
  item.description = plural(count, 'run');
  if (handle) {
    item.tooltip = handle.presentation.tooltip;
    item.iconPath = new vscode.ThemeIcon(handle.presentation.icon);
    item.contextValue = contextValue('store', handle);
  }
  return item;
}

/** A run whose store or entry is gone (between a listing and the row being drawn). */
export function removedRunItem(element: RunNode): vscode.TreeItem {
  const item = new vscode.TreeItem(element.id.slice(0, 8), vscode.TreeItemCollapsibleState.None);
  item.id = `run:${element.storeKey}:${element.id}`;
  item.description = 'removed';
  return item;
}

export function runItem(element: RunNode, handle: StoreHandle, entry: ExecutionEntry, figures: RunFigures): vscode.TreeItem {
  const item = new vscode.TreeItem(element.id.slice(0, 8), vscode.TreeItemCollapsibleState.Collapsed);
  item.id = `run:${element.storeKey}:${element.id}`;
  const when = formatRelativeTime(entry.savedAt, Date.now());
  const where = handle.runLocation(element.id) ?? handle.presentation.label;
  const lines = [`Execution ${element.id}`, `Saved ${formatTimestamp(entry.savedAt)} (${when})`];
  if (figures.kind === 'ok') {
    item.description = `${when} · ${plural(figures.nodeCount, 'node')}${figures.skipped ? ` · ${figures.skipped} skipped` : ''}`;
    item.iconPath = figures.skipped
      ? new vscode.ThemeIcon('debug-step-over', new vscode.ThemeColor('testing.iconSkipped'))
      : new vscode.ThemeIcon('pass', new vscode.ThemeColor('testing.iconPassed'));
    item.contextValue = contextValue('run', handle, 'readable');
    lines.push(`${plural(figures.nodeCount, 'node')}: ${figures.executed} executed, ${figures.skipped} skipped`);
    item.command = { command: OPEN_RUN_COMMAND, title: 'Open', arguments: [element] };
  } else {
    const reason = figures.kind === 'unreadable' ? figures.reason : 'removed';
    item.description = `${when} · unreadable: ${oneLine(reason, 80)}`;
    item.iconPath = new vscode.ThemeIcon('warning', new vscode.ThemeColor('problemsWarningIcon.foreground'));
    item.collapsibleState = vscode.TreeItemCollapsibleState.None;
    item.contextValue = contextValue('run', handle, 'unreadable');
    lines.push(`Unreadable: ${oneLine(reason, 300)}`);
    item.command = { command: OPEN_RAW_JSON_COMMAND, title: 'Open Raw JSON', arguments: [element] };
  }
  lines.push(`${formatBytes(entry.size)} · ${where}`);
  // Plain string tooltip: stored data never goes into a (trusted) MarkdownString.
  item.tooltip = lines.join('\n');
  item.accessibilityInformation = { label: `Run ${element.id}, ${item.description}` };
  return item;
}

/** `remaining` undefined: more runs match a search the server answers, how many is not known. */
export function moreItem(element: MoreNode, remaining: number | undefined): vscode.TreeItem {
  const count = (remaining ?? 0).toLocaleString('en-US');
  // Under a wide run: its next page of nodes; else the store's next page of runs.
  const label =
    element.runId !== undefined
      ? `Show more… (${count} more ${remaining === 1 ? 'node' : 'nodes'})`
      : remaining === undefined
        ? 'Show more… (more matching runs)'
        : `Show more… (${count} older)`;
  const item = new vscode.TreeItem(label, vscode.TreeItemCollapsibleState.None);
  item.id = element.runId !== undefined ? `more:${element.storeKey}:${element.runId}` : `more:${element.storeKey}`;
  item.iconPath = new vscode.ThemeIcon('ellipsis');
  item.contextValue = 'more';
  item.command = { command: SHOW_MORE_COMMAND, title: 'Show More', arguments: element.runId !== undefined ? [element.storeKey, element.runId] : [element.storeKey] };
  return item;
}

export function flowStepItem(element: FlowStepNode): vscode.TreeItem {
  const item = new vscode.TreeItem(oneLine(element.nodeId, 80), vscode.TreeItemCollapsibleState.None);
  item.id = `node:${element.storeKey}:${element.runId}:${element.nodeId}`;
  item.description = element.preview;
  const icon = element.status === 'executed' ? 'pass' : element.status === 'skipped' ? 'debug-step-over' : 'question';
  item.iconPath = new vscode.ThemeIcon(icon);
  item.tooltip = `${oneLine(element.nodeId, 300)} — ${element.status}\n${element.preview}`;
  item.contextValue = 'node';
  item.command = { command: OPEN_RUN_COMMAND, title: 'Open', arguments: [{ storeKey: element.storeKey, id: element.runId }, undefined, element.nodeId] };
  return item;
}

export function contextItem(element: ContextNode): vscode.TreeItem {
  const item = new vscode.TreeItem('context', vscode.TreeItemCollapsibleState.None);
  item.id = `context:${element.storeKey}:${element.runId}`;
  item.description = element.preview;
  item.tooltip = `Final context: ${plural(element.keys, 'key')}\n${element.preview}`;
  item.iconPath = new vscode.ThemeIcon('symbol-namespace');
  item.contextValue = 'context';
  item.command = { command: OPEN_RUN_COMMAND, title: 'Open', arguments: [{ storeKey: element.storeKey, id: element.runId }, undefined, '$context'] };
  return item;
}

export function messageItem(element: MessageNode): vscode.TreeItem {
  const item = new vscode.TreeItem(element.text, vscode.TreeItemCollapsibleState.None);
  item.description = element.detail ? oneLine(element.detail, 200) : undefined;
  item.tooltip = element.detail;
  item.iconPath = new vscode.ThemeIcon(element.detail ? 'error' : 'info');
  item.contextValue = 'message';
  return item;
}

export function retryItem(element: RetryNode, storeLabel: string, now: number): vscode.TreeItem {
  const item = new vscode.TreeItem('Retry', vscode.TreeItemCollapsibleState.None);
  item.id = `retry:${element.storeKey}`;
  const seconds = element.nextAttempt === undefined ? undefined : Math.max(1, Math.round((element.nextAttempt - now) / 1000));
  item.description = seconds === undefined ? undefined : `tries again by itself in ${seconds} s`;
  item.tooltip = `Connect to ${storeLabel} and list its runs again`;
  item.iconPath = new vscode.ThemeIcon('refresh');
  item.contextValue = 'retry';
  item.accessibilityInformation = { label: `Retry listing ${storeLabel}${item.description ? `; ${item.description}` : ''}` };
  item.command = { command: RETRY_STORE_COMMAND, title: 'Retry', arguments: [element.storeKey] };
  return item;
}

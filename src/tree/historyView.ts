/** The tree view itself: badge with the run count and newest run, description for the filter; and the tree feature's registration. */
import * as vscode from 'vscode';
import { formatRelativeTime, oneLine, plural } from '../core/format';
import { setContextKey } from '../host/contextKeys';
import { RunScanner } from '../node/runScanner';
import { HistoryStores } from '../stores/historyStores';
import { HistoryNode } from './treeNodes';
import { HistoryTreeProvider } from './historyTreeProvider';

export const VIEW_ID = 'a3sFlow.history.runs';

export function createHistoryView(tree: HistoryTreeProvider, disposables: vscode.Disposable[]): vscode.TreeView<HistoryNode> {
  const view = vscode.window.createTreeView(VIEW_ID, { treeDataProvider: tree, canSelectMany: true, showCollapseAll: true });
  const update = () => {
    const { count, newest } = tree.totals();
    const age = newest ? `, newest ${newest.ref.id.slice(0, 8)} ${formatRelativeTime(newest.entry.savedAt, Date.now())}` : '';
    view.badge = count > 0 ? { value: count, tooltip: `${plural(count, 'run')}${age}` } : undefined;
    const filter = tree.activeFilter;
    view.description = filter ? `filter: ${filter}` : undefined;
    // The description is invisible while the view is the only one of its container (the
    // default: the container hides the view's header); the message at the top is not.
    view.message = filter ? `Showing only runs matching "${oneLine(filter, 80)}". Clear Search shows all runs.` : undefined;
    void setContextKey('a3sFlow.history.filtered', !!filter);
  };
  const subscription = tree.onDidChangeTotals(update);
  disposables.push(view, subscription);
  return view;
}

/** The Runs view over the stores. */
export function register(context: vscode.ExtensionContext, stores: HistoryStores, scanner: RunScanner): { tree: HistoryTreeProvider; treeView: vscode.TreeView<HistoryNode> } {
  const tree = new HistoryTreeProvider(stores, scanner);
  context.subscriptions.push(tree);
  return { tree, treeView: createHistoryView(tree, context.subscriptions) };
}

/** Wiring only: each feature registers itself; the API is what `activate` returns. */
import * as path from 'path';
import * as vscode from 'vscode';
import { createApi, FlowHistoryApi } from './api';
import { CommandContext } from './commands/commandContext';
import * as commands from './commands/register';
import * as documents from './documents/runDocuments';
import { initLog, log } from './host/log';
import { RunListingWorker } from './node/runListingWorker';
import { RunScanner } from './node/runScanner';
import * as panel from './panel/detailPanel';
import * as grid from './panel/gridPanel';
import * as history from './panel/historyPanel';
import * as plot from './panel/plotPanel';
import { HistoryStores } from './stores/historyStores';
import * as tree from './tree/historyView';

/** Not a stable API: the live objects, for the integration tests (only in ExtensionMode.Test). */
export interface FlowHistoryExports extends FlowHistoryApi {
  readonly internals: CommandContext & { readonly documents: documents.RunDocuments };
}

export function activate(context: vscode.ExtensionContext): FlowHistoryApi | FlowHistoryExports {
  const dist = path.join(context.extensionUri.fsPath, 'dist');
  context.subscriptions.push(initLog());
  const listing = new RunListingWorker(path.join(dist, 'runListingThread.js'), (error) => log().warn('The listing worker failed; listing on the extension host instead', error));
  const scanner = new RunScanner(path.join(dist, 'runScannerThread.js'), (message, error, severity) => (severity === 'error' ? log().error(message, error) : log().warn(message, error)));
  const stores = new HistoryStores(listing, context.secrets);
  context.subscriptions.push(stores, scanner, listing);
  const { tree: runs, treeView } = tree.register(context, stores, scanner);
  const runDocuments = documents.register(context.subscriptions, stores);
  const panels = panel.register(context, stores, scanner);
  const grids = grid.register(context, stores, scanner);
  const histories = history.register(context, stores, scanner);
  const plots = plot.register(context, stores, scanner);
  const ctx: CommandContext = { extensionUri: context.extensionUri, stores, tree: runs, treeView, panels, grids, histories, plots, scanner, workspaceState: context.workspaceState, secrets: context.secrets };
  context.subscriptions.push(...commands.register(ctx));
  const api = createApi(stores);
  return context.extensionMode === vscode.ExtensionMode.Test ? { ...api, internals: { ...ctx, documents: runDocuments } } : api;
}

export function deactivate(): void {}

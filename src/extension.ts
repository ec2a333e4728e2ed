/** Wiring only: stores, tree, panels, documents, commands and the API. */
import * as path from 'path';
import * as vscode from 'vscode';
import { createApi, FlowHistoryApi } from './api';
import { CommandContext } from './commands/commandContext';
import { exportRun } from './commands/exportRun';
import { registerCommands } from './commands/registerCommands';
import { openRawJson } from './commands/runCommands';
import { RUN_SCHEME, RunDocuments } from './documents/runDocuments';
import { initLog, log } from './log';
import { RunListingWorker } from './node/runListing';
import { DETAIL_VIEW_TYPE, DetailPanels } from './panel/detailPanel';
import { RunScanner } from './panel/runScanner';
import { HistoryStores } from './stores/historyStores';
import { HistoryTreeProvider } from './tree/historyTreeProvider';
import { createHistoryView } from './tree/historyView';

/** Not a stable API: lets the integration tests reach the live objects. */
export interface FlowHistoryExports extends FlowHistoryApi {
  readonly internals: CommandContext & { readonly documents: RunDocuments };
}

export function activate(context: vscode.ExtensionContext): FlowHistoryExports {
  const subscriptions = context.subscriptions;
  subscriptions.push(initLog());
  const listing = new RunListingWorker(path.join(context.extensionUri.fsPath, 'dist', 'listWorker.js'), (error) =>
    log().warn('The listing worker failed; listing on the extension host instead', error),
  );
  const stores = new HistoryStores(listing);
  const scanner = new RunScanner(context.extensionUri.fsPath);
  const tree = new HistoryTreeProvider(stores, scanner);
  subscriptions.push(stores, tree, scanner, listing);
  const treeView = createHistoryView(tree, subscriptions);
  const documents = new RunDocuments(stores);
  subscriptions.push(documents, vscode.workspace.registerTextDocumentContentProvider(RUN_SCHEME, documents));

  // The panel's buttons run the same code as the commands.
  const late: { ctx?: CommandContext } = {};
  const panels = new DetailPanels(
    context.extensionUri,
    stores,
    {
    run: async (action, ref) => {
      const ctx = late.ctx;
      if (!ctx) return;
      if (action === 'export') await exportRun(ctx, ref);
      else if (action === 'delete') await vscode.commands.executeCommand('a3sFlow.history.deleteRuns', { ...ref, kind: 'run' });
      else if (action === 'openRaw') await openRawJson(ctx, ref);
      else if (action === 'copyId') await vscode.commands.executeCommand('a3sFlow.history.copyExecutionId', { ...ref, kind: 'run' });
    },
    copy: async (text, what) => {
      await vscode.env.clipboard.writeText(text);
      vscode.window.setStatusBarMessage(what === 'path' ? `Copied path ${text.slice(0, 80)}` : 'Copied value', 3000);
    },
    },
    scanner,
  );
  subscriptions.push(panels, vscode.window.registerWebviewPanelSerializer(DETAIL_VIEW_TYPE, panels));

  const ctx: CommandContext = { extensionUri: context.extensionUri, stores, tree, treeView, panels, workspaceState: context.workspaceState, trashUnavailable: new Set() };
  late.ctx = ctx;
  subscriptions.push(...registerCommands(ctx));

  return Object.assign(createApi(stores), { internals: { ...ctx, documents } });
}

export function deactivate(): void {}

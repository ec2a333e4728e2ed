/**
 * Read-only virtual documents of runs (`flow-history:` URIs): a memory run's raw JSON, a
 * run in export form (for the diff editor) and one node's output (for huge outputs: the
 * editor gives folding, find, breadcrumbs and copy). They follow the store. Their URIs are
 * built in stores/runUris.ts.
 */
import * as vscode from 'vscode';
import { changedIds } from '../core/executionStore';
import { exportFlowResult } from '../core/flowResult';
import { stringifyJson } from '../core/json';
import { HistoryStores } from '../stores/historyStores';
import { parseRunUri, RUN_SCHEME } from '../stores/runUris';

export class RunDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly changeEmitter = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changeEmitter.event;
  private readonly subscription: { dispose(): void };

  constructor(private readonly stores: HistoryStores) {
    this.subscription = stores.onDidChangeRuns(({ handle, change }) => {
      const ids = new Set(changedIds(change));
      for (const doc of vscode.workspace.textDocuments) {
        if (doc.uri.scheme !== RUN_SCHEME) continue;
        const parsed = parseRunUri(doc.uri);
        if (parsed && parsed.ref.storeKey === handle.key && (change.all || ids.has(parsed.ref.id))) this.changeEmitter.fire(doc.uri);
      }
    });
  }

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const parsed = parseRunUri(uri);
    if (!parsed) return '// Not a Flow History document.';
    const handle = this.stores.get(parsed.ref.storeKey);
    if (!handle) return `// The store of run ${parsed.ref.id} is no longer open.`;
    if (parsed.view === 'raw') return (await handle.store.readRaw(parsed.ref.id)) ?? `// Run ${parsed.ref.id} no longer exists.`;
    const outcome = await handle.store.inspect(parsed.ref.id);
    if (outcome.kind === 'missing') return `// Run ${parsed.ref.id} no longer exists.`;
    if (outcome.kind === 'unreadable') return `// Run ${parsed.ref.id} is unreadable: ${outcome.reason.replace(/[\r\n]+/g, ' ')}`;
    if (parsed.view === 'export') return exportFlowResult(outcome.result);
    const outputs = outcome.result.outputs;
    if (parsed.node === undefined || !Object.prototype.hasOwnProperty.call(outputs, parsed.node)) {
      return `// Run ${parsed.ref.id} has no output for this node.`;
    }
    return `${stringifyJson(outputs[parsed.node], 2)}\n`;
  }

  dispose(): void {
    this.subscription.dispose();
    this.changeEmitter.dispose();
  }
}

/** Serves `flow-history:` documents for the rest of the session. */
export function register(subscriptions: vscode.Disposable[], stores: HistoryStores): RunDocuments {
  const documents = new RunDocuments(stores);
  subscriptions.push(documents, vscode.workspace.registerTextDocumentContentProvider(RUN_SCHEME, documents));
  return documents;
}

/**
 * Read-only virtual documents of runs (`flow-history:` URIs): a memory run's raw JSON, a
 * run in export form (for the diff editor) and one node's output (for huge outputs: the
 * editor gives folding, find, breadcrumbs and copy). They follow the store.
 */
import * as vscode from 'vscode';
import { changedIds, requireExecutionId } from '../core/executionStore';
import { exportFlowResult } from '../core/flowResult';
import { stringifyJson } from '../core/json';
import { HistoryStores } from '../stores/historyStores';
import { RunRef } from '../tree/historyNodes';

export const RUN_SCHEME = 'flow-history';

type View = 'raw' | 'export' | 'node';

interface Parsed {
  readonly view: View;
  readonly ref: RunRef;
  readonly node?: string;
}

export class RunDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly changeEmitter = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changeEmitter.event;
  private readonly subscription: { dispose(): void };

  constructor(private readonly stores: HistoryStores) {
    this.subscription = stores.onDidChangeRuns(({ handle, change }) => {
      const ids = new Set(changedIds(change));
      for (const doc of vscode.workspace.textDocuments) {
        if (doc.uri.scheme !== RUN_SCHEME) continue;
        const parsed = RunDocuments.parse(doc.uri);
        if (parsed && parsed.ref.storeKey === handle.key && (change.all || ids.has(parsed.ref.id))) this.changeEmitter.fire(doc.uri);
      }
    });
  }

  static rawUri(ref: RunRef): vscode.Uri {
    return RunDocuments.uri('raw', ref, `${ref.id}.json`);
  }

  static exportUri(ref: RunRef): vscode.Uri {
    return RunDocuments.uri('export', ref, `${ref.id}.json`);
  }

  static nodeUri(ref: RunRef, node: string): vscode.Uri {
    // The node id is data: it only ever travels in the query, encoded; the path is a fixed shape.
    return RunDocuments.uri('node', ref, `${ref.id.slice(0, 8)}-node.json`, node);
  }

  private static uri(view: View, ref: RunRef, name: string, node?: string): vscode.Uri {
    const query = new URLSearchParams({ view, store: ref.storeKey, id: ref.id });
    if (node !== undefined) query.set('node', node);
    return vscode.Uri.from({ scheme: RUN_SCHEME, path: `/${name}`, query: query.toString() });
  }

  static parse(uri: vscode.Uri): Parsed | undefined {
    const query = new URLSearchParams(uri.query);
    const view = query.get('view');
    const store = query.get('store');
    const id = query.get('id');
    if ((view !== 'raw' && view !== 'export' && view !== 'node') || !store || !id) return undefined;
    try {
      return { view, ref: { storeKey: store, id: requireExecutionId(id) }, node: query.get('node') ?? undefined };
    } catch {
      return undefined;
    }
  }

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const parsed = RunDocuments.parse(uri);
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

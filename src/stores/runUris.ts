/**
 * The `flow-history:` URIs of read-only run documents: a run's raw JSON (for stores without
 * files), a run in export form (for the diff editor) and one node's output. Built and parsed
 * here, served by documents/runDocuments.ts.
 */
import * as vscode from 'vscode';
import { requireExecutionId } from '../core/executionStore';
import { RunRef } from './runRef';

export const RUN_SCHEME = 'flow-history';

export type RunDocumentView = 'raw' | 'export' | 'node';

export interface ParsedRunUri {
  readonly view: RunDocumentView;
  readonly ref: RunRef;
  readonly node?: string;
}

export function rawRunUri(ref: RunRef): vscode.Uri {
  return runUri('raw', ref, `${ref.id}.json`);
}

export function exportRunUri(ref: RunRef): vscode.Uri {
  return runUri('export', ref, `${ref.id}.json`);
}

export function nodeOutputUri(ref: RunRef, node: string): vscode.Uri {
  // The node id is data: it only ever travels in the query, encoded; the path is a fixed shape.
  return runUri('node', ref, `${ref.id.slice(0, 8)}-node.json`, node);
}

function runUri(view: RunDocumentView, ref: RunRef, name: string, node?: string): vscode.Uri {
  const query = new URLSearchParams({ view, store: ref.storeKey, id: ref.id });
  if (node !== undefined) query.set('node', node);
  return vscode.Uri.from({ scheme: RUN_SCHEME, path: `/${name}`, query: query.toString() });
}

export function parseRunUri(uri: vscode.Uri): ParsedRunUri | undefined {
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

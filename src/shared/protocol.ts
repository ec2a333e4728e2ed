/**
 * Messages between the detail panel's host (extension) and its webview page. Imported by
 * both bundles; nothing here may depend on `vscode` or the DOM. Every message that arrives
 * from the webview is untrusted: `parseWebviewMessage` validates it before use.
 */

import type { NodeStatus, OutputType } from '../core/summary';

export type NodeStatusView = NodeStatus;
export type OutputTypeView = OutputType;

export interface NodeView {
  readonly id: string;
  readonly status: NodeStatusView;
  readonly outputType: OutputTypeView;
  readonly outputBytes: number;
  /**
   * The output's stored JSON text (numbers exact); the page parses it lazily. Absent for a
   * big output (`deferred`): the page asks for it with `loadOutput` when it is opened.
   */
  readonly output?: string;
  readonly deferred?: boolean;
}

export interface RunView {
  readonly id: string;
  /** The store the run is in; the page keeps it in its state so the panel can be restored. */
  readonly storeKey: string;
  readonly storeLabel: string;
  /** ms since epoch */
  readonly savedAt: number;
  /** e.g. "2026-11-26 12:04:05 UTC" */
  readonly savedAtText: string;
  /** File path or URI shown in the header; absent for the memory store. */
  readonly location?: string;
  readonly size: number;
  readonly nodeCount: number;
  readonly executedCount: number;
  readonly skippedCount: number;
  readonly outputBytes: number;
  readonly nodes: readonly NodeView[];
  /** The context object as compact JSON text. */
  readonly context: string;
  /** Unknown top-level fields as a compact JSON object text ("{}" when none). */
  readonly extraFields: string;
}

export type HostMessage =
  | { readonly type: 'run'; readonly run: RunView; readonly focusNode?: string }
  | { readonly type: 'unreadable'; readonly id: string; readonly reason: string; readonly location?: string }
  | { readonly type: 'deleted'; readonly id: string }
  | { readonly type: 'loading'; readonly id: string }
  | { readonly type: 'focusNode'; readonly nodeId: string }
  | { readonly type: 'output'; readonly nodeId: string; readonly output: string };

export type PanelAction = 'export' | 'delete' | 'openRaw' | 'copyId';

export type WebviewMessage =
  | { readonly type: 'ready' }
  | { readonly type: 'copy'; readonly what: 'value' | 'path'; readonly text: string }
  | { readonly type: 'action'; readonly action: PanelAction; readonly id: string }
  | { readonly type: 'loadOutput'; readonly nodeId: string }
  /** The page drew the first screen of a run: lets tests and the benchmark time it. */
  | { readonly type: 'rendered'; readonly id: string; readonly rows: number };

/** Persisted with the panel (getState/setState) so it can be restored after a reload. */
export interface PanelState {
  readonly storeKey: string;
  readonly id: string;
  readonly filter?: string;
}

const ACTIONS: readonly PanelAction[] = ['export', 'delete', 'openRaw', 'copyId'];
/** Copying more than this from a page is refused: a page has no reason to send more. */
export const MAX_COPY_CHARS = 64 * 1024 * 1024;
const MAX_NODE_ID_CHARS = 64 * 1024;

/** Returns the message when it has exactly a known shape; otherwise undefined. */
export function parseWebviewMessage(data: unknown): WebviewMessage | undefined {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return undefined;
  const m = data as Record<string, unknown>;
  const keys = Object.keys(m).sort().join(',');
  switch (m.type) {
    case 'ready':
      return keys === 'type' ? { type: 'ready' } : undefined;
    case 'copy':
      if (keys !== 'text,type,what') return undefined;
      if ((m.what !== 'value' && m.what !== 'path') || typeof m.text !== 'string' || m.text.length > MAX_COPY_CHARS) return undefined;
      return { type: 'copy', what: m.what, text: m.text };
    case 'loadOutput':
      if (keys !== 'nodeId,type' || typeof m.nodeId !== 'string' || m.nodeId.length > MAX_NODE_ID_CHARS) return undefined;
      return { type: 'loadOutput', nodeId: m.nodeId };
    case 'rendered':
      if (keys !== 'id,rows,type' || typeof m.id !== 'string' || !Number.isSafeInteger(m.rows) || (m.rows as number) < 0) return undefined;
      return { type: 'rendered', id: m.id, rows: m.rows as number };
    case 'action':
      if (keys !== 'action,id,type') return undefined;
      if (typeof m.id !== 'string' || !ACTIONS.includes(m.action as PanelAction)) return undefined;
      return { type: 'action', action: m.action as PanelAction, id: m.id };
    default:
      return undefined;
  }
}

/** Validates restored panel state (it comes back from the webview, so it is untrusted too). */
export function parsePanelState(data: unknown): PanelState | undefined {
  if (typeof data !== 'object' || data === null) return undefined;
  const s = data as Record<string, unknown>;
  if (typeof s.storeKey !== 'string' || typeof s.id !== 'string') return undefined;
  if (s.filter !== undefined && typeof s.filter !== 'string') return undefined;
  return { storeKey: s.storeKey, id: s.id, filter: typeof s.filter === 'string' ? s.filter.slice(0, 1000) : undefined };
}

/**
 * Messages between the Run Grid's host and its webview page. Page → host messages are
 * untrusted and validated by `parseGridPageMessage` (exact shapes); the page checks what the
 * host sends with `parseGridHostMessage`.
 */
import type { GridRun } from '../core/gridModel';
import { arrayOf, check, count, isTrue, number, object, oneOf, optional, refine, string, tagged, Validator } from './validate';

/** Host → page. */
export type GridHostMessage =
  /** The runs shown (newest first), the store's label, and whether more can be loaded. */
  | {
      readonly type: 'grid';
      readonly storeLabel: string;
      readonly runs: readonly GridRun[];
      readonly total: number;
      readonly more?: true;
      /** The host's clock (ms) when the message was built: "5 min ago" is relative to it. */
      readonly now: number;
    }
  /** The answer to `preview`: a one-line preview of the node's output. */
  | { readonly type: 'preview'; readonly requestId: number; readonly text: string };

/** Page → host. */
export type GridPageMessage =
  | { readonly type: 'ready' }
  /** Open a node's output (the Open Node Output command). */
  | { readonly type: 'openNode'; readonly runId: string; readonly nodeId: string }
  /** Open a run's detail panel. */
  | { readonly type: 'openRun'; readonly runId: string }
  /** Show a node's history (the Show Node History command). */
  | { readonly type: 'nodeHistory'; readonly nodeId: string }
  /** Compare two runs (the Compare Runs command). */
  | { readonly type: 'compare'; readonly runIds: readonly string[] }
  /** A preview of a node's output; the reply carries the same requestId. */
  | { readonly type: 'preview'; readonly requestId: number; readonly runId: string; readonly nodeId: string }
  /** Show the next page of runs. */
  | { readonly type: 'loadMore' }
  /** The page drew the grid: its cell elements now (tests check the DOM stays bounded). */
  | { readonly type: 'rendered'; readonly columns: number; readonly rows: number; readonly cells: number };

const MAX_ID_CHARS = 200;
const MAX_NODE_ID_CHARS = 64 * 1024;

type Message<U, T> = Extract<U, { readonly type: T }>;
const typeIs = <T extends string>(type: T): Validator<T> => oneOf(type);

const pageMessage: Validator<GridPageMessage> = tagged<GridPageMessage>({
  ready: object<Message<GridPageMessage, 'ready'>>({ type: typeIs('ready') }, { exact: true }),
  openNode: object<Message<GridPageMessage, 'openNode'>>({ type: typeIs('openNode'), runId: string(MAX_ID_CHARS), nodeId: string(MAX_NODE_ID_CHARS) }, { exact: true }),
  openRun: object<Message<GridPageMessage, 'openRun'>>({ type: typeIs('openRun'), runId: string(MAX_ID_CHARS) }, { exact: true }),
  nodeHistory: object<Message<GridPageMessage, 'nodeHistory'>>({ type: typeIs('nodeHistory'), nodeId: string(MAX_NODE_ID_CHARS) }, { exact: true }),
  compare: object<Message<GridPageMessage, 'compare'>>(
    {
      type: typeIs('compare'),
      runIds: refine(arrayOf(string(MAX_ID_CHARS)), (ids) => ids.length === 2 && ids[0] !== ids[1]),
    },
    { exact: true },
  ),
  preview: object<Message<GridPageMessage, 'preview'>>({ type: typeIs('preview'), requestId: count, runId: string(MAX_ID_CHARS), nodeId: string(MAX_NODE_ID_CHARS) }, { exact: true }),
  loadMore: object<Message<GridPageMessage, 'loadMore'>>({ type: typeIs('loadMore') }, { exact: true }),
  rendered: object<Message<GridPageMessage, 'rendered'>>({ type: typeIs('rendered'), columns: count, rows: count, cells: count }, { exact: true }),
});

/** The message when it has exactly a known shape; otherwise undefined. */
export function parseGridPageMessage(data: unknown): GridPageMessage | undefined {
  return check(pageMessage, data);
}

const gridRun = object<GridRun>({
  id: string(),
  savedAt: number,
  completed: arrayOf(string()),
  skipped: arrayOf(string()),
  unreadable: optional(string()),
});

const hostMessage: Validator<GridHostMessage> = tagged<GridHostMessage>({
  grid: object<Message<GridHostMessage, 'grid'>>({ type: typeIs('grid'), storeLabel: string(), runs: arrayOf(gridRun), total: count, more: optional(isTrue), now: number }),
  preview: object<Message<GridHostMessage, 'preview'>>({ type: typeIs('preview'), requestId: count, text: string() }),
});

/** What the page accepts from the host (extra fields are dropped). */
export function parseGridHostMessage(data: unknown): GridHostMessage | undefined {
  return check(hostMessage, data);
}

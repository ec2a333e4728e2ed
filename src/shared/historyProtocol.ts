/**
 * Messages between a Node History panel's host and its webview page. Page → host messages
 * are untrusted and validated by `parseHistoryPageMessage` (exact shapes); the page checks
 * what the host sends with `parseHistoryHostMessage`.
 */
import type { HistoryStatus, NodeChange } from '../core/nodeHistory';
import { arrayOf, check, count, INVALID, isTrue, number, object, oneOf, optional, string, tagged, Validator } from './validate';

/** One run's entry as the page shows it: the output only as a one-line preview. */
export interface HistoryEntryView {
  readonly id: string;
  readonly savedAt: number;
  readonly status?: HistoryStatus;
  readonly unreadable?: string;
  /** Whether the node has an output entry in the run (Open Output then opens it). */
  readonly hasOutput: boolean;
  readonly preview: string;
  readonly change: NodeChange;
}

/** Host → page. */
export type HistoryHostMessage = {
  readonly type: 'history';
  readonly storeLabel: string;
  readonly nodeId: string;
  /** Newest first. */
  readonly entries: readonly HistoryEntryView[];
  /** Runs in the store. */
  readonly total: number;
  readonly more?: true;
  /** The host's clock (ms) when the message was built: "5 min ago" is relative to it. */
  readonly now: number;
  /** Set when the read was cancelled: the entries are the runs read until then. */
  readonly cancelled?: true;
};

/** Page → host. */
export type HistoryPageMessage =
  | { readonly type: 'ready' }
  /** Show the next page of runs. */
  | { readonly type: 'loadMore' }
  /** Open the node's output in run `runId` (the Open Output command). */
  | { readonly type: 'openOutput'; readonly runId: string }
  /** Open run `runId`'s panel at the node. */
  | { readonly type: 'openRun'; readonly runId: string }
  /** Plot the node's output (a number) across runs. */
  | { readonly type: 'plot' }
  /** The page drew the list (tests wait for it). */
  | { readonly type: 'rendered'; readonly entries: number };

const MAX_ID_CHARS = 200;

type Message<U, T> = Extract<U, { readonly type: T }>;
const typeIs = <T extends string>(type: T): Validator<T> => oneOf(type);

const pageMessage: Validator<HistoryPageMessage> = tagged<HistoryPageMessage>({
  ready: object<Message<HistoryPageMessage, 'ready'>>({ type: typeIs('ready') }, { exact: true }),
  loadMore: object<Message<HistoryPageMessage, 'loadMore'>>({ type: typeIs('loadMore') }, { exact: true }),
  openOutput: object<Message<HistoryPageMessage, 'openOutput'>>({ type: typeIs('openOutput'), runId: string(MAX_ID_CHARS) }, { exact: true }),
  openRun: object<Message<HistoryPageMessage, 'openRun'>>({ type: typeIs('openRun'), runId: string(MAX_ID_CHARS) }, { exact: true }),
  plot: object<Message<HistoryPageMessage, 'plot'>>({ type: typeIs('plot') }, { exact: true }),
  rendered: object<Message<HistoryPageMessage, 'rendered'>>({ type: typeIs('rendered'), entries: count }, { exact: true }),
});

/** The message when it has exactly a known shape; otherwise undefined. */
export function parseHistoryPageMessage(data: unknown): HistoryPageMessage | undefined {
  return check(pageMessage, data);
}

const STATUS = oneOf<HistoryStatus>('executed', 'skipped', 'output-only', 'absent');

const boolean: Validator<boolean> = (value) => (typeof value === 'boolean' ? value : INVALID);

type Compared = Extract<NodeChange, { kind: 'compared' }>;
const compared = object<Compared>({
  kind: oneOf('compared'),
  previousId: string(),
  unreadableBetween: count,
  status: optional(object<NonNullable<Compared['status']>>({ from: STATUS, to: STATUS })),
  output: oneOf('same', 'changed', 'added', 'removed'),
  paths: arrayOf(string()),
  morePaths: boolean,
});

/** A NodeChange, told apart by its `kind`. */
const change: Validator<NodeChange> = (value) => {
  const kind = typeof value === 'object' && value !== null && Object.prototype.hasOwnProperty.call(value, 'kind') ? (value as { kind: unknown }).kind : undefined;
  if (kind === 'first' || kind === 'unreadable') return { kind };
  return kind === 'compared' ? compared(value) : INVALID;
};

const entry = object<HistoryEntryView>({
  id: string(),
  savedAt: number,
  status: optional(STATUS),
  unreadable: optional(string()),
  hasOutput: boolean,
  preview: string(),
  change,
});

const hostMessage: Validator<HistoryHostMessage> = object<HistoryHostMessage>({
  type: typeIs('history'),
  storeLabel: string(),
  nodeId: string(),
  entries: arrayOf(entry),
  total: count,
  more: optional(isTrue),
  now: number,
  cancelled: optional(isTrue),
});

/** What the page accepts from the host (extra fields are dropped). */
export function parseHistoryHostMessage(data: unknown): HistoryHostMessage | undefined {
  return check(hostMessage, data);
}

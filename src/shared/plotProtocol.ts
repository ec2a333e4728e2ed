/**
 * Messages between a Plot Across Runs panel's host and its webview page. Page → host messages
 * are untrusted and validated by `parsePlotPageMessage` (exact shapes); the page checks what
 * the host sends with `parsePlotHostMessage`.
 */
import { arrayOf, check, count, isTrue, number, object, oneOf, optional, string, tagged, Validator } from './validate';

/** One run's point: `text` (exact) and `value` (the nearest double) when the run has a number there, else `gap`. */
export interface PlotPointView {
  readonly id: string;
  readonly savedAt: number;
  readonly value?: number;
  readonly text?: string;
  /** The double only approximates `text` (beyond 2^53, or more digits than a double keeps). */
  readonly approximate?: true;
  readonly gap?: 'missing' | 'not a number' | 'unreadable';
  /** Why the run is unreadable. */
  readonly reason?: string;
}

/** Host → page. */
export type PlotHostMessage = {
  readonly type: 'plot';
  readonly storeLabel: string;
  /** The JSON path plotted, as Copy Path writes it. */
  readonly path: string;
  /** Oldest first. */
  readonly points: readonly PlotPointView[];
  readonly plotted: number;
  readonly approximate: number;
  /** Runs in the store (the plot shows the newest `points.length`). */
  readonly total: number;
  /** Set when the read was cancelled: the points are the runs read until then. */
  readonly cancelled?: true;
};

/** Page → host. */
export type PlotPageMessage =
  | { readonly type: 'ready' }
  /** Open run `runId`'s panel. */
  | { readonly type: 'openRun'; readonly runId: string }
  /** The page drew the chart and table (tests wait for it). */
  | { readonly type: 'rendered'; readonly points: number };

const MAX_ID_CHARS = 200;

type Message<U, T> = Extract<U, { readonly type: T }>;
const typeIs = <T extends string>(type: T): Validator<T> => oneOf(type);

const pageMessage: Validator<PlotPageMessage> = tagged<PlotPageMessage>({
  ready: object<Message<PlotPageMessage, 'ready'>>({ type: typeIs('ready') }, { exact: true }),
  openRun: object<Message<PlotPageMessage, 'openRun'>>({ type: typeIs('openRun'), runId: string(MAX_ID_CHARS) }, { exact: true }),
  rendered: object<Message<PlotPageMessage, 'rendered'>>({ type: typeIs('rendered'), points: count }, { exact: true }),
});

/** The message when it has exactly a known shape; otherwise undefined. */
export function parsePlotPageMessage(data: unknown): PlotPageMessage | undefined {
  return check(pageMessage, data);
}

const point = object<PlotPointView>({
  id: string(),
  savedAt: number,
  value: optional(number),
  text: optional(string()),
  approximate: optional(isTrue),
  gap: optional(oneOf('missing', 'not a number', 'unreadable')),
  reason: optional(string()),
});

const hostMessage: Validator<PlotHostMessage> = object<PlotHostMessage>({
  type: typeIs('plot'),
  storeLabel: string(),
  path: string(),
  points: arrayOf(point),
  plotted: count,
  approximate: count,
  total: count,
  cancelled: optional(isTrue),
});

/** What the page accepts from the host (extra fields are dropped). */
export function parsePlotHostMessage(data: unknown): PlotHostMessage | undefined {
  return check(hostMessage, data);
}

/**
 * Builds what the detail page shows from a run's bytes. Pure (no `vscode`), so it runs in
 * the scan worker for big runs and inline for small ones. Outputs are the stored text of
 * each node; big ones are left out of the first message and sent when the page asks.
 */
import { describeParseFailure, idMismatch } from '../core/executionStore';
import { FlowResultError, parseFlowResultBytes, scanFlowResult, ScannedFlowResult, ValueSpan } from '../core/flowResult';
import { formatTimestamp, oneLine, previewValue, utf8ByteLength } from '../core/format';
import { parseJson } from '../core/json';
import { buildSummary, NodeStatus, outputTypeOfText } from '../core/summary';
import { encodeNodes, NodeTable, NodeView, RunView } from '../shared/protocol';

/** Outputs up to this size travel with the first message... */
export const INLINE_OUTPUT_CHARS = 256 * 1024;
/** ...until the first message holds this much; the rest wait to be asked for. */
export const INLINE_TOTAL_CHARS = 2 * 1024 * 1024;

export interface RunMeta {
  readonly id: string;
  readonly storeKey: string;
  readonly storeLabel: string;
  readonly savedAt: number;
  readonly size: number;
  readonly location?: string;
}

/**
 * A run with more nodes than this sends them in two messages: the first page with the run
 * (the first screen shows a few dozen), the rest right after. Crossing from the extension
 * host to the page costs per byte (measured in code-server: about half a second for the
 * 2 MB table of a 20,000-node run), and the first screen need not wait for it.
 */
export const FIRST_MESSAGE_NODES = 200;

export type BuiltRunView =
  | {
      readonly ok: true;
      readonly view: RunView;
      /** The nodes after the first page, for a wide run (`view.pendingNodes` of them). */
      readonly rest?: NodeTable;
      readonly text: string;
      readonly deferred: readonly [string, number, number][];
    }
  | { readonly ok: false; readonly reason: string };

const strictDecoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const lossyDecoder = new TextDecoder('utf-8', { ignoreBOM: true });

export function buildRunViewFromBytes(bytes: Uint8Array, meta: RunMeta): BuiltRunView {
  const scanned = scanRunBytes(bytes, meta.id);
  return scanned.ok ? buildRunView(scanned.scan, meta) : scanned;
}

/** Decodes and scans a run's bytes (spans, not values), checking the id inside matches. */
export function scanRunBytes(bytes: Uint8Array, id: string): { readonly ok: true; readonly scan: ScannedFlowResult } | { readonly ok: false; readonly reason: string } {
  let text: string;
  try {
    text = strictDecoder.decode(bytes);
  } catch {
    // serde accepts invalid UTF-8 only inside unknown fields: the full parser decides.
    try {
      parseFlowResultBytes(bytes);
    } catch (error) {
      return { ok: false, reason: describeParseFailure(error as Error, bytes) };
    }
    text = lossyDecoder.decode(bytes);
  }
  let scan: ScannedFlowResult;
  try {
    scan = scanFlowResult(text);
  } catch (error) {
    if (error instanceof FlowResultError) return { ok: false, reason: describeParseFailure(error, bytes) };
    throw error;
  }
  const mismatch = idMismatch(scan.executionId, id);
  if (mismatch) return { ok: false, reason: mismatch };
  return { ok: true, scan };
}

/**
 * What the tree shows of a run: its figures and the first `limit` of its nodes with a
 * one-line preview each. Small whatever the run's width or size: only the previews of the
 * nodes asked for are parsed, so a scan thread can send it to the host for the cost of a page.
 */
export interface RunOutline {
  readonly nodeCount: number;
  readonly executed: number;
  readonly skipped: number;
  /** Node rows in all (executed, skipped and output-only). */
  readonly total: number;
  /** The first `limit` node rows, in order. */
  readonly nodes: readonly { readonly id: string; readonly status: NodeStatus; readonly preview: string }[];
  readonly contextPreview: string;
  readonly contextKeys: number;
}

export function buildRunOutline(scan: ScannedFlowResult, limit: number): RunOutline {
  const text = scan.text;
  const outputs = new Map<string, ValueSpan>(scan.outputs.map((span) => [span.key, span]));
  const summary = buildSummary(scan.completedNodes, scan.skippedNodes, [...outputs.keys()], scan.context.length, (id) => ({
    type: outputTypeOfText(text, outputs.get(id)!.start),
    bytes: 0,
  }));
  const nodes = summary.nodes.slice(0, Math.max(0, limit)).map((n) => {
    const span = outputs.get(n.id);
    const preview = n.status === 'skipped' ? 'skipped' : !span ? 'no output' : previewSpan(text, span.start, span.end);
    return { id: n.id, status: n.status, preview };
  });
  return {
    nodeCount: summary.nodeCount,
    executed: summary.executed.length,
    skipped: summary.skipped.length,
    total: summary.nodes.length,
    nodes,
    contextPreview: limit > 0 ? previewValue(parseJson(objectText(text, scan.context)), PREVIEW_CHARS) : '',
    contextKeys: summary.contextKeys,
  };
}

/** A tree row's preview of a value. */
const PREVIEW_CHARS = 80;
/** Values up to this size are parsed for their preview; bigger ones are previewed from their text. */
const PARSED_PREVIEW_CHARS = 64 * 1024;

/**
 * The preview of the value stored at `text[start, end)`: as `previewValue` gives it for a
 * value of moderate size; for a big one (an output of megabytes), without building it: the
 * member count from one pass over the text and the start of its text, so a wide or big run's
 * outline never holds its values as objects.
 */
export function previewSpan(text: string, start: number, end: number): string {
  if (end - start <= PARSED_PREVIEW_CHARS) return previewValue(parseJson(text.slice(start, end)), PREVIEW_CHARS);
  const head = text.slice(start, start + PREVIEW_CHARS * 4);
  const open = text.charCodeAt(start);
  if (open !== 0x5b && open !== 0x7b) return oneLine(head, PREVIEW_CHARS);
  const count = topLevelMembers(text, start, end);
  return oneLine(`${open === 0x5b ? `[${count}]` : `{${count}}`} ${head.replace(/\s+/g, ' ')}`, PREVIEW_CHARS);
}

/** Members of the array or object at `text[start, end)` (valid JSON), counted without parsing. */
function topLevelMembers(text: string, start: number, end: number): number {
  let depth = 0;
  let members = 0;
  let empty = true;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      // Skip the string, escapes included.
      for (i++; i < end; i++) {
        const d = text.charCodeAt(i);
        if (d === 0x5c) i++;
        else if (d === 0x22) break;
      }
      if (depth === 1) empty = false;
    } else if (c === 0x5b || c === 0x7b) {
      if (depth === 1) empty = false;
      depth++;
    } else if (c === 0x5d || c === 0x7d) {
      depth--;
    } else if (c === 0x2c) {
      if (depth === 1) members++;
    } else if (depth === 1 && c > 0x20) {
      empty = false;
    }
  }
  return empty ? 0 : members + 1;
}

export function buildRunView(scan: ScannedFlowResult, meta: RunMeta): BuiltRunView & { ok: true } {
  const text = scan.text;
  const outputs = new Map<string, ValueSpan>(scan.outputs.map((span) => [span.key, span]));
  const summary = buildSummary(scan.completedNodes, scan.skippedNodes, [...outputs.keys()], scan.context.length, (id) => {
    const span = outputs.get(id)!;
    return { type: outputTypeOfText(text, span.start), bytes: utf8ByteLength(text.slice(span.start, span.end)) };
  });
  const deferred: [string, number, number][] = [];
  let inline = 0;
  const nodes = summary.nodes.map((n): NodeView => {
    const span = outputs.get(n.id);
    if (!span) return { id: n.id, status: n.status, outputType: n.outputType, outputBytes: n.outputBytes, output: 'null' };
    const length = span.end - span.start;
    if (length > INLINE_OUTPUT_CHARS || inline + length > INLINE_TOTAL_CHARS) {
      deferred.push([n.id, span.start, span.end]);
      return { id: n.id, status: n.status, outputType: n.outputType, outputBytes: n.outputBytes, deferred: true };
    }
    inline += length;
    return { id: n.id, status: n.status, outputType: n.outputType, outputBytes: n.outputBytes, output: text.slice(span.start, span.end) };
  });
  const wide = nodes.length > 2 * FIRST_MESSAGE_NODES;
  const view: RunView = {
    id: scan.executionId,
    storeKey: meta.storeKey,
    storeLabel: meta.storeLabel,
    savedAt: meta.savedAt,
    savedAtText: formatTimestamp(meta.savedAt),
    location: meta.location,
    size: meta.size,
    nodeCount: summary.nodeCount,
    executedCount: summary.executed.length,
    skippedCount: summary.skipped.length,
    outputBytes: summary.outputBytes,
    nodes: encodeNodes(wide ? nodes.slice(0, FIRST_MESSAGE_NODES) : nodes),
    ...(wide ? { pendingNodes: nodes.length - FIRST_MESSAGE_NODES } : {}),
    context: objectText(text, scan.context),
    extraFields: objectText(text, scan.extraFields),
  };
  return { ok: true, view, rest: wide ? encodeNodes(nodes.slice(FIRST_MESSAGE_NODES)) : undefined, text, deferred };
}

/** A JSON object text from member spans: the stored text of each value, exact. */
function objectText(text: string, spans: readonly ValueSpan[]): string {
  return `{${spans.map((s) => `${JSON.stringify(s.key)}:${text.slice(s.start, s.end)}`).join(',')}}`;
}

/**
 * Builds what the detail page shows from a run's bytes. Pure (no `vscode`), so it runs in
 * the scan worker for big runs and inline for small ones. Outputs are the stored text of
 * each node; big ones are left out of the first message and sent when the page asks.
 */
import { describeParseFailure, idMismatch } from '../core/executionStore';
import { FlowResultError, parseFlowResultBytes, scanFlowResult, ScannedFlowResult, ValueSpan } from '../core/flowResult';
import { formatTimestamp, utf8ByteLength } from '../core/format';
import { buildSummary, outputTypeOfText } from '../core/summary';
import { RunView } from '../shared/protocol';

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

export type BuiltRunView =
  | { readonly ok: true; readonly view: RunView; readonly text: string; readonly deferred: readonly [string, number, number][] }
  | { readonly ok: false; readonly reason: string };

const strictDecoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const lossyDecoder = new TextDecoder('utf-8', { ignoreBOM: true });

export function buildRunViewFromBytes(bytes: Uint8Array, meta: RunMeta): BuiltRunView {
  const scanned = scanRunBytes(bytes, meta.id);
  return scanned.ok ? buildRunView(scanned.scan, meta) : scanned;
}

/** A tree row's figures of a run, from its bytes; nothing of the run is kept. */
export type BuiltRunFigures =
  | { readonly ok: true; readonly nodeCount: number; readonly executed: number; readonly skipped: number }
  | { readonly ok: false; readonly reason: string };

export function runFiguresFromBytes(bytes: Uint8Array, id: string): BuiltRunFigures {
  const scanned = scanRunBytes(bytes, id);
  if (!scanned.ok) return scanned;
  const { completedNodes, skippedNodes, outputs, context } = scanned.scan;
  const summary = buildSummary(completedNodes, skippedNodes, outputs.map((span) => span.key), context.length, () => ({ type: 'none', bytes: 0 }));
  return { ok: true, nodeCount: summary.nodeCount, executed: summary.executed.length, skipped: summary.skipped.length };
}

/** Decodes and scans a run's bytes (the stored text, indexed) and checks its id. */
function scanRunBytes(bytes: Uint8Array, id: string): { readonly ok: true; readonly scan: ScannedFlowResult } | { readonly ok: false; readonly reason: string } {
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

export function buildRunView(scan: ScannedFlowResult, meta: RunMeta): BuiltRunView & { ok: true } {
  const text = scan.text;
  const outputs = new Map<string, ValueSpan>(scan.outputs.map((span) => [span.key, span]));
  const summary = buildSummary(scan.completedNodes, scan.skippedNodes, [...outputs.keys()], scan.context.length, (id) => {
    const span = outputs.get(id)!;
    return { type: outputTypeOfText(text, span.start), bytes: utf8ByteLength(text.slice(span.start, span.end)) };
  });
  const deferred: [string, number, number][] = [];
  let inline = 0;
  const nodes = summary.nodes.map((n) => {
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
    nodes,
    context: objectText(text, scan.context),
    extraFields: objectText(text, scan.extraFields),
  };
  return { ok: true, view, text, deferred };
}

/** A JSON object text from member spans: the stored text of each value, exact. */
function objectText(text: string, spans: readonly ValueSpan[]): string {
  return `{${spans.map((s) => `${JSON.stringify(s.key)}:${text.slice(s.start, s.end)}`).join(',')}}`;
}

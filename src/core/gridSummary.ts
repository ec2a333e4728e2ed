/** A run's Run Grid summary (node ids only) from its bytes; kept apart so the grid page's bundle stays small. */
import { describeParseFailure, idMismatch } from './executionStore';
import { FlowResultError, parseFlowResultBytes, scanFlowResult } from './flowResult';
import type { GridRun } from './gridModel';

const strictDecoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * A run's grid summary from its bytes: validated as the panel validates it, node ids only
 * (outputs are scanned as spans, never built). Unreadable runs say why.
 */
export function gridRunFromBytes(bytes: Uint8Array, id: string, savedAt: number): GridRun {
  const unreadable = (reason: string): GridRun => ({ id, savedAt, completed: [], skipped: [], unreadable: reason });
  try {
    let completed: readonly string[];
    let skipped: readonly string[];
    let executionId: string;
    let text: string | undefined;
    try {
      text = strictDecoder.decode(bytes);
    } catch {
      text = undefined;
    }
    if (text === undefined) {
      // serde accepts invalid UTF-8 only inside unknown fields: the full parser decides.
      const result = parseFlowResultBytes(bytes);
      ({ completedNodes: completed, skippedNodes: skipped, executionId } = result);
    } else {
      ({ completedNodes: completed, skippedNodes: skipped, executionId } = scanFlowResult(text));
    }
    const mismatch = idMismatch(executionId, id);
    if (mismatch) return unreadable(mismatch);
    return { id, savedAt, completed: [...completed], skipped: [...skipped] };
  } catch (error) {
    if (error instanceof FlowResultError) return unreadable(describeParseFailure(error, bytes));
    return unreadable(error instanceof Error ? error.message : String(error));
  }
}

/**
 * A node's history: one node across runs, newest first, each entry with what changed since
 * the previous (older) run. The comparison is the Compare command's own (`diffRuns` on the
 * node's slice of each run, `diffValues` for the changed paths of its output); nothing here
 * reads a store.
 */
import { diffRuns, diffValues } from './diff';
import { FlowResult } from './flowResult';
import { JsonValue, newObject, parseJson } from './json';
import type { NodeStatus } from './summary';

/** `absent`: the run does not mention the node (not completed, not skipped, no output). */
export type HistoryStatus = NodeStatus | 'absent';

/** The node as one run has it (what the host reads). */
export interface NodeHistoryRun {
  readonly id: string;
  readonly savedAt: number;
  /** Undefined when the run is unreadable. */
  readonly status?: HistoryStatus;
  /** The node's output as its stored JSON text (exact numbers); undefined when it has none. */
  readonly output?: string;
  /** Why the run could not be read. */
  readonly unreadable?: string;
}

/** What changed since the previous (older) readable run. */
export type NodeChange =
  /** No older readable run among those shown. */
  | { readonly kind: 'first' }
  /** This run is unreadable: nothing to compare. */
  | { readonly kind: 'unreadable' }
  | {
      readonly kind: 'compared';
      /** The run compared with (the next older readable one). */
      readonly previousId: string;
      /** Older runs between the two that were skipped because unreadable. */
      readonly unreadableBetween: number;
      /** Set when the status differs. */
      readonly status?: { readonly from: HistoryStatus; readonly to: HistoryStatus };
      /** The output: same, changed (paths inside it), added or removed. */
      readonly output: 'same' | 'changed' | 'added' | 'removed';
      /** JSON paths (from `$`, the output's root) that differ, at most MAX_CHANGED_PATHS. */
      readonly paths: readonly string[];
      /** More paths differ than listed. */
      readonly morePaths: boolean;
    };

export interface NodeHistoryEntry extends NodeHistoryRun {
  readonly change: NodeChange;
}

export const MAX_CHANGED_PATHS = 50;

/**
 * The entries in the order of `runs`, which is newest first (the store's listing order).
 * Each readable run is compared with the next older readable one.
 */
export function buildNodeHistory(nodeId: string, runs: readonly NodeHistoryRun[]): NodeHistoryEntry[] {
  const ordered = runs;
  const parsed = new Map<NodeHistoryRun, FlowResult>();
  const slice = (run: NodeHistoryRun): FlowResult => {
    let result = parsed.get(run);
    if (!result) {
      result = nodeSlice(nodeId, run);
      parsed.set(run, result);
    }
    return result;
  };
  return ordered.map((run, index): NodeHistoryEntry => {
    if (run.unreadable !== undefined || run.status === undefined) return { ...run, change: { kind: 'unreadable' } };
    let older = index + 1;
    while (older < ordered.length && (ordered[older].unreadable !== undefined || ordered[older].status === undefined)) older++;
    const previous = ordered[older];
    if (!previous) return { ...run, change: { kind: 'first' } };
    return { ...run, change: compare(nodeId, previous, slice(previous), run, slice(run), older - index - 1) };
  });
}

function compare(nodeId: string, previous: NodeHistoryRun, a: FlowResult, run: NodeHistoryRun, b: FlowResult, unreadableBetween: number): NodeChange {
  const diff = diffRuns(a, b);
  const statusFrom = previous.status!;
  const statusTo = run.status!;
  // diffRuns sees an absent node as "only in" one run; its status change is then implied.
  const statusChanged = diff.statusChanged.length > 0 || diff.onlyInA.length > 0 || diff.onlyInB.length > 0;
  const hadOutput = previous.output !== undefined;
  const hasOutput = run.output !== undefined;
  let output: 'same' | 'changed' | 'added' | 'removed';
  let paths: readonly string[] = [];
  let morePaths = false;
  if (hadOutput && hasOutput) {
    // A node with an output is in both runs' summaries, so diffRuns compared it.
    const changed = diff.outputChanged.includes(nodeId);
    output = changed ? 'changed' : 'same';
    if (changed) ({ paths, more: morePaths } = diffValues(a.outputs[nodeId], b.outputs[nodeId], '$', MAX_CHANGED_PATHS));
  } else {
    output = hadOutput ? 'removed' : hasOutput ? 'added' : 'same';
  }
  return {
    kind: 'compared',
    previousId: previous.id,
    unreadableBetween,
    ...(statusChanged && statusFrom !== statusTo ? { status: { from: statusFrom, to: statusTo } } : {}),
    output,
    paths,
    morePaths,
  };
}

/** The run cut down to the one node, in the shape the Compare command's diff reads. */
function nodeSlice(nodeId: string, run: NodeHistoryRun): FlowResult {
  const outputs = newObject();
  if (run.output !== undefined) outputs[nodeId] = parseOutput(run.output);
  const listed = run.status === 'executed' || run.status === 'skipped';
  return {
    executionId: run.id,
    outputs,
    completedNodes: listed ? [nodeId] : [],
    skippedNodes: run.status === 'skipped' ? [nodeId] : [],
    context: newObject(),
    extraFields: newObject(),
  };
}

/** Stored outputs were validated when the run was read; a text that is not JSON compares as the string. */
function parseOutput(text: string): JsonValue {
  try {
    return parseJson(text);
  } catch {
    return text;
  }
}

/** One line for "what changed", e.g. "status executed → skipped; output changed: 3 paths". */
export function describeChange(change: NodeChange): string {
  switch (change.kind) {
    case 'first':
      return 'No older run shown to compare with.';
    case 'unreadable':
      return 'Run unreadable: not compared.';
    case 'compared': {
      const parts: string[] = [];
      if (change.status) parts.push(`status ${change.status.from} → ${change.status.to}`);
      if (change.output === 'changed') {
        const n = change.paths.length;
        parts.push(`output changed: ${change.morePaths ? `more than ${n}` : n} path${n === 1 && !change.morePaths ? '' : 's'}`);
      } else if (change.output === 'added') parts.push('output added');
      else if (change.output === 'removed') parts.push('output removed');
      const text = parts.length ? parts.join('; ') : 'unchanged';
      const since = `since ${change.previousId.slice(0, 8)}${change.unreadableBetween ? ` (${change.unreadableBetween} unreadable run${change.unreadableBetween === 1 ? '' : 's'} between)` : ''}`;
      return `${text[0].toUpperCase()}${text.slice(1)} ${since}.`;
    }
  }
}

/** A node-level comparison of two runs: what `flow-history diff` prints. */
import { compareCodeUnits, FlowResult } from './flowResult';
import { jsonEquals, JsonObject } from './json';
import { NodeStatus, summarize } from './summary';
import { previewValue } from './format';

export interface RunDiff {
  readonly onlyInA: readonly string[];
  readonly onlyInB: readonly string[];
  readonly statusChanged: readonly { readonly node: string; readonly a: NodeStatus; readonly b: NodeStatus }[];
  readonly outputChanged: readonly string[];
  readonly contextChanged: readonly string[];
  readonly same: boolean;
}

export function diffRuns(a: FlowResult, b: FlowResult): RunDiff {
  const statusA = new Map(summarize(a).nodes.map((n) => [n.id, n.status]));
  const statusB = new Map(summarize(b).nodes.map((n) => [n.id, n.status]));
  const onlyInA = [...statusA.keys()].filter((n) => !statusB.has(n));
  const onlyInB = [...statusB.keys()].filter((n) => !statusA.has(n));
  const both = [...statusA.keys()].filter((n) => statusB.has(n)).sort(compareCodeUnits);
  const statusChanged = both.filter((n) => statusA.get(n) !== statusB.get(n)).map((node) => ({ node, a: statusA.get(node)!, b: statusB.get(node)! }));
  const outputChanged = both.filter((n) => !sameEntry(a.outputs, b.outputs, n));
  const contextKeys = [...new Set([...Object.keys(a.context), ...Object.keys(b.context)])].sort(compareCodeUnits);
  const contextChanged = contextKeys.filter((k) => !sameEntry(a.context, b.context, k));
  const same = !onlyInA.length && !onlyInB.length && !statusChanged.length && !outputChanged.length && !contextChanged.length;
  return { onlyInA, onlyInB, statusChanged, outputChanged, contextChanged, same };
}

function sameEntry(a: JsonObject, b: JsonObject, key: string): boolean {
  const hasA = Object.prototype.hasOwnProperty.call(a, key);
  const hasB = Object.prototype.hasOwnProperty.call(b, key);
  if (hasA !== hasB) return false;
  return !hasA || jsonEquals(a[key], b[key]);
}

/** Readable lines for terminals. */
export function formatRunDiff(a: FlowResult, b: FlowResult, diff: RunDiff = diffRuns(a, b)): string[] {
  const lines = [`--- ${a.executionId}`, `+++ ${b.executionId}`];
  if (diff.same) return [...lines, 'No differences in nodes, outputs or context.'];
  for (const n of diff.onlyInA) lines.push(`- node ${JSON.stringify(n)} only in ${a.executionId.slice(0, 8)}`);
  for (const n of diff.onlyInB) lines.push(`+ node ${JSON.stringify(n)} only in ${b.executionId.slice(0, 8)}`);
  for (const s of diff.statusChanged) lines.push(`~ node ${JSON.stringify(s.node)}: ${s.a} -> ${s.b}`);
  for (const n of diff.outputChanged) {
    lines.push(`~ output of ${JSON.stringify(n)}:`);
    lines.push(`    - ${previewOf(a.outputs, n)}`);
    lines.push(`    + ${previewOf(b.outputs, n)}`);
  }
  for (const k of diff.contextChanged) {
    lines.push(`~ context ${JSON.stringify(k)}: ${previewOf(a.context, k)} -> ${previewOf(b.context, k)}`);
  }
  return lines;
}

function previewOf(object: JsonObject, key: string): string {
  return Object.prototype.hasOwnProperty.call(object, key) ? previewValue(object[key], 100) : '(absent)';
}

/** A node-level comparison of two runs: what `flow-history diff` prints. */
import { compareCodeUnits, FlowResult } from './flowResult';
import { isJsonObject, jsonEquals, JsonObject, JsonValue } from './json';
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

/** The JSON paths (`$.items[0].sku`, `$["a b"]`) where two values differ, at most `limit`. */
export interface ValueDiff {
  readonly paths: readonly string[];
  /** More paths differ than `paths` lists. */
  readonly more: boolean;
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/**
 * Where `b` differs from `a`, path by path: the members and items both have are compared
 * inside, one present on a single side is its own path, a change of type is the path where
 * it happens. Numbers compare by their JSON text (big integers exactly). `undefined` is
 * "no value"; two `undefined` do not differ.
 */
export function diffValues(a: JsonValue | undefined, b: JsonValue | undefined, root = '$', limit = 100): ValueDiff {
  const paths: string[] = [];
  let more = false;
  const add = (path: string): boolean => {
    if (paths.length >= limit) {
      more = true;
      return false;
    }
    paths.push(path);
    return true;
  };
  const walk = (x: JsonValue | undefined, y: JsonValue | undefined, path: string): boolean => {
    if (x === undefined && y === undefined) return true;
    if (x === undefined || y === undefined) return add(path);
    if (Array.isArray(x) && Array.isArray(y)) {
      for (let i = 0; i < Math.max(x.length, y.length); i++) if (!walk(x[i], y[i], `${path}[${i}]`)) return false;
      return true;
    }
    if (isJsonObject(x) && isJsonObject(y)) {
      const keys = [...new Set([...Object.keys(x), ...Object.keys(y)])].sort(compareCodeUnits);
      for (const key of keys) {
        const at = IDENTIFIER.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
        if (!walk(has(x, key) ? x[key] : undefined, has(y, key) ? y[key] : undefined, at)) return false;
      }
      return true;
    }
    return jsonEquals(x, y) || add(path);
  };
  walk(a, b, root);
  return { paths, more };
}

function has(object: JsonObject, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(object, key);
}

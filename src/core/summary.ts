/** Figures derived from a FlowResult, shared by the tree, the panel and the CLI. */
import { compareCodeUnits, FlowResult } from './flowResult';
import { isJsonObject, JsonNumber, JsonValue, stringifyJson } from './json';
import { utf8ByteLength } from './format';

/** executed = completed − skipped; `output-only` marks an output for a node never completed. */
export type NodeStatus = 'executed' | 'skipped' | 'output-only';
export type OutputType = 'null' | 'boolean' | 'number' | 'string' | 'array' | 'object' | 'none';

export interface NodeSummary {
  readonly id: string;
  readonly status: NodeStatus;
  readonly outputType: OutputType;
  /** Bytes of the output's compact JSON (UTF-8); 0 when the node has no output entry. */
  readonly outputBytes: number;
}

export interface RunSummary {
  readonly nodeCount: number;
  readonly executed: readonly string[];
  readonly skipped: readonly string[];
  readonly nodes: readonly NodeSummary[];
  readonly outputBytes: number;
  readonly contextKeys: number;
}

export function summarize(result: FlowResult): RunSummary {
  const skippedSet = new Set(result.skippedNodes);
  const executed = result.completedNodes.filter((id) => !skippedSet.has(id)).sort(compareCodeUnits);
  const skipped = [...result.skippedNodes].sort(compareCodeUnits);
  const ids = new Set<string>([...executed, ...skipped, ...Object.keys(result.outputs)]);
  const completedSet = new Set(result.completedNodes);
  let outputBytes = 0;
  const nodes = [...ids].sort(compareCodeUnits).map((id): NodeSummary => {
    const has = Object.prototype.hasOwnProperty.call(result.outputs, id);
    const bytes = has ? jsonByteLength(result.outputs[id]) : 0;
    outputBytes += bytes;
    const status: NodeStatus = skippedSet.has(id) ? 'skipped' : completedSet.has(id) ? 'executed' : 'output-only';
    return { id, status, outputType: has ? outputType(result.outputs[id]) : 'none', outputBytes: bytes };
  });
  // A node listed only as skipped still counts: the engine processed it.
  const nodeCount = new Set([...result.completedNodes, ...result.skippedNodes]).size;
  return { nodeCount, executed, skipped, nodes, outputBytes, contextKeys: Object.keys(result.context).length };
}

export function outputType(value: JsonValue): OutputType {
  if (value === null) return 'null';
  if (typeof value === 'number' || value instanceof JsonNumber) return 'number';
  if (Array.isArray(value)) return 'array';
  if (isJsonObject(value)) return 'object';
  return typeof value as 'boolean' | 'string';
}

export function jsonByteLength(value: JsonValue): number {
  return utf8ByteLength(stringifyJson(value));
}

/**
 * Shape checks for messages from the host. The host is trusted code, but a page that checks
 * what it receives fails visibly (nothing happens) instead of half-rendering on a protocol
 * mismatch between two builds.
 */
import { HostMessage, NodeView, RunView } from '../../src/shared/protocol';

type Fields = Record<string, unknown>;

function isRecord(value: unknown): value is Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function optionalString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

const STATUSES = ['executed', 'skipped', 'output-only'];
const TYPES = ['null', 'boolean', 'number', 'string', 'array', 'object', 'none'];

function readNode(value: unknown): NodeView | undefined {
  if (!isRecord(value)) return undefined;
  const { id, status, outputType, outputBytes, output, deferred } = value;
  if (typeof id !== 'string' || typeof outputBytes !== 'number') return undefined;
  // A big output is left out (deferred) and asked for when its section opens.
  if (deferred === true ? output !== undefined : typeof output !== 'string') return undefined;
  if (!STATUSES.includes(status as string) || !TYPES.includes(outputType as string)) return undefined;
  return (deferred === true ? { id, status, outputType, outputBytes, deferred: true } : { id, status, outputType, outputBytes, output }) as NodeView;
}

function readRun(value: unknown): RunView | undefined {
  if (!isRecord(value) || !Array.isArray(value.nodes)) return undefined;
  const strings = ['id', 'storeLabel', 'savedAtText', 'context', 'extraFields'];
  const numbers = ['savedAt', 'size', 'nodeCount', 'executedCount', 'skippedCount', 'outputBytes'];
  if (!strings.every((key) => typeof value[key] === 'string')) return undefined;
  if (!numbers.every((key) => typeof value[key] === 'number')) return undefined;
  if (value.location !== undefined && typeof value.location !== 'string') return undefined;
  const nodes: NodeView[] = [];
  for (const item of value.nodes) {
    const node = readNode(item);
    if (!node) return undefined;
    nodes.push(node);
  }
  return { ...(value as unknown as RunView), nodes };
}

export function readHostMessage(data: unknown): HostMessage | undefined {
  if (!isRecord(data)) return undefined;
  switch (data.type) {
    case 'run': {
      const run = readRun(data.run);
      return run ? { type: 'run', run, focusNode: optionalString(data.focusNode) } : undefined;
    }
    case 'unreadable':
      if (typeof data.id !== 'string' || typeof data.reason !== 'string') return undefined;
      return { type: 'unreadable', id: data.id, reason: data.reason, location: optionalString(data.location) };
    case 'deleted':
    case 'loading':
      return typeof data.id === 'string' ? { type: data.type, id: data.id } : undefined;
    case 'focusNode':
      return typeof data.nodeId === 'string' ? { type: 'focusNode', nodeId: data.nodeId } : undefined;
    case 'output':
      return typeof data.nodeId === 'string' && typeof data.output === 'string' ? { type: 'output', nodeId: data.nodeId, output: data.output } : undefined;
    default:
      return undefined;
  }
}

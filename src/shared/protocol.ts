/**
 * Messages between the detail panel's host (extension) and its webview page. Imported by
 * both bundles; nothing here may depend on `vscode` or the DOM. Every message that arrives
 * from the webview is untrusted: `parseWebviewMessage` validates it before use; the page
 * checks what the host sends with `parseHostMessage`. The validators are built from the
 * types (see validate.ts), so a message type and its check cannot drift apart.
 */

import type { NodeStatus, OutputType } from '../core/summary';
import { bytes, check, count, instanceOf, memberOf, number, object, oneOf, optional, refine, string, tagged, Validator } from './validate';

export type NodeStatusView = NodeStatus;
export type OutputTypeView = OutputType;

export interface NodeView {
  readonly id: string;
  readonly status: NodeStatusView;
  readonly outputType: OutputTypeView;
  readonly outputBytes: number;
  /**
   * The output's stored JSON text (numbers exact); the page parses it lazily. Absent for a
   * big output (`deferred`): the page asks for it with `loadOutput` when it is opened.
   */
  readonly output?: string;
  readonly deferred?: boolean;
}

/**
 * The nodes of a run as a few flat byte arrays and strings instead of one object per node:
 * a run of 20,000 nodes crosses the host → page hops as a handful of values, not 100,000.
 * Node i's id is the text of `ids` from `idEnds[i-1]` to `idEnds[i]`; its output text
 * likewise in the text of `outputs` by `outputEnds`, where -1 marks a deferred (big) output,
 * asked for with `loadOutput`. Texts travel as UTF-8 bytes and numbers as typed arrays:
 * VS Code passes those to the page as they are, where strings and number arrays would be
 * written into JSON on the host (twice: the message, then the call that carries it) and
 * parsed back in the workbench and the page.
 */
export interface NodeTable {
  /** The ids' texts, concatenated, as UTF-8. */
  readonly ids: Uint8Array;
  /** Where each node's id ends in the decoded `ids` (UTF-16 code units). */
  readonly idEnds: Uint32Array;
  /** One letter per node (STATUS_CODES). */
  readonly statuses: string;
  /** One letter per node (TYPE_CODES). */
  readonly types: string;
  readonly outputBytes: Float64Array;
  /** The inline outputs' texts, concatenated, as UTF-8. */
  readonly outputs: Uint8Array;
  /** Where each node's output ends in the decoded `outputs` (UTF-16 code units), or -1. */
  readonly outputEnds: Int32Array;
}

const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8', { ignoreBOM: true });

const STATUS_CODES: { readonly [K in NodeStatusView]: string } = { executed: 'e', skipped: 's', 'output-only': 'o' };
const TYPE_CODES: { readonly [K in OutputTypeView]: string } = { null: 'n', boolean: 'b', number: 'd', string: 's', array: 'a', object: 'o', none: '-' };
const STATUS_OF = new Map(Object.entries(STATUS_CODES).map(([status, code]) => [code, status as NodeStatusView]));
const TYPE_OF = new Map(Object.entries(TYPE_CODES).map(([type, code]) => [code, type as OutputTypeView]));

export function encodeNodes(nodes: readonly NodeView[]): NodeTable {
  const n = nodes.length;
  const ids = new Array<string>(n);
  const idEnds = new Uint32Array(n);
  const statuses = new Array<string>(n);
  const types = new Array<string>(n);
  const outputBytes = new Float64Array(n);
  const outputs: string[] = [];
  const outputEnds = new Int32Array(n);
  let idLength = 0;
  let outputLength = 0;
  for (let i = 0; i < n; i++) {
    const node = nodes[i];
    ids[i] = node.id;
    idEnds[i] = idLength += node.id.length;
    statuses[i] = STATUS_CODES[node.status];
    types[i] = TYPE_CODES[node.outputType];
    outputBytes[i] = node.outputBytes;
    if (node.output === undefined) {
      outputEnds[i] = -1;
    } else {
      outputs.push(node.output);
      outputEnds[i] = outputLength += node.output.length;
    }
  }
  return { ids: utf8Encoder.encode(ids.join('')), idEnds, statuses: statuses.join(''), types: types.join(''), outputBytes, outputs: utf8Encoder.encode(outputs.join('')), outputEnds };
}

/** The buffers of a table, to hand over to another thread (transfer, not copy). */
export function tableBuffers(table: NodeTable): ArrayBuffer[] {
  return [table.ids, table.idEnds, table.outputBytes, table.outputs, table.outputEnds].map((array) => array.buffer as ArrayBuffer);
}

/** The table's nodes as objects (their texts are slices of the table's strings). */
export function decodeNodes(table: NodeTable): NodeView[] {
  const ids = utf8Decoder.decode(table.ids);
  const outputs = utf8Decoder.decode(table.outputs);
  const nodes: NodeView[] = new Array(table.idEnds.length);
  let idStart = 0;
  let outputStart = 0;
  for (let i = 0; i < nodes.length; i++) {
    const id = ids.slice(idStart, (idStart = table.idEnds[i]));
    const status = STATUS_OF.get(table.statuses[i])!;
    const outputType = TYPE_OF.get(table.types[i])!;
    const end = table.outputEnds[i];
    if (end < 0) {
      nodes[i] = { id, status, outputType, outputBytes: table.outputBytes[i], deferred: true };
    } else {
      nodes[i] = { id, status, outputType, outputBytes: table.outputBytes[i], output: outputs.slice(outputStart, (outputStart = end)) };
    }
  }
  return nodes;
}

/** All of a run's nodes: those sent with it and, for a wide run, the rest. */
export function decodeRunNodes(view: RunView, rest: NodeTable | undefined): NodeView[] {
  const first = decodeNodes(view.nodes);
  return rest ? first.concat(decodeNodes(rest)) : first;
}

/** Whether a table is whole: one entry per node everywhere, spans in order and in bounds. */
function isWholeTable(table: NodeTable): boolean {
  const outputsLength = utf8Decoder.decode(table.outputs).length;
  const idsLength = utf8Decoder.decode(table.ids).length;
  const n = table.idEnds.length;
  if (table.statuses.length !== n || table.types.length !== n || table.outputBytes.length !== n || table.outputEnds.length !== n) return false;
  let id = 0;
  let output = 0;
  for (let i = 0; i < n; i++) {
    if (table.idEnds[i] < id || !STATUS_OF.has(table.statuses[i]) || !TYPE_OF.has(table.types[i])) return false;
    id = table.idEnds[i];
    const end = table.outputEnds[i];
    if (end === -1) continue;
    if (end < output) return false;
    output = end;
  }
  return id === idsLength && output === outputsLength;
}

export interface RunView {
  readonly id: string;
  /** The store the run is in; the page keeps it in its state so the panel can be restored. */
  readonly storeKey: string;
  readonly storeLabel: string;
  /** ms since epoch */
  readonly savedAt: number;
  /** e.g. "2026-11-26 12:04:05 UTC" */
  readonly savedAtText: string;
  /** File path or URI shown in the header; absent for the memory store. */
  readonly location?: string;
  readonly size: number;
  readonly nodeCount: number;
  readonly executedCount: number;
  readonly skippedCount: number;
  readonly outputBytes: number;
  /**
   * The nodes, in order, as one compact table (see `encodeNodes` / `decodeNodes`). For a wide
   * run only the first page of them: the first screen need not wait for 20,000 nodes to
   * cross to the page; the rest follow in a `nodes` message.
   */
  readonly nodes: NodeTable;
  /** Nodes still to come after `nodes`, in one `nodes` message (absent: none). */
  readonly pendingNodes?: number;
  /** The context object as compact JSON text. */
  readonly context: string;
  /** Unknown top-level fields as a compact JSON object text ("{}" when none). */
  readonly extraFields: string;
}

/** Host → page. */
export type HostMessage =
  /** The run to show (again, after a change); `focusNode` scrolls to a node or `$context`. */
  | { readonly type: 'run'; readonly run: RunView; readonly focusNode?: string }
  /** The rest of a wide run's nodes (`RunView.pendingNodes` of them), after those of its `run` message. */
  | { readonly type: 'nodes'; readonly id: string; readonly nodes: NodeTable }
  /** The run's file cannot be read as a run: why, and where it is. */
  | { readonly type: 'unreadable'; readonly id: string; readonly reason: string; readonly location?: string }
  /** The run was deleted while the panel was open. */
  | { readonly type: 'deleted'; readonly id: string }
  /** The run is being read again. */
  | { readonly type: 'loading'; readonly id: string }
  /** Scroll to a node (or `$context`) of the run shown. */
  | { readonly type: 'focusNode'; readonly nodeId: string }
  /**
   * The answer to `loadOutput` request `requestId`: a deferred output's stored JSON as UTF-8
   * bytes (VS Code hands typed arrays to the page as they are, not as JSON text).
   */
  | { readonly type: 'output'; readonly requestId: number; readonly nodeId: string; readonly output: Uint8Array };

/** The panel's buttons, each the same function as the command of the same name. */
export type PanelAction = 'export' | 'delete' | 'openRaw' | 'copyId' | 'nodeHistory' | 'plot';

/** Page → host. Untrusted: validated by `parseWebviewMessage` before use. */
export type WebviewMessage =
  /** The page has loaded and listens: the host answers with the run. */
  | { readonly type: 'ready' }
  /** Copy a value or a JSON path to the clipboard. */
  | { readonly type: 'copy'; readonly what: 'value' | 'path'; readonly text: string }
  /**
   * A button: act on run `id`, which must be the run the panel shows. `nodeId` (a node of
   * that run) is given with `nodeHistory` and only with it; `path` (a JSON path as Copy
   * path writes it, of a number in that run) with `plot` and only with it.
   */
  | { readonly type: 'action'; readonly action: PanelAction; readonly id: string; readonly nodeId?: string; readonly path?: string }
  /** Send a deferred (big) output; the `output` reply carries the same `requestId`. */
  | { readonly type: 'loadOutput'; readonly requestId: number; readonly nodeId: string }
  /** The page drew the first screen of a run: lets tests and the benchmark time it. */
  | { readonly type: 'rendered'; readonly id: string; readonly rows: number };

/** Persisted with the panel (getState/setState) so it can be restored after a reload. */
export interface PanelState {
  readonly storeKey: string;
  readonly id: string;
  readonly filter?: string;
}

const PANEL_ACTION = memberOf<PanelAction>({ export: true, delete: true, openRaw: true, copyId: true, nodeHistory: true, plot: true });
/** Copying more than this from a page is refused: a page has no reason to send more. */
export const MAX_COPY_CHARS = 64 * 1024 * 1024;
const MAX_NODE_ID_CHARS = 64 * 1024;
const MAX_FILTER_CHARS = 1000;
/** A JSON path to plot: a node id's worth of key, and some. */
const MAX_PATH_CHARS = MAX_NODE_ID_CHARS + 4096;

// ---- validators (page → host: exact shapes, nothing extra) ------------------------------

type Message<U, T> = Extract<U, { readonly type: T }>;
const typeIs = <T extends string>(type: T): Validator<T> => oneOf(type);

const webviewMessage: Validator<WebviewMessage> = tagged<WebviewMessage>({
  ready: object<Message<WebviewMessage, 'ready'>>({ type: typeIs('ready') }, { exact: true }),
  copy: object<Message<WebviewMessage, 'copy'>>({ type: typeIs('copy'), what: oneOf('value', 'path'), text: string(MAX_COPY_CHARS) }, { exact: true }),
  action: refine(
    object<Message<WebviewMessage, 'action'>>(
      { type: typeIs('action'), action: PANEL_ACTION, id: string(), nodeId: optional(string(MAX_NODE_ID_CHARS)), path: optional(string(MAX_PATH_CHARS)) },
      { exact: true },
    ),
    (message) => (message.action === 'nodeHistory') === (message.nodeId !== undefined) && (message.action === 'plot') === (message.path !== undefined),
  ),
  loadOutput: object<Message<WebviewMessage, 'loadOutput'>>({ type: typeIs('loadOutput'), requestId: count, nodeId: string(MAX_NODE_ID_CHARS) }, { exact: true }),
  rendered: object<Message<WebviewMessage, 'rendered'>>({ type: typeIs('rendered'), id: string(), rows: count }, { exact: true }),
});

/** Returns the message when it has exactly a known shape; otherwise undefined. */
export function parseWebviewMessage(data: unknown): WebviewMessage | undefined {
  return check(webviewMessage, data);
}

const panelState = object<PanelState>({ storeKey: string(), id: string(), filter: optional(string()) });

/** Validates restored panel state (it comes back from the webview, so it is untrusted too). */
export function parsePanelState(data: unknown): PanelState | undefined {
  const state = check(panelState, data);
  return state && { storeKey: state.storeKey, id: state.id, filter: state.filter?.slice(0, MAX_FILTER_CHARS) };
}

// ---- validators (host → page: the page fails visibly instead of half-rendering) --------


const nodeTable: Validator<NodeTable> = refine(
  object<NodeTable>({
    ids: bytes,
    idEnds: instanceOf(Uint32Array),
    statuses: string(),
    types: string(),
    outputBytes: refine(instanceOf(Float64Array), (sizes) => sizes.every((size) => Number.isSafeInteger(size) && size >= 0)),
    outputs: bytes,
    outputEnds: refine(instanceOf(Int32Array), (ends) => ends.every((end) => end >= -1)),
  }),
  isWholeTable,
);

const runView = object<RunView>({
  id: string(),
  storeKey: string(),
  storeLabel: string(),
  savedAt: number,
  savedAtText: string(),
  location: optional(string()),
  size: number,
  nodeCount: number,
  executedCount: number,
  skippedCount: number,
  outputBytes: number,
  nodes: nodeTable,
  pendingNodes: optional(count),
  context: string(),
  extraFields: string(),
});

const hostMessage: Validator<HostMessage> = tagged<HostMessage>({
  run: object<Message<HostMessage, 'run'>>({ type: typeIs('run'), run: runView, focusNode: optional(string()) }),
  nodes: object<Message<HostMessage, 'nodes'>>({ type: typeIs('nodes'), id: string(), nodes: nodeTable }),
  unreadable: object<Message<HostMessage, 'unreadable'>>({ type: typeIs('unreadable'), id: string(), reason: string(), location: optional(string()) }),
  deleted: object<Message<HostMessage, 'deleted'>>({ type: typeIs('deleted'), id: string() }),
  loading: object<Message<HostMessage, 'loading'>>({ type: typeIs('loading'), id: string() }),
  focusNode: object<Message<HostMessage, 'focusNode'>>({ type: typeIs('focusNode'), nodeId: string() }),
  output: object<Message<HostMessage, 'output'>>({ type: typeIs('output'), requestId: count, nodeId: string(), output: bytes }),
});

/** What the page accepts from the host: exactly the HostMessage shapes (extra fields are dropped). */
export function parseHostMessage(data: unknown): HostMessage | undefined {
  return check(hostMessage, data);
}

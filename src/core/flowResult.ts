/**
 * The a3s_flow `FlowResult` record: model, validation (what serde accepts, nothing else)
 * and the two serialised forms, compact for saving and pretty for export.
 */
import { normalizeExecutionId } from './executionId';
import { isJsonObject, JsonNumber, JsonObject, JsonSyntaxError, JsonValue, newObject, parseJson, stringifyJson } from './json';

export interface FlowResult {
  /** Lowercase hyphenated UUID. */
  readonly executionId: string;
  /** Node id -> output. A skipped node's output is `null`. */
  readonly outputs: JsonObject;
  /** Every node processed, executed or skipped; no duplicates. */
  readonly completedNodes: readonly string[];
  /** Nodes whose run_if guard was false; no duplicates. */
  readonly skippedNodes: readonly string[];
  /** Final snapshot of the shared context (`{}` when the file had none). */
  readonly context: JsonObject;
  /** Top-level fields the Rust struct does not know; serde ignores them, we keep them. */
  readonly extraFields: JsonObject;
}

/** Why a text is not a FlowResult: which field, what was expected. */
export class FlowResultError extends Error {
  constructor(
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'FlowResultError';
  }
}

const FIELD_ORDER = ['execution_id', 'outputs', 'completed_nodes', 'skipped_nodes', 'context'] as const;
type KnownField = (typeof FIELD_ORDER)[number];

/** Parses a file's text into a FlowResult; throws only `FlowResultError`. */
export function parseFlowResult(text: string): FlowResult {
  return flowResultFromJson(readJson(text));
}

function readJson(text: string, onSkippedValue?: (start: number, end: number) => void): JsonValue {
  try {
    return parseJson(text, {
      isSkippedTopLevelKey: (key) => !(FIELD_ORDER as readonly string[]).includes(key),
      onSkippedValue,
      onTopLevelDuplicate: (key) => {
        if ((FIELD_ORDER as readonly string[]).includes(key)) throw new FlowResultError(`duplicate field \`${key}\``, key);
      },
    });
  } catch (e) {
    if (e instanceof JsonSyntaxError) throw new FlowResultError(`Invalid JSON: ${e.message}`);
    throw e;
  }
}

/** A member of outputs/context/unknown fields, by its place in the text. */
export interface ValueSpan {
  readonly key: string;
  readonly start: number;
  readonly end: number;
}

/**
 * A run validated exactly like `parseFlowResult` but without building its outputs and
 * context: they are spans of `text`. For big runs: a 50 MB result is checked and indexed
 * without allocating its values, and a node's output is its stored text.
 */
export interface ScannedFlowResult {
  readonly text: string;
  readonly executionId: string;
  readonly completedNodes: readonly string[];
  readonly skippedNodes: readonly string[];
  readonly outputs: readonly ValueSpan[];
  readonly context: readonly ValueSpan[];
  readonly extraFields: readonly ValueSpan[];
}

const SPANNED = new Set(['outputs', 'context']);

export function scanFlowResult(text: string): ScannedFlowResult {
  if (/^[\t\n\r ]*\[/.test(text.slice(0, 64))) {
    // serde's array form of the struct: rare; scan its object form instead.
    return scanFlowResult(serializeFlowResult(parseFlowResult(text)));
  }
  const spans = { outputs: new Map<string, ValueSpan>(), context: new Map<string, ValueSpan>(), extra: new Map<string, ValueSpan>() };
  let value: JsonValue;
  try {
    value = parseJson(text, {
      isSkippedTopLevelKey: (key) => !(FIELD_ORDER as readonly string[]).includes(key),
      onSkippedValue: (start, end, key) => spans.extra.set(key, { key, start, end }),
      spanMembersOf: SPANNED,
      onMemberSpan: (topKey, key, start, end) => (topKey === 'outputs' ? spans.outputs : spans.context).set(key, { key, start, end }),
      onTopLevelDuplicate: (key) => {
        if ((FIELD_ORDER as readonly string[]).includes(key)) throw new FlowResultError(`duplicate field \`${key}\``, key);
        spans.extra.delete(key);
      },
    });
  } catch (e) {
    if (e instanceof JsonSyntaxError) throw new FlowResultError(`Invalid JSON: ${e.message}`);
    throw e;
  }
  // A repeated outputs/context field is refused above, so the spans are those of the one map.
  const shallow = flowResultFromJson(value);
  return {
    text,
    executionId: shallow.executionId,
    completedNodes: shallow.completedNodes,
    skippedNodes: shallow.skippedNodes,
    outputs: [...spans.outputs.values()],
    context: [...spans.context.values()],
    extraFields: [...spans.extra.values()],
  };
}

const strictDecoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const lossyDecoder = new TextDecoder('utf-8', { ignoreBOM: true });
const MAX_INVALID_SEQUENCES = 64;

/**
 * Decodes file bytes and parses them, as serde_json::from_slice does: invalid UTF-8 is an
 * error, except inside unknown fields, which serde skips without decoding.
 */
export function parseFlowResultBytes(bytes: Uint8Array): FlowResult {
  let text: string;
  try {
    text = strictDecoder.decode(bytes);
  } catch {
    return parseWithInvalidUtf8(bytes);
  }
  return parseFlowResult(text);
}

function parseWithInvalidUtf8(bytes: Uint8Array): FlowResult {
  const invalid = invalidUtf8Offsets(bytes, MAX_INVALID_SEQUENCES + 1);
  const fail = (): never => {
    throw new FlowResultError(`Invalid UTF-8 at byte ${invalid[0]}`);
  };
  if (invalid.length > MAX_INVALID_SEQUENCES) fail();
  // Where each bad sequence lands in the lossy text (each becomes one U+FFFD there).
  const positions = invalid.map((offset) => lossyDecoder.decode(bytes.subarray(0, offset)).length);
  const skipped: [number, number][] = [];
  let value: JsonValue;
  try {
    value = readJson(lossyDecoder.decode(bytes), (start, end) => skipped.push([start, end]));
  } catch {
    return fail();
  }
  if (!positions.every((p) => skipped.some(([start, end]) => p >= start && p < end))) fail();
  return flowResultFromJson(value);
}

/** Byte offsets where an invalid UTF-8 sequence starts (WHATWG maximal subparts). */
export function invalidUtf8Offsets(bytes: Uint8Array, limit = Infinity): number[] {
  const out: number[] = [];
  let i = 0;
  while (i < bytes.length && out.length < limit) {
    const b = bytes[i];
    if (b < 0x80) {
      i++;
      continue;
    }
    let need = 0;
    let lower = 0x80;
    let upper = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) need = 1;
    else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      if (b === 0xe0) lower = 0xa0;
      if (b === 0xed) upper = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      if (b === 0xf0) lower = 0x90;
      if (b === 0xf4) upper = 0x8f;
    } else {
      out.push(i);
      i++;
      continue;
    }
    let j = 1;
    for (; j <= need; j++) {
      const c = bytes[i + j];
      if (c === undefined || c < lower || c > upper) break;
      lower = 0x80;
      upper = 0xbf;
    }
    if (j <= need) {
      out.push(i);
      i += j;
    } else {
      i += need + 1;
    }
  }
  return out;
}

export function decodeUtf8(bytes: Uint8Array): string {
  try {
    return strictDecoder.decode(bytes);
  } catch {
    throw new FlowResultError(`Invalid UTF-8 at byte ${invalidUtf8Offsets(bytes, 1)[0] ?? 0}`);
  }
}

/**
 * Builds a FlowResult from a parsed JSON value. serde's derived Deserialize takes a struct
 * as an object or as an array of its fields in declaration order; both are accepted.
 */
export function flowResultFromJson(value: JsonValue): FlowResult {
  const fields = new Map<KnownField, JsonValue>();
  const extraFields = newObject();
  if (Array.isArray(value)) {
    if (value.length < 4) {
      throw new FlowResultError(`invalid length ${value.length}, expected struct FlowResult with 5 elements`);
    }
    if (value.length > 5) throw new FlowResultError(`invalid length ${value.length}, expected fewer elements in array`);
    value.forEach((item, i) => fields.set(FIELD_ORDER[i], item));
  } else if (isJsonObject(value)) {
    for (const key of Object.keys(value)) {
      if ((FIELD_ORDER as readonly string[]).includes(key)) fields.set(key as KnownField, value[key]);
      else extraFields[key] = value[key];
    }
  } else {
    throw new FlowResultError(`invalid type: ${describe(value)}, expected struct FlowResult`);
  }

  return {
    executionId: readExecutionId(fields.get('execution_id')),
    outputs: readMap(fields, 'outputs', true),
    completedNodes: readSet(fields, 'completed_nodes'),
    skippedNodes: readSet(fields, 'skipped_nodes'),
    context: readMap(fields, 'context', false),
    extraFields,
  };
}

function readExecutionId(value: JsonValue | undefined): string {
  if (value === undefined) throw new FlowResultError('missing field `execution_id`', 'execution_id');
  if (typeof value !== 'string') {
    throw new FlowResultError(`execution_id: invalid type: ${describe(value)}, expected a UUID string`, 'execution_id');
  }
  const id = normalizeExecutionId(value);
  if (!id) {
    throw new FlowResultError(
      `execution_id: ${JSON.stringify(truncate(value, 60))} is not a UUID (expected 32 hex digits, hyphenated, braced or urn:uuid: form)`,
      'execution_id',
    );
  }
  return id;
}

function readMap(fields: Map<KnownField, JsonValue>, field: KnownField, required: boolean): JsonObject {
  const value = fields.get(field);
  if (value === undefined) {
    if (required) throw new FlowResultError(`missing field \`${field}\``, field);
    return newObject();
  }
  if (!isJsonObject(value)) throw new FlowResultError(`${field}: invalid type: ${describe(value)}, expected a map`, field);
  return value;
}

function readSet(fields: Map<KnownField, JsonValue>, field: KnownField): string[] {
  const value = fields.get(field);
  if (value === undefined) throw new FlowResultError(`missing field \`${field}\``, field);
  if (!Array.isArray(value)) throw new FlowResultError(`${field}: invalid type: ${describe(value)}, expected a sequence`, field);
  const seen = new Set<string>();
  value.forEach((item, i) => {
    if (typeof item !== 'string') {
      throw new FlowResultError(`${field}[${i}]: invalid type: ${describe(item)}, expected a string`, field);
    }
    seen.add(item);
  });
  return [...seen];
}

/** Names a JSON value's type the way serde's "invalid type" messages do. */
export function describe(value: JsonValue): string {
  if (value === null) return 'null';
  if (typeof value === 'boolean') return `boolean \`${value}\``;
  if (typeof value === 'number') return `integer \`${value}\``;
  if (value instanceof JsonNumber) return `number \`${truncate(value.text, 40)}\``;
  if (typeof value === 'string') return `string ${JSON.stringify(truncate(value, 40))}`;
  if (Array.isArray(value)) return 'sequence';
  return 'map';
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/** Compact JSON for saving: what `serde_json::to_vec` would write (plus unknown fields). */
export function serializeFlowResult(result: FlowResult): string {
  return writeRecord(result, 0, false);
}

/**
 * The export format: pretty (2-space indent), fields in the Rust struct's order, node sets
 * and the top-level maps sorted so two exports diff cleanly, unknown fields after the known
 * ones, numbers exact, trailing newline.
 */
export function exportFlowResult(result: FlowResult): string {
  return `${writeRecord(result, 2, true)}\n`;
}

/** Export of several runs as one JSON array (Export All / Export Selected). */
export function exportFlowResults(results: readonly FlowResult[]): string {
  if (results.length === 0) return '[]\n';
  const items = results.map((r) => `  ${writeRecord(r, 2, true, '  ')}`);
  return `[\n${items.join(',\n')}\n]\n`;
}

/**
 * Writes the record with its fields in the Rust struct's order, then unknown fields. Built
 * by hand, not through a JS object, whose own key order would put integer-like keys first.
 * `sorted` (export) sorts node sets and the keys of outputs and context; nested values keep
 * their own order.
 */
function writeRecord(result: FlowResult, indent: number, sorted: boolean, prefix = ''): string {
  const inner = indent ? `${prefix}${' '.repeat(indent)}` : '';
  const sep = indent ? ': ' : ':';
  const nodes = (list: readonly string[]) => (sorted ? [...list].sort(compareCodeUnits) : [...list]);
  const map = (object: JsonObject) => {
    const keys = sorted ? Object.keys(object).sort(compareCodeUnits) : Object.keys(object);
    if (keys.length === 0) return '{}';
    const deeper = indent ? `${inner}${' '.repeat(indent)}` : '';
    const items = keys.map((k) => `${indent ? `\n${deeper}` : ''}${JSON.stringify(k)}${sep}${stringifyJson(object[k], indent, deeper)}`);
    return `{${items.join(',')}${indent ? `\n${inner}` : ''}}`;
  };
  const fields: [string, string][] = [
    ['execution_id', JSON.stringify(result.executionId)],
    ['outputs', map(result.outputs)],
    ['completed_nodes', stringifyJson(nodes(result.completedNodes), indent, inner)],
    ['skipped_nodes', stringifyJson(nodes(result.skippedNodes), indent, inner)],
    ['context', map(result.context)],
  ];
  for (const key of Object.keys(result.extraFields)) {
    if (!(FIELD_ORDER as readonly string[]).includes(key)) fields.push([key, stringifyJson(result.extraFields[key], indent, inner)]);
  }
  const body = fields.map(([k, v]) => `${indent ? `\n${inner}` : ''}${JSON.stringify(k)}${sep}${v}`).join(',');
  return `{${body}${indent ? `\n${prefix}` : ''}}`;
}

/** Plain code-unit order, like Rust's `str` ordering for the ASCII ids flows use. */
export function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Deep equality of two results; node sets compare as sets. */
export function flowResultsEqual(a: FlowResult, b: FlowResult): boolean {
  return serializeCanonical(a) === serializeCanonical(b);
}

function serializeCanonical(result: FlowResult): string {
  return exportFlowResult({
    ...result,
    outputs: canonicalValue(result.outputs) as JsonObject,
    context: canonicalValue(result.context) as JsonObject,
    extraFields: canonicalValue(result.extraFields) as JsonObject,
  });
}

function canonicalValue(value: JsonValue): JsonValue {
  if (Array.isArray(value)) return value.map(canonicalValue);
  if (isJsonObject(value)) {
    const out = newObject();
    for (const key of Object.keys(value).sort(compareCodeUnits)) out[key] = canonicalValue(value[key]);
    return out;
  }
  return value;
}

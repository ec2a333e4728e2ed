/**
 * One node of a run (its status and its output's stored text), or the run's context or
 * extra fields, read from the run's bytes without building its view: what Node History and
 * Plot Across Runs need of each of hundreds of runs. Pure (no `vscode`); runs in the scan
 * worker for local files.
 *
 * The bytes are checked once, as bytes, never decoded as a whole: a run of a megabyte costs
 * about what reading it costs. The check is the JSON grammar serde_json applies, done
 * conservatively: whatever it is not sure of (invalid UTF-8, a \u escape of a surrogate,
 * deep nesting, a number that may be out of f64's range, serde's array form, a field
 * missing, repeated or of another type, an id that does not match) goes to the full scan
 * (`scanRunBytes`), which decides exactly as the detail panel does and says why.
 */
import { isUtf8 } from 'buffer';
import { idMismatch } from '../core/executionStore';
import { normalizeExecutionId } from '../core/executionId';
import { ValueSpan } from '../core/flowResult';
import { NodeStatus } from '../core/summary';
import { scanRunBytes } from './runViewModel';
import { JsonByte as B } from '../core/jsonBytes';
import { growKernelMemory, JsonKernel, KERNEL_INPUT, KERNEL_SENTINEL, newJsonKernel } from '../core/jsonKernel';

/** What is read of a run: one node, its context, or its top-level fields serde does not know. */
export type NodeReadTarget = { readonly kind: 'node'; readonly nodeId: string } | { readonly kind: 'context' } | { readonly kind: 'extra' };

export type NodeRead =
  | {
      readonly ok: true;
      /** The node's status; 'absent' when the run has no such node (always 'absent' for context/extra). */
      readonly status: NodeStatus | 'absent';
      /** The node's output as stored (undefined: no output entry), or the context / extra fields as an object's text. */
      readonly text?: string;
    }
  | { readonly ok: false; readonly reason: string };

/** Raised where the quick check is not sure; the full scan then decides. */
class NotSure extends Error {}

const FIELDS = ['execution_id', 'outputs', 'completed_nodes', 'skipped_nodes', 'context'] as const;
/** Below serde_json's recursion limit (128) with room to spare: deeper goes to the full scan. */
const QUICK_MAX_DEPTH = 100;
/** A number under 10^300 (integer digits plus exponent) cannot exceed f64::MAX; longer ones go to the full scan. */
const QUICK_MAX_DIGITS = 300;

const encoder = new TextEncoder();
// ignoreBOM: a key or value starting with U+FEFF keeps it, as the full scan's text does.
const decoder = new TextDecoder('utf-8', { ignoreBOM: true });

/** Reads `target` of the run `id` from its stored bytes; the same answer the detail panel's view of it gives. */
export function readRunNode(bytes: Uint8Array, id: string, target: NodeReadTarget): NodeRead {
  return quickReadRunNode(bytes, id, target) ?? fullRead(bytes, id, target);
}

/** The one-pass read of a readable run; undefined where it is not sure (the full scan then decides). */
export function quickReadRunNode(bytes: Uint8Array, id: string, target: NodeReadTarget): NodeRead | undefined {
  try {
    return quickRead(bytes, id, target);
  } catch (error) {
    if (error instanceof NotSure) return undefined;
    throw error;
  }
}

/** The full scan's answer (what buildRun and nodeOutput give): exact reasons for runs that cannot be read. */
export function fullRead(bytes: Uint8Array, id: string, target: NodeReadTarget): NodeRead {
  const scanned = scanRunBytes(bytes, id);
  if (!scanned.ok) return scanned;
  const { scan } = scanned;
  if (target.kind === 'context') return { ok: true, status: 'absent', text: objectText(scan.context.map((s) => [s.key, scan.text.slice(s.start, s.end)])) };
  if (target.kind === 'extra') return { ok: true, status: 'absent', text: objectText(scan.extraFields.map((s) => [s.key, scan.text.slice(s.start, s.end)])) };
  const span: ValueSpan | undefined = scan.outputs.find((s) => s.key === target.nodeId);
  const status = statusOf(scan.completedNodes.includes(target.nodeId), scan.skippedNodes.includes(target.nodeId), span !== undefined);
  return { ok: true, status, ...(span ? { text: scan.text.slice(span.start, span.end) } : {}) };
}

function statusOf(completed: boolean, skipped: boolean, hasOutput: boolean): NodeStatus | 'absent' {
  if (skipped) return 'skipped';
  if (completed) return 'executed';
  return hasOutput ? 'output-only' : 'absent';
}

/** A JSON object's text from members' stored texts (as the detail panel's view holds context and extra fields). */
function objectText(members: readonly (readonly [string, string])[]): string {
  return `{${members.map(([key, value]) => `${JSON.stringify(key)}:${value}`).join(',')}}`;
}

function quickRead(bytes: Uint8Array, id: string, target: NodeReadTarget): NodeRead {
  if (!isUtf8(bytes)) throw new NotSure();
  // An id that is not well-formed UTF-16 is compared by the full scan, as a string.
  if (target.kind === 'node' && decoder.decode(encoder.encode(target.nodeId)) !== target.nodeId) throw new NotSure();
  const kernel = kernelCheck(bytes);
  const scanned = kernel?.bytes ?? bytes;
  let found: ByteScanner;
  try {
    found = new ByteScanner(scanned, target.kind === 'node' ? encoder.encode(target.nodeId) : undefined, kernel?.skipValue).readRun(target.kind);
  } finally {
    kernel?.release();
  }
  const executionId = normalizeExecutionId(found.executionId);
  if (executionId === undefined || idMismatch(executionId, id)) throw new NotSure();
  if (target.kind !== 'node') return { ok: true, status: 'absent', text: objectText([...found.members].map(([key, [start, end]]) => [key, decoder.decode(bytes.subarray(start, end))])) };
  const output = found.output;
  return { ok: true, status: statusOf(found.completed, found.skipped, output !== undefined), ...(output ? { text: decoder.decode(bytes.subarray(output[0], output[1])) } : {}) };
}

/** Below this size the TypeScript check is as quick as copying the run into the kernel. */
const KERNEL_MIN_BYTES = 16 * 1024;
/** A kernel whose memory is at most this big is kept for the next run; a bigger one goes after use. */
const KEEP_KERNEL_BYTES = 8 * 2 ** 20;
/** The kernel kept between runs (null: WebAssembly with SIMD is missing here). */
let keptKernel: JsonKernel | null | undefined;

/**
 * The run's bytes copied into the WebAssembly kernel's memory, with the kernel's value check
 * (16 bytes at a time; several times quicker than `skipValue` on a run of numbers and short
 * strings), or undefined where the TypeScript check is used: a small run, no WebAssembly.
 * `release` when done: the kernel serves the next run.
 */
function kernelCheck(bytes: Uint8Array): { bytes: Uint8Array; skipValue: (pos: number, depth: number) => number; release: () => void } | undefined {
  if (bytes.length < KERNEL_MIN_BYTES || keptKernel === null) return undefined;
  const kernel =
    keptKernel ??
    newJsonKernel((): never => {
      throw new NotSure();
    });
  keptKernel = undefined;
  if (!kernel) {
    keptKernel = null;
    return undefined;
  }
  const end = KERNEL_INPUT + bytes.length;
  if (!growKernelMemory(kernel, end + KERNEL_SENTINEL)) return undefined;
  const memory = new Uint8Array(kernel.memory.buffer);
  memory.set(bytes, KERNEL_INPUT);
  memory.fill(0, end, end + KERNEL_SENTINEL);
  return {
    bytes: memory.subarray(KERNEL_INPUT, end),
    skipValue: (pos, depth) => {
      // The same depth rule as skipValue's: a container opened at QUICK_MAX_DEPTH is not sure.
      const valueEnd = kernel.check(KERNEL_INPUT + pos, QUICK_MAX_DEPTH - 1 - depth);
      if (valueEnd < 0) throw new NotSure();
      return valueEnd - KERNEL_INPUT;
    },
    release: () => {
      if (kernel.memory.buffer.byteLength <= KEEP_KERNEL_BYTES) keptKernel = kernel;
    },
  };
}


/**
 * One pass over a run's bytes: every value checked against the JSON grammar, the known
 * fields' shapes checked, and only the asked-for node's spans (or the context's / extra
 * fields' members) kept. Any doubt throws NotSure.
 */
class ByteScanner {
  private pos = 0;
  private readonly end: number;
  executionId = '';
  completed = false;
  skipped = false;
  /** The node's output span (the last one, as serde's map keeps the last of repeated keys). */
  output: [number, number] | undefined;
  /** The context's or extra fields' members, in the full scan's order. */
  readonly members = new Map<string, [number, number]>();

  constructor(
    private readonly bytes: Uint8Array,
    /** The node's id as UTF-8 bytes (undefined when the context or extra fields are read). */
    private readonly nodeId: Uint8Array | undefined,
    /** Checks one value and gives its end (the kernel's check; skipValue's by default). */
    private readonly checkValue: (pos: number, depth: number) => number = (pos, depth) => skipValue(bytes, pos, depth),
  ) {
    this.end = bytes.length;
  }

  readRun(kind: NodeReadTarget['kind']): this {
    const b = this.bytes;
    this.skipWhitespace();
    if (b[this.pos] !== B.OpenBrace) throw new NotSure();
    this.pos++;
    const seen = new Set<string>();
    this.skipWhitespace();
    if (b[this.pos] === B.CloseBrace) throw new NotSure();
    for (;;) {
      this.skipWhitespace();
      if (b[this.pos] !== B.Quote) throw new NotSure();
      const keyStart = this.pos;
      this.skipString();
      const key = this.keyText(keyStart, this.pos);
      this.expectColon();
      const known = (FIELDS as readonly string[]).includes(key);
      if (known && seen.has(key)) throw new NotSure();
      seen.add(key);
      const start = this.pos;
      switch (key) {
        case 'execution_id':
          if (b[this.pos] !== B.Quote) throw new NotSure();
          this.skipString();
          this.executionId = this.keyText(start, this.pos);
          break;
        case 'outputs':
          this.readMembers(kind === 'node' ? 'node' : undefined);
          break;
        case 'context':
          this.readMembers(kind === 'context' ? 'members' : undefined);
          break;
        case 'completed_nodes':
          this.completed = this.readIdList();
          break;
        case 'skipped_nodes':
          this.skipped = this.readIdList();
          break;
        default:
          this.skipValue(1);
          if (kind === 'extra') {
            // A repeated unknown field: the full scan keeps the last, moved to the end.
            this.members.delete(key);
            this.members.set(key, [start, this.pos]);
          }
      }
      this.skipWhitespace();
      const next = b[this.pos++];
      if (next === B.Comma) continue;
      if (next !== B.CloseBrace) throw new NotSure();
      break;
    }
    // serde's defaults and its "missing field" messages are the full scan's.
    if (!FIELDS.every((f) => seen.has(f))) throw new NotSure();
    this.skipWhitespace();
    if (this.pos !== this.end) throw new NotSure();
    return this;
  }

  /** An object of members (outputs or context): the node's span, or every member's, kept. */
  private readMembers(keep: 'node' | 'members' | undefined): void {
    const b = this.bytes;
    if (b[this.pos] !== B.OpenBrace) throw new NotSure();
    this.pos++;
    this.skipWhitespace();
    if (b[this.pos] === B.CloseBrace) {
      this.pos++;
      return;
    }
    for (;;) {
      this.skipWhitespace();
      if (b[this.pos] !== B.Quote) throw new NotSure();
      const keyStart = this.pos;
      this.skipString();
      const keyEnd = this.pos;
      this.expectColon();
      const start = this.pos;
      this.skipValue(2);
      if (keep === 'node' && this.isNodeId(keyStart, keyEnd)) this.output = [start, this.pos];
      else if (keep === 'members') {
        const key = this.keyText(keyStart, keyEnd);
        // As a Map's set: a repeated key keeps its first place and its last value.
        this.members.set(key, [start, this.pos]);
      }
      this.skipWhitespace();
      const next = b[this.pos++];
      if (next === B.Comma) continue;
      if (next === B.CloseBrace) return;
      throw new NotSure();
    }
  }

  /** A list of node ids: whether the node asked for is in it. */
  private readIdList(): boolean {
    const b = this.bytes;
    if (b[this.pos] !== B.OpenBracket) throw new NotSure();
    this.pos++;
    let found = false;
    this.skipWhitespace();
    if (b[this.pos] === B.CloseBracket) {
      this.pos++;
      return false;
    }
    for (;;) {
      this.skipWhitespace();
      if (b[this.pos] !== B.Quote) throw new NotSure();
      const start = this.pos;
      this.skipString();
      if (this.isNodeId(start, this.pos)) found = true;
      this.skipWhitespace();
      const next = b[this.pos++];
      if (next === B.Comma) continue;
      if (next === B.CloseBracket) return found;
      throw new NotSure();
    }
  }

  /** Whether the string at [start, end) (quotes included) is the node's id. */
  private isNodeId(start: number, end: number): boolean {
    const id = this.nodeId;
    if (!id) return false;
    const b = this.bytes;
    const length = end - start - 2;
    if (length === id.length) {
      let same = true;
      for (let i = 0; i < length; i++) {
        if (b[start + 1 + i] !== id[i]) {
          same = false;
          break;
        }
      }
      if (same) return true;
    }
    // An id written with escapes is compared decoded.
    return b.subarray(start, end).includes(B.Backslash) && this.keyText(start, end) === decoder.decode(id);
  }

  /** The string at [start, end) (quotes included), decoded. */
  private keyText(start: number, end: number): string {
    const inner = this.bytes.subarray(start + 1, end - 1);
    // Escapes checked by skipString (no surrogates): JSON.parse decodes them as serde does.
    return inner.includes(B.Backslash) ? (JSON.parse(decoder.decode(this.bytes.subarray(start, end))) as string) : decoder.decode(inner);
  }

  private expectColon(): void {
    this.skipWhitespace();
    if (this.bytes[this.pos] !== B.Colon) throw new NotSure();
    this.pos++;
    this.skipWhitespace();
  }

  private skipWhitespace(): void {
    this.pos = skipWhitespace(this.bytes, this.pos);
  }

  /** Checks one value from `pos` (no leading whitespace); `depth` of the container it is in. */
  private skipValue(depth: number): void {
    this.pos = this.checkValue(this.pos, depth);
  }

  private skipString(): void {
    this.pos = skipString(this.bytes, this.pos);
  }
}

function skipWhitespace(b: Uint8Array, p: number): number {
  for (;;) {
    const c = b[p];
    if (c === B.Space || c === B.LineFeed || c === B.CarriageReturn || c === B.Tab) p++;
    else return p;
  }
}

const IN_OBJECT = 1;
const IN_ARRAY = 2;

/**
 * The end of the value at `p` (no leading whitespace), checked; `depth` of the container it
 * is in. One loop with a stack of open containers, not a call per value: a run of a
 * megabyte holds a hundred thousand small values.
 */
function skipValue(b: Uint8Array, p: number, depth: number): number {
  const open = new Uint8Array(QUICK_MAX_DEPTH);
  let top = 0;
  for (;;) {
    // A value at p.
    const c = b[p];
    if (c === B.Quote) p = skipString(b, p);
    else if (c === B.Minus || (c >= B.Zero && c <= B.Nine)) p = skipNumber(b, p);
    else if (c === B.OpenBrace || c === B.OpenBracket) {
      if (depth + top + 1 >= QUICK_MAX_DEPTH) throw new NotSure();
      p = skipWhitespace(b, p + 1);
      if (b[p] === (c === B.OpenBrace ? B.CloseBrace : B.CloseBracket)) {
        p++;
      } else {
        open[top++] = c === B.OpenBrace ? IN_OBJECT : IN_ARRAY;
        if (c === B.OpenBrace) p = skipKey(b, p);
        continue;
      }
    } else if (c === 0x74) p = skipWord(b, p, TRUE);
    else if (c === 0x66) p = skipWord(b, p, FALSE);
    else if (c === 0x6e) p = skipWord(b, p, NULL);
    else throw new NotSure();
    // After a value: close containers, or move to the next member.
    for (;;) {
      if (top === 0) return p;
      p = skipWhitespace(b, p);
      const next = b[p++];
      const inObject = open[top - 1] === IN_OBJECT;
      if (next === B.Comma) {
        p = skipWhitespace(b, p);
        if (inObject) p = skipKey(b, p);
        break;
      }
      if (next !== (inObject ? B.CloseBrace : B.CloseBracket)) throw new NotSure();
      top--;
    }
  }
}

/** A member's key and colon from `p`; returns where its value starts. */
function skipKey(b: Uint8Array, p: number): number {
  if (b[p] !== B.Quote) throw new NotSure();
  p = skipWhitespace(b, skipString(b, p));
  if (b[p] !== B.Colon) throw new NotSure();
  return skipWhitespace(b, p + 1);
}

function skipWord(b: Uint8Array, p: number, word: Uint8Array): number {
  for (let i = 0; i < word.length; i++) if (b[p + i] !== word[i]) throw new NotSure();
  return p + word.length;
}

/** A string from its opening quote: no control character, only valid escapes, no surrogate escape. */
function skipString(b: Uint8Array, p: number): number {
  const end = b.length;
  p++;
  for (;;) {
    // The run of plain bytes, one table look-up each (past the end: undefined, not plain).
    while (PLAIN[b[p]] === 1) p++;
    if (p >= end) throw new NotSure();
    const c = b[p];
    if (c === B.Quote) return p + 1;
    if (c !== B.Backslash) throw new NotSure(); // a control character
    const e = b[p + 1];
    if (e === 0x75) {
      // \uXXXX: four hex digits, not a surrogate (pairs go to the full scan).
      let value = 0;
      for (let i = 2; i < 6; i++) {
        const h = hexValue(b[p + i]);
        if (h < 0) throw new NotSure();
        value = value * 16 + h;
      }
      if (value >= 0xd800 && value <= 0xdfff) throw new NotSure();
      p += 6;
      continue;
    }
    if (!(e === B.Quote || e === B.Backslash || e === B.Slash || e === 0x62 || e === 0x66 || e === 0x6e || e === 0x72 || e === 0x74)) throw new NotSure();
    p += 2;
  }
}

/** A number in JSON's grammar that is surely within f64's range; returns its end. */
function skipNumber(b: Uint8Array, start: number): number {
  let p = start;
  if (b[p] === B.Minus) p++;
  const first = b[p];
  if (!(first >= B.Zero && first <= B.Nine)) throw new NotSure();
  p++;
  if (first === B.Zero) {
    const c = b[p];
    if (c >= B.Zero && c <= B.Nine) throw new NotSure();
  } else {
    while (isDigit(b[p])) p++;
  }
  const integerDigits = p - start;
  if (b[p] === B.Dot) {
    p++;
    if (!isDigit(b[p])) throw new NotSure();
    while (isDigit(b[p])) p++;
  }
  let exponent = 0;
  const e = b[p];
  if (e === B.LowerE || e === B.UpperE) {
    p++;
    const sign = b[p];
    if (sign === B.Plus || sign === B.Minus) p++;
    if (!isDigit(b[p])) throw new NotSure();
    const digitsStart = p;
    while (isDigit(b[p])) exponent = exponent * 10 + (b[p++] - B.Zero);
    if (p - digitsStart > 4) throw new NotSure();
    // A negative exponent never makes a number too big (serde reads a tiny one as 0).
    if (sign === B.Minus) exponent = 0;
  }
  // Below 10^300 whatever the fraction: surely within f64::MAX (the full scan decides the rest).
  if (p - start > QUICK_MAX_DIGITS || integerDigits + exponent > QUICK_MAX_DIGITS) throw new NotSure();
  return p;
}

/** Bytes a string holds as they are: not a quote, a backslash or a control character (UTF-8 is checked as a whole). */
const PLAIN = new Uint8Array(256);
for (let c = 0x20; c < 256; c++) PLAIN[c] = c === B.Quote || c === B.Backslash ? 0 : 1;

const TRUE = encoder.encode('true');
const FALSE = encoder.encode('false');
const NULL = encoder.encode('null');

function isDigit(c: number | undefined): boolean {
  return c !== undefined && c >= B.Zero && c <= B.Nine;
}

function hexValue(c: number | undefined): number {
  if (c === undefined) return -1;
  if (c >= B.Zero && c <= B.Nine) return c - B.Zero;
  if (c >= 0x61 && c <= 0x66) return c - 0x61 + 10;
  if (c >= 0x41 && c <= 0x46) return c - 0x41 + 10;
  return -1;
}

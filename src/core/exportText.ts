/**
 * The export format written straight from a run's stored bytes, without building its
 * values or decoding its text, at close to the cost of copying the bytes.
 *
 * `RunReader` reads the run's own object (execution id, node sets, the keys of outputs and
 * context, unknown fields) with the rules serde applies to it, and hands each value to a
 * `ValueWriter`, which validates it and writes it pretty-printed at its indentation. The
 * export is then those values in the export's order (sorted keys) between the few bytes of
 * structure around them, as a list of pieces that a file writer writes one after another.
 *
 * Value writers, fastest first:
 * - `KernelValues`: a WebAssembly kernel (src/wasm/exportKernel.ts) doing the work 16 bytes
 *   at a time. It hands back what it does not check itself (numbers near f64::MAX).
 * - `ScriptValues`: the same rules in TypeScript, for those, and where WebAssembly is missing.
 * Neither ever accepts what serde refuses; whatever they do not vouch for (invalid runs,
 * serde's array form of the struct, invalid UTF-8 inside an unknown field) goes through the
 * full parser, which decides and says why a run is invalid.
 *
 * The result is what `exportFlowResult(parseFlowResult(text))` gives, except that keys of
 * nested objects keep their stored order (a parsed JS object would put integer-like keys
 * first).
 */
import { isUtf8 } from 'buffer';
import { normalizeExecutionId } from './executionId';
import { compareCodeUnits, exportFlowResult, FlowResult, parseFlowResult, parseFlowResultBytes, scanFlowResult } from './flowResult';
import { exceedsF64, SERDE_MAX_DEPTH, stringifyJson } from './json';
import { JsonByte as B } from './jsonBytes';
import { growKernelMemory, JsonKernel, KERNEL_INPUT, KERNEL_SENTINEL, newJsonKernel } from './jsonKernel';

const encoder = new TextEncoder();
const utf8 = new TextDecoder('utf-8', { ignoreBOM: true });

/** An exported run: its file is `pieces` one after another. */
export interface ExportedRun {
  readonly executionId: string;
  readonly pieces: readonly Uint8Array[];
  readonly byteLength: number;
  /** Which writer made it (for tests and the log): the kernel, TypeScript, or the parser. */
  readonly via: 'kernel' | 'script' | 'parser';
  /**
   * Call when the pieces have been written: they may be views of the kernel's memory, which
   * the next export then reuses. A run never released is simply garbage collected.
   */
  release(): void;
}

/**
 * The export file of a stored run, from its bytes. Throws FlowResultError when the bytes
 * are not a valid run (same rules as parsing).
 */
export function exportStoredRun(bytes: Uint8Array, options: { readonly kernel?: boolean } = {}): ExportedRun {
  const utf8Valid = isUtf8(bytes);
  // serde_json::from_slice refuses invalid UTF-8 (except inside unknown fields) and a BOM.
  if (utf8Valid && bytes[0] !== 0xef) {
    const kernel = options.kernel !== false ? KernelValues.create(bytes) : undefined;
    let exported = kernel && readRun(bytes, kernel);
    if (!exported) kernel?.release();
    if (exported === undefined) exported = readRun(bytes, new ScriptValues(bytes));
    if (exported) return exported;
  }
  return exportParsed(bytes, utf8Valid);
}

/**
 * The same for a run of `size` bytes that `fill` reads in (a file): straight into the
 * kernel's memory, where the kernel reads it, so the run's bytes take no memory of their own
 * and are not copied (for a 50 MB run, a first export in a process otherwise faults in 50 MB
 * more of fresh memory). Without the kernel, or where it does not vouch, as exportStoredRun.
 */
export function exportStoredRunFrom(size: number, fill: (into: Uint8Array) => void): ExportedRun {
  const kernel = KernelValues.reserve(size);
  if (!kernel) {
    const bytes = new Uint8Array(size);
    fill(bytes);
    return exportStoredRun(bytes);
  }
  let exported: ExportedRun | null | undefined;
  try {
    fill(kernel.input());
    if (isUtf8(kernel.input()) && kernel.input()[0] !== 0xef) {
      kernel.begin();
      exported = readRun(kernel.input(), kernel);
      if (exported) return exported;
    }
    // What the kernel does not vouch for goes the long way, from bytes of its own: the
    // TypeScript writer where the kernel handed a value on, the parser where it is invalid.
    const bytes = kernel.input().slice();
    return exported === null ? exportParsed(bytes, true) : exportStoredRun(bytes, { kernel: false });
  } finally {
    if (!exported) kernel.release();
  }
}

function exportParsed(bytes: Uint8Array, utf8Valid: boolean): ExportedRun {
  const result = utf8Valid ? parseText(utf8.decode(bytes)) : parseFlowResultBytes(bytes);
  const file = encoder.encode(exportFlowResult(result));
  return { executionId: result.executionId, pieces: [file], byteLength: file.byteLength, via: 'parser', release: () => undefined };
}

/**
 * The parser's reading of a run the writers did not vouch for. Most such runs are invalid:
 * the scan finds why without building the values (seconds less for a 50 MB run).
 */
function parseText(text: string): FlowResult {
  scanFlowResult(text);
  return parseFlowResult(text);
}

/** The export file as one buffer (for writers that take only one). */
export function joinPieces(run: ExportedRun): Uint8Array {
  if (run.pieces.length === 1) return run.pieces[0];
  const out = new Uint8Array(run.byteLength);
  let at = 0;
  for (const piece of run.pieces) {
    out.set(piece, at);
    at += piece.byteLength;
  }
  return out;
}

/** The same, as text (tests, small runs). */
export function exportFlowResultText(text: string, options: { readonly kernel?: boolean } = {}): string {
  const run = exportStoredRun(encoder.encode(text), options);
  try {
    return utf8.decode(joinPieces(run));
  } finally {
    run.release();
  }
}


/** Thrown (never escapes) when a reader or writer cannot vouch for the bytes. */
const NOT_VOUCHED = Symbol('not vouched');
/** Thrown (never escapes) when the kernel hands a value to the TypeScript writer. */
const ELSEWHERE = Symbol('elsewhere');

function bail(): never {
  throw NOT_VOUCHED;
}

function isSpace(c: number): boolean {
  return c === B.Space || c === B.LineFeed || c === B.CarriageReturn || c === B.Tab;
}

/**
 * serde counts the run's own object and the outputs/context map, so a value inside them may
 * nest this deep before serde's recursion limit refuses it.
 */
const MAX_VALUE_DEPTH = SERDE_MAX_DEPTH - 3;
/** Unknown fields are only skipped by serde: no depth limit there but our own stack's. */
const MAX_SKIPPED_DEPTH = 60_000;
/** Fewer digits and no exponent: the number cannot reach f64::MAX. */
const PLAIN_NUMBER_DIGITS = 309;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Validates one value and writes it pretty-printed; keeps what it wrote for `pieces`. */
interface ValueWriter {
  /**
   * The value at `start` (no whitespace before it) at indentation `level`: returns its end
   * (after trailing whitespace) and a handle for its bytes, or throws NOT_VOUCHED.
   * `strict`: serde deserialises it (depth, number range and lone surrogates count).
   */
  write(start: number, level: number, strict: boolean, maxDepth: number): { end: number; value: number };
  /** The bytes of each written value, by handle. */
  pieces(): readonly Uint8Array[];
  /** Those bytes are no longer used. */
  release(): void;
  /**
   * Where the run's bytes live in the writer's own memory (read there in place): their view
   * now, a new one after a write grew that memory (which detaches the old view).
   */
  input?(): Uint8Array;
}

/**
 * Reads the run's own object, hands values to `values`, and assembles the export; undefined
 * when the kernel handed a value on to the TypeScript writer, null when only the parser can
 * decide (the TypeScript writer would not vouch for these bytes either).
 */
function readRun(bytes: Uint8Array, values: ValueWriter): ExportedRun | undefined | null {
  try {
    return new RunReader(bytes, values).read();
  } catch (e) {
    if (e === ELSEWHERE) return undefined;
    if (e === NOT_VOUCHED) return null;
    throw e;
  }
}

class RunReader {
  private pos = 0;
  private readonly strings: ScriptValues;

  constructor(
    private bytes: Uint8Array,
    private readonly values: ValueWriter,
  ) {
    this.strings = values instanceof ScriptValues ? values : new ScriptValues(bytes);
  }

  read(): ExportedRun {
    let executionId: string | undefined;
    let outputs: Map<string, number> | undefined;
    let context: Map<string, number> | undefined;
    let completedNodes: string[] | undefined;
    let skippedNodes: string[] | undefined;
    const extraFields = new Map<string, number>();
    this.skipWhitespace();
    this.expect(B.OpenBrace);
    do {
      const key = this.readKey();
      switch (key) {
        case 'execution_id':
          if (executionId !== undefined || this.bytes[this.pos] !== B.Quote) bail();
          executionId = normalizeExecutionId(this.readString()) ?? bail();
          break;
        case 'outputs':
          if (outputs) bail();
          outputs = this.readMap();
          break;
        case 'context':
          if (context) bail();
          context = this.readMap();
          break;
        case 'completed_nodes':
          if (completedNodes) bail();
          completedNodes = this.readStringSet();
          break;
        case 'skipped_nodes':
          if (skippedNodes) bail();
          skippedNodes = this.readStringSet();
          break;
        default:
          // serde skips unknown fields; a repeated one is kept once, last value, last place.
          extraFields.delete(key);
          extraFields.set(key, this.readValue(1, false, MAX_SKIPPED_DEPTH));
      }
    } while (!this.separator(B.CloseBrace));
    this.skipWhitespace();
    if (this.pos !== this.bytes.length) bail();
    if (executionId === undefined || !outputs || !completedNodes || !skippedNodes) bail();
    return this.assemble(executionId, outputs, completedNodes, skippedNodes, context ?? new Map(), extraFields);
  }

  /** The export file: structure text between the values, in the export's order. */
  private assemble(
    executionId: string,
    outputs: Map<string, number>,
    completedNodes: string[],
    skippedNodes: string[],
    context: Map<string, number>,
    extraFields: Map<string, number>,
  ): ExportedRun {
    const written = this.values.pieces();
    const pieces = new Pieces();
    const map = (members: Map<string, number>) => {
      if (members.size === 0) {
        pieces.text('{}');
        return;
      }
      pieces.text('{');
      [...members.keys()].sort(compareCodeUnits).forEach((key, i) => {
        pieces.text(`${i ? ',' : ''}\n    ${JSON.stringify(key)}: `);
        pieces.bytes(written[members.get(key)!]);
      });
      pieces.text('\n  }');
    };
    pieces.text(`{\n  "execution_id": ${JSON.stringify(executionId)},\n  "outputs": `);
    map(outputs);
    pieces.text(`,\n  "completed_nodes": ${stringifyJson(completedNodes, 2, '  ')}`);
    pieces.text(`,\n  "skipped_nodes": ${stringifyJson(skippedNodes, 2, '  ')}`);
    pieces.text(',\n  "context": ');
    map(context);
    for (const [key, value] of extraFields) {
      pieces.text(`,\n  ${JSON.stringify(key)}: `);
      pieces.bytes(written[value]);
    }
    pieces.text('\n}\n');
    const values = this.values;
    return { executionId, ...pieces.done(), via: values instanceof ScriptValues ? 'script' : 'kernel', release: () => values.release() };
  }

  private readValue(level: number, strict: boolean, maxDepth: number): number {
    const { end, value } = this.values.write(this.pos, level, strict, maxDepth);
    this.pos = end;
    // Bytes read in place move when the writer's memory grows for a big value.
    const moved = this.values.input?.();
    if (moved && moved !== this.bytes) {
      this.bytes = moved;
      this.strings.rebase(moved);
    }
    return value;
  }

  /** After a member or element: true at the closing `close`, false after a comma. */
  private separator(close: number): boolean {
    this.skipWhitespace();
    const c = this.bytes[this.pos++];
    if (c === close) return true;
    if (c !== B.Comma) bail();
    this.skipWhitespace();
    return false;
  }

  /** `c`, then whitespace. */
  private expect(c: number): void {
    if (this.bytes[this.pos++] !== c) bail();
    this.skipWhitespace();
  }

  private skipWhitespace(): void {
    while (isSpace(this.bytes[this.pos])) this.pos++;
  }

  /** An object key, decoded, its colon and the whitespace after it. */
  private readKey(): string {
    if (this.bytes[this.pos] !== B.Quote) bail();
    const key = this.readString();
    this.skipWhitespace();
    this.expect(B.Colon);
    return key;
  }

  /** A HashMap<String, Value>: its values written at level 2; a repeated key keeps the last. */
  private readMap(): Map<string, number> {
    const map = new Map<string, number>();
    this.expect(B.OpenBrace);
    if (this.bytes[this.pos] === B.CloseBrace) {
      this.pos++;
      return map;
    }
    do {
      const key = this.readKey();
      map.set(key, this.readValue(2, true, MAX_VALUE_DEPTH));
    } while (!this.separator(B.CloseBrace));
    return map;
  }

  /** A HashSet<String>: duplicates collapse; sorted for the export. */
  private readStringSet(): string[] {
    const set = new Set<string>();
    this.expect(B.OpenBracket);
    if (this.bytes[this.pos] === B.CloseBracket) {
      this.pos++;
      return [];
    }
    do {
      if (this.bytes[this.pos] !== B.Quote) bail();
      set.add(this.readString());
    } while (!this.separator(B.CloseBracket));
    return [...set].sort(compareCodeUnits);
  }

  /** The string token at `pos`, decoded (serde deserialises it: no lone surrogates). */
  private readString(): string {
    const start = this.pos;
    this.pos = this.strings.stringEnd(start, true);
    return JSON.parse(utf8.decode(this.bytes.subarray(start, this.pos))) as string;
  }
}

/** The export's pieces: structure text gathered between the values' own bytes. */
class Pieces {
  private readonly list: Uint8Array[] = [];
  private pending = '';
  private length = 0;

  text(text: string): void {
    this.pending += text;
  }

  bytes(bytes: Uint8Array): void {
    this.flush();
    this.push(bytes);
  }

  done(): { pieces: Uint8Array[]; byteLength: number } {
    this.flush();
    return { pieces: this.list, byteLength: this.length };
  }

  private flush(): void {
    if (this.pending) this.push(encoder.encode(this.pending));
    this.pending = '';
  }

  private push(bytes: Uint8Array): void {
    this.list.push(bytes);
    this.length += bytes.byteLength;
  }
}

/**
 * A kernel whose export was released, kept a short while for the next export: its memory is
 * already mapped, where a fresh one would first fault in every page it writes (input plus
 * output: ~150 MB for a 50 MB run).
 */
let idleKernel: JsonKernel | undefined;
let idleTimer: ReturnType<typeof setTimeout> | undefined;
const IDLE_KERNEL_MS = 30_000;

function takeKernel(): JsonKernel | undefined {
  if (idleKernel) {
    const kernel = idleKernel;
    idleKernel = undefined;
    clearTimeout(idleTimer);
    return kernel;
  }
  // Without WebAssembly SIMD the TypeScript writer does the work.
  return newJsonKernel((): never => {
    throw ELSEWHERE;
  });
}

/**
 * Gets a kernel ready for a run of `storedBytes` while the person is still choosing where to
 * save it: instantiated, its memory grown and touched (the first export in a process
 * otherwise pays for faulting in 150 MB), then kept idle for the export to take.
 */
export function prepareExportKernel(storedBytes: number): void {
  const kernel = takeKernel();
  if (!kernel) return;
  const needed = KernelValues.bytesFor(storedBytes);
  // Beyond what a WebAssembly memory holds, the export itself will use the TypeScript writer.
  if (growKernelMemory(kernel, needed)) {
    // One write per 4 KiB page commits it.
    const memory = new Uint8Array(kernel.memory.buffer);
    for (let at = 0; at < needed; at += 4096) memory[at] = 0;
  }
  giveBack(kernel);
}

function giveBack(kernel: JsonKernel): void {
  idleKernel = kernel;
  clearTimeout(idleTimer);
  idleTimer = setTimeout(() => (idleKernel = undefined), IDLE_KERNEL_MS);
  idleTimer.unref?.();
}

/**
 * Values validated and written by the WebAssembly kernel. One kernel (and memory) per export
 * until the export is released: the bytes handed back are views of that memory.
 */
class KernelValues implements ValueWriter {
  private readonly ranges: number[] = [];
  private released = false;

  private view = new Uint8Array(0);

  private constructor(
    private readonly kernel: JsonKernel,
    private readonly size: number,
  ) {}

  /** The kernel memory an export of `storedBytes` needs: input, sentinel, output and slack. */
  static bytesFor(storedBytes: number): number {
    return KERNEL_INPUT + storedBytes + KERNEL_SENTINEL + storedBytes * 1.75 + 65_536;
  }

  /** A kernel holding `bytes`, or undefined where WebAssembly (with SIMD) is missing. */
  static create(bytes: Uint8Array): KernelValues | undefined {
    const values = KernelValues.reserve(bytes.byteLength);
    if (!values) return undefined;
    values.input().set(bytes);
    values.begin();
    return values;
  }

  /**
   * A kernel with room for a run of `size` bytes at `input()`, to be filled before `begin`;
   * undefined where WebAssembly (with SIMD) is missing or cannot hold it.
   */
  static reserve(size: number): KernelValues | undefined {
    const kernel = takeKernel();
    if (!kernel) return undefined;
    // Beyond what a WebAssembly memory can hold: the TypeScript writer.
    if (!growKernelMemory(kernel, KernelValues.bytesFor(size))) return undefined;
    return new KernelValues(kernel, size);
  }

  /** The run's bytes in the kernel's memory (a new view once the memory grew). */
  input(): Uint8Array {
    if (this.view.byteLength !== this.size || this.view.buffer !== this.kernel.memory.buffer) {
      this.view = new Uint8Array(this.kernel.memory.buffer, KERNEL_INPUT, this.size);
    }
    return this.view;
  }

  /** The input is in place: the output starts after it and the sentinel's zero bytes. */
  begin(): void {
    const end = KERNEL_INPUT + this.size;
    new Uint8Array(this.kernel.memory.buffer).fill(0, end, end + KERNEL_SENTINEL);
    this.kernel.begin(end, end + KERNEL_SENTINEL);
  }

  /** The export's bytes are no longer needed: the kernel may serve the next export. */
  release(): void {
    if (this.released) return;
    this.released = true;
    giveBack(this.kernel);
  }

  write(start: number, level: number, strict: boolean, maxDepth: number): { end: number; value: number } {
    const input = KERNEL_INPUT;
    const from = this.kernel.outputEnd();
    let end: number;
    try {
      end = this.kernel.pretty(input + start, level, strict ? 1 : 0, maxDepth);
    } catch {
      throw ELSEWHERE; // a trap (the memory could not grow for the output): the TypeScript writer
    }
    // -1: invalid, the parser says why; -2: a check the TypeScript writer makes.
    if (end === -1) bail();
    if (end < 0) throw ELSEWHERE;
    this.ranges.push(from, this.kernel.outputEnd());
    return { end: end - input, value: this.ranges.length / 2 - 1 };
  }

  pieces(): readonly Uint8Array[] {
    const memory = this.kernel.memory.buffer;
    const out: Uint8Array[] = [];
    for (let i = 0; i < this.ranges.length; i += 2) out.push(new Uint8Array(memory, this.ranges[i], this.ranges[i + 1] - this.ranges[i]));
    return out;
  }
}

/**
 * Values validated and written in TypeScript, each into a buffer of its exact size: a
 * first pass checks the value and measures its pretty form, a second writes it. Slower
 * than the kernel; makes every check itself.
 */
class ScriptValues implements ValueWriter {
  private readonly written: Uint8Array[] = [];
  /** Normal forms of the strings written with escapes, by start offset. */
  private readonly escaped = new Map<number, { readonly end: number; readonly bytes: Uint8Array }>();
  /** Bytes of the last string measured, as the export writes it. */
  private stringSize = 0;

  constructor(private bytes: Uint8Array) {}

  /** The same bytes, at a new place (see ValueWriter.input). */
  rebase(bytes: Uint8Array): void {
    this.bytes = bytes;
  }

  write(start: number, level: number, strict: boolean, maxDepth: number): { end: number; value: number } {
    let size = 0;
    let lines = 0;
    const end = this.measureValue(start, maxDepth, strict, (s, l) => {
      size = s;
      lines = l;
    });
    const out = new Uint8Array(size + 2 * level * lines);
    if (this.reindent(start, end, level, out) !== out.byteLength) throw new Error('export: a value did not come out at its measured size');
    this.written.push(out);
    return { end, value: this.written.length - 1 };
  }

  pieces(): readonly Uint8Array[] {
    return this.written;
  }

  release(): void {
    // Plain buffers: nothing to give back.
  }

  /**
   * Validates the value at `start` and measures its pretty form at level 0 (`size`, and
   * `lines` breaks, each 2 bytes longer per level); returns its end, whitespace after it
   * included.
   */
  private measureValue(start: number, maxDepth: number, strict: boolean, done: (size: number, lines: number) => void): number {
    const bytes = this.bytes;
    // The closing byte of each open container, by depth.
    const closers: number[] = [0];
    let depth = 0;
    let p = start;
    let size = 0;
    let lines = 0;
    let c: number;
    for (;;) {
      // A value at p.
      c = bytes[p];
      if (c === B.Quote) {
        p = this.stringEnd(p, strict);
        size += this.stringSize;
      } else if (c === B.OpenBrace || c === B.OpenBracket) {
        const close = c + 2;
        p++;
        while (isSpace(bytes[p])) p++;
        if (depth >= maxDepth) bail(); // an empty container counts towards serde's depth too
        if (bytes[p] === close) {
          size += 2; // an empty container stays on one line
          p++;
        } else {
          depth++;
          closers[depth] = close;
          size += 2 + 2 * depth; // the bracket, a line break, the indent
          lines++;
          if (close === B.CloseBrace) p = this.keyEnd(p, strict, () => (size += this.stringSize + 2));
          continue;
        }
      } else if (c === B.Minus || (c >= B.Zero && c <= B.Nine)) {
        const end = this.numberEnd(p, strict);
        size += end - p;
        p = end;
      } else if (c === B.LowerT && bytes[p + 1] === B.LowerR && bytes[p + 2] === B.LowerU && bytes[p + 3] === B.LowerE) {
        size += 4;
        p += 4;
      } else if (c === B.LowerF && bytes[p + 1] === B.LowerA && bytes[p + 2] === B.LowerL && bytes[p + 3] === B.LowerS && bytes[p + 4] === B.LowerE) {
        size += 5;
        p += 5;
      } else if (c === B.LowerN && bytes[p + 1] === B.LowerU && bytes[p + 2] === B.LowerL && bytes[p + 3] === B.LowerL) {
        size += 4;
        p += 4;
      } else {
        bail();
      }
      // After a value: containers close, or a comma leads to the next value.
      for (;;) {
        while (isSpace(bytes[p])) p++;
        if (depth === 0) {
          done(size, lines);
          return p;
        }
        c = bytes[p];
        if (c === B.Comma) {
          p++;
          while (isSpace(bytes[p])) p++;
          size += 2 + 2 * depth; // the comma, a line break, the indent
          lines++;
          if (closers[depth] === B.CloseBrace) p = this.keyEnd(p, strict, () => (size += this.stringSize + 2));
          break;
        }
        if (c !== closers[depth]) bail(); // also at the end of the bytes
        depth--;
        size += 2 + 2 * depth; // a line break, the indent, the bracket
        lines++;
        p++;
      }
    }
  }

  /** A member's key at p, its colon and the whitespace around it; the value's start. */
  private keyEnd(p: number, strict: boolean, measured: () => void): number {
    const bytes = this.bytes;
    if (bytes[p] !== B.Quote) bail();
    p = this.stringEnd(p, strict);
    measured();
    while (isSpace(bytes[p])) p++;
    if (bytes[p++] !== B.Colon) bail();
    while (isSpace(bytes[p])) p++;
    return p;
  }

  /**
   * The end of the string token at `start`; sets `stringSize`. A string with escapes gets
   * its normal form (as JSON.stringify writes it) recorded for `reindent`.
   */
  stringEnd(start: number, strict: boolean): number {
    const bytes = this.bytes;
    let p = start + 1;
    let normalise = false;
    for (;;) {
      const c = bytes[p];
      if (c === B.Quote) break;
      if (c === B.Backslash) {
        const e = bytes[p + 1];
        if (e === B.LowerU) {
          if (!isHex(bytes[p + 2]) || !isHex(bytes[p + 3]) || !isHex(bytes[p + 4]) || !isHex(bytes[p + 5])) bail();
          normalise = true;
          p += 6;
        } else if (e === B.Quote || e === B.Backslash || e === B.LowerB || e === B.LowerF || e === B.LowerN || e === B.LowerR || e === B.LowerT) {
          p += 2; // written as it is
        } else if (e === B.Slash) {
          normalise = true;
          p += 2;
        } else {
          bail();
        }
      } else if (c < B.Space || c === undefined) {
        bail(); // a raw control character, or the end of the bytes
      } else {
        p++;
      }
    }
    const end = p + 1;
    if (!normalise) {
      this.stringSize = end - start;
      return end;
    }
    const value = JSON.parse(utf8.decode(bytes.subarray(start, end))) as string;
    // serde refuses lone surrogates in what it deserialises.
    if (strict && LONE_SURROGATE.test(value)) bail();
    const normal = encoder.encode(JSON.stringify(value));
    this.escaped.set(start, { end, bytes: normal });
    this.stringSize = normal.byteLength;
    return end;
  }

  /** The end of the number token at `start` (JSON grammar; in f64 range when `strict`). */
  private numberEnd(start: number, strict: boolean): number {
    const bytes = this.bytes;
    let p = start;
    if (bytes[p] === B.Minus) p++;
    let c = bytes[p];
    if (c === B.Zero) {
      p++;
    } else if (c > B.Zero && c <= B.Nine) {
      while ((c = bytes[++p]) >= B.Zero && c <= B.Nine);
    } else {
      bail();
    }
    let exponent = false;
    if (bytes[p] === B.Dot) {
      c = bytes[++p];
      if (!(c >= B.Zero && c <= B.Nine)) bail();
      while ((c = bytes[++p]) >= B.Zero && c <= B.Nine);
    }
    c = bytes[p];
    if (c === B.LowerE || c === B.UpperE) {
      exponent = true;
      c = bytes[++p];
      if (c === B.Plus || c === B.Minus) c = bytes[++p];
      if (!(c >= B.Zero && c <= B.Nine)) bail();
      while ((c = bytes[++p]) >= B.Zero && c <= B.Nine);
    }
    if (strict && (exponent || p - start >= PLAIN_NUMBER_DIGITS)) {
      const text = utf8.decode(bytes.subarray(start, p));
      if (exceedsF64(text, Number(text))) bail();
    }
    return p;
  }

  /**
   * Writes the measured (so valid) value `[start, end)` pretty-printed at `level` into
   * `out`; returns the bytes written.
   */
  private reindent(start: number, end: number, level: number, out: Uint8Array): number {
    const bytes = this.bytes;
    let p = start;
    let o = 0;
    let depth = level;
    let c: number;
    const newline = () => {
      out[o++] = B.LineFeed;
      for (let i = 2 * depth; i > 0; i--) out[o++] = B.Space;
    };
    while (p < end) {
      c = bytes[p];
      if (c === B.Quote) {
        const normal = this.escaped.get(p);
        if (normal) {
          out.set(normal.bytes, o);
          o += normal.bytes.byteLength;
          p = normal.end;
          continue;
        }
        // Copied as it is, escapes included.
        out[o++] = c;
        p++;
        while ((c = bytes[p]) !== B.Quote) {
          out[o++] = c;
          p++;
          if (c === B.Backslash) out[o++] = bytes[p++];
        }
        out[o++] = c;
        p++;
      } else if (c === B.OpenBrace || c === B.OpenBracket) {
        const close = c + 2;
        p++;
        while (isSpace(bytes[p])) p++;
        out[o++] = c;
        if (bytes[p] === close) {
          out[o++] = close; // an empty container stays on one line
          p++;
        } else {
          depth++;
          newline();
        }
      } else if (c === B.CloseBrace || c === B.CloseBracket) {
        depth--;
        newline();
        out[o++] = c;
        p++;
      } else if (c === B.Comma) {
        out[o++] = c;
        newline();
        p++;
      } else if (c === B.Colon) {
        out[o++] = B.Colon;
        out[o++] = B.Space;
        p++;
      } else if (isSpace(c)) {
        p++;
      } else {
        // A number or a literal: up to the next delimiter.
        while (p < end && (c = bytes[p]) !== B.Comma && c !== B.CloseBrace && c !== B.CloseBracket && !isSpace(c)) {
          out[o++] = c;
          p++;
        }
      }
    }
    return o;
  }
}

function isHex(c: number): boolean {
  return (c >= B.Zero && c <= B.Nine) || (c >= 0x41 && c <= 0x46) || (c >= B.LowerA && c <= B.LowerF);
}

/**
 * The export format written straight from a run's stored bytes, without building its
 * values: the run is validated and indexed by `scanFlowResult`, then each value's bytes are
 * re-indented token by token into one growing buffer. Gives what
 * `exportFlowResult(parseFlowResult(text))` gives, at a fraction of the time and memory for
 * a 50 MB run (no millions of objects, no millions of small strings).
 */
import { compareCodeUnits, exportFlowResult, parseFlowResultBytes, ScannedFlowResult, scanFlowResult, ValueSpan } from './flowResult';

const strictDecoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const encoder = new TextEncoder();

/**
 * The export file of a stored run, from its bytes. Throws FlowResultError when the bytes
 * are not a valid run (same rules as parsing).
 */
export function exportStoredRun(bytes: Uint8Array): { readonly executionId: string; readonly bytes: Uint8Array } {
  let text: string;
  try {
    text = strictDecoder.decode(bytes);
  } catch {
    // Invalid UTF-8 is only allowed inside unknown fields: the full parser decides.
    const result = parseFlowResultBytes(bytes);
    return { executionId: result.executionId, bytes: encoder.encode(exportFlowResult(result)) };
  }
  const scan = scanFlowResult(text);
  // A run scanned from serde's array form was re-serialised: its spans index that text.
  const source = scan.text === text ? bytes : encoder.encode(scan.text);
  return { executionId: scan.executionId, bytes: exportScanned(scan, source) };
}

/** The same, as text (tests, small runs). */
export function exportFlowResultText(text: string): string {
  return new TextDecoder().decode(exportStoredRun(encoder.encode(text)).bytes);
}

function exportScanned(scan: ScannedFlowResult, bytes: Uint8Array): Uint8Array {
  const toByte = byteOffsets(scan, bytes);
  const out = new ByteWriter(bytes.byteLength + (bytes.byteLength >> 1) + 4096);
  const value = (span: ValueSpan, level: number) => reindent(bytes, toByte(span.start), toByte(span.end), level, out);
  const members = (spans: readonly ValueSpan[]) => {
    if (spans.length === 0) {
      out.ascii('{}');
      return;
    }
    out.ascii('{');
    [...spans].sort((a, b) => compareCodeUnits(a.key, b.key)).forEach((span, i) => {
      out.ascii(i ? ',' : '').newline(2).text(JSON.stringify(span.key)).ascii(': ');
      value(span, 2);
    });
    out.newline(1).ascii('}');
  };
  const strings = (items: readonly string[]) => {
    if (items.length === 0) {
      out.ascii('[]');
      return;
    }
    out.ascii('[');
    [...items].sort(compareCodeUnits).forEach((item, i) => out.ascii(i ? ',' : '').newline(2).text(JSON.stringify(item)));
    out.newline(1).ascii(']');
  };
  out.ascii('{').newline(1).ascii(`"execution_id": ${JSON.stringify(scan.executionId)},`).newline(1).ascii('"outputs": ');
  members(scan.outputs);
  out.ascii(',').newline(1).ascii('"completed_nodes": ');
  strings(scan.completedNodes);
  out.ascii(',').newline(1).ascii('"skipped_nodes": ');
  strings(scan.skippedNodes);
  out.ascii(',').newline(1).ascii('"context": ');
  members(scan.context);
  for (const span of scan.extraFields) {
    out.ascii(',').newline(1).text(JSON.stringify(span.key)).ascii(': ');
    value(span, 1);
  }
  out.newline(0).ascii('}\n');
  return out.result();
}

/** Maps the scan's character offsets to byte offsets in one pass over the text. */
function byteOffsets(scan: ScannedFlowResult, bytes: Uint8Array): (charOffset: number) => number {
  const text = scan.text;
  if (bytes.byteLength === text.length) return (offset) => offset; // all ASCII
  const marks = [...scan.outputs, ...scan.context, ...scan.extraFields].flatMap((s) => [s.start, s.end]).sort((a, b) => a - b);
  const map = new Map<number, number>();
  let char = 0;
  let byte = 0;
  for (const mark of marks) {
    byte += utf8Length(text, char, mark);
    char = mark;
    map.set(mark, byte);
  }
  return (offset) => map.get(offset)!;
}

/** UTF-8 bytes of `text[start, end)`: natively, in slices (a sliced string costs nothing). */
function utf8Length(text: string, start: number, end: number): number {
  return Buffer.byteLength(text.slice(start, end), 'utf8');
}

const enum B {
  Tab = 0x09,
  LineFeed = 0x0a,
  CarriageReturn = 0x0d,
  Space = 0x20,
  Quote = 0x22,
  Comma = 0x2c,
  Colon = 0x3a,
  OpenBracket = 0x5b,
  Backslash = 0x5c,
  CloseBracket = 0x5d,
  OpenBrace = 0x7b,
  CloseBrace = 0x7d,
}

/**
 * Pretty-prints one valid JSON value (`bytes[start, end)`) at indentation `level`, the way
 * `stringifyJson(parseJson(value), 2)` would: numbers as written, strings with escapes
 * normalised as JSON.stringify writes them. Keys keep their stored order, repeated keys
 * included (serde keeps the last one, as it did reading the original).
 */
function reindent(bytes: Uint8Array, start: number, end: number, level: number, out: ByteWriter): void {
  let pos = start;
  let depth = level;
  while (pos < end) {
    const c = bytes[pos];
    if (c === B.Space || c === B.LineFeed || c === B.CarriageReturn || c === B.Tab) {
      pos++;
    } else if (c === B.OpenBrace || c === B.OpenBracket) {
      let next = pos + 1;
      while (next < end && isSpace(bytes[next])) next++;
      if (bytes[next] === (c === B.OpenBrace ? B.CloseBrace : B.CloseBracket)) {
        out.byte(c).byte(bytes[next]); // an empty container stays on one line
        pos = next + 1;
      } else {
        depth++;
        out.byte(c).newline(depth);
        pos++;
      }
    } else if (c === B.CloseBrace || c === B.CloseBracket) {
      depth--;
      out.newline(depth).byte(c);
      pos++;
    } else if (c === B.Comma) {
      out.byte(B.Comma).newline(depth);
      pos++;
    } else if (c === B.Colon) {
      out.byte(B.Colon).byte(B.Space);
      pos++;
    } else if (c === B.Quote) {
      const close = stringEnd(bytes, pos);
      const backslash = bytes.indexOf(B.Backslash, pos);
      if (backslash >= 0 && backslash < close) {
        out.text(JSON.stringify(JSON.parse(new TextDecoder().decode(bytes.subarray(pos, close)))));
      } else {
        out.copy(bytes, pos, close);
      }
      pos = close;
    } else {
      let stop = pos + 1;
      while (stop < end && !isDelimiter(bytes[stop])) stop++;
      out.copy(bytes, pos, stop);
      pos = stop;
    }
  }
}

/** Index just after the closing quote of the string starting at `open`. */
function stringEnd(bytes: Uint8Array, open: number): number {
  let pos = open + 1;
  for (;;) {
    const quote = bytes.indexOf(B.Quote, pos);
    let backslashes = 0;
    for (let i = quote - 1; i > open && bytes[i] === B.Backslash; i--) backslashes++;
    if (backslashes % 2 === 0) return quote + 1;
    pos = quote + 1;
  }
}

function isSpace(c: number): boolean {
  return c === B.Space || c === B.LineFeed || c === B.CarriageReturn || c === B.Tab;
}

function isDelimiter(c: number): boolean {
  return c === B.Comma || c === B.CloseBrace || c === B.CloseBracket || c === B.Colon || isSpace(c);
}

/** A growing byte buffer with the few writes the exporter needs. */
class ByteWriter {
  private buffer: Uint8Array;
  private length = 0;

  constructor(capacity: number) {
    this.buffer = new Uint8Array(capacity);
  }

  private reserve(extra: number): void {
    if (this.length + extra <= this.buffer.byteLength) return;
    const grown = new Uint8Array(Math.max(this.buffer.byteLength * 2, this.length + extra));
    grown.set(this.buffer.subarray(0, this.length));
    this.buffer = grown;
  }

  byte(b: number): this {
    this.reserve(1);
    this.buffer[this.length++] = b;
    return this;
  }

  copy(source: Uint8Array, start: number, end: number): this {
    const n = end - start;
    this.reserve(n);
    if (n < 64) {
      // Short tokens: a loop beats creating a view for each of millions of them.
      const buffer = this.buffer;
      let at = this.length;
      for (let i = start; i < end; i++) buffer[at++] = source[i];
    } else {
      this.buffer.set(source.subarray(start, end), this.length);
    }
    this.length += n;
    return this;
  }

  /** ASCII-only text (structure). */
  ascii(text: string): this {
    this.reserve(text.length);
    for (let i = 0; i < text.length; i++) this.buffer[this.length++] = text.charCodeAt(i);
    return this;
  }

  /** Any text, UTF-8 encoded. */
  text(text: string): this {
    const encoded = encoder.encode(text);
    return this.copy(encoded, 0, encoded.byteLength);
  }

  /** A line break and two spaces per level. */
  newline(level: number): this {
    this.reserve(1 + 2 * level);
    this.buffer[this.length++] = B.LineFeed;
    this.buffer.fill(B.Space, this.length, this.length + 2 * level);
    this.length += 2 * level;
    return this;
  }

  result(): Uint8Array {
    return this.buffer.subarray(0, this.length);
  }
}

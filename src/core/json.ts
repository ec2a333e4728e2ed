/**
 * A JSON reader and writer that behave like Rust's serde_json, so a file we accept is one
 * the a3s_flow engine accepts and every number survives unchanged.
 *
 * Why not `JSON.parse`: it rounds integers beyond 2^53 (common in Rust data: u64 ids,
 * nanosecond timestamps), turns `1.0` into `1` (serde then reads an integer, not the float
 * it wrote), accepts lone UTF-16 surrogates and unlimited nesting, all of which serde_json
 * rejects. This reader keeps every number that is not a plain safe integer as its exact
 * source text (`JsonNumber`), and rejects what serde_json rejects, with a precise message.
 */
import { JsonByte as Ch } from './jsonBytes';

/** A JSON number kept as its exact source text (floats, and integers beyond 2^53). */
export class JsonNumber {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
  toJSON(): string {
    return this.text;
  }
}

/** JSON objects are null-prototype records, so keys like `__proto__` are plain data. */
export interface JsonObject {
  [key: string]: JsonValue;
}
export type JsonValue = null | boolean | number | string | JsonNumber | JsonValue[] | JsonObject;

/** serde_json's default recursion limit: the 128th nested array/object is refused. */
export const SERDE_MAX_DEPTH = 128;

export class JsonSyntaxError extends Error {
  constructor(
    readonly reason: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(`${reason} at line ${line} column ${column}`);
    this.name = 'JsonSyntaxError';
  }
}

export function newObject(): JsonObject {
  return Object.create(null) as JsonObject;
}

export function isJsonObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof JsonNumber);
}


const SAFE_INTEGER_DIGITS = 15; // every integer of up to 15 digits is exactly representable
/** Characters a string may hold as they are: not a quote, backslash, control or surrogate. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const PLAIN_RUN = /[^"\\\u0000-\u001f\ud800-\udfff]*/y;

/**
 * Parses JSON text the way serde_json does. `maxDepth` defaults to serde's limit.
 * Throws only `JsonSyntaxError`.
 */
export function parseJson(text: string, options: ParseOptions = {}): JsonValue {
  try {
    return new Reader(text, options).readDocument();
  } catch (error) {
    // Only reachable in lenient parts, which have no depth limit (serde skips them).
    if (error instanceof RangeError) throw new JsonSyntaxError('nesting too deep to read', 1, 1);
    throw error;
  }
}

export interface ParseOptions {
  maxDepth?: number;
  /** Called when the outermost object repeats a key (serde refuses repeated struct fields). */
  onTopLevelDuplicate?: (key: string) => void;
  /**
   * Top-level keys whose values serde only skips (unknown struct fields): there serde does
   * not check depth, number range or surrogates, so neither do we.
   */
  isSkippedTopLevelKey?: (key: string) => boolean;
  /** Told the [start, end) text offsets of each skipped value, and its key. */
  onSkippedValue?: (start: number, end: number, key: string) => void;
  /**
   * Top-level keys whose object members are validated but not built: their values come back
   * as `null` and `onMemberSpan` gets each member's text span instead. Lets a 50 MB run be
   * checked and indexed without allocating its outputs.
   */
  spanMembersOf?: ReadonlySet<string>;
  onMemberSpan?: (topKey: string, key: string, start: number, end: number) => void;
}

class Reader {
  private pos = 0;
  private depth = 0;
  /** True while reading a value serde would only skip. */
  private lenient = false;
  /** False while validating a value whose span is all the caller wants. */
  private building = true;
  /** The top-level key whose value is being read (depth 1 only). */
  private topKey: string | undefined;
  private readonly maxDepth: number;

  constructor(
    private readonly text: string,
    private readonly options: ParseOptions,
  ) {
    this.maxDepth = options.maxDepth ?? SERDE_MAX_DEPTH;
  }

  readDocument(): JsonValue {
    this.skipWhitespace();
    if (this.pos >= this.text.length) this.fail('EOF while parsing a value');
    const value = this.readValue();
    this.skipWhitespace();
    if (this.pos < this.text.length) this.fail('trailing characters');
    return value;
  }

  private readValue(): JsonValue {
    const c = this.text.charCodeAt(this.pos);
    switch (c) {
      case Ch.OpenBrace:
        return this.readObject();
      case Ch.OpenBracket:
        return this.readArray();
      case Ch.Quote:
        return this.readString();
      case 0x74: // t
        return this.readLiteral('true', true);
      case 0x66: // f
        return this.readLiteral('false', false);
      case 0x6e: // n
        return this.readLiteral('null', null);
      default:
        if (c === Ch.Minus || (c >= Ch.Zero && c <= Ch.Nine)) return this.readNumber();
        if (Number.isNaN(c)) this.fail('EOF while parsing a value');
        return this.fail('expected value');
    }
  }

  private readLiteral<T extends JsonValue>(word: string, value: T): T {
    for (let i = 0; i < word.length; i++) {
      if (this.pos >= this.text.length) this.fail('EOF while parsing a value');
      if (this.text.charCodeAt(this.pos) !== word.charCodeAt(i)) this.fail('expected ident');
      this.pos++;
    }
    return value;
  }

  private enter(): void {
    this.depth++;
    if (this.depth >= this.maxDepth && !this.lenient) this.fail('recursion limit exceeded');
  }

  private readObject(): JsonObject {
    this.enter();
    this.pos++; // {
    const result = newObject();
    this.skipWhitespace();
    if (this.text.charCodeAt(this.pos) === Ch.CloseBrace) {
      this.pos++;
      this.depth--;
      return result;
    }
    for (;;) {
      this.skipWhitespace();
      const c = this.text.charCodeAt(this.pos);
      if (Number.isNaN(c)) this.fail('EOF while parsing an object');
      if (c !== Ch.Quote) this.fail(c === Ch.CloseBrace ? 'trailing comma' : 'key must be a string');
      const key = this.readString();
      this.skipWhitespace();
      const colon = this.text.charCodeAt(this.pos);
      if (Number.isNaN(colon)) this.fail('EOF while parsing an object');
      if (colon !== Ch.Colon) this.fail('expected `:`');
      this.pos++;
      this.skipWhitespace();
      if (this.depth === 1 && this.options.onTopLevelDuplicate && Object.prototype.hasOwnProperty.call(result, key)) {
        this.options.onTopLevelDuplicate(key);
      }
      if (this.depth === 1 && this.options.isSkippedTopLevelKey?.(key)) {
        this.lenient = true;
        const start = this.pos;
        try {
          result[key] = this.readValue();
        } finally {
          this.lenient = false;
        }
        this.options.onSkippedValue?.(start, this.pos, key);
      } else if (this.depth === 2 && this.topKey !== undefined && this.building && this.options.spanMembersOf?.has(this.topKey)) {
        const start = this.pos;
        this.building = false;
        try {
          this.readValue();
        } finally {
          this.building = true;
        }
        this.options.onMemberSpan?.(this.topKey, key, start, this.pos);
        result[key] = null;
      } else if (this.depth === 1) {
        this.topKey = key;
        result[key] = this.readValue();
        this.topKey = undefined;
      } else if (this.building) {
        // Later duplicates win, as in serde_json's maps.
        result[key] = this.readValue();
      } else {
        this.readValue();
      }
      this.skipWhitespace();
      const next = this.text.charCodeAt(this.pos);
      if (next === Ch.Comma) {
        this.pos++;
        continue;
      }
      if (next === Ch.CloseBrace) {
        this.pos++;
        this.depth--;
        return result;
      }
      if (Number.isNaN(next)) this.fail('EOF while parsing an object');
      this.fail('expected `,` or `}`');
    }
  }

  private readArray(): JsonValue[] {
    this.enter();
    this.pos++; // [
    const result: JsonValue[] = [];
    this.skipWhitespace();
    if (this.text.charCodeAt(this.pos) === Ch.CloseBracket) {
      this.pos++;
      this.depth--;
      return result;
    }
    for (;;) {
      this.skipWhitespace();
      const c = this.text.charCodeAt(this.pos);
      if (Number.isNaN(c)) this.fail('EOF while parsing a list');
      if (c === Ch.CloseBracket) this.fail('trailing comma');
      const item = this.readValue();
      if (this.building) result.push(item);
      this.skipWhitespace();
      const next = this.text.charCodeAt(this.pos);
      if (next === Ch.Comma) {
        this.pos++;
        continue;
      }
      if (next === Ch.CloseBracket) {
        this.pos++;
        this.depth--;
        return result;
      }
      if (Number.isNaN(next)) this.fail('EOF while parsing a list');
      this.fail('expected `,` or `]`');
    }
  }

  private readString(): string {
    const text = this.text;
    let pos = this.pos + 1; // opening quote
    let start = pos;
    let out = '';
    for (;;) {
      // Skip the run of ordinary characters natively; the loop below handles the rest.
      PLAIN_RUN.lastIndex = pos;
      PLAIN_RUN.test(text);
      pos = PLAIN_RUN.lastIndex;
      if (pos >= text.length) {
        this.pos = pos;
        this.fail('EOF while parsing a string');
      }
      const c = text.charCodeAt(pos);
      if (c === Ch.Quote) {
        this.pos = pos + 1;
        return this.building ? out + text.slice(start, pos) : '';
      }
      if (c === Ch.Backslash) {
        if (this.building) out += text.slice(start, pos);
        this.pos = pos;
        const escaped = this.readEscape();
        if (this.building) out += escaped;
        pos = this.pos;
        start = pos;
        continue;
      }
      if (c < 0x20) {
        this.pos = pos;
        this.fail('control character (\\u0000-\\u001F) found while parsing a string');
      }
      if (c >= 0xd800 && c <= 0xdfff && !this.lenient) {
        // Text from a file decoded as UTF-8 never holds a lone surrogate, but a string built
        // in memory can; serde could never have read it, so refuse it here too.
        const next = text.charCodeAt(pos + 1);
        if (c > 0xdbff || !(next >= 0xdc00 && next <= 0xdfff)) {
          this.pos = pos;
          this.fail('invalid unicode code point');
        }
        pos += 2;
        continue;
      }
      pos++;
    }
  }

  /** Reads one escape starting at the backslash; leaves `pos` after it. */
  private readEscape(): string {
    const text = this.text;
    const kind = text.charCodeAt(this.pos + 1);
    this.pos += 2;
    switch (kind) {
      case Ch.Quote:
        return '"';
      case Ch.Backslash:
        return '\\';
      case 0x2f:
        return '/';
      case 0x62:
        return '\b';
      case 0x66:
        return '\f';
      case 0x6e:
        return '\n';
      case 0x72:
        return '\r';
      case 0x74:
        return '\t';
      case 0x75: {
        const first = this.readHex4();
        if (this.lenient) return String.fromCharCode(first);
        if (first >= 0xdc00 && first <= 0xdfff) this.fail('lone leading surrogate in hex escape');
        if (first < 0xd800 || first > 0xdbff) return String.fromCharCode(first);
        if (this.pos >= text.length) this.fail('EOF while parsing a string');
        if (text.charCodeAt(this.pos) !== Ch.Backslash || text.charCodeAt(this.pos + 1) !== 0x75) {
          this.fail('unexpected end of hex escape');
        }
        this.pos += 2;
        const second = this.readHex4();
        if (second < 0xdc00 || second > 0xdfff) this.fail('lone leading surrogate in hex escape');
        return String.fromCharCode(first, second);
      }
      default:
        if (Number.isNaN(kind)) {
          this.pos = text.length;
          this.fail('EOF while parsing a string');
        }
        this.pos--;
        return this.fail('invalid escape');
    }
  }

  private readHex4(): number {
    let value = 0;
    for (let i = 0; i < 4; i++) {
      if (this.pos >= this.text.length) this.fail('EOF while parsing a string');
      const c = this.text.charCodeAt(this.pos);
      let digit: number;
      if (c >= 0x30 && c <= 0x39) digit = c - 0x30;
      else if (c >= 0x41 && c <= 0x46) digit = c - 0x37;
      else if (c >= 0x61 && c <= 0x66) digit = c - 0x57;
      else return this.fail('invalid escape');
      value = value * 16 + digit;
      this.pos++;
    }
    return value;
  }

  private readNumber(): number | JsonNumber {
    const text = this.text;
    const start = this.pos;
    let pos = start;
    if (text.charCodeAt(pos) === Ch.Minus) pos++;
    const firstDigit = text.charCodeAt(pos);
    if (!(firstDigit >= Ch.Zero && firstDigit <= Ch.Nine)) {
      this.pos = pos;
      this.fail(Number.isNaN(firstDigit) ? 'EOF while parsing a value' : 'invalid number');
    }
    pos++;
    if (firstDigit === Ch.Zero) {
      const c = text.charCodeAt(pos);
      if (c >= Ch.Zero && c <= Ch.Nine) {
        this.pos = pos;
        this.fail('invalid number');
      }
    } else {
      while (isDigit(text.charCodeAt(pos))) pos++;
    }
    let integer = true;
    if (text.charCodeAt(pos) === Ch.Dot) {
      integer = false;
      pos++;
      if (!isDigit(text.charCodeAt(pos))) {
        this.pos = pos;
        this.fail(pos >= text.length ? 'EOF while parsing a value' : 'invalid number');
      }
      while (isDigit(text.charCodeAt(pos))) pos++;
    }
    const e = text.charCodeAt(pos);
    if (e === Ch.LowerE || e === Ch.UpperE) {
      integer = false;
      pos++;
      const sign = text.charCodeAt(pos);
      if (sign === Ch.Plus || sign === Ch.Minus) pos++;
      if (!isDigit(text.charCodeAt(pos))) {
        this.pos = pos;
        this.fail(pos >= text.length ? 'EOF while parsing a value' : 'invalid number');
      }
      while (isDigit(text.charCodeAt(pos))) pos++;
    }
    this.pos = pos;
    const negative = text.charCodeAt(start) === Ch.Minus;
    const digits = pos - start - (negative ? 1 : 0);
    // When only validating, a number that cannot reach f64::MAX (fewer than 309 digits and
    // no exponent) needs no value at all.
    if (!this.building && digits < 309 && (integer || !hasExponent(text, start, pos))) return 0;
    const source = text.slice(start, pos);
    if (integer && digits <= SAFE_INTEGER_DIGITS) {
      const n = Number(source);
      // -0 is an integer 0 to serde; keep the sign only as text.
      return Object.is(n, -0) ? new JsonNumber(source) : n;
    }
    const n = Number(source);
    if (integer && Number.isSafeInteger(n) && String(n) === source) return n;
    if (!this.lenient && exceedsF64(source, n)) {
      this.pos = pos;
      this.fail('number out of range');
    }
    return new JsonNumber(source);
  }

  private skipWhitespace(): void {
    const text = this.text;
    let pos = this.pos;
    for (;;) {
      const c = text.charCodeAt(pos);
      if (c === Ch.Space || c === Ch.LineFeed || c === Ch.CarriageReturn || c === Ch.Tab) pos++;
      else break;
    }
    this.pos = pos;
  }

  private fail(reason: string): never {
    let line = 1;
    let lineStart = 0;
    const end = Math.min(this.pos, this.text.length);
    for (let i = 0; i < end; i++) {
      if (this.text.charCodeAt(i) === Ch.LineFeed) {
        line++;
        lineStart = i + 1;
      }
    }
    // At end of input serde points at the last character read; elsewhere at the culprit.
    const column = this.pos >= this.text.length ? end - lineStart : end - lineStart + 1;
    throw new JsonSyntaxError(reason, line, column);
  }
}

/**
 * serde_json reads integers beyond u64/i64 and every float as f64 and refuses what
 * overflows; its float reader also refuses spellings above f64::MAX that round down to it.
 */
export function exceedsF64(source: string, value: number): boolean {
  if (!Number.isFinite(value)) return true;
  if (Math.abs(value) !== Number.MAX_VALUE) return false;
  // Compare the decimal digits with f64::MAX = 1.7976931348623157e308.
  const match = /^-?(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/.exec(source);
  if (!match) return false;
  const digits = (match[1] + (match[2] ?? '')).replace(/^0+/, '');
  const exponent = Number(match[3] ?? 0) + match[1].replace(/^0+/, '').length - 1;
  if (exponent !== 308) return exponent > 308;
  // serde scales a significand of more than 17 digits in a way that overflows here.
  const significant = digits.replace(/0+$/, '');
  return digits.length > 17 || significant > '17976931348623157';
}

function hasExponent(text: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === Ch.LowerE || c === Ch.UpperE) return true;
  }
  return false;
}

function isDigit(c: number): boolean {
  return c >= Ch.Zero && c <= Ch.Nine;
}

/**
 * Writes a value as JSON the way serde_json does: compact (`indent` 0) or pretty with
 * `indent` spaces; strings escaped exactly like serde (`"`, `\`, control characters only).
 */
export function stringifyJson(value: JsonValue, indent = 0, prefix = ''): string {
  const parts: string[] = [];
  writeValue(value, indent, prefix, parts);
  return parts.join('');
}

function writeValue(value: JsonValue, indent: number, prefix: string, out: string[]): void {
  if (value === null) {
    out.push('null');
  } else if (typeof value === 'string') {
    out.push(JSON.stringify(value));
  } else if (typeof value === 'number') {
    out.push(formatNumber(value));
  } else if (typeof value === 'boolean') {
    out.push(value ? 'true' : 'false');
  } else if (value instanceof JsonNumber) {
    out.push(value.text);
  } else if (Array.isArray(value)) {
    if (value.length === 0) {
      out.push('[]');
      return;
    }
    const inner = indent ? prefix + ' '.repeat(indent) : '';
    out.push('[');
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out.push(',');
      if (indent) out.push('\n', inner);
      writeValue(value[i], indent, inner, out);
    }
    if (indent) out.push('\n', prefix);
    out.push(']');
  } else {
    writeEntries(Object.keys(value), value, indent, prefix, out);
  }
}

/** Writes an object's entries in the given key order. */
function writeEntries(keys: readonly string[], object: JsonObject, indent: number, prefix: string, out: string[]): void {
  if (keys.length === 0) {
    out.push('{}');
    return;
  }
  const inner = indent ? prefix + ' '.repeat(indent) : '';
  out.push('{');
  for (let i = 0; i < keys.length; i++) {
    if (i > 0) out.push(',');
    if (indent) out.push('\n', inner);
    out.push(JSON.stringify(keys[i]), indent ? ': ' : ':');
    writeValue(object[keys[i]], indent, inner, out);
  }
  if (indent) out.push('\n', prefix);
  out.push('}');
}

function formatNumber(n: number): string {
  if (!Number.isFinite(n)) throw new RangeError(`${n} cannot be written as JSON`);
  // The reader only yields safe integers as numbers; a caller's float prints its shortest
  // exact form, which serde reads back to the same f64.
  return String(n);
}

/** Deep equality over JSON values; numbers compare by their JSON text. */
export function jsonEquals(a: JsonValue, b: JsonValue): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') {
    if ((typeof a === 'number' || a instanceof JsonNumber) && (typeof b === 'number' || b instanceof JsonNumber)) {
      return String(a) === String(b);
    }
    return false;
  }
  if (a instanceof JsonNumber || b instanceof JsonNumber) {
    return (typeof a === 'number' || a instanceof JsonNumber) && (typeof b === 'number' || b instanceof JsonNumber) && String(a) === String(b);
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((item, i) => jsonEquals(item, b[i]));
  }
  const keysA = Object.keys(a);
  if (keysA.length !== Object.keys(b).length) return false;
  return keysA.every((key) => Object.prototype.hasOwnProperty.call(b, key) && jsonEquals(a[key], b[key]));
}

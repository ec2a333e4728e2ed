// AssemblyScript (compiled to WebAssembly by `npm run build:wasm`), not TypeScript for tsc.
//
// The export's inner loop: validates one JSON value of a stored run the way serde_json
// does and writes it pretty-printed (2-space indent, keys in their stored order, strings
// with escapes in JSON.stringify's normal form, numbers as written), 16 bytes at a time
// where it can. src/core/exportText.ts drives it value by value and keeps a plain
// TypeScript version of the same rules for what this kernel hands back.
//
// Memory: the caller puts the input at some offset and at least 64 zero bytes after it
// (a sentinel no token accepts, and room for 16-byte loads); output goes from the offset
// given to `begin` upwards, growing the memory when needed. Bytes [STACK, STACK + 64K)
// hold the closing bracket of each open container.

const STACK: usize = 1024;
const STACK_LIMIT: i32 = 60000;

/** Return codes besides an end offset. */
const INVALID: isize = -1; // not JSON, or not what serde accepts here: the parser decides
const ELSEWHERE: isize = -2; // valid so far but needs a check this kernel does not make

let outPos: usize = 0;
let outEnd: usize = 0;
let inEnd: usize = 0;
let strictMode = true;

export function begin(inputEnd: usize, outputStart: usize): void {
  inEnd = inputEnd;
  outPos = outputStart;
  outEnd = (<usize>memory.size()) << 16;
}

export function outputEnd(): usize {
  return outPos;
}

function grow(need: usize): void {
  const pages = <i32>((need - outEnd) >> 16) + 1;
  // Grow by at least an eighth, so a big value does not grow page by page.
  if (memory.grow(max(pages, <i32>(memory.size() >> 3) + 1)) < 0) unreachable();
  outEnd = (<usize>memory.size()) << 16;
}

/**
 * Room for everything the rest of the input can become before the next line break: no
 * token's output is longer than its input, and a line break adds at most 2 * depth + 1.
 */
@inline function room(p: usize, indent: i32): void {
  const need = outPos + (inEnd - p) + <usize>indent + 256;
  if (need > outEnd) grow(need);
}

@inline function isSpace(c: u32): bool {
  return c == 32 || c == 10 || c == 13 || c == 9;
}

@inline function skipSpace(p: usize): usize {
  while (isSpace(<u32>load<u8>(p))) p++;
  return p;
}

/** A line break and `indent` spaces at `o`; returns the end. */
@inline function newline(o: usize, indent: i32): usize {
  store<u8>(o, 10);
  const spaces = i8x16.splat(32);
  for (let i: i32 = 0; i < indent; i += 16) v128.store(o + 1 + <usize>i, spaces);
  return o + 1 + <usize>indent;
}

/** How many ASCII digits start at p. */
@inline function digits(p: usize): usize {
  const zero = i8x16.splat(48);
  const ten = i8x16.splat(10);
  let n: usize = 0;
  while (true) {
    const v = v128.load(p + n);
    const others = ~i8x16.bitmask(i8x16.lt_u(i8x16.sub(v, zero), ten)) & 0xffff;
    if (others != 0) return n + <usize>ctz(others);
    n += 16;
  }
}

/**
 * Validates the value at `start` (no whitespace before it) and writes it pretty-printed at
 * indentation `level`. `strict`: the checks serde makes on values it deserialises (depth up
 * to `maxDepth`, lone surrogates, number range); unknown fields are only skipped by serde,
 * so there only the syntax counts. Returns the end of the value and the whitespace after
 * it, or INVALID / ELSEWHERE.
 */
export function pretty(start: usize, level: i32, strict: bool, maxDepth: i32): isize {
  strictMode = strict;
  let p = start;
  let depth: i32 = 0;
  let c: u32;
  room(p, 2 * level);
  while (true) {
    // A value.
    c = <u32>load<u8>(p);
    if (c == 34) {
      const r = copyString(p);
      if (r < 0) return r;
      p = <usize>r;
    } else if (c == 123 || c == 91) {
      const close: u32 = c + 2; // } or ]
      p = skipSpace(p + 1);
      // An empty container counts towards serde's depth too.
      if (depth >= maxDepth) return INVALID;
      if (<u32>load<u8>(p) == close) {
        // An empty container stays on one line.
        store<u8>(outPos, <u8>c);
        store<u8>(outPos + 1, <u8>close);
        outPos += 2;
        p++;
      } else {
        depth++;
        if (depth >= STACK_LIMIT) return INVALID;
        store<u8>(STACK + <usize>depth, <u8>close);
        room(p, 2 * (level + depth));
        store<u8>(outPos, <u8>c);
        outPos = newline(outPos + 1, 2 * (level + depth));
        if (close == 125) {
          const r = key(p);
          if (r < 0) return r;
          p = <usize>r;
        }
        continue;
      }
    } else if (c == 45 || (c >= 48 && c <= 57)) {
      const r = copyNumber(p);
      if (r < 0) return r;
      p = <usize>r;
    } else if (c == 116) {
      if (load<u32>(p) != 0x65757274) return INVALID; // true
      store<u32>(outPos, 0x65757274);
      outPos += 4;
      p += 4;
    } else if (c == 102) {
      if (load<u32>(p + 1) != 0x65736c61) return INVALID; // f + alse
      store<u8>(outPos, 102);
      store<u32>(outPos + 1, 0x65736c61);
      outPos += 5;
      p += 5;
    } else if (c == 110) {
      if (load<u32>(p) != 0x6c6c756e) return INVALID; // null
      store<u32>(outPos, 0x6c6c756e);
      outPos += 4;
      p += 4;
    } else {
      return INVALID;
    }
    // After a value: closing brackets, or a comma and the next value.
    while (true) {
      c = <u32>load<u8>(p);
      if (c <= 32) {
        p = skipSpace(p);
        c = <u32>load<u8>(p);
      }
      if (depth == 0) return <isize>p;
      if (c == 44) {
        p++;
        if (<u32>load<u8>(p) <= 32) p = skipSpace(p);
        room(p, 2 * (level + depth));
        store<u8>(outPos, 44);
        outPos = newline(outPos + 1, 2 * (level + depth));
        if (<u32>load<u8>(STACK + <usize>depth) == 125) {
          const r = key(p);
          if (r < 0) return r;
          p = <usize>r;
        }
        break;
      }
      if (c != <u32>load<u8>(STACK + <usize>depth)) return INVALID; // also the sentinel
      depth--;
      room(p, 2 * (level + depth));
      const o = newline(outPos, 2 * (level + depth));
      store<u8>(o, <u8>c);
      outPos = o + 1;
      p++;
    }
  }
}

/** A member's key, its colon and the whitespace around it; returns the value's start. */
function key(p: usize): isize {
  if (load<u8>(p) != 34) return INVALID;
  const r = copyString(p);
  if (r < 0) return r;
  let q = <usize>r;
  if (<u32>load<u8>(q) <= 32) q = skipSpace(q);
  if (load<u8>(q) != 58) return INVALID;
  store<u16>(outPos, 0x203a); // ": "
  outPos += 2;
  q++;
  if (<u32>load<u8>(q) <= 32) q = skipSpace(q);
  return <isize>q;
}

/** Copies the string at `start`; escapes come out as JSON.stringify writes them. */
function copyString(start: usize): isize {
  const quote = i8x16.splat(34);
  const backslash = i8x16.splat(92);
  const space = i8x16.splat(32);
  let p = start + 1;
  let o = outPos;
  store<u8>(o++, 34);
  while (true) {
    // 16 bytes copied as they are, up to the first quote, backslash or control byte.
    const v = v128.load(p);
    v128.store(o, v);
    const stops = i8x16.bitmask(v128.or(v128.or(i8x16.eq(v, quote), i8x16.eq(v, backslash)), i8x16.lt_u(v, space)));
    if (stops == 0) {
      p += 16;
      o += 16;
      continue;
    }
    const k = <usize>ctz(stops);
    p += k;
    o += k;
    const c = <u32>load<u8>(p);
    if (c == 34) break;
    if (c != 92) return INVALID; // a raw control character, or the end of the input
    const e = <u32>load<u8>(p + 1);
    if (e == 34 || e == 92 || e == 98 || e == 102 || e == 110 || e == 114 || e == 116) {
      store<u16>(o, load<u16>(p)); // \" \\ \b \f \n \r \t stay as they are
      o += 2;
      p += 2;
    } else if (e == 47) {
      store<u8>(o++, 47); // \/ is a plain /
      p += 2;
    } else if (e == 117) {
      const r = unicodeEscape(p, o);
      if (r < 0) return INVALID;
      p += <usize>(r >> 8);
      o += <usize>(r & 0xff);
    } else {
      return INVALID;
    }
  }
  store<u8>(o, 34);
  outPos = o + 1;
  return <isize>(p + 1);
}

function hex4(p: usize): i32 {
  let value: i32 = 0;
  for (let i: usize = 0; i < 4; i++) {
    const c = <i32>load<u8>(p + i);
    let d: i32;
    if (c >= 48 && c <= 57) d = c - 48;
    else if (c >= 97 && c <= 102) d = c - 87;
    else if (c >= 65 && c <= 70) d = c - 55;
    else return -1;
    value = (value << 4) | d;
  }
  return value;
}

@inline function hexDigit(d: u32): u8 {
  return <u8>(d < 10 ? 48 + d : 87 + d);
}

/** `\uXXXX` written as `\uxxxx` (lowercase), the way JSON.stringify escapes it. */
function writeEscapedUnit(o: usize, unit: u32): void {
  store<u16>(o, 0x755c); // \u
  store<u8>(o + 2, hexDigit((unit >> 12) & 15));
  store<u8>(o + 3, hexDigit((unit >> 8) & 15));
  store<u8>(o + 4, hexDigit((unit >> 4) & 15));
  store<u8>(o + 5, hexDigit(unit & 15));
}

/**
 * The `\uXXXX` escape at p (and its low surrogate, if it starts a pair), written at o in
 * normal form. Returns (input bytes << 8) | output bytes, or -1.
 */
function unicodeEscape(p: usize, o: usize): i32 {
  const unit = hex4(p + 2);
  if (unit < 0) return -1;
  const u = <u32>unit;
  if (u < 0x20) {
    let short: u32 = 0;
    if (u == 8) short = 98;
    else if (u == 9) short = 116;
    else if (u == 10) short = 110;
    else if (u == 12) short = 102;
    else if (u == 13) short = 114;
    if (short != 0) {
      store<u8>(o, 92);
      store<u8>(o + 1, <u8>short);
      return (6 << 8) | 2;
    }
    writeEscapedUnit(o, u);
    return (6 << 8) | 6;
  }
  if (u == 34 || u == 92) {
    store<u8>(o, 92);
    store<u8>(o + 1, <u8>u);
    return (6 << 8) | 2;
  }
  if (u < 0x80) {
    store<u8>(o, <u8>u);
    return (6 << 8) | 1;
  }
  if (u < 0x800) {
    store<u8>(o, <u8>(0xc0 | (u >> 6)));
    store<u8>(o + 1, <u8>(0x80 | (u & 63)));
    return (6 << 8) | 2;
  }
  if (u >= 0xd800 && u <= 0xdbff && load<u8>(p + 6) == 92 && load<u8>(p + 7) == 117) {
    const low = hex4(p + 8);
    if (low >= 0xdc00 && low <= 0xdfff) {
      const cp = 0x10000 + ((u - 0xd800) << 10) + (<u32>low - 0xdc00);
      store<u8>(o, <u8>(0xf0 | (cp >> 18)));
      store<u8>(o + 1, <u8>(0x80 | ((cp >> 12) & 63)));
      store<u8>(o + 2, <u8>(0x80 | ((cp >> 6) & 63)));
      store<u8>(o + 3, <u8>(0x80 | (cp & 63)));
      return (12 << 8) | 4;
    }
  }
  if (u >= 0xd800 && u <= 0xdfff) {
    // A lone surrogate: serde refuses it where it deserialises; JSON.stringify escapes it.
    if (strictMode) return -1;
    writeEscapedUnit(o, u);
    return (6 << 8) | 6;
  }
  store<u8>(o, <u8>(0xe0 | (u >> 12)));
  store<u8>(o + 1, <u8>(0x80 | ((u >> 6) & 63)));
  store<u8>(o + 2, <u8>(0x80 | (u & 63)));
  return (6 << 8) | 3;
}

/** Copies the number at `start` (JSON grammar; within f64 range where strict). */
function copyNumber(start: usize): isize {
  const r = skipNumber(start);
  if (r < 0) return r;
  const length = <usize>r - start;
  const o = outPos;
  for (let i: usize = 0; i < length; i += 16) v128.store(o + i, v128.load(start + i));
  outPos = o + length;
  return r;
}

/**
 * Validates the value at `start` (no whitespace before it) with the checks `pretty` makes in
 * strict mode, writing nothing: what Node History and Plot Across Runs need of the values
 * they skip. Returns the end of the value (whitespace after it not included), or INVALID /
 * ELSEWHERE.
 */
export function check(start: usize, maxDepth: i32): isize {
  strictMode = true;
  let p = start;
  let depth: i32 = 0;
  let c: u32;
  while (true) {
    // A value.
    c = <u32>load<u8>(p);
    if (c == 34) {
      const r = skipString(p);
      if (r < 0) return r;
      p = <usize>r;
    } else if (c == 123 || c == 91) {
      const close: u32 = c + 2; // } or ]
      p = skipSpace(p + 1);
      if (depth >= maxDepth) return INVALID;
      if (<u32>load<u8>(p) == close) {
        p++;
      } else {
        depth++;
        if (depth >= STACK_LIMIT) return INVALID;
        store<u8>(STACK + <usize>depth, <u8>close);
        if (close == 125) {
          const r = skipKey(p);
          if (r < 0) return r;
          p = <usize>r;
        }
        continue;
      }
    } else if (c == 45 || (c >= 48 && c <= 57)) {
      const r = skipNumber(p);
      if (r < 0) return r;
      p = <usize>r;
    } else if (c == 116) {
      if (load<u32>(p) != 0x65757274) return INVALID; // true
      p += 4;
    } else if (c == 102) {
      if (load<u32>(p + 1) != 0x65736c61) return INVALID; // f + alse
      p += 5;
    } else if (c == 110) {
      if (load<u32>(p) != 0x6c6c756e) return INVALID; // null
      p += 4;
    } else {
      return INVALID;
    }
    // After a value: closing brackets, or a comma and the next value.
    while (true) {
      if (depth == 0) return <isize>p;
      c = <u32>load<u8>(p);
      if (c <= 32) {
        p = skipSpace(p);
        c = <u32>load<u8>(p);
      }
      if (c == 44) {
        p++;
        if (<u32>load<u8>(p) <= 32) p = skipSpace(p);
        if (<u32>load<u8>(STACK + <usize>depth) == 125) {
          const r = skipKey(p);
          if (r < 0) return r;
          p = <usize>r;
        }
        break;
      }
      if (c != <u32>load<u8>(STACK + <usize>depth)) return INVALID; // also the sentinel
      depth--;
      p++;
    }
  }
}

/** `key` without writing: a member's key, its colon and the whitespace around it. */
function skipKey(p: usize): isize {
  if (load<u8>(p) != 34) return INVALID;
  const r = skipString(p);
  if (r < 0) return r;
  let q = <usize>r;
  if (<u32>load<u8>(q) <= 32) q = skipSpace(q);
  if (load<u8>(q) != 58) return INVALID;
  q++;
  if (<u32>load<u8>(q) <= 32) q = skipSpace(q);
  return <isize>q;
}

/** `copyString` without writing: the string's escapes checked (lone surrogates refused). */
function skipString(start: usize): isize {
  const quote = i8x16.splat(34);
  const backslash = i8x16.splat(92);
  const space = i8x16.splat(32);
  let p = start + 1;
  while (true) {
    const v = v128.load(p);
    const stops = i8x16.bitmask(v128.or(v128.or(i8x16.eq(v, quote), i8x16.eq(v, backslash)), i8x16.lt_u(v, space)));
    if (stops == 0) {
      p += 16;
      continue;
    }
    p += <usize>ctz(stops);
    const c = <u32>load<u8>(p);
    if (c == 34) return <isize>(p + 1);
    if (c != 92) return INVALID; // a raw control character, or the end of the input
    const e = <u32>load<u8>(p + 1);
    if (e == 34 || e == 92 || e == 47 || e == 98 || e == 102 || e == 110 || e == 114 || e == 116) {
      p += 2;
    } else if (e == 117) {
      const unit = hex4(p + 2);
      if (unit < 0) return INVALID;
      if (unit >= 0xd800 && unit <= 0xdbff) {
        // A high surrogate counts only with its low one.
        if (load<u8>(p + 6) != 92 || load<u8>(p + 7) != 117) return INVALID;
        const low = hex4(p + 8);
        if (low < 0xdc00 || low > 0xdfff) return INVALID;
        p += 12;
      } else if (unit >= 0xdc00 && unit <= 0xdfff) {
        return INVALID;
      } else {
        p += 6;
      }
    } else {
      return INVALID;
    }
  }
}

/** The end of the number at `start` (JSON grammar; ELSEWHERE near f64's range where strict). */
function skipNumber(start: usize): isize {
  let p = start;
  if (load<u8>(p) == 45) p++;
  const first = <u32>load<u8>(p);
  // Digits before the point, without leading zeros: the number's size in powers of ten.
  let magnitude: i32 = 0;
  if (first == 48) {
    p++;
  } else if (first >= 49 && first <= 57) {
    const n = digits(p);
    magnitude = <i32>min(n, 100000);
    p += n;
  } else {
    return INVALID;
  }
  if (load<u8>(p) == 46) {
    const n = digits(p + 1);
    if (n == 0) return INVALID;
    p += 1 + n;
  }
  const e = <u32>load<u8>(p);
  if (e == 101 || e == 69) {
    p++;
    let negative = false;
    const sign = <u32>load<u8>(p);
    if (sign == 43 || sign == 45) {
      negative = sign == 45;
      p++;
    }
    const n = digits(p);
    if (n == 0) return INVALID;
    if (strictMode) {
      // Below 10^308 there is nothing to check; nearer f64::MAX the caller decides.
      if (negative ? magnitude > 308 : n > 3) return ELSEWHERE;
      let exponent: i32 = 0;
      if (!negative) for (let i: usize = 0; i < n; i++) exponent = exponent * 10 + <i32>(load<u8>(p + i) - 48);
      if (magnitude + exponent > 308) return ELSEWHERE;
    }
    p += n;
  } else if (strictMode && magnitude > 308) {
    return ELSEWHERE;
  }
  return <isize>p;
}

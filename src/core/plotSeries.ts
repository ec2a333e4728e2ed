/**
 * Plot Across Runs: the number at one JSON path of each run, as a series over saved time.
 * Paths are the ones the panel's "Copy path" writes (media/detail/jsonPath.ts):
 * `$.outputs["classify"].confidence`, `$.outputs["a.b"][3].x`, `$.context.retries`.
 * Numbers are read with the project's exact parser: a number a double cannot hold exactly
 * (beyond 2^53, or more digits than a double keeps) keeps its text and is flagged, never
 * silently rounded. Nothing here reads a store.
 */
import { isJsonObject, JsonNumber, JsonValue, parseJson } from './json';

export type PathSegment = string | number;

export class JsonPathError extends Error {}

const IDENTIFIER_START = /[A-Za-z_$]/;
const IDENTIFIER_PART = /[A-Za-z0-9_$]/;

/** The segments of a path such as `$.outputs["a.b"][3].x`; throws JsonPathError when it is not one. */
export function parseJsonPath(path: string): PathSegment[] {
  if (!path.startsWith('$')) throw new JsonPathError('A JSON path starts with "$".');
  const segments: PathSegment[] = [];
  let i = 1;
  while (i < path.length) {
    const c = path[i];
    if (c === '.') {
      let end = i + 1;
      if (end >= path.length || !IDENTIFIER_START.test(path[end])) throw new JsonPathError(`Expected a key after "." at ${i + 1}.`);
      while (end < path.length && IDENTIFIER_PART.test(path[end])) end++;
      segments.push(path.slice(i + 1, end));
      i = end;
    } else if (c === '[') {
      if (path[i + 1] === '"') {
        // A JSON string literal: find its closing quote (not escaped), then decode it with JSON.
        let end = i + 2;
        while (end < path.length && path[end] !== '"') end += path[end] === '\\' ? 2 : 1;
        if (end >= path.length || path[end + 1] !== ']') throw new JsonPathError(`Unterminated key at ${i + 1}.`);
        let key: unknown;
        try {
          key = JSON.parse(path.slice(i + 1, end + 1));
        } catch {
          throw new JsonPathError(`Invalid key at ${i + 1}.`);
        }
        segments.push(key as string);
        i = end + 2;
      } else {
        const match = /^\[(0|[1-9]\d{0,15})\]/.exec(path.slice(i, i + 20));
        if (!match) throw new JsonPathError(`Expected an index or a quoted key at ${i + 1}.`);
        segments.push(Number(match[1]));
        i += match[0].length;
      }
    } else {
      throw new JsonPathError(`Unexpected "${c}" at ${i + 1}.`);
    }
  }
  return segments;
}

/** The value at `segments` inside `value`, or undefined when it is not there. */
export function valueAt(value: JsonValue, segments: readonly PathSegment[]): JsonValue | undefined {
  let current: JsonValue | undefined = value;
  for (const segment of segments) {
    if (current === undefined) return undefined;
    if (typeof segment === 'number') {
      current = Array.isArray(current) ? current[segment] : undefined;
    } else {
      current = isJsonObject(current) && Object.prototype.hasOwnProperty.call(current, segment) ? current[segment] : undefined;
    }
  }
  return current;
}

/** A number as plotted: `value` is the nearest double; `text` is exact; `approximate` when they differ or it is beyond 2^53. */
export interface PlotNumber {
  readonly value: number;
  readonly text: string;
  readonly approximate: boolean;
}

/** A number value read exactly, or undefined when `value` is not a number. */
export function plotNumber(value: JsonValue | undefined): PlotNumber | undefined {
  if (typeof value === 'number') {
    return { value, text: String(value), approximate: Number.isInteger(value) && Math.abs(value) > 2 ** 53 };
  }
  if (!(value instanceof JsonNumber)) return undefined;
  const text = value.text;
  const n = Number(text);
  const integerText = /^-?\d+$/.test(text);
  const approximate = !Number.isFinite(n) || (integerText && Math.abs(n) > 2 ** 53) || !sameDecimal(text, String(n));
  return { value: n, text, approximate };
}

/** Whether two decimal spellings name the same number (digits and exponent, sign). */
function sameDecimal(a: string, b: string): boolean {
  const x = normalise(a);
  const y = normalise(b);
  return x !== undefined && y !== undefined && x === y;
}

function normalise(text: string): string | undefined {
  const match = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/.exec(text);
  if (!match) return undefined;
  const [, sign, whole, fraction = '', exp = '0'] = match;
  let digits = whole + fraction;
  let exponent = Number(exp) + whole.length;
  const leading = digits.length - digits.replace(/^0+/, '').length;
  digits = digits.slice(leading).replace(/0+$/, '');
  if (digits === '') return '0';
  exponent -= leading;
  return `${sign}${digits}e${exponent}`;
}

/** One run as the host read it: its stored JSON text, or why it could not be read. */
export interface PlotRun {
  readonly id: string;
  readonly savedAt: number;
  /** The run's JSON text, or (with `base`) the text of the value at `base` inside it. */
  readonly text?: string;
  /** Why the run could not be read. */
  readonly unreadable?: string;
  /** The run has no value at the base (a node without an output): every path in it is missing. */
  readonly absent?: true;
}

export type PlotGap = 'missing' | 'not a number' | 'unreadable';

export interface PlotPoint {
  readonly id: string;
  readonly savedAt: number;
  /** Undefined at a gap. */
  readonly number?: PlotNumber;
  readonly gap?: PlotGap;
  /** Why, for an unreadable run. */
  readonly reason?: string;
}

export interface PlotSeries {
  /** Oldest first (x = saved time ascending). */
  readonly points: readonly PlotPoint[];
  readonly plotted: number;
  readonly gaps: number;
  /** Values that a double holds only approximately. */
  readonly approximate: number;
}

/**
 * The series of the value at `segments` over `runs` (any order; the result is oldest first).
 * Each run's `text` is parsed whole; an unparsable text is an unreadable run.
 */
export function buildPlotSeries(runs: readonly PlotRun[], segments: readonly PathSegment[]): PlotSeries {
  const points = runs.map((run): PlotPoint => {
    if (run.absent && run.unreadable === undefined) return { id: run.id, savedAt: run.savedAt, gap: 'missing' };
    if (run.unreadable !== undefined || run.text === undefined) return { id: run.id, savedAt: run.savedAt, gap: 'unreadable', reason: run.unreadable ?? 'not read' };
    let root: JsonValue;
    try {
      root = parseJson(run.text);
    } catch (error) {
      return { id: run.id, savedAt: run.savedAt, gap: 'unreadable', reason: error instanceof Error ? error.message : String(error) };
    }
    const value = valueAt(root, segments);
    if (value === undefined) return { id: run.id, savedAt: run.savedAt, gap: 'missing' };
    const number = plotNumber(value);
    return number ? { id: run.id, savedAt: run.savedAt, number } : { id: run.id, savedAt: run.savedAt, gap: 'not a number' };
  });
  points.sort((a, b) => a.savedAt - b.savedAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  let plotted = 0;
  let approximate = 0;
  for (const p of points) {
    if (!p.number) continue;
    plotted++;
    if (p.number.approximate) approximate++;
  }
  return { points, plotted, gaps: points.length - plotted, approximate };
}

/**
 * Splits a run path at its node output: `$.outputs["n"].x` → node `n`, rest `[x]`; else undefined
 * (the host can then read just that node's output instead of the whole run).
 */
export function splitOutputPath(segments: readonly PathSegment[]): { nodeId: string; rest: PathSegment[] } | undefined {
  if (segments.length >= 2 && segments[0] === 'outputs' && typeof segments[1] === 'string') return { nodeId: segments[1], rest: segments.slice(2) };
  return undefined;
}

/** The note shown when some values exceed what a double holds. */
export function approximateNote(count: number): string {
  return `${count} value${count === 1 ? '' : 's'} exceed${count === 1 ? 's' : ''} 2^53: shown exactly in the table, plotted approximately`;
}

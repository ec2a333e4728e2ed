/**
 * A listed store, newest first, in columns: ids as 36 ASCII bytes each, saved times and
 * sizes in typed arrays. About 52 bytes a run and no JS objects per run, where an array of
 * entry objects plus a Map by id costs 250+ and keeps 200,000 strings for the garbage
 * collector to walk at every full collection: what lets the extension host keep a
 * 100,000-run store listed without long pauses.
 */
import type { ExecutionEntry } from './executionStore';

/** The canonical (lowercase hyphenated) id's length. */
export const ID_BYTES = 36;

/** A listing in columns: `ids` holds 36 ASCII bytes per run, in the order of `times`. */
export interface RunColumns {
  readonly ids: Uint8Array;
  readonly times: Float64Array;
  readonly sizes: Float64Array;
}

export class RunList {
  private readonly ids: Uint8Array;
  /** Ids that are not 36 ASCII characters (none from a folder store): by index. */
  private readonly otherIds = new Map<number, string>();
  private readonly times: Float64Array;
  private readonly sizes: Float64Array;
  /** Entries known to be unusable without reading them (rare): by index. */
  private readonly problems = new Map<number, string>();

  /** `entries` must already be sorted newest first (as listEntries returns them). */
  constructor(entries: readonly ExecutionEntry[]);
  /** Columns as a listing worker builds them (sorted newest first; ids 36 bytes each). */
  constructor(columns: RunColumns, problems?: ReadonlyMap<number, string>);
  constructor(source: readonly ExecutionEntry[] | RunColumns, problems?: ReadonlyMap<number, string>) {
    if (!Array.isArray(source)) {
      const columns = source as RunColumns;
      if (columns.ids.length !== columns.times.length * ID_BYTES || columns.sizes.length !== columns.times.length) throw new Error('RunList: columns of different lengths');
      this.ids = columns.ids;
      this.times = columns.times;
      this.sizes = columns.sizes;
      for (const [index, problem] of problems ?? []) this.problems.set(index, problem);
      return;
    }
    const entries = source as readonly ExecutionEntry[];
    const n = entries.length;
    this.ids = new Uint8Array(n * ID_BYTES);
    this.times = new Float64Array(n);
    this.sizes = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const e = entries[i];
      if (!writeId(this.ids, i * ID_BYTES, e.id)) this.otherIds.set(i, e.id);
      this.times[i] = e.savedAt;
      this.sizes[i] = e.size;
      if (e.problem) this.problems.set(i, e.problem);
    }
  }

  get length(): number {
    return this.times.length;
  }

  /** The entry at a position (a fresh small object: callers may keep it). */
  at(index: number): ExecutionEntry {
    const problem = this.problems.get(index);
    const entry = { id: this.idAt(index), savedAt: this.times[index], size: this.sizes[index] };
    return problem === undefined ? entry : { ...entry, problem };
  }

  idAt(index: number): string {
    const other = this.otherIds.get(index);
    if (other !== undefined) return other;
    const at = index * ID_BYTES;
    return String.fromCharCode(...this.ids.subarray(at, at + ID_BYTES));
  }

  indexOf(id: string): number {
    const wanted = new Uint8Array(ID_BYTES);
    if (!writeId(wanted, 0, id)) {
      for (const [index, other] of this.otherIds) if (other === id) return index;
      return -1;
    }
    const ids = this.ids;
    const first = wanted[0];
    next: for (let i = 0, at = 0; i < this.length; i++, at += ID_BYTES) {
      if (ids[at] !== first || this.otherIds.has(i)) continue;
      for (let j = 1; j < ID_BYTES; j++) if (ids[at + j] !== wanted[j]) continue next;
      return i;
    }
    return -1;
  }

  find(id: string): ExecutionEntry | undefined {
    const index = this.indexOf(id);
    return index < 0 ? undefined : this.at(index);
  }

  /**
   * Which of `ids` are in the list, in one pass over the bytes and without a string per run
   * (for forgetting state kept for runs that are gone).
   */
  presentOf(ids: Iterable<string>): Set<string> {
    const present = new Set<string>();
    // Wanted ids by a hash of their first 8 characters: a cheap first test per run.
    const byHead = new Map<number, string[]>();
    const scratch = new Uint8Array(ID_BYTES);
    for (const id of ids) {
      if (!writeId(scratch, 0, id)) {
        for (const other of this.otherIds.values()) if (other === id) present.add(id);
        continue;
      }
      const head = headOf(scratch, 0);
      const list = byHead.get(head);
      if (list) list.push(id);
      else byHead.set(head, [id]);
    }
    if (byHead.size === 0) return present;
    for (let i = 0, at = 0; i < this.length; i++, at += ID_BYTES) {
      if (this.otherIds.has(i)) continue;
      const candidates = byHead.get(headOf(this.ids, at));
      if (!candidates) continue;
      const id = this.idAt(i);
      if (candidates.includes(id)) present.add(id);
    }
    return present;
  }

  /** Every entry as objects, for commands that walk the whole store (transient). */
  toArray(): ExecutionEntry[] {
    return Array.from({ length: this.length }, (_, i) => this.at(i));
  }
}

/** Writes a 36-character ASCII id at `at`; false (nothing written) for any other id. */
function writeId(into: Uint8Array, at: number, id: string): boolean {
  if (id.length !== ID_BYTES) return false;
  for (let j = 0; j < ID_BYTES; j++) {
    const c = id.charCodeAt(j);
    if (c > 0x7f) return false;
    into[at + j] = c;
  }
  return true;
}

/** A hash of the first 8 bytes of the id at `at`: a cheap first test before whole ids are compared. */
function headOf(bytes: Uint8Array, at: number): number {
  let head = 0;
  for (let j = 0; j < 8; j++) head = (head * 31 + bytes[at + j]) >>> 0;
  return head;
}

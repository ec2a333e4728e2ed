/**
 * A listed store, newest first, in columns: the ids (which share memory with the file
 * names they were cut from), saved times and sizes in typed arrays. About 40 bytes a run
 * beyond the names, where an array of entry objects plus a Map by id costs 250+: what lets
 * the extension host keep a 100,000-run store listed.
 */
import { ExecutionEntry } from './executionStore';

export class RunList {
  private readonly ids: string[];
  private readonly times: Float64Array;
  private readonly sizes: Float64Array;
  /** Entries known to be unusable without reading them (rare): by index. */
  private readonly problems = new Map<number, string>();

  /** `entries` must already be sorted newest first (as listEntries returns them). */
  constructor(entries: readonly ExecutionEntry[]) {
    const n = entries.length;
    this.ids = new Array<string>(n);
    this.times = new Float64Array(n);
    this.sizes = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const e = entries[i];
      this.ids[i] = e.id;
      this.times[i] = e.savedAt;
      this.sizes[i] = e.size;
      if (e.problem) this.problems.set(i, e.problem);
    }
  }

  get length(): number {
    return this.ids.length;
  }

  /** The entry at a position (a fresh small object: callers may keep it). */
  at(index: number): ExecutionEntry {
    const problem = this.problems.get(index);
    const entry = { id: this.ids[index], savedAt: this.times[index], size: this.sizes[index] };
    return problem === undefined ? entry : { ...entry, problem };
  }

  idAt(index: number): string {
    return this.ids[index];
  }

  indexOf(id: string): number {
    return this.ids.indexOf(id);
  }

  find(id: string): ExecutionEntry | undefined {
    const index = this.indexOf(id);
    return index < 0 ? undefined : this.at(index);
  }

  /** Every entry as objects, for commands that walk the whole store (transient). */
  toArray(): ExecutionEntry[] {
    return Array.from({ length: this.length }, (_, i) => this.at(i));
  }
}

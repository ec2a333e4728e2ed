/**
 * Small per-run figures for tree rows, computed lazily for rows that are shown and cached
 * by (store, id, mtime, size): re-listing after one new run re-parses only that run.
 */
import { ExecutionEntry, ExecutionStore } from './executionStore';
import { summarize } from './summary';

export type RunFigures =
  | { readonly kind: 'ok'; readonly nodeCount: number; readonly executed: number; readonly skipped: number }
  | { readonly kind: 'unreadable'; readonly reason: string }
  | { readonly kind: 'missing' };

interface Cached {
  readonly savedAt: number;
  readonly size: number;
  readonly figures: RunFigures;
}

/** Computes figures some other way (e.g. off the main thread); undefined = use inspect. */
export type FiguresProvider = (store: ExecutionStore, entry: ExecutionEntry) => Promise<RunFigures | undefined>;

export class SummaryCache {
  private readonly cache = new Map<string, Cached>();
  private readonly pending = new Map<string, Promise<RunFigures>>();
  /** Parses done since creation: lets tests and the benchmark see the cache working. */
  parses = 0;

  constructor(private readonly provider?: FiguresProvider) {}

  async get(storeKey: string, store: ExecutionStore, entry: ExecutionEntry): Promise<RunFigures> {
    const key = `${storeKey}\n${entry.id}`;
    const hit = this.cache.get(key);
    if (hit && hit.savedAt === entry.savedAt && hit.size === entry.size) return hit.figures;
    const inFlight = this.pending.get(key);
    if (inFlight) return inFlight;
    const work = this.compute(store, entry).then((figures) => {
      this.cache.set(key, { savedAt: entry.savedAt, size: entry.size, figures });
      return figures;
    });
    this.pending.set(key, work);
    try {
      return await work;
    } finally {
      this.pending.delete(key);
    }
  }

  /** Figures the store computed itself (a database's summary columns): no parse needed. */
  prime(storeKey: string, entry: ExecutionEntry, figures: RunFigures): void {
    this.cache.set(`${storeKey}\n${entry.id}`, { savedAt: entry.savedAt, size: entry.size, figures });
  }

  /** Cached figures without any I/O (undefined when not cached or stale). */
  peek(storeKey: string, entry: ExecutionEntry): RunFigures | undefined {
    const hit = this.cache.get(`${storeKey}\n${entry.id}`);
    return hit && hit.savedAt === entry.savedAt && hit.size === entry.size ? hit.figures : undefined;
  }

  forget(storeKey: string, id?: string): void {
    if (id !== undefined) {
      this.cache.delete(`${storeKey}\n${id}`);
      return;
    }
    for (const key of [...this.cache.keys()]) if (key.startsWith(`${storeKey}\n`)) this.cache.delete(key);
  }

  private async compute(store: ExecutionStore, entry: ExecutionEntry): Promise<RunFigures> {
    if (entry.problem) return { kind: 'unreadable', reason: entry.problem };
    this.parses++;
    try {
      const provided = await this.provider?.(store, entry);
      if (provided) return provided;
      const outcome = await store.inspect(entry.id);
      if (outcome.kind === 'missing') return { kind: 'missing' };
      if (outcome.kind === 'unreadable') return { kind: 'unreadable', reason: outcome.reason };
      const summary = summarize(outcome.result);
      return { kind: 'ok', nodeCount: summary.nodeCount, executed: summary.executed.length, skipped: summary.skipped.length };
    } catch (error) {
      return { kind: 'unreadable', reason: error instanceof Error ? error.message : String(error) };
    }
  }
}

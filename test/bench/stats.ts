/** Small helpers shared by the benchmark's Node side and its extension-host side. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Runs `fn` once to warm up, then `times` times; returns each duration in ms. */
export async function timeRepeated(times: number, fn: () => Promise<unknown> | unknown, beforeEach?: () => Promise<unknown> | unknown): Promise<number[]> {
  if (beforeEach) await beforeEach();
  await fn();
  const out: number[] = [];
  for (let i = 0; i < times; i++) {
    if (beforeEach) await beforeEach();
    const started = performance.now();
    await fn();
    out.push(performance.now() - started);
  }
  return out;
}

/**
 * Runs each of `fns` once to warm up, then `times` rounds of all of them in turn; returns
 * each one's durations in ms. Interleaving gives scenarios that share the disk and the page
 * cache the same conditions (a write-back burst hits all of them, not one block of runs).
 */
export async function timeInterleaved(times: number, fns: readonly (() => Promise<unknown>)[]): Promise<number[][]> {
  for (const fn of fns) await fn();
  const out = fns.map((): number[] => []);
  for (let i = 0; i < times; i++) {
    for (const [j, fn] of fns.entries()) {
      const started = performance.now();
      await fn();
      out[j].push(performance.now() - started);
    }
  }
  return out;
}

export interface ScenarioResult {
  readonly scenario: string;
  /** Our median (ms, bytes, or a count). */
  readonly ours: number;
  /** The raw baseline's median, same unit; undefined for absolute goals. */
  readonly baseline?: number;
  readonly unit: 'ms' | 'B/run' | 'rows' | 'refreshes' | 'elements' | 'MiB' | 'queries' | 'transactions';
  /** The goal: a ratio to the baseline, or an absolute limit; none for a figure given for reference. */
  readonly goal?: { readonly ratio: number } | { readonly max: number };
  readonly note?: string;
}

export function passes(r: ScenarioResult): boolean {
  if (!r.goal) return true;
  return 'ratio' in r.goal ? r.baseline !== undefined && r.ours <= r.goal.ratio * r.baseline : r.ours <= r.goal.max;
}

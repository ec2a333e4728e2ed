/**
 * Which runs a retention rule would remove. Pure: the caller lists entries, previews the
 * count, asks, then deletes. Unreadable runs are never selected (the caller passes them
 * in `keepIds`): a file we cannot read is evidence, not garbage.
 */
import { compareEntries, ExecutionEntry } from './executionStore';

export interface RetentionRule {
  /** Remove runs saved more than this many days ago. */
  readonly olderThanDays?: number;
  /** Keep only the newest N runs. */
  readonly keepNewest?: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;

export function describeRule(rule: RetentionRule): string {
  const parts: string[] = [];
  if (rule.olderThanDays !== undefined) parts.push(`older than ${rule.olderThanDays} day${rule.olderThanDays === 1 ? '' : 's'}`);
  if (rule.keepNewest !== undefined) parts.push(`beyond the newest ${rule.keepNewest}`);
  return parts.join(' or ');
}

export function validateRule(rule: RetentionRule): string | undefined {
  if (rule.olderThanDays === undefined && rule.keepNewest === undefined) return 'Give a number of days or a number of runs to keep.';
  if (rule.olderThanDays !== undefined && !(Number.isFinite(rule.olderThanDays) && rule.olderThanDays >= 0)) return 'Days must be a number of 0 or more.';
  if (rule.keepNewest !== undefined && !(Number.isSafeInteger(rule.keepNewest) && rule.keepNewest >= 0)) return 'The number of runs to keep must be a whole number of 0 or more.';
  return undefined;
}

/**
 * Entries the rule removes, newest first. Every file keeps its place in the order (so
 * "keep the newest N" keeps N files); runs in `keepIds` (found unreadable) and entries
 * with a known problem are never selected.
 */
export function selectForRetention(entries: readonly ExecutionEntry[], rule: RetentionRule, now: number, keepIds: ReadonlySet<string> = new Set()): ExecutionEntry[] {
  const problem = validateRule(rule);
  if (problem) throw new RangeError(problem);
  const candidates = [...entries].sort(compareEntries);
  const selected = new Set<ExecutionEntry>();
  if (rule.olderThanDays !== undefined) {
    const cutoff = now - rule.olderThanDays * DAY_MS;
    for (const e of candidates) if (e.savedAt < cutoff) selected.add(e);
  }
  if (rule.keepNewest !== undefined) {
    for (const e of candidates.slice(rule.keepNewest)) selected.add(e);
  }
  return candidates.filter((e) => selected.has(e) && !keepIds.has(e.id) && !e.problem);
}

/**
 * The `ExecutionStore` contract of a3s_flow (save overwrites; load of an unknown id gives
 * undefined; list gives every id; delete of an unknown id is a no-op), plus what a history
 * browser needs: entries with saved time and size, per-run inspection that tells an
 * unreadable file apart from a missing one, and a change event.
 */
import { Event } from './events';
import { normalizeExecutionId } from './executionId';
import { FlowResult } from './flowResult';

export interface ExecutionEntry {
  /** Lowercase hyphenated execution id. */
  readonly id: string;
  /** When the run was saved (ms since epoch): the file's modification time for a folder. */
  readonly savedAt: number;
  /** Bytes stored. */
  readonly size: number;
  /** Set when the entry is known to be unusable without reading it (e.g. a symlink). */
  readonly problem?: string;
}

export type InspectOutcome =
  | { readonly kind: 'ok'; readonly entry: ExecutionEntry; readonly result: FlowResult }
  | { readonly kind: 'unreadable'; readonly entry: ExecutionEntry; readonly reason: string }
  | { readonly kind: 'missing' };

/**
 * What changed. `changed` lists runs another process wrote, replaced or removed (a
 * watcher cannot tell which); `all` means anything may have changed: list again.
 */
export interface StoreChange {
  readonly saved: readonly string[];
  readonly deleted: readonly string[];
  readonly changed?: readonly string[];
  readonly all?: boolean;
}

/** Every id a change mentions. */
export function changedIds(change: StoreChange): string[] {
  return [...change.saved, ...change.deleted, ...(change.changed ?? [])];
}

export interface DeleteOptions {
  /** Move to the OS trash instead of deleting; fails with `TrashUnavailableError` where unsupported. */
  readonly useTrash?: boolean;
}

export interface ExecutionStore {
  /** Human-readable name: the folder path, or "Session (memory)". */
  readonly label: string;
  save(result: FlowResult): Promise<void>;
  load(id: string): Promise<FlowResult | undefined>;
  list(): Promise<string[]>;
  delete(id: string, options?: DeleteOptions): Promise<void>;
  /** Every run, newest first, without reading file contents. */
  listEntries(): Promise<ExecutionEntry[]>;
  inspect(id: string): Promise<InspectOutcome>;
  /** The stored bytes as text (what "Open Raw JSON" shows); undefined when unknown. */
  readRaw(id: string): Promise<string | undefined>;
  readonly onDidChange: Event<StoreChange>;
}

/** Thrown by `load` when a run exists but is not a valid FlowResult. */
export class UnreadableRunError extends Error {
  constructor(
    readonly id: string,
    readonly reason: string,
  ) {
    super(`Run ${id} is unreadable: ${reason}`);
    this.name = 'UnreadableRunError';
  }
}

export class InvalidExecutionIdError extends Error {
  constructor(readonly value: string) {
    super(`${JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value)} is not an execution id (a UUID)`);
    this.name = 'InvalidExecutionIdError';
  }
}

export class TrashUnavailableError extends Error {
  constructor(readonly detail: string) {
    super(`The trash is not available here: ${detail}`);
    this.name = 'TrashUnavailableError';
  }
}

/** Validates and normalises an id before it is used as a key or a file name. */
export function requireExecutionId(id: string): string {
  const normalized = typeof id === 'string' ? normalizeExecutionId(id) : undefined;
  if (!normalized) throw new InvalidExecutionIdError(String(id));
  return normalized;
}

/** Newest first; ties broken by id so the order is stable. */
export function compareEntries(a: ExecutionEntry, b: ExecutionEntry): number {
  return b.savedAt - a.savedAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** `load` in terms of `inspect`, shared by every store. */
export async function loadViaInspect(store: Pick<ExecutionStore, 'inspect'>, id: string): Promise<FlowResult | undefined> {
  const outcome = await store.inspect(id);
  if (outcome.kind === 'missing') return undefined;
  if (outcome.kind === 'unreadable') throw new UnreadableRunError(outcome.entry.id, outcome.reason);
  return outcome.result;
}

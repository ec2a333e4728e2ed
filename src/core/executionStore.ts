/**
 * The `ExecutionStore` contract of a3s_flow (save overwrites; load of an unknown id gives
 * undefined; list gives every id; delete of an unknown id is a no-op), plus what a history
 * browser needs: entries with saved time and size, per-run inspection that tells an
 * unreadable file apart from a missing one, and a change event.
 */
import { Event } from './events';
import { normalizeExecutionId } from './executionId';
import { FlowResult, FlowResultError, parseFlowResultBytes } from './flowResult';
import type { RunList } from './runList';

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

/** A run's stored bytes, checked for everything but their content. */
export type ReadOutcome =
  | { readonly kind: 'bytes'; readonly entry: ExecutionEntry; readonly bytes: Uint8Array }
  | { readonly kind: 'unreadable'; readonly entry: ExecutionEntry; readonly reason: string }
  | { readonly kind: 'missing' };

/**
 * A run's file on the local disk, checked like `readRun` checks it but not read: for
 * readers in another thread (the panel's scan worker reads big runs itself, so the 50 MB
 * never lands on the extension host's heap). `maxBytes`: the store's size limit, which the
 * reader must apply again (the file may grow).
 */
export type LocalRunOutcome =
  | { readonly kind: 'file'; readonly entry: ExecutionEntry; readonly path: string; readonly maxBytes: number }
  | { readonly kind: 'unreadable'; readonly entry: ExecutionEntry; readonly reason: string }
  | { readonly kind: 'missing' };

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
  /** The same as a compact list, where a store can build one without an object per run. */
  listRuns?(): Promise<RunList>;
  inspect(id: string): Promise<InspectOutcome>;
  /** The stored bytes without parsing them (big runs are parsed off the main thread). */
  readRun(id: string): Promise<ReadOutcome>;
  /** Where a run's file is on the local disk; undefined for stores without local files. */
  localRun?(id: string): Promise<LocalRunOutcome | undefined>;
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

/** `inspect` in terms of `readRun`: parse, and check the id inside matches the key. */
export async function inspectViaReadRun(store: Pick<ExecutionStore, 'readRun'>, id: string): Promise<InspectOutcome> {
  const outcome = await store.readRun(id);
  if (outcome.kind !== 'bytes') return outcome;
  try {
    const result = parseFlowResultBytes(outcome.bytes);
    const mismatch = idMismatch(result.executionId, outcome.entry.id);
    return mismatch ? { kind: 'unreadable', entry: outcome.entry, reason: mismatch } : { kind: 'ok', entry: outcome.entry, result };
  } catch (error) {
    if (error instanceof FlowResultError) return { kind: 'unreadable', entry: outcome.entry, reason: describeParseFailure(error, outcome.bytes) };
    throw error;
  }
}

/** Why a record cannot be the run stored under `key`, if it cannot. */
export function idMismatch(executionId: string, key: string): string | undefined {
  return executionId === key ? undefined : `execution_id ${executionId} does not match the file name ${key}.json`;
}

export function describeParseFailure(error: Error, bytes: Uint8Array): string {
  if (bytes.byteLength >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    return `starts with a UTF-8 byte order mark, which serde_json does not accept (${error.message})`;
  }
  return error.message;
}

/**
 * The workspace-folder store: one `<id>.json` file per run, in serde's JSON.
 *
 * Rules: saves are atomic (temp file in the same folder, flushed, renamed over the
 * target); only `<uuid>.json` names in canonical form are runs, everything else is
 * ignored; a run that cannot be read or parsed is reported as unreadable with its reason
 * and is never deleted or rewritten behind the user's back; the store never touches
 * anything outside its folder (ids are validated before they become names, symlinks are
 * not followed).
 */
import { Emitter } from './events';
import { newExecutionId } from './executionId';
import {
  compareEntries,
  DeleteOptions,
  ExecutionEntry,
  ExecutionStore,
  InspectOutcome,
  inspectViaReadRun,
  loadViaInspect,
  ReadOutcome,
  requireExecutionId,
  StoreChange,
  LocalRunOutcome,
} from './executionStore';
import { FlowResult, serializeFlowResult } from './flowResult';
import { FolderPort, PortStat } from './folderPort';
import { RunList } from './runList';
import { errorMessage, tooBigReason } from './errors';
import { DEFAULT_MAX_FILE_BYTES } from './limits';



const RUN_FILE = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.json$/;
const TEMP_PREFIX = '.flow-history-';
const TEMP_FILE = /^\.flow-history-([0-9a-f-]{36})-[0-9a-f]{8}\.tmp$/;
/** A temp file this old was left by a writer that died; a later save removes it. */
const STALE_TEMP_MS = 60_000;

export interface FolderStoreOptions {
  readonly maxFileBytes?: number;
  readonly label?: string;
  /** Age after which another id's temp file counts as left by a dead writer (tests shorten it). */
  readonly staleTempMs?: number;
}

export function runFileName(id: string): string {
  return `${requireExecutionId(id)}.json`;
}

/** The execution id a file name stands for, when it names a run. */
export function idFromFileName(name: string): string | undefined {
  // RUN_FILE only matches the canonical form (lowercase hex, hyphenated).
  return RUN_FILE.exec(name)?.[1];
}

export class FolderExecutionStore implements ExecutionStore {
  readonly label: string;
  private readonly changes = new Emitter<StoreChange>();
  readonly onDidChange = this.changes.event;
  private readonly maxFileBytes: number;
  private readonly staleTempMs: number;
  /** Temp files this store is writing right now: never cleaned as leftovers. */
  private readonly inFlight = new Set<string>();
  private lastCleanup = -Infinity;

  constructor(
    readonly port: FolderPort,
    options: FolderStoreOptions = {},
  ) {
    this.label = options.label ?? port.location;
    this.maxFileBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
    this.staleTempMs = options.staleTempMs ?? STALE_TEMP_MS;
  }

  async save(result: FlowResult): Promise<void> {
    const id = requireExecutionId(result.executionId);
    await this.saveBytes(id, new TextEncoder().encode(serializeFlowResult({ ...result, executionId: id })));
  }

  /** Saves a run's stored bytes exactly as given (already checked by the caller), atomically. */
  async saveBytes(executionId: string, data: Uint8Array): Promise<void> {
    const id = requireExecutionId(executionId);
    const temp = `${TEMP_PREFIX}${id}-${newExecutionId().slice(0, 8)}.tmp`;
    this.inFlight.add(temp);
    try {
      await this.port.write(temp, data);
      await this.port.rename(temp, runFileName(id));
    } catch (error) {
      await this.port.remove(temp).catch(() => undefined);
      throw error;
    } finally {
      this.inFlight.delete(temp);
    }
    this.changes.fire({ saved: [id], deleted: [] });
    // Listing the folder on every save would make bulk saves quadratic: clean on the first
    // save of this store and then at most once per stale period.
    const now = Date.now();
    if (now - this.lastCleanup >= this.staleTempMs) {
      this.lastCleanup = now;
      await this.removeLeftoverTempFiles(id).catch(() => undefined);
    }
  }

  load(id: string): Promise<FlowResult | undefined> {
    return loadViaInspect(this, id);
  }

  async list(): Promise<string[]> {
    const entries = await this.port.list();
    const ids: string[] = [];
    for (const entry of entries ?? []) {
      const id = idFromFileName(entry.name);
      if (id && (entry.kind === 'file' || entry.kind === 'symlink')) ids.push(id);
    }
    return ids;
  }

  async delete(id: string, options: DeleteOptions = {}): Promise<void> {
    const name = runFileName(id);
    const stat = await this.port.stat(name);
    // A directory that happens to carry a run's name is not a run: never delete it.
    if (!stat || (stat.kind !== 'file' && stat.kind !== 'symlink')) return;
    await this.port.remove(name, { useTrash: options.useTrash });
    this.changes.fire({ saved: [], deleted: [requireExecutionId(id)] });
  }

  async listEntries(): Promise<ExecutionEntry[]> {
    const listing = await this.port.list();
    if (!listing) return [];
    const runs: { id: string; name: string }[] = [];
    for (const entry of listing) {
      if (entry.kind !== 'file' && entry.kind !== 'symlink') continue;
      const id = idFromFileName(entry.name);
      if (id) runs.push({ id, name: entry.name });
    }
    const stats = this.port.statMany
      ? await this.port.statMany(runs.map((r) => r.name))
      : await Promise.all(runs.map((r) => this.port.stat(r.name)));
    const entries: ExecutionEntry[] = [];
    runs.forEach((run, i) => {
      const stat = stats[i];
      if (stat) entries.push(this.entryFor(run.id, stat));
    });
    return entries.sort(compareEntries);
  }

  /**
   * Every run, newest first, as a compact list. Listed off this thread where the port can
   * (a local folder in the extension); otherwise from `listEntries`.
   */
  async listRuns(): Promise<RunList> {
    // A listing worker that fails (or is gone) falls back to listing here, which reports the
    // folder's own error if there is one.
    const columns = this.port.listRunFiles ? await this.port.listRunFiles().catch(() => null) : null;
    if (columns === null) return new RunList(await this.listEntries());
    if (columns === undefined) return new RunList([]);
    const problems = new Map<number, string>();
    for (let i = 0; i < columns.times.length; i++) {
      const problem = this.problemOf(columns.links[i] === 1, columns.sizes[i]);
      if (problem) problems.set(i, problem);
    }
    return new RunList(columns, problems);
  }

  async inspect(id: string): Promise<InspectOutcome> {
    return inspectViaReadRun(this, id);
  }

  async readRun(id: string): Promise<ReadOutcome> {
    const found = await this.checkedRunFile(id);
    if (found.kind !== 'found') return found;
    const { name, entry } = found;
    let bytes: Uint8Array;
    try {
      bytes = await this.port.read(name);
    } catch (error) {
      return { kind: 'unreadable', entry, reason: `cannot be read: ${errorMessage(error)}` };
    }
    // The file may have grown since the stat.
    if (bytes.byteLength > this.maxFileBytes) return { kind: 'unreadable', entry, reason: this.tooBig(bytes.byteLength) };
    return { kind: 'bytes', entry: { ...entry, size: bytes.byteLength }, bytes };
  }

  /**
   * Many runs at once, each as `readRun` gives it (same checks: a file, within the limits,
   * never through a symlink); batched where the port can (`statMany`, `readMany`).
   */
  async readRuns(ids: readonly string[]): Promise<ReadOutcome[]> {
    if (!this.port.statMany || !this.port.readMany) return Promise.all(ids.map((id) => this.readRun(id)));
    const keys = ids.map(requireExecutionId);
    const names = keys.map(runFileName);
    const stats = await this.port.statMany(names);
    const outcomes: ReadOutcome[] = new Array(ids.length);
    const toRead: number[] = [];
    stats.forEach((stat, i) => {
      if (!stat || (stat.kind !== 'file' && stat.kind !== 'symlink')) {
        outcomes[i] = { kind: 'missing' };
        return;
      }
      const entry = this.entryFor(keys[i], stat);
      if (entry.problem) outcomes[i] = { kind: 'unreadable', entry, reason: entry.problem };
      else toRead.push(i);
    });
    const read = await this.port.readMany(toRead.map((i) => names[i]));
    toRead.forEach((i, j) => {
      const entry = this.entryFor(keys[i], stats[i]!);
      const bytes = read[j];
      if (bytes instanceof Error) outcomes[i] = { kind: 'unreadable', entry, reason: `cannot be read: ${errorMessage(bytes)}` };
      else if (bytes.byteLength > this.maxFileBytes) outcomes[i] = { kind: 'unreadable', entry, reason: this.tooBig(bytes.byteLength) };
      else outcomes[i] = { kind: 'bytes', entry: { ...entry, size: bytes.byteLength }, bytes };
    });
    return outcomes;
  }

  async localRun(id: string): Promise<LocalRunOutcome | undefined> {
    if (!this.port.localPath) return undefined;
    const found = await this.checkedRunFile(id);
    if (found.kind !== 'found') return found;
    return { kind: 'file', entry: found.entry, path: this.port.localPath(found.name), maxBytes: this.maxFileBytes };
  }

  /** A run's file and entry, checked (a file or link, within the limits) but not read. */
  private async checkedRunFile(
    id: string,
  ): Promise<{ kind: 'found'; name: string; entry: ExecutionEntry } | { kind: 'missing' } | { kind: 'unreadable'; entry: ExecutionEntry; reason: string }> {
    const key = requireExecutionId(id);
    const name = runFileName(key);
    const stat = await this.port.stat(name);
    if (!stat || (stat.kind !== 'file' && stat.kind !== 'symlink')) return { kind: 'missing' };
    const entry = this.entryFor(key, stat);
    if (entry.problem) return { kind: 'unreadable', entry, reason: entry.problem };
    return { kind: 'found', name, entry };
  }

  async readRaw(id: string): Promise<string | undefined> {
    const name = runFileName(id);
    const stat = await this.port.stat(name);
    if (!stat || stat.kind !== 'file') return undefined;
    if (stat.size > this.maxFileBytes) throw new Error(this.tooBig(stat.size));
    return new TextDecoder('utf-8').decode(await this.port.read(name));
  }

  /** Where a run's file is (path or URI string). */
  locate(id: string): string {
    return this.port.locate(runFileName(id));
  }

  /** For hosts that watch the folder: tells listeners about changes made by others. */
  reportExternalChange(change: StoreChange): void {
    this.changes.fire(change);
  }

  dispose(): void {
    this.changes.dispose();
  }

  private entryFor(id: string, stat: PortStat): ExecutionEntry {
    const entry = { id, savedAt: stat.mtime, size: stat.size };
    const problem = this.problemOf(stat.kind === 'symlink', stat.size);
    return problem ? { ...entry, problem } : entry;
  }

  /** Why a listed run file cannot be used without reading it, if it cannot. */
  private problemOf(isLink: boolean, size: number): string | undefined {
    if (isLink) return 'is a symbolic link; links are not followed';
    if (size > this.maxFileBytes) return this.tooBig(size);
    if (size === 0) return 'is empty (0 bytes): possibly still being written';
    return undefined;
  }

  private tooBig(size: number): string {
    return tooBigReason(size, this.maxFileBytes);
  }

  /** Removes temp files of this id, and of any id when a writer left them long ago. */
  private async removeLeftoverTempFiles(savedId: string): Promise<void> {
    const listing = await this.port.list();
    const now = Date.now();
    for (const entry of listing ?? []) {
      const match = TEMP_FILE.exec(entry.name);
      if (!match || entry.kind !== 'file' || this.inFlight.has(entry.name)) continue;
      let stale = match[1] === savedId;
      if (!stale) {
        const stat = await this.port.stat(entry.name);
        stale = !!stat && now - stat.mtime > this.staleTempMs;
      }
      if (stale) await this.port.remove(entry.name).catch(() => undefined);
    }
  }
}


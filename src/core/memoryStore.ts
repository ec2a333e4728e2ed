/** The in-process store (a3s_flow's `MemoryExecutionStore`): runs handed to us this session. */
import { Emitter } from './events';
import { ExecutionEntry, ExecutionStore, compareEntries, InspectOutcome, loadViaInspect, ReadOutcome, requireExecutionId, StoreChange } from './executionStore';
import { FlowResult, parseFlowResult, serializeFlowResult } from './flowResult';
import { utf8ByteLength } from './format';

interface Stored {
  readonly text: string;
  readonly savedAt: number;
}

export class MemoryExecutionStore implements ExecutionStore {
  readonly label: string;
  private readonly runs = new Map<string, Stored>();
  private readonly changes = new Emitter<StoreChange>();
  readonly onDidChange = this.changes.event;
  private lastSavedAt = 0;

  constructor(label = 'Session (memory)') {
    this.label = label;
  }

  async save(result: FlowResult): Promise<void> {
    const id = requireExecutionId(result.executionId);
    // Stored serialised, as a real store would: later changes to the caller's object do
    // not leak in, and what we hand out is always a fresh copy.
    const text = serializeFlowResult({ ...result, executionId: id });
    // Strictly increasing times keep "newest first" meaningful for saves in the same ms.
    this.lastSavedAt = Math.max(Date.now(), this.lastSavedAt + 1);
    this.runs.set(id, { text, savedAt: this.lastSavedAt });
    this.changes.fire({ saved: [id], deleted: [] });
  }

  load(id: string): Promise<FlowResult | undefined> {
    return loadViaInspect(this, id);
  }

  async list(): Promise<string[]> {
    return [...this.runs.keys()];
  }

  async delete(id: string): Promise<void> {
    const key = requireExecutionId(id);
    if (this.runs.delete(key)) this.changes.fire({ saved: [], deleted: [key] });
  }

  async listEntries(): Promise<ExecutionEntry[]> {
    return [...this.runs].map(([id, stored]) => this.entry(id, stored)).sort(compareEntries);
  }

  async inspect(id: string): Promise<InspectOutcome> {
    const key = requireExecutionId(id);
    const stored = this.runs.get(key);
    if (!stored) return { kind: 'missing' };
    return { kind: 'ok', entry: this.entry(key, stored), result: parseFlowResult(stored.text) };
  }

  async readRun(id: string): Promise<ReadOutcome> {
    const key = requireExecutionId(id);
    const stored = this.runs.get(key);
    if (!stored) return { kind: 'missing' };
    return { kind: 'bytes', entry: this.entry(key, stored), bytes: new TextEncoder().encode(stored.text) };
  }

  async readRaw(id: string): Promise<string | undefined> {
    return this.runs.get(requireExecutionId(id))?.text;
  }

  dispose(): void {
    this.changes.dispose();
  }

  private entry(id: string, stored: Stored): ExecutionEntry {
    return { id, savedAt: stored.savedAt, size: utf8ByteLength(stored.text) };
  }
}

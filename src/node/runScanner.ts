/**
 * Builds the detail page's view of a run: inline for small runs, in one shared worker
 * thread for big ones (the outputs left out of the first message are then read from the
 * run's file, or from its text kept in the worker). The same worker outlines big runs for
 * the tree and exports runs.
 */
import { Worker } from 'worker_threads';
import { BIG_RUN_BYTES } from '../core/limits';
import { NodeTable, RunView } from '../shared/protocol';
import { ExportAnswer, exportRunSource } from './exportFile';
import { readFileRange, readRunSource, RunSource, StoredFile } from './readRunFile';
import { NodeRead, NodeReadTarget, readRunNode } from './runNodeReader';
import { buildRunOutline, buildRunViewFromBytes, RunMeta, RunOutline, scanRunBytes } from './runViewModel';

export type { ExportAnswer, NodeRead, NodeReadTarget, RunSource };

/** Below this a worker round trip costs more than it saves. */
export const WORKER_THRESHOLD_BYTES = BIG_RUN_BYTES;

/** A run ready for the page, and a way to read the outputs left out of its first message. */
export type ScannedRun =
  | {
      readonly ok: true;
      readonly view: RunView;
      /** A wide run's nodes after the first page (`view.pendingNodes` of them), sent next. */
      readonly rest?: NodeTable;
      /** Node id → span of its output in the run's text (or, read from its file, its bytes). */
      readonly deferred: ReadonlyMap<string, readonly [number, number]>;
      /** A deferred output's stored JSON as UTF-8 bytes; undefined once released, or the file changed. */
      readOutput(node: string): Promise<Uint8Array | undefined>;
      release(): void;
    }
  | { readonly ok: false; readonly reason: string };

export type OutlineResult = { readonly ok: true; readonly outline: RunOutline } | { readonly ok: false; readonly reason: string };

type WorkerResult = { ok: true; view: RunView; rest?: NodeTable; deferred: [string, number, number][]; docId: number; file?: StoredFile } | { ok: false; reason: string };
type WorkerAnswer = { result?: WorkerResult; bytes?: Uint8Array; outline?: OutlineResult; exported?: ExportAnswer; node?: NodeRead };

/** How long a worker readied for an export waits for it (the save dialog is open). */
const EXPORT_HOLD_MS = 120_000;

/** A worker with nothing to do and no run text kept stops after this long (ms). */
export const SCAN_WORKER_IDLE_MS = 2000;

export class RunScanner {
  private worker: Worker | undefined;
  private nextId = 0;
  /** Runs whose text the worker keeps for their deferred outputs (not released yet). */
  private liveDocs = 0;
  private idleTimer: ReturnType<typeof setTimeout> | undefined;
  /** Until then the worker is kept for an export being prepared (see prepareExport). */
  private exportHoldUntil = 0;
  /** Workers started (tests: an idle one stops and a new one starts when needed). */
  started = 0;
  private readonly pending = new Map<number, (message: WorkerAnswer) => void>();

  /**
   * `script`: the built scan thread (dist/runScannerThread.js); `onProblem` hears why the
   * thread failed or could not start (runs are then scanned on the calling thread).
   */
  constructor(
    private readonly script: string,
    private readonly onProblem: (message: string, error: unknown, severity: 'warning' | 'error') => void = () => undefined,
    private readonly idleMs = SCAN_WORKER_IDLE_MS,
  ) {}

  /** Whether a worker thread is running now. */
  get running(): boolean {
    return this.worker !== undefined;
  }

  /**
   * A big run straight from its local file: the worker reads it (O_NOFOLLOW, the size limit
   * applied again), so its bytes never reach this thread's heap, where freeing 50 MB at a
   * time costs the event loop a long garbage-collection pause. Undefined without a worker.
   */
  async buildFromFile(file: string, maxBytes: number, meta: RunMeta): Promise<ScannedRun | undefined> {
    const worker = this.ensureWorker();
    if (!worker) return undefined;
    return this.fromWorker(worker, await this.request(worker, { type: 'buildFile', path: file, maxBytes, meta }));
  }

  /**
   * One node of a local run (its status and its output's stored text), or its context or
   * extra fields, read by the worker from its file without building the run's view: the
   * file's bytes are checked once and nothing is kept. Undefined without a worker.
   * (A second thread did not read 500 runs faster on a loaded 2-core machine: one it is.)
   */
  async readNode(file: string, maxBytes: number, id: string, target: NodeReadTarget): Promise<NodeRead | undefined> {
    const worker = this.ensureWorker();
    if (!worker) return undefined;
    const { node } = await this.request(worker, { type: 'readNode', path: file, maxBytes, id, target });
    return node ?? { ok: false, reason: 'the scan worker gave no answer' };
  }

  /**
   * The same from a run's bytes (a database row, say): in the worker for a big run (the bytes
   * handed over, not copied), here for a small one.
   */
  async readNodeFromBytes(bytes: Uint8Array, id: string, target: NodeReadTarget): Promise<NodeRead> {
    const worker = bytes.byteLength >= WORKER_THRESHOLD_BYTES ? this.ensureWorker() : undefined;
    if (!worker) return readRunNode(bytes, id, target);
    const own = ownBuffer(bytes);
    const { node } = await this.request(worker, { type: 'readNode', bytes: own, id, target }, [own.buffer as ArrayBuffer]);
    return node ?? { ok: false, reason: 'the scan worker gave no answer' };
  }

  /**
   * The tree's view of a run (figures and its first `limit` nodes, previewed), scanned in
   * the worker: only that page reaches this thread, never the run's text or all its nodes.
   * Without a worker (it could not start) the run is scanned here.
   */
  async outline(source: RunSource, id: string, limit: number): Promise<OutlineResult> {
    const worker = this.ensureWorker();
    if (!worker) {
      const read = readRunSource(source);
      if ('reason' in read) return { ok: false, reason: read.reason };
      const scanned = scanRunBytes(read.bytes, id);
      return scanned.ok ? { ok: true, outline: buildRunOutline(scanned.scan, limit) } : scanned;
    }
    const transfer: ArrayBuffer[] = [];
    let message: Record<string, unknown> = { type: 'outline', id, limit, path: 'path' in source ? source.path : undefined, maxBytes: 'path' in source ? source.maxBytes : undefined };
    if ('bytes' in source) {
      const bytes = source.bytes.byteOffset === 0 && source.bytes.byteLength === source.bytes.buffer.byteLength ? source.bytes : source.bytes.slice();
      transfer.push(bytes.buffer as ArrayBuffer);
      message = { ...message, bytes };
    }
    const { outline } = await this.request(worker, message, transfer);
    return outline ?? { ok: false, reason: 'the scan worker gave no answer' };
  }

  async build(bytes: Uint8Array, meta: RunMeta): Promise<ScannedRun> {
    const worker = bytes.byteLength >= WORKER_THRESHOLD_BYTES ? this.ensureWorker() : undefined;
    if (!worker) {
      const built = buildRunViewFromBytes(bytes, meta);
      if (!built.ok) return built;
      const deferred = new Map(built.deferred.map(([node, start, end]) => [node, [start, end] as const]));
      let text: string | undefined = built.text;
      return {
        ok: true,
        view: built.view,
        rest: built.rest,
        deferred,
        readOutput: async (node) => {
          const span = deferred.get(node);
          return span && text !== undefined ? encoder.encode(text.slice(span[0], span[1])) : undefined;
        },
        release: () => (text = undefined),
      };
    }
    // Transfer, not copy: the bytes are not used here again.
    const buffer = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : bytes.slice();
    return this.fromWorker(worker, await this.request(worker, { type: 'build', bytes: buffer, meta }, [buffer.buffer as ArrayBuffer]));
  }

  private fromWorker(worker: Worker, { result }: { result?: WorkerResult }): ScannedRun {
    if (!result) return { ok: false, reason: 'the scan worker gave no answer' };
    if (!result.ok) return result;
    const deferred = new Map(result.deferred.map(([node, start, end]) => [node, [start, end] as const]));
    let released = false;
    if (result.docId) this.liveDocs++;
    return {
      ok: true,
      view: result.view,
      rest: result.rest,
      deferred,
      readOutput: async (node) => {
        const span = deferred.get(node);
        if (!span || released) return undefined;
        if (result.file) return readFileRange(result.file, span[0], span[1]);
        return (await this.request(worker, { type: 'slice', docId: result.docId, start: span[0], end: span[1] })).bytes;
      },
      release: () => {
        if (released || !result.docId) return;
        released = true;
        this.liveDocs--;
        this.worker?.postMessage({ type: 'release', docId: result.docId });
        this.scheduleIdle();
      },
    };
  }

  /**
   * Readies the export kernel for a run of `storedBytes` in the worker (started if need be),
   * so an export asked for a moment later does not pay for starting cold. Best effort.
   */
  prepareExport(storedBytes: number): void {
    const worker = this.ensureWorker();
    if (!worker) return;
    // The kernel readied lives in this worker: it stays while the person picks a file.
    this.exportHoldUntil = Date.now() + EXPORT_HOLD_MS;
    void this.request(worker, { type: 'prepareExport', storedBytes });
  }

  /** The export readied by `prepareExport` will not come (the save dialog was cancelled). */
  cancelExport(): void {
    this.exportHoldUntil = 0;
    this.scheduleIdle();
  }

  /**
   * Exports a run off this thread: the worker reads it (its local file, or the bytes handed
   * over), writes the export format to `target` (replacing it; a failed write leaves no file),
   * or, without a target, hands the export's bytes back. Without a worker it runs here.
   */
  async exportRun(source: RunSource, id: string, target?: string): Promise<ExportAnswer> {
    const sent = 'bytes' in source ? { bytes: ownBuffer(source.bytes) } : source;
    const worker = this.ensureWorker();
    if (!worker) return exportRunSource(sent, id, target);
    this.exportHoldUntil = 0;
    const { exported } = await this.request(worker, { type: 'export', source: sent, id, target }, 'bytes' in sent ? [sent.bytes.buffer as ArrayBuffer] : []);
    return exported ?? { ok: false, kind: 'unreadable', reason: 'the scan worker gave no answer' };
  }

  private request(worker: Worker, message: Record<string, unknown>, transfer: ArrayBuffer[] = []): Promise<WorkerAnswer> {
    const requestId = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(requestId, resolve);
      worker.postMessage({ ...message, requestId }, transfer);
    });
  }

  /**
   * Stops the worker once it has been idle a while and keeps no run's text: its heap (tens
   * of MB after scanning a wide or big run) goes back to the system, not just to V8. The
   * next scan starts a new one (tens of ms).
   */
  private scheduleIdle(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    if (!this.worker || this.pending.size > 0 || this.liveDocs > 0) return;
    const held = Math.max(0, this.exportHoldUntil - Date.now());
    this.idleTimer = setTimeout(() => {
      this.idleTimer = undefined;
      const worker = this.worker;
      if (!worker || this.pending.size > 0 || this.liveDocs > 0) return;
      if (this.exportHoldUntil > Date.now()) return this.scheduleIdle();
      this.worker = undefined;
      void worker.terminate();
    }, this.idleMs + held);
    this.idleTimer.unref?.();
  }

  private ensureWorker(): Worker | undefined {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    if (this.worker) return this.worker;
    try {
      const worker = new Worker(this.script);
      this.started++;
      worker.on('message', (message: WorkerAnswer & { requestId: number }) => {
        this.pending.get(message.requestId)?.(message);
        this.pending.delete(message.requestId);
        if (this.worker === worker) this.scheduleIdle();
      });
      worker.on('error', (error) => {
        this.onProblem('The run scan worker failed', error, 'error');
        if (this.worker === worker) this.failAll(`the scan worker failed: ${error.message}`);
      });
      worker.on('exit', () => {
        // A worker stopped for being idle had nothing pending; a newer one may be running.
        if (this.worker !== worker) return;
        this.worker = undefined;
        this.failAll('the scan worker stopped');
      });
      worker.unref();
      this.worker = worker;
      return worker;
    } catch (error) {
      this.onProblem('Could not start the run scan worker; scanning on the main thread', error, 'warning');
      return undefined;
    }
  }

  private failAll(reason: string): void {
    for (const resolve of this.pending.values()) resolve({ result: { ok: false, reason }, outline: { ok: false, reason }, exported: { ok: false, kind: 'unreadable', reason }, node: { ok: false, reason } });
    this.pending.clear();
  }

  dispose(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    void this.worker?.terminate();
    this.worker = undefined;
  }
}

const encoder = new TextEncoder();

/** Bytes the worker can take over: a whole ArrayBuffer of their own (copied when a view of a bigger one). */
function ownBuffer(bytes: Uint8Array): Uint8Array {
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : bytes.slice();
}

/**
 * Builds the detail page's view of a run: inline for small runs, in one shared worker
 * thread for big ones (where the run's text also stays; big outputs are read from it).
 */
import * as fs from 'fs';
import { Worker } from 'worker_threads';
import { errorMessage, tooBigReason } from '../core/errors';
import { ExportAnswer, exportRunBytes } from './exportFile';
import { BIG_RUN_BYTES } from '../core/limits';
import { RunView } from '../shared/protocol';
import { BuiltRunFigures, buildRunViewFromBytes, runFiguresFromBytes, RunMeta } from './runViewModel';
import type { RunSource, ScanRequest, StoredFile } from './runScannerThread';

export type { ExportAnswer, RunSource };

/** Below this a worker round trip costs more than it saves. */
export const WORKER_THRESHOLD_BYTES = BIG_RUN_BYTES;
/**
 * The worker ends after this long with no request and no run text kept (no panel of a big
 * run open): its heap, which held a 50 MB run while scanning it, goes back to the system.
 */
export const WORKER_IDLE_MS = 5_000;

/** A run ready for the page, and a way to read the outputs left out of its first message. */
export type ScannedRun =
  | {
      readonly ok: true;
      readonly view: RunView;
      /** Node id → span of its output in the run's text (or, read from its file, its bytes). */
      readonly deferred: ReadonlyMap<string, readonly [number, number]>;
      /** A deferred output's stored JSON as UTF-8 bytes; undefined once released or changed. */
      readOutput(node: string): Promise<Uint8Array | undefined>;
      release(): void;
    }
  | { readonly ok: false; readonly reason: string };

type WorkerResult = { ok: true; view: RunView; deferred: [string, number, number][]; docId: number; file?: StoredFile } | { ok: false; reason: string };
/** What the worker answers a request; `result` is of the request's kind. */
type WorkerAnswer<T = unknown> = { result?: T; bytes?: Uint8Array };
/** A request as posted, without the id the scanner gives it. */
type Request = ScanRequest extends infer R ? (R extends { requestId: number } ? Omit<R, 'requestId'> : never) : never;

export class RunScanner {
  private worker: Worker | undefined;
  private nextId = 0;
  private readonly pending = new Map<number, (message: WorkerAnswer) => void>();
  /** Runs whose text the worker keeps (open panels of big runs). */
  private keptTexts = 0;
  private idleTimer: NodeJS.Timeout | undefined;

  /**
   * `script`: the built scan thread (dist/runScannerThread.js); `onProblem` hears why the
   * thread failed or could not start (runs are then scanned on the calling thread).
   */
  constructor(
    private readonly script: string,
    private readonly onProblem: (message: string, error: unknown, severity: 'warning' | 'error') => void = () => undefined,
    private readonly idleMs = WORKER_IDLE_MS,
  ) {}

  /**
   * A big run straight from its local file: the worker reads it (O_NOFOLLOW, the size limit
   * applied again), so its bytes never reach this thread's heap, where freeing 50 MB at a
   * time costs the event loop a long garbage-collection pause. Undefined without a worker.
   */
  async buildFromFile(file: string, maxBytes: number, meta: RunMeta): Promise<ScannedRun | undefined> {
    const worker = this.ensureWorker();
    if (!worker) return undefined;
    return this.fromWorker(worker, await this.request<WorkerResult>(worker, { type: 'build', source: { path: file, maxBytes }, meta }));
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
        deferred,
        readOutput: async (node) => {
          const span = deferred.get(node);
          return span && text !== undefined ? encoder.encode(text.slice(span[0], span[1])) : undefined;
        },
        release: () => (text = undefined),
      };
    }
    const source = transferable(bytes);
    return this.fromWorker(worker, await this.request<WorkerResult>(worker, { type: 'build', source, meta }, [source.bytes.buffer as ArrayBuffer]));
  }

  /**
   * A tree row's figures of a big run (node, executed and skipped counts), scanned in the
   * worker from its local file or from bytes handed over; the worker keeps nothing of it.
   * Small runs, or no worker, are scanned here.
   */
  async figures(source: RunSource, id: string): Promise<BuiltRunFigures> {
    const worker = 'path' in source || source.bytes.byteLength >= WORKER_THRESHOLD_BYTES ? this.ensureWorker() : undefined;
    if (!worker) {
      const bytes = 'bytes' in source ? source.bytes : await readLocalRun(source);
      return typeof bytes === 'string' ? { ok: false, reason: bytes } : runFiguresFromBytes(bytes, id);
    }
    const sent = 'bytes' in source ? transferable(source.bytes) : source;
    const { result } = await this.request<BuiltRunFigures>(worker, { type: 'figures', source: sent, id }, transferList(sent));
    return result ?? { ok: false, reason: 'the scan worker gave no answer' };
  }

  /**
   * Readies the export kernel for a run of `storedBytes` in the worker (started if need be),
   * so an export asked for a moment later does not pay for starting cold. Best effort.
   */
  prepareExport(storedBytes: number): void {
    const worker = this.ensureWorker();
    if (worker) void this.request(worker, { type: 'prepareExport', storedBytes });
  }

  /**
   * Exports a run off this thread: the worker reads it (its local file, or the bytes handed
   * over), writes the export format to `target` (replacing it; a failed write leaves no file),
   * or, without a target, hands the export's bytes back. Without a worker it runs here.
   */
  async exportRun(source: RunSource, id: string, target?: string): Promise<ExportAnswer> {
    const worker = this.ensureWorker();
    const sent = 'bytes' in source ? transferable(source.bytes) : source;
    if (!worker) return exportHere(sent, id, target);
    const { result } = await this.request<ExportAnswer>(worker, { type: 'export', source: sent, id, target }, transferList(sent));
    return result ?? { ok: false, kind: 'unreadable', reason: 'the scan worker gave no answer' };
  }

  private fromWorker(worker: Worker, { result }: WorkerAnswer<WorkerResult>): ScannedRun {
    if (!result) return { ok: false, reason: 'the scan worker gave no answer' };
    if (!result.ok) return result;
    const deferred = new Map(result.deferred.map(([node, start, end]) => [node, [start, end] as const]));
    // Whether the worker keeps the run's text for this run (not when read from its file).
    const keeps = result.docId > 0;
    if (keeps) this.keptTexts++;
    let released = false;
    return {
      ok: true,
      view: result.view,
      deferred,
      readOutput: async (node) => {
        const span = deferred.get(node);
        if (!span || released) return undefined;
        if (result.file) return readFileRange(result.file, span[0], span[1]);
        return (await this.request(worker, { type: 'slice', docId: result.docId, start: span[0], end: span[1] })).bytes;
      },
      release: () => {
        if (released) return;
        released = true;
        if (!keeps) return;
        this.keptTexts--;
        if (this.worker === worker) worker.postMessage({ type: 'release', docId: result.docId });
        this.idleSoon();
      },
    };
  }

  private request<T>(worker: Worker, message: Request, transfer: ArrayBuffer[] = []): Promise<WorkerAnswer<T>> {
    const requestId = this.nextId++;
    this.stayAwake();
    return new Promise((resolve) => {
      this.pending.set(requestId, (answer) => {
        resolve(answer as WorkerAnswer<T>);
        this.idleSoon();
      });
      worker.postMessage({ ...message, requestId }, transfer);
    });
  }

  private stayAwake(): void {
    clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
  }

  /** Ends the worker after `idleMs` when nothing is asked of it and it keeps no text. */
  private idleSoon(): void {
    if (!this.worker || this.pending.size > 0 || this.keptTexts > 0) return;
    this.stayAwake();
    const worker = this.worker;
    this.idleTimer = setTimeout(() => {
      this.idleTimer = undefined;
      if (this.worker !== worker || this.pending.size > 0 || this.keptTexts > 0) return;
      this.worker = undefined;
      void worker.terminate();
    }, this.idleMs);
    this.idleTimer.unref();
  }

  private ensureWorker(): Worker | undefined {
    if (this.worker) return this.worker;
    try {
      const worker = new Worker(this.script);
      worker.on('message', (message: WorkerAnswer & { requestId: number }) => {
        const resolve = this.pending.get(message.requestId);
        this.pending.delete(message.requestId);
        resolve?.(message);
      });
      // Only the current worker's failure fails what is pending: an idle one ended on
      // purpose may report its exit after a new one took over.
      worker.on('error', (error) => {
        if (this.worker !== worker) return;
        this.onProblem('The run scan worker failed', error, 'error');
        this.failAll(`the scan worker failed: ${error.message}`);
      });
      worker.on('exit', () => {
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
    for (const resolve of this.pending.values()) resolve({ result: { ok: false, reason } });
    this.pending.clear();
  }

  /** Whether a worker thread is running (tests: it ends when idle). */
  get workerRunning(): boolean {
    return this.worker !== undefined;
  }

  dispose(): void {
    this.stayAwake();
    void this.worker?.terminate();
    this.worker = undefined;
  }
}

const encoder = new TextEncoder();

/**
 * Bytes `start`..`end` of a run file, if it is still the file that was scanned (same inode,
 * size and modification time; never through a symlink); undefined otherwise.
 */
async function readFileRange(file: StoredFile, start: number, end: number): Promise<Uint8Array | undefined> {
  let handle: fs.promises.FileHandle;
  try {
    handle = await fs.promises.open(file.path, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
  } catch {
    return undefined;
  }
  try {
    const stat = await handle.stat();
    if (stat.ino !== file.ino || stat.size !== file.size || stat.mtimeMs !== file.mtimeMs) return undefined;
    const bytes = new Uint8Array(end - start);
    let done = 0;
    while (done < bytes.byteLength) {
      const { bytesRead } = await handle.read(bytes, done, bytes.byteLength - done, start + done);
      if (bytesRead === 0) return undefined;
      done += bytesRead;
    }
    return bytes;
  } catch {
    return undefined;
  } finally {
    await handle.close();
  }
}

function transferList(source: RunSource): ArrayBuffer[] {
  return 'bytes' in source ? [source.bytes.buffer as ArrayBuffer] : [];
}

/** An export on this thread, where no worker could be started. */
async function exportHere(source: RunSource, id: string, target?: string): Promise<ExportAnswer> {
  const bytes = 'bytes' in source ? source.bytes : await readLocalRun(source);
  return typeof bytes === 'string' ? { ok: false, kind: 'unreadable', reason: bytes } : exportRunBytes(bytes, id, target);
}

/** Bytes the worker can take over: a whole ArrayBuffer of their own (copied when a view of a bigger one). */
function transferable(bytes: Uint8Array): { readonly bytes: Uint8Array } {
  return { bytes: bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : bytes.slice() };
}

/** A local run file read here as the worker would (no worker could be started); a string says why not. */
async function readLocalRun(source: { readonly path: string; readonly maxBytes: number }): Promise<Uint8Array | string> {
  try {
    const handle = await fs.promises.open(source.path, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
    try {
      const bytes = await handle.readFile();
      return bytes.byteLength > source.maxBytes ? tooBigReason(bytes.byteLength, source.maxBytes) : bytes;
    } finally {
      await handle.close();
    }
  } catch (error) {
    return `cannot be read: ${errorMessage(error)}`;
  }
}

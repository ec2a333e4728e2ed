/** Runs `buildRunViewFromBytes` inline for small runs and in one shared worker for big ones. */
import * as path from 'path';
import { Worker } from 'worker_threads';
import { log } from '../log';
import { BuiltRunView, buildRunViewFromBytes, RunMeta } from './runViewModel';

/** Below this a worker round trip costs more than it saves. */
const WORKER_THRESHOLD_BYTES = 512 * 1024;

export class RunScanner {
  private worker: Worker | undefined;
  private nextId = 0;
  private readonly pending = new Map<number, (result: BuiltRunView) => void>();

  constructor(private readonly extensionPath: string) {}

  async build(bytes: Uint8Array, meta: RunMeta): Promise<BuiltRunView> {
    if (bytes.byteLength < WORKER_THRESHOLD_BYTES) return buildRunViewFromBytes(bytes, meta);
    const worker = this.ensureWorker();
    if (!worker) return buildRunViewFromBytes(bytes, meta);
    const requestId = this.nextId++;
    return new Promise<BuiltRunView>((resolve) => {
      this.pending.set(requestId, resolve);
      // Transfer, not copy: the bytes are not used here again.
      const buffer = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : bytes.slice();
      worker.postMessage({ requestId, bytes: buffer, meta }, [buffer.buffer as ArrayBuffer]);
    });
  }

  private ensureWorker(): Worker | undefined {
    if (this.worker) return this.worker;
    try {
      const worker = new Worker(path.join(this.extensionPath, 'dist', 'scanWorker.js'));
      worker.on('message', (message: { requestId: number; result: BuiltRunView }) => {
        this.pending.get(message.requestId)?.(message.result);
        this.pending.delete(message.requestId);
      });
      worker.on('error', (error) => {
        log().error('The run scan worker failed', error);
        this.failAll(`the scan worker failed: ${error.message}`);
      });
      worker.on('exit', () => {
        this.worker = undefined;
        this.failAll('the scan worker stopped');
      });
      worker.unref();
      this.worker = worker;
      return worker;
    } catch (error) {
      log().warn('Could not start the run scan worker; scanning on the main thread', error);
      return undefined;
    }
  }

  private failAll(reason: string): void {
    for (const resolve of this.pending.values()) resolve({ ok: false, reason });
    this.pending.clear();
  }

  dispose(): void {
    void this.worker?.terminate();
    this.worker = undefined;
  }
}

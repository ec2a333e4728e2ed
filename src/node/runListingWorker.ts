/**
 * Lists a store folder's run files in columns, in a worker thread. A 100,000-run folder
 * costs some 100,000 stat objects and as many names: made on the extension host's thread,
 * they survive long enough to be promoted and scattered through its heap, and the next full
 * collection there (while a big run loads, say) pays for them with a 100+ ms pause. Made in
 * the worker, they die there; the host gets three typed arrays.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Worker } from 'worker_threads';
import { RunFileColumns } from '../core/folderPort';
import { idFromFileName } from '../core/folderStore';
import { ID_BYTES } from '../core/runList';

/** Lists `folder` synchronously (the worker's job; tests call it directly). Undefined when the folder is missing. */
export function listRunFilesSync(folder: string): RunFileColumns | undefined {
  let names: string[];
  try {
    names = fs.readdirSync(folder);
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw error;
  }
  const ids: string[] = [];
  const times: number[] = [];
  const sizes: number[] = [];
  const links: boolean[] = [];
  for (const name of names) {
    const id = idFromFileName(name);
    if (!id) continue;
    // lstat: a link is reported as one, never followed. Gone since readdir: not listed.
    const stats = fs.lstatSync(folder + path.sep + name, { throwIfNoEntry: false });
    if (!stats || !(stats.isFile() || stats.isSymbolicLink())) continue;
    ids.push(id);
    times.push(stats.mtimeMs);
    sizes.push(stats.size);
    links.push(stats.isSymbolicLink());
  }
  // Newest first; equal times by id (what compareEntries does).
  const order = Array.from(ids.keys()).sort((a, b) => times[b] - times[a] || (ids[a] < ids[b] ? -1 : ids[a] > ids[b] ? 1 : 0));
  const columns = {
    ids: new Uint8Array(order.length * ID_BYTES),
    times: new Float64Array(order.length),
    sizes: new Float64Array(order.length),
    links: new Uint8Array(order.length),
  };
  order.forEach((from, i) => {
    const id = ids[from];
    for (let j = 0; j < ID_BYTES; j++) columns.ids[i * ID_BYTES + j] = id.charCodeAt(j);
    columns.times[i] = times[from];
    columns.sizes[i] = sizes[from];
    columns.links[i] = links[from] ? 1 : 0;
  });
  return columns;
}

type ListReply = { requestId: number; columns?: RunFileColumns; missing?: true; error?: string };

/** One listing thread for the extension, started on first use. */
export class RunListingWorker {
  private worker: Worker | undefined;
  private nextId = 0;
  private readonly pending = new Map<number, { resolve: (columns: RunFileColumns | undefined) => void; reject: (error: Error) => void }>();

  /** `script`: the built worker (dist/runListingThread.js); `onFailure` hears why it could not list. */
  constructor(
    private readonly script: string,
    private readonly onFailure?: (error: Error) => void,
  ) {}

  async list(folder: string): Promise<RunFileColumns | undefined> {
    let worker: Worker;
    try {
      worker = this.ensureWorker();
    } catch (error) {
      // A worker that cannot even be created rejects like one that fails later: the store
      // then lists on its own thread.
      const failure = error instanceof Error ? error : new Error(String(error));
      this.onFailure?.(failure);
      throw failure;
    }
    const requestId = this.nextId++;
    // Held while a listing is due, so a process with nothing else to do waits for it.
    worker.ref();
    return new Promise((resolve, reject) => {
      this.pending.set(requestId, { resolve, reject });
      worker.postMessage({ requestId, folder });
    });
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(this.script);
    worker.on('message', (reply: ListReply) => {
      const waiting = this.pending.get(reply.requestId);
      this.pending.delete(reply.requestId);
      if (this.pending.size === 0) worker.unref();
      if (reply.error !== undefined) waiting?.reject(new Error(reply.error));
      else waiting?.resolve(reply.missing || !reply.columns ? undefined : ownCopy(reply.columns));
    });
    worker.on('error', (error) => this.failAll(error));
    worker.on('exit', () => {
      this.worker = undefined;
      this.failAll(new Error('the listing worker stopped'));
    });
    this.worker = worker;
    return worker;
  }

  private failAll(error: Error): void {
    this.worker?.unref();
    if (this.pending.size > 0) this.onFailure?.(error);
    for (const waiting of this.pending.values()) waiting.reject(error);
    this.pending.clear();
  }

  dispose(): void {
    void this.worker?.terminate();
    this.worker = undefined;
  }
}

/**
 * The columns in this thread's own memory: a buffer transferred from a worker stays counted
 * against the worker, invisible to this thread's memory figures and to its garbage
 * collector's external-memory accounting. A copy of some 5 MB for 100,000 runs.
 */
function ownCopy(columns: RunFileColumns): RunFileColumns {
  return { ids: columns.ids.slice(), times: columns.times.slice(), sizes: columns.sizes.slice(), links: columns.links.slice() };
}

export function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/** `FolderPort` over Node's `fs`: used by the CLI and the unit tests. */
import * as fsSync from 'fs';
import { promises as fs, constants as fsConstants, Stats } from 'fs';
import * as path from 'path';
import { TrashUnavailableError } from '../core/executionStore';
import { FolderPort, PortEntry, PortEntryKind, PortStat, RunFileColumns } from '../core/folderPort';
import { isMissing, RunListingWorker } from './runListingWorker';

/** Entries stat-ed between two yields to the event loop (a few ms of work). */
const STAT_CHUNK = 2000;
/** Files read synchronously between two yields to the event loop. */
const READ_CHUNK = 100;

export class NodeFolderPort implements FolderPort {
  readonly location: string;

  readonly listRunFiles?: () => Promise<RunFileColumns | undefined>;

  /**
   * `durable: false` skips the flush before rename: only for generating throwaway data
   * (benchmarks), where 100,000 fsyncs would cost minutes. `listing`: a worker that lists
   * run files off this thread (the extension host's); without one the store lists here.
   */
  constructor(
    folder: string,
    private readonly options: { durable?: boolean; listing?: RunListingWorker } = {},
  ) {
    this.location = path.resolve(folder);
    const listing = options.listing;
    if (listing) this.listRunFiles = () => listing.list(this.location);
  }

  async list(): Promise<PortEntry[] | undefined> {
    try {
      const dirents = await fs.readdir(this.location, { withFileTypes: true });
      return dirents.map((d) => ({
        name: d.name,
        kind: d.isSymbolicLink() ? 'symlink' : d.isFile() ? 'file' : d.isDirectory() ? 'directory' : 'other',
      }));
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  async stat(name: string): Promise<PortStat | undefined> {
    try {
      return toPortStat(await fs.lstat(this.resolve(name)));
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  /**
   * Stats many entries at once. Synchronous lstat in a loop costs a fraction of 100,000
   * promises through the thread pool; chunks keep each blocking slice short.
   */
  async statMany(names: readonly string[]): Promise<(PortStat | undefined)[]> {
    const out: (PortStat | undefined)[] = new Array(names.length);
    for (let i = 0; i < names.length; i++) {
      const stats = fsSync.lstatSync(this.resolve(names[i]), { throwIfNoEntry: false });
      out[i] = stats ? toPortStat(stats) : undefined;
      // Yield now and then so a host's event loop is never held for long.
      if (i % STAT_CHUNK === STAT_CHUNK - 1) await new Promise((resolve) => setImmediate(resolve));
    }
    return out;
  }

  async read(name: string): Promise<Uint8Array> {
    // O_NOFOLLOW: a run file swapped for a symlink between stat and read is still refused.
    const handle = await fs.open(this.resolve(name), fsConstants.O_RDONLY | fsConstants.O_NOFOLLOW);
    try {
      return await handle.readFile();
    } finally {
      await handle.close();
    }
  }

  /**
   * Reads many files with synchronous calls in a loop: for small files already in the page
   * cache, a fraction of the cost of five thread-pool round trips each (open, fstat, read,
   * read, close); chunks keep each blocking slice short, as in `statMany`.
   */
  async readMany(names: readonly string[]): Promise<(Uint8Array | Error)[]> {
    const out: (Uint8Array | Error)[] = new Array(names.length);
    for (let i = 0; i < names.length; i++) {
      try {
        // O_NOFOLLOW, as in `read`.
        const fd = fsSync.openSync(this.resolve(names[i]), fsConstants.O_RDONLY | fsConstants.O_NOFOLLOW);
        try {
          out[i] = fsSync.readFileSync(fd);
        } finally {
          fsSync.closeSync(fd);
        }
      } catch (error) {
        out[i] = error instanceof Error ? error : new Error(String(error));
      }
      if (i % READ_CHUNK === READ_CHUNK - 1) await new Promise((resolve) => setImmediate(resolve));
    }
    return out;
  }

  async write(name: string, data: Uint8Array): Promise<void> {
    await fs.mkdir(this.location, { recursive: true });
    // 'wx' never follows or reuses an existing entry; the temp name is fresh each time.
    const handle = await fs.open(this.resolve(name), 'wx', 0o644);
    try {
      await handle.writeFile(data);
      if (this.options.durable !== false) await handle.sync();
    } finally {
      await handle.close();
    }
  }

  async rename(from: string, to: string): Promise<void> {
    await fs.rename(this.resolve(from), this.resolve(to));
  }

  async remove(name: string, options: { useTrash?: boolean } = {}): Promise<void> {
    if (options.useTrash) throw new TrashUnavailableError('the command line has no trash; delete permanently instead');
    await fs.unlink(this.resolve(name));
  }

  locate(name: string): string {
    return this.resolve(name);
  }

  localPath(name: string): string {
    return this.resolve(name);
  }

  private resolve(name: string): string {
    // The store only passes validated plain names; this is a second line of defence.
    if (name.includes('/') || name.includes('\\') || name === '..' || name === '.' || name.includes('\0')) {
      throw new Error(`Refusing a path outside the store folder: ${JSON.stringify(name)}`);
    }
    // A checked plain name: a concatenation is all path.join would do, at a fraction of the cost.
    return this.location + path.sep + name;
  }
}

function toPortStat(stats: Stats): PortStat {
  const kind: PortEntryKind = stats.isSymbolicLink() ? 'symlink' : stats.isFile() ? 'file' : stats.isDirectory() ? 'directory' : 'other';
  return { kind, mtime: stats.mtimeMs, size: stats.size };
}

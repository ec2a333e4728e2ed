/**
 * Watches a folder that may not exist yet, with Node's `fs.watch`.
 *
 * VS Code's file watcher reports nothing for a store folder that another process creates
 * after the window opened (the first run of a new project), and nothing at all when
 * `files.watcherExclude` covers it. `fs.watch` sees those events within milliseconds, so
 * for `file:` workspaces we watch the deepest existing ancestor until the folder appears,
 * then the folder itself. Event-driven: no polling.
 */
import * as fs from 'fs';
import * as path from 'path';

export interface FolderWatcherEvents {
  /** File names in the folder that were created, changed or removed. */
  onNames(names: string[]): void;
  /** The folder appeared or disappeared: list it again. */
  onReset(): void;
}

export class FolderWatcher {
  private watcher: fs.FSWatcher | undefined;
  private watching: string | undefined;
  private disposed = false;

  constructor(
    private readonly root: string,
    private readonly folder: string,
    private readonly events: FolderWatcherEvents,
  ) {
    this.arm();
  }

  /** Re-evaluates which path to watch; cheap when nothing changed. */
  private arm(): void {
    if (this.disposed) return;
    const target = this.deepestExisting();
    if (target === this.watching && this.watcher) return;
    this.watcher?.close();
    this.watcher = undefined;
    this.watching = target;
    if (!target) return;
    try {
      const isFolder = target === this.folder;
      this.watcher = fs.watch(target, { persistent: false }, (_event, filename) => {
        if (isFolder) {
          if (!fs.existsSync(this.folder)) {
            this.events.onReset();
            this.arm();
            return;
          }
          if (filename) this.events.onNames([filename.toString()]);
          else this.events.onReset();
        } else {
          // Something changed on the way down to the folder: maybe it exists now.
          const before = this.watching;
          this.arm();
          if (this.watching !== before && this.watching === this.folder) this.events.onReset();
        }
      });
      this.watcher.on('error', () => {
        // The watched folder went away (or the limit of watches was hit): try again from above.
        this.watcher?.close();
        this.watcher = undefined;
        this.watching = undefined;
        setTimeout(() => this.arm(), 200).unref?.();
      });
    } catch {
      this.watcher = undefined;
      this.watching = undefined;
    }
    // The folder may have appeared between the check and the watch.
    if (target !== this.folder && fs.existsSync(this.folder)) {
      this.arm();
      this.events.onReset();
    }
  }

  /** The store folder when it exists, else its deepest existing ancestor inside the root. */
  private deepestExisting(): string | undefined {
    let current = this.folder;
    for (;;) {
      if (isDirectory(current)) return current;
      if (current === this.root || !current.startsWith(this.root)) return isDirectory(this.root) ? this.root : undefined;
      const parent = path.dirname(current);
      if (parent === current) return undefined;
      current = parent;
    }
  }

  dispose(): void {
    this.disposed = true;
    this.watcher?.close();
    this.watcher = undefined;
  }
}

function isDirectory(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

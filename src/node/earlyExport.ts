/**
 * Export Run of a local run starts while the person is still choosing where to save it (as
 * browsers download while their save dialog is open): the worker exports it into a hidden
 * file beside the run, in the store folder, and accepting the dialog moves that file into
 * place. The export is then done when the person is, and the target never holds a half
 * export: it appears whole, by a rename.
 *
 * It waits a moment first, for the dialog to open: begun at once, its second of reading,
 * writing and faulting in memory (a 55 MB run) competed with the window drawing the dialog,
 * which then opened in 550-630 ms instead of 200-240 (code-server, 2 cores). Accepting
 * before then starts it at once; a dialog cancelled before then costs nothing.
 */
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { errorMessage } from '../core/errors';
import { ExportAnswer } from './exportFile';

/** What exports a run to a file off this thread (RunScanner.exportRun). */
export type ExportToFile = (source: { readonly path: string; readonly maxBytes: number }, id: string, target: string) => Promise<ExportAnswer>;

/** Names of early exports: hidden, and never a run's name (`<uuid>.json`), so no store lists them. */
export const EARLY_EXPORT_SUFFIX = '.export-partial';

/** How long the early export waits for the save dialog to open (ms). */
export const EARLY_EXPORT_DELAY_MS = 250;

export class EarlyExport {
  private readonly file: string;
  private answer: Promise<ExportAnswer> | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly exportToFile: ExportToFile,
    private readonly source: { readonly path: string; readonly maxBytes: number },
    private readonly id: string,
    delayMs = EARLY_EXPORT_DELAY_MS,
  ) {
    this.file = path.join(path.dirname(source.path), `.${id}.${randomBytes(4).toString('hex')}${EARLY_EXPORT_SUFFIX}`);
    this.timer = setTimeout(() => void this.begin(), delayMs);
  }

  /** Whether the export has begun (tests). */
  get started(): boolean {
    return this.answer !== undefined;
  }

  /** Begins the export now if it has not begun; its answer. */
  private begin(): Promise<ExportAnswer> {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.answer ??= this.exportToFile(this.source, this.id, this.file).catch((error: unknown): ExportAnswer => ({ ok: false, kind: 'write', reason: errorMessage(error) }));
    return this.answer;
  }

  /** The hidden file the export is written to (tests). */
  get path(): string {
    return this.file;
  }

  /**
   * Moves the finished export to `target` (a local path the person chose; the dialog has
   * asked before replacing a file there). Undefined when it must be exported there the
   * ordinary way: the early one could not be written beside the run (a read-only store).
   */
  async moveTo(target: string): Promise<ExportAnswer | undefined> {
    const answer = await this.begin();
    if (!answer.ok) {
      await this.discard();
      return answer.kind === 'unreadable' ? answer : undefined;
    }
    try {
      await fs.promises.rename(this.file, target);
      return answer;
    } catch (error) {
      // Another file system: copied (the target is whole or absent), then the early file goes.
      if ((error as NodeJS.ErrnoException).code !== 'EXDEV') return { ok: false, kind: 'write', reason: errorMessage(error) };
      try {
        await fs.promises.copyFile(this.file, target);
        return answer;
      } catch (copyError) {
        await fs.promises.rm(target, { force: true }).catch(() => undefined);
        return { ok: false, kind: 'write', reason: errorMessage(copyError) };
      }
    } finally {
      await this.discard();
    }
  }

  /**
   * The dialog was cancelled (or the target is elsewhere): an export not begun never begins;
   * one begun has its file removed once written.
   */
  async discard(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.answer) return;
    await this.answer;
    await fs.promises.rm(this.file, { force: true }).catch(() => undefined);
  }
}

/** Writes an exported run to a file piece by piece (no joined copy of a 90 MB export). */
import * as fs from 'fs';
import { errorMessage } from '../core/errors';
import { idMismatch } from '../core/executionStore';
import { ExportedRun, exportStoredRun, exportStoredRunFrom, joinPieces } from '../core/exportText';
import { FlowResultError } from '../core/flowResult';
import { openRunFile, RunSource, unreadableReason } from './readRunFile';

/** An export's outcome: `unreadable` is the run's fault, `write` the target's. */
export type ExportAnswer =
  | { readonly ok: true; readonly byteLength: number; readonly via: ExportedRun['via']; readonly bytes?: Uint8Array }
  | { readonly ok: false; readonly kind: 'unreadable' | 'write'; readonly reason: string };

/**
 * Exports the run `source` holds (its id checked against `id`): written to `target`
 * (replaced; a failed write leaves no file), or, without a target, as bytes of their own.
 * A local file is read here, straight into the export kernel's memory.
 */
export async function exportRunSource(source: RunSource, id: string, target?: string): Promise<ExportAnswer> {
  if ('bytes' in source) return exportRunBytes(source.bytes, id, target);
  let fd: number;
  let size: number;
  try {
    ({ fd, size } = openRunFile(source.path, source.maxBytes));
  } catch (error) {
    return { ok: false, kind: 'unreadable', reason: unreadableReason(error) };
  }
  try {
    return await finishExport(() => exportStoredRunFrom(size, (into) => readInto(fd, into)), id, target);
  } finally {
    fs.closeSync(fd);
  }
}

/** Exports the run stored as `bytes`: see exportRunSource. */
export function exportRunBytes(bytes: Uint8Array, id: string, target?: string): Promise<ExportAnswer> {
  return finishExport(() => exportStoredRun(bytes), id, target);
}

async function finishExport(exportRun: () => ExportedRun, id: string, target: string | undefined): Promise<ExportAnswer> {
  let exported: ExportedRun;
  try {
    exported = exportRun();
  } catch (error) {
    if (error instanceof ReadFailed) return { ok: false, kind: 'unreadable', reason: unreadableReason(error.cause) };
    return { ok: false, kind: 'unreadable', reason: error instanceof FlowResultError ? error.message : errorMessage(error) };
  }
  try {
    const mismatch = idMismatch(exported.executionId, id);
    if (mismatch) return { ok: false, kind: 'unreadable', reason: mismatch };
    const { byteLength, via } = exported;
    // A copy: the pieces may be views of the kernel's memory, which the next export reuses.
    if (target === undefined) return { ok: true, byteLength, via, bytes: joinPieces(exported).slice() };
    try {
      await writeExportFile(target, exported);
    } catch (error) {
      return { ok: false, kind: 'write', reason: errorMessage(error) };
    }
    return { ok: true, byteLength, via };
  } finally {
    exported.release();
  }
}

/** Reading the run's file failed part way (not the run's content: its reason is the file's). */
class ReadFailed extends Error {}

/** Fills `into` from the file's start; the file must still have that many bytes. */
function readInto(fd: number, into: Uint8Array): void {
  let done = 0;
  try {
    while (done < into.byteLength) {
      const read = fs.readSync(fd, into, done, into.byteLength - done, done);
      if (read === 0) throw new Error('the file got shorter while it was read');
      done += read;
    }
  } catch (error) {
    throw new ReadFailed('read', { cause: error });
  }
}

/**
 * Writes `run` to `file`. `flag` 'wx' refuses an existing file (EEXIST); 'w' replaces it.
 * A write that fails part way removes what it wrote, so no half export is left behind.
 */
export async function writeExportFile(file: string, run: ExportedRun, flag: 'w' | 'wx' = 'w'): Promise<void> {
  const handle = await fs.promises.open(file, flag);
  try {
    for (const piece of run.pieces) {
      let written = 0;
      while (written < piece.byteLength) written += (await handle.write(piece, written)).bytesWritten;
    }
    await handle.close();
  } catch (error) {
    await handle.close().catch(() => undefined);
    await fs.promises.rm(file, { force: true });
    throw error;
  }
}

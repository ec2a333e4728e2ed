/** Writes an exported run to a file piece by piece (no joined copy of a 90 MB export). */
import * as fs from 'fs';
import { errorMessage } from '../core/errors';
import { idMismatch } from '../core/executionStore';
import { ExportedRun, exportStoredRun, joinPieces } from '../core/exportText';
import { FlowResultError } from '../core/flowResult';
import { readRunSource, RunSource } from './readRunFile';

/** An export's outcome: `unreadable` is the run's fault, `write` the target's. */
export type ExportAnswer =
  | { readonly ok: true; readonly byteLength: number; readonly via: ExportedRun['via']; readonly bytes?: Uint8Array }
  | { readonly ok: false; readonly kind: 'unreadable' | 'write'; readonly reason: string };

/** Exports the run `source` holds (a local file is read here): see exportRunBytes. */
export async function exportRunSource(source: RunSource, id: string, target?: string): Promise<ExportAnswer> {
  const read = readRunSource(source);
  return 'reason' in read ? { ok: false, kind: 'unreadable', reason: read.reason } : exportRunBytes(read.bytes, id, target);
}

/**
 * Exports the run stored as `bytes` (its id checked against `id`): written to `target`
 * (replaced; a failed write leaves no file), or, without a target, as bytes of their own.
 */
export async function exportRunBytes(bytes: Uint8Array, id: string, target?: string): Promise<ExportAnswer> {
  let exported: ExportedRun;
  try {
    exported = exportStoredRun(bytes);
  } catch (error) {
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

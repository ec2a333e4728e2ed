/** Writes an exported run to a file piece by piece (no joined copy of a 90 MB export). */
import * as fs from 'fs';
import { ExportedRun } from '../core/exportText';

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

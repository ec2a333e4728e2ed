/** Reads a run file the way the store's Node port does, for the scan thread (and its fallback). */
import * as fs from 'fs';
import { tooBigReason } from '../core/errors';

/** The file is over the size limit (it grew since the store checked it). */
export class TooBig extends Error {}

/** Reads a run file as the store's Node port does: never through a symlink, within the size limit. */
export function readRunFile(file: string, maxBytes: number): Uint8Array {
  const fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
  try {
    const bytes = fs.readFileSync(fd);
    // The file may have grown since the store checked it.
    if (bytes.byteLength > maxBytes) throw new TooBig(tooBigReason(bytes.byteLength, maxBytes));
    return bytes;
  } finally {
    fs.closeSync(fd);
  }
}

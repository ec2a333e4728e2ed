/** Reads a run file the way the store's Node port does, for the scan thread (and its fallback). */
import * as fs from 'fs';
import { errorMessage, tooBigReason } from '../core/errors';

/** The file is over the size limit (it grew since the store checked it). */
export class TooBig extends Error {}

/** A run file as it was read: a byte-range read later checks it is still the same file. */
export interface StoredFile {
  readonly path: string;
  /** -1 when the file changed while it was read (a range read then never matches). */
  readonly size: number;
  readonly mtimeMs: number;
  readonly ino: number;
}

/** Where a run's bytes come from: handed over (to the worker), or read from its local file. */
export type RunSource = { readonly bytes: Uint8Array } | { readonly path: string; readonly maxBytes: number };

/** Why a run file could not be read, as a run's unreadable reason. */
export function unreadableReason(error: unknown): string {
  return error instanceof TooBig ? error.message : `cannot be read: ${errorMessage(error)}`;
}

/** A source's bytes (a file read here), or why they cannot be had. */
export function readRunSource(source: RunSource): { readonly bytes: Uint8Array } | { readonly reason: string } {
  if ('bytes' in source) return source;
  try {
    return { bytes: readRunFile(source.path, source.maxBytes) };
  } catch (error) {
    return { reason: unreadableReason(error) };
  }
}

/** Reads a run file as the store's Node port does: never through a symlink, within the size limit. */
export function readRunFile(file: string, maxBytes: number): Uint8Array {
  return readStoredFile(file, maxBytes).bytes;
}

/**
 * Opens a run file as the store's Node port does (never through a symlink) and checks its
 * size against the limit; the caller reads it and closes `fd`.
 */
export function openRunFile(file: string, maxBytes: number): { fd: number; size: number } {
  const fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
  try {
    const { size } = fs.fstatSync(fd);
    if (size > maxBytes) throw new TooBig(tooBigReason(size, maxBytes));
    return { fd, size };
  } catch (error) {
    fs.closeSync(fd);
    throw error;
  }
}

/** The same, with what identifies the file as read (its inode, size and modification time). */
export function readStoredFile(file: string, maxBytes: number): { bytes: Uint8Array; file: StoredFile } {
  const fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
  try {
    const stat = fs.fstatSync(fd);
    const bytes = fs.readFileSync(fd);
    // The file may have grown since the store checked it.
    if (bytes.byteLength > maxBytes) throw new TooBig(tooBigReason(bytes.byteLength, maxBytes));
    return { bytes, file: { path: file, size: bytes.byteLength === stat.size ? stat.size : -1, mtimeMs: stat.mtimeMs, ino: stat.ino } };
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Bytes `start`..`end` of a run file, if it is still the file that was scanned (same inode,
 * size and modification time; never through a symlink); undefined otherwise.
 */
export async function readFileRange(file: StoredFile, start: number, end: number): Promise<Uint8Array | undefined> {
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

/**
 * The same as readRunFile, without blocking the thread: the scan worker reads the next runs
 * while it checks this one (Node History and the plot read hundreds, a few at a time).
 */
export async function readRunFileAsync(file: string, maxBytes: number): Promise<Uint8Array> {
  const handle = await fs.promises.open(file, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
  try {
    const { size } = await handle.stat();
    if (size > maxBytes) throw new TooBig(tooBigReason(size, maxBytes));
    const bytes = await handle.readFile();
    // The file may have grown since its size was read.
    if (bytes.byteLength > maxBytes) throw new TooBig(tooBigReason(bytes.byteLength, maxBytes));
    return bytes;
  } finally {
    await handle.close();
  }
}

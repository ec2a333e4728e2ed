/**
 * Worker thread that decodes, validates and indexes big runs for the detail panel, so the
 * extension host's event loop never stalls on a 50 MB file. The run's text stays here: the
 * host gets the page's first message and asks for big outputs by span when the page does,
 * instead of copying 50 MB back to its own thread. It also counts a big run's nodes for its
 * tree row, and exports runs (Export Run), writing the export file itself.
 */
import * as fs from 'fs';
import { MessageChannel, parentPort } from 'worker_threads';
import { errorMessage, tooBigReason } from '../core/errors';
import { prepareExportKernel } from '../core/exportText';
import { ExportAnswer, exportRunBytes } from './exportFile';
import { buildRunViewFromBytes, runFiguresFromBytes, RunMeta } from './runViewModel';

/** Where a run's bytes come from: transferred by the host, or read here from its local file. */
export type RunSource = { readonly bytes: Uint8Array } | { readonly path: string; readonly maxBytes: number };

export type ScanRequest =
  | { readonly type: 'build'; readonly requestId: number; readonly source: RunSource; readonly meta: RunMeta }
  | { readonly type: 'figures'; readonly requestId: number; readonly source: RunSource; readonly id: string }
  | { readonly type: 'slice'; readonly requestId: number; readonly docId: number; readonly start: number; readonly end: number }
  | { readonly type: 'release'; readonly docId: number }
  | { readonly type: 'prepareExport'; readonly requestId: number; readonly storedBytes: number }
  /** `target` given: written there (replaced); else the export's bytes come back. */
  | { readonly type: 'export'; readonly requestId: number; readonly source: RunSource; readonly id: string; readonly target?: string };

/** A run file as it was read: a byte-range read later checks it is still the same. */
export interface StoredFile {
  readonly path: string;
  /** -1 when the file changed while it was read (a range read then never matches). */
  readonly size: number;
  readonly mtimeMs: number;
  readonly ino: number;
}

const encoder = new TextEncoder();
const texts = new Map<number, string>();
let nextDocId = 1;

parentPort?.on('message', (request: ScanRequest) => {
  if (request.type === 'release') {
    texts.delete(request.docId);
    return;
  }
  if (request.type === 'slice') {
    // As UTF-8 bytes, handed over: the host passes them to the page without a string copy.
    const text = texts.get(request.docId)?.slice(request.start, request.end);
    const bytes = text === undefined ? undefined : encoder.encode(text);
    parentPort!.postMessage({ requestId: request.requestId, bytes }, bytes ? [bytes.buffer as ArrayBuffer] : []);
    return;
  }
  if (request.type === 'prepareExport') {
    prepareExportKernel(request.storedBytes);
    parentPort!.postMessage({ requestId: request.requestId });
    return;
  }
  if (request.type === 'export') {
    void exportRun(request).then(({ answer, transfer }) => parentPort!.postMessage({ requestId: request.requestId, result: answer }, transfer));
    return;
  }
  let bytes: Uint8Array;
  let file: StoredFile | undefined;
  try {
    if ('bytes' in request.source) {
      bytes = request.source.bytes;
    } else {
      const read = readRunFile(request.source.path, request.source.maxBytes);
      bytes = read.bytes;
      file = { path: request.source.path, size: read.size, mtimeMs: read.mtimeMs, ino: read.ino };
    }
  } catch (error) {
    parentPort!.postMessage({ requestId: request.requestId, result: { ok: false, reason: error instanceof TooBig ? error.message : `cannot be read: ${errorMessage(error)}` } });
    return;
  }
  try {
    if (request.type === 'figures') {
      // A tree row's figures: counts only; the run's text goes with this scope.
      parentPort!.postMessage({ requestId: request.requestId, result: runFiguresFromBytes(bytes, request.id) });
      return;
    }
    const built = buildRunViewFromBytes(bytes, request.meta);
    // The text is decoded: the bytes' memory goes back now, not at some later collection.
    discard(bytes);
    if (!built.ok) {
      parentPort!.postMessage({ requestId: request.requestId, result: built });
      return;
    }
    if (file && built.deferred.length > 0) {
      // A local file: its deferred outputs are read from it by byte range when the page asks;
      // nothing of the run stays here.
      parentPort!.postMessage({ requestId: request.requestId, result: { ok: true, view: built.view, deferred: byteSpans(built.text, built.deferred), docId: 0, file } });
      return;
    }
    // Otherwise kept only when the page may ask for a deferred output later.
    const docId = built.deferred.length > 0 ? nextDocId++ : 0;
    if (docId) texts.set(docId, built.text);
    parentPort!.postMessage({ requestId: request.requestId, result: { ok: true, view: built.view, deferred: built.deferred, docId } });
  } catch (error) {
    parentPort!.postMessage({ requestId: request.requestId, result: { ok: false, reason: error instanceof Error ? error.message : String(error) } });
  }
});

async function exportRun(request: ScanRequest & { type: 'export' }): Promise<{ answer: ExportAnswer; transfer: ArrayBuffer[] }> {
  let bytes: Uint8Array;
  try {
    bytes = 'bytes' in request.source ? request.source.bytes : readRunFile(request.source.path, request.source.maxBytes).bytes;
  } catch (error) {
    return { answer: { ok: false, kind: 'unreadable', reason: error instanceof TooBig ? error.message : `cannot be read: ${errorMessage(error)}` }, transfer: [] };
  }
  const answer = await exportRunBytes(bytes, request.id, request.target);
  return { answer, transfer: answer.ok && answer.bytes ? [answer.bytes.buffer as ArrayBuffer] : [] };
}

/**
 * Frees the memory behind `bytes` at once: its buffer is detached by a transfer into a
 * message that is never delivered (a garbage collection may be minutes away in an idle
 * worker, and it would hold a 50 MB run twice, as bytes and as text, until then).
 */
function discard(bytes: Uint8Array): void {
  const buffer = bytes.buffer;
  if (!(buffer instanceof ArrayBuffer) || buffer.byteLength < 1024 * 1024) return;
  const channel = new MessageChannel();
  channel.port1.postMessage(null, [buffer]);
  channel.port1.close();
  channel.port2.close();
}

class TooBig extends Error {}

/**
 * Reads a run file as the store's Node port does: never through a symlink, within the size
 * limit; with the size and modification time it had (what a later byte-range read checks).
 */
function readRunFile(file: string, maxBytes: number): { bytes: Uint8Array; size: number; mtimeMs: number; ino: number } {
  const fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
  try {
    const stat = fs.fstatSync(fd);
    const bytes = fs.readFileSync(fd);
    // The file may have grown since the store checked it.
    if (bytes.byteLength > maxBytes) throw new TooBig(tooBigReason(bytes.byteLength, maxBytes));
    return { bytes, size: bytes.byteLength === stat.size ? stat.size : -1, mtimeMs: stat.mtimeMs, ino: stat.ino };
  } finally {
    fs.closeSync(fd);
  }
}

/** The UTF-8 byte spans of spans of `text` (its characters' offsets), in one pass. */
function byteSpans(text: string, spans: readonly (readonly [string, number, number])[]): [string, number, number][] {
  const offsets = [...new Set(spans.flatMap(([, start, end]) => [start, end]))].sort((a, b) => a - b);
  const bytesAt = new Map<number, number>();
  let char = 0;
  let byte = 0;
  for (const offset of offsets) {
    byte += Buffer.byteLength(text.slice(char, offset), 'utf8');
    char = offset;
    bytesAt.set(offset, byte);
  }
  return spans.map(([node, start, end]) => [node, bytesAt.get(start)!, bytesAt.get(end)!]);
}

/**
 * Worker thread that decodes, validates and indexes big runs for the detail panel, so the
 * extension host's event loop never stalls on a 50 MB file. The host gets the page's first
 * message; the outputs left out of it are read back from the run's file by byte range when
 * the page asks, or, for a run handed over as bytes, sliced from its text kept here. The
 * thread also outlines runs for the tree and exports runs (Export Run), writing the file.
 */
import { MessageChannel, parentPort } from 'worker_threads';
import { prepareExportKernel } from '../core/exportText';
import { ExportAnswer, exportRunSource } from './exportFile';
import * as fs from 'fs';
import { ScannedFlowResult } from '../core/flowResult';
import { tableBuffers } from '../shared/protocol';
import { readRunFileAsync, readStoredFile, RunSource, StoredFile, unreadableReason } from './readRunFile';
import { NodeRead, NodeReadTarget, readRunNode } from './runNodeReader';
import { BuiltRunView, buildRunOutline, buildRunView, buildRunViewFromBytes, RunMeta, scanRunBytes } from './runViewModel';


export type ScanRequest =
  | { readonly type: 'build'; readonly requestId: number; readonly bytes: Uint8Array; readonly meta: RunMeta }
  | { readonly type: 'buildFile'; readonly requestId: number; readonly path: string; readonly maxBytes: number; readonly meta: RunMeta }
  | { readonly type: 'slice'; readonly requestId: number; readonly docId: number; readonly start: number; readonly end: number }
  | { readonly type: 'release'; readonly docId: number }
  /** The tree's view of a run (figures, first `limit` nodes): from a file (`path`) or bytes. */
  | { readonly type: 'outline'; readonly requestId: number; readonly id: string; readonly limit: number; readonly path?: string; readonly maxBytes?: number; readonly bytes?: Uint8Array }
  | { readonly type: 'prepareExport'; readonly requestId: number; readonly storedBytes: number }
  /** One node (or the context, or the extra fields) of a local run, read from its file; nothing kept. */
  | { readonly type: 'readNode'; readonly requestId: number; readonly path?: string; readonly maxBytes?: number; readonly bytes?: Uint8Array; readonly id: string; readonly target: NodeReadTarget }
  /** `target` given: written there (replaced); else the export's bytes come back. */
  | { readonly type: 'export'; readonly requestId: number; readonly source: RunSource; readonly id: string; readonly target?: string };

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
    void exportRun(request).then(({ answer, transfer }) => parentPort!.postMessage({ requestId: request.requestId, exported: answer }, transfer));
    return;
  }
  if (request.type === 'outline') {
    outline(request);
    return;
  }
  if (request.type === 'readNode') {
    void readNode(request).then((node) => parentPort!.postMessage({ requestId: request.requestId, node }));
    return;
  }
  try {
    let built: BuiltRunView;
    let file: StoredFile | undefined;
    if (request.type === 'buildFile') {
      const scanned = scanFile(request.path, request.maxBytes, request.meta.id);
      if (!scanned.ok) {
        parentPort!.postMessage({ requestId: request.requestId, result: scanned });
        return;
      }
      built = buildRunView(scanned.scan, request.meta);
      file = scanned.file;
    } else {
      built = buildRunViewFromBytes(request.bytes, request.meta);
      // The text is decoded: the bytes' memory goes back now, not at some later collection.
      discard(request.bytes);
    }
    if (!built.ok) {
      parentPort!.postMessage({ requestId: request.requestId, result: built });
      return;
    }
    // The nodes' bytes move to the host, not copied.
    const transfer = [...tableBuffers(built.view.nodes), ...(built.rest ? tableBuffers(built.rest) : [])];
    if (file && built.deferred.length > 0) {
      // A local file: its deferred outputs are read from it by byte range when the page asks;
      // nothing of the run stays here.
      parentPort!.postMessage({ requestId: request.requestId, result: { ok: true, view: built.view, rest: built.rest, deferred: byteSpans(built.text, built.deferred), docId: 0, file } }, transfer);
      return;
    }
    // Otherwise kept only when the page may ask for a deferred output later.
    const docId = built.deferred.length > 0 ? nextDocId++ : 0;
    if (docId) texts.set(docId, built.text);
    parentPort!.postMessage({ requestId: request.requestId, result: { ok: true, view: built.view, rest: built.rest, deferred: built.deferred, docId } }, transfer);
  } catch (error) {
    parentPort!.postMessage({ requestId: request.requestId, result: { ok: false, reason: error instanceof Error ? error.message : String(error) } });
  }
});

/**
 * Read without blocking (the next requests' files are read while this one is checked), then
 * checked in one pass; only the node's text goes back.
 */
async function readNode(request: ScanRequest & { type: 'readNode' }): Promise<NodeRead> {
  let bytes: Uint8Array;
  try {
    bytes = request.bytes ?? (await readRunFileAsync(request.path!, request.maxBytes ?? Infinity));
  } catch (error) {
    return { ok: false, reason: unreadableReason(error) };
  }
  try {
    return readRunNode(bytes, request.id, request.target);
  } catch (error) {
    return { ok: false, reason: error instanceof Error ? error.message : String(error) };
  } finally {
    if (request.bytes) discard(request.bytes);
  }
}

/** Only the outline goes back: a page of nodes, whatever the run's width. */
function outline(request: ScanRequest & { type: 'outline' }): void {
  try {
    let scanned: ReturnType<typeof scanRunBytes>;
    if (request.path !== undefined) {
      scanned = scanFile(request.path, request.maxBytes ?? Infinity, request.id);
    } else {
      scanned = scanRunBytes(request.bytes!, request.id);
      discard(request.bytes!);
    }
    parentPort!.postMessage({ requestId: request.requestId, outline: scanned.ok ? { ok: true, outline: buildRunOutline(scanned.scan, request.limit) } : scanned });
  } catch (error) {
    parentPort!.postMessage({ requestId: request.requestId, outline: { ok: false, reason: unreadableReason(error) } });
  }
}

/**
 * The last local run scanned, with its file's identity, kept while this worker runs (it stops
 * 2 s after its last request): a run expanded in the tree and then opened, or opened and then
 * expanded, is read and scanned once. Only runs up to SCAN_KEPT_BYTES are kept.
 */
let lastScan: { readonly file: StoredFile; readonly id: string; readonly scan: ScannedFlowResult } | undefined;
const SCAN_KEPT_BYTES = 8 * 1024 * 1024;

/** A local run file read and scanned (or the scan of it kept from a moment ago, the same file). */
function scanFile(path: string, maxBytes: number, id: string): { ok: true; scan: ScannedFlowResult; file: StoredFile } | { ok: false; reason: string } {
  const kept = lastScan;
  if (kept && kept.file.path === path && kept.id === id) {
    try {
      const now = fs.lstatSync(path);
      if (now.ino === kept.file.ino && now.size === kept.file.size && now.mtimeMs === kept.file.mtimeMs && now.size <= maxBytes) return { ok: true, scan: kept.scan, file: kept.file };
    } catch {
      // gone or unreadable now: read it again, which says why
    }
  }
  lastScan = undefined;
  let read: { bytes: Uint8Array; file: StoredFile };
  try {
    read = readStoredFile(path, maxBytes);
  } catch (error) {
    return { ok: false, reason: unreadableReason(error) };
  }
  const scanned = scanRunBytes(read.bytes, id);
  discard(read.bytes);
  if (!scanned.ok) return scanned;
  if (read.file.size >= 0 && read.file.size <= SCAN_KEPT_BYTES) lastScan = { file: read.file, id, scan: scanned.scan };
  return { ok: true, scan: scanned.scan, file: read.file };
}

async function exportRun(request: ScanRequest & { type: 'export' }): Promise<{ answer: ExportAnswer; transfer: ArrayBuffer[] }> {
  const answer = await exportRunSource(request.source, request.id, request.target);
  return { answer, transfer: answer.ok && answer.bytes ? [answer.bytes.buffer as ArrayBuffer] : [] };
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

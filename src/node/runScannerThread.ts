/**
 * Worker thread that decodes, validates and indexes big runs for the detail panel, so the
 * extension host's event loop never stalls on a 50 MB file. The run's text stays here: the
 * host gets the page's first message and asks for big outputs by span when the page does,
 * instead of copying 50 MB back to its own thread. It also counts a big run's nodes for its
 * tree row, and exports runs (Export Run), writing the export file itself.
 */
import * as fs from 'fs';
import { parentPort } from 'worker_threads';
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

const texts = new Map<number, string>();
let nextDocId = 1;

parentPort?.on('message', (request: ScanRequest) => {
  if (request.type === 'release') {
    texts.delete(request.docId);
    return;
  }
  if (request.type === 'slice') {
    parentPort!.postMessage({ requestId: request.requestId, text: texts.get(request.docId)?.slice(request.start, request.end) });
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
  try {
    bytes = 'bytes' in request.source ? request.source.bytes : readRunFile(request.source.path, request.source.maxBytes);
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
    if (!built.ok) {
      parentPort!.postMessage({ requestId: request.requestId, result: built });
      return;
    }
    // Kept only when the page may ask for a deferred output later.
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
    bytes = 'bytes' in request.source ? request.source.bytes : readRunFile(request.source.path, request.source.maxBytes);
  } catch (error) {
    return { answer: { ok: false, kind: 'unreadable', reason: error instanceof TooBig ? error.message : `cannot be read: ${errorMessage(error)}` }, transfer: [] };
  }
  const answer = await exportRunBytes(bytes, request.id, request.target);
  return { answer, transfer: answer.ok && answer.bytes ? [answer.bytes.buffer as ArrayBuffer] : [] };
}

class TooBig extends Error {}

/** Reads a run file as the store's Node port does: never through a symlink, within the size limit. */
function readRunFile(file: string, maxBytes: number): Uint8Array {
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

/**
 * Worker thread that decodes, validates and indexes big runs for the detail panel, so the
 * extension host's event loop never stalls on a 50 MB file. The run's text stays here: the
 * host gets the page's first message and asks for big outputs by span when the page does,
 * instead of copying 50 MB back to its own thread.
 */
import { parentPort } from 'worker_threads';
import { errorMessage } from '../core/errors';
import { readRunFile, TooBig } from './readRunFile';
import { buildRunOutline, buildRunViewFromBytes, RunMeta, scanRunBytes } from './runViewModel';

export type ScanRequest =
  | { readonly type: 'build'; readonly requestId: number; readonly bytes: Uint8Array; readonly meta: RunMeta }
  | { readonly type: 'buildFile'; readonly requestId: number; readonly path: string; readonly maxBytes: number; readonly meta: RunMeta }
  | { readonly type: 'slice'; readonly requestId: number; readonly docId: number; readonly start: number; readonly end: number }
  | { readonly type: 'release'; readonly docId: number }
  /** The tree's view of a run (figures, first `limit` nodes): from a file (`path`) or bytes. */
  | { readonly type: 'outline'; readonly requestId: number; readonly id: string; readonly limit: number; readonly path?: string; readonly maxBytes?: number; readonly bytes?: Uint8Array };

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
  let bytes: Uint8Array;
  if (request.type === 'outline') {
    outline(request);
    return;
  }
  if (request.type === 'buildFile') {
    try {
      bytes = readRunFile(request.path, request.maxBytes);
    } catch (error) {
      parentPort!.postMessage({ requestId: request.requestId, result: { ok: false, reason: error instanceof TooBig ? error.message : `cannot be read: ${errorMessage(error)}` } });
      return;
    }
  } else {
    bytes = request.bytes;
  }
  try {
    const built = buildRunViewFromBytes(bytes, request.meta);
    if (!built.ok) {
      parentPort!.postMessage({ requestId: request.requestId, result: built });
      return;
    }
    // Kept only when the page may ask for a deferred output later.
    const docId = built.deferred.length > 0 ? nextDocId++ : 0;
    if (docId) texts.set(docId, built.text);
    // The outputs' bytes move to the host, not copied.
    parentPort!.postMessage({ requestId: request.requestId, result: { ok: true, view: built.view, deferred: built.deferred, docId } }, [built.view.nodes.outputs.buffer as ArrayBuffer]);
  } catch (error) {
    parentPort!.postMessage({ requestId: request.requestId, result: { ok: false, reason: error instanceof Error ? error.message : String(error) } });
  }
});

/** Only the outline goes back: a page of nodes, whatever the run's width. */
function outline(request: ScanRequest & { type: 'outline' }): void {
  try {
    const bytes = request.path !== undefined ? readRunFile(request.path, request.maxBytes ?? Infinity) : request.bytes!;
    const scanned = scanRunBytes(bytes, request.id);
    parentPort!.postMessage({ requestId: request.requestId, outline: scanned.ok ? { ok: true, outline: buildRunOutline(scanned.scan, request.limit) } : scanned });
  } catch (error) {
    const reason = error instanceof TooBig ? error.message : `cannot be read: ${errorMessage(error)}`;
    parentPort!.postMessage({ requestId: request.requestId, outline: { ok: false, reason } });
  }
}

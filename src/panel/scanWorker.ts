/**
 * Worker thread that decodes, validates and indexes big runs for the detail panel, so the
 * extension host's event loop never stalls on a 50 MB file.
 */
import { parentPort } from 'worker_threads';
import { buildRunViewFromBytes, RunMeta } from './runViewModel';

export interface ScanRequest {
  readonly requestId: number;
  readonly bytes: Uint8Array;
  readonly meta: RunMeta;
}

parentPort?.on('message', (request: ScanRequest) => {
  try {
    parentPort!.postMessage({ requestId: request.requestId, result: buildRunViewFromBytes(request.bytes, request.meta) });
  } catch (error) {
    parentPort!.postMessage({ requestId: request.requestId, result: { ok: false, reason: error instanceof Error ? error.message : String(error) } });
  }
});

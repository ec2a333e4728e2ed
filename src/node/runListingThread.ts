/** Worker thread that lists store folders for the extension host (see runListingWorker.ts). */
import { parentPort } from 'worker_threads';
import { errorMessage } from '../core/errors';
import { listRunFilesSync } from './runListingWorker';

parentPort?.on('message', ({ requestId, folder }: { requestId: number; folder: string }) => {
  try {
    const columns = listRunFilesSync(folder);
    if (!columns) {
      parentPort!.postMessage({ requestId, missing: true });
      return;
    }
    // Transferred, not copied.
    parentPort!.postMessage({ requestId, columns }, [columns.ids.buffer, columns.times.buffer, columns.sizes.buffer, columns.links.buffer] as ArrayBuffer[]);
  } catch (error) {
    parentPort!.postMessage({ requestId, error: errorMessage(error) });
  }
});

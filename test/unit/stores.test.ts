import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { FolderExecutionStore } from '../../src/core/folderStore';
import { MemoryExecutionStore } from '../../src/core/memoryStore';
import { NodeFolderPort } from '../../src/node/nodeFolderPort';
import { RunListingWorker } from '../../src/node/runListingWorker';
import { defineStoreContract } from '../support/storeContract';

defineStoreContract({
  name: 'MemoryExecutionStore',
  async create() {
    return { store: new MemoryExecutionStore(), cleanup: async () => undefined };
  },
});

defineStoreContract({
  name: 'FolderExecutionStore (Node fs)',
  async create() {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flow-history-contract-'));
    return {
      store: new FolderExecutionStore(new NodeFolderPort(path.join(dir, '.a3s/flow/executions'))),
      cleanup: async () => fs.rmSync(dir, { recursive: true, force: true }),
    };
  },
});

defineStoreContract({
  name: 'FolderExecutionStore (Node fs, listed in the listing worker)',
  async create() {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flow-history-contract-'));
    const listing = new RunListingWorker(path.resolve(__dirname, '../../../dist/runListingThread.js'));
    return {
      store: new FolderExecutionStore(new NodeFolderPort(path.join(dir, '.a3s/flow/executions'), { listing })),
      cleanup: async () => {
        listing.dispose();
        fs.rmSync(dir, { recursive: true, force: true });
      },
    };
  },
});

/** The stores inside VS Code: the contract over vscode.workspace.fs, and the fixture store. */
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import { FolderExecutionStore } from '../../src/core/folderStore';
import { RunListingWorker } from '../../src/node/runListingWorker';
import { LocalFolderPort, VscodeFolderPort } from '../../src/stores/folderPorts';
import { defineStoreContract } from '../support/storeContract';
import { extensionExports, storeDir, workspaceFolder } from './support';

defineStoreContract({
  name: 'FolderExecutionStore (vscode.workspace.fs)',
  async create() {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flow-history-vscode-'));
    return {
      store: new FolderExecutionStore(new VscodeFolderPort(vscode.Uri.file(path.join(dir, '.a3s/flow/executions')))),
      cleanup: async () => fs.rmSync(dir, { recursive: true, force: true }),
    };
  },
});

defineStoreContract({
  name: 'FolderExecutionStore (file: port: Node fs, listed in the listing worker, deletes through workspace.fs)',
  async create() {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flow-history-local-'));
    const listing = new RunListingWorker(path.join(vscode.extensions.getExtension('a3s.flow-history')!.extensionPath, 'dist', 'runListingThread.js'));
    return {
      store: new FolderExecutionStore(new LocalFolderPort(vscode.Uri.file(path.join(dir, '.a3s/flow/executions')), listing)),
      cleanup: async () => {
        listing.dispose();
        fs.rmSync(dir, { recursive: true, force: true });
      },
    };
  },
});

describe('the workspace folder store', () => {
  it('reads the fixture runs, exact numbers and the unreadable file', async () => {
    const api = await extensionExports();
    const store = api.storeFor(workspaceFolder());
    // The extension is its own bundle: compare by shape, not by class identity.
    const port = (store as unknown as { port: { folder: vscode.Uri } }).port;
    assert.ok(port.folder.toString().endsWith('/.a3s/flow/executions'), port.folder.toString());
    assert.ok(store);
    const ids = await store.list();
    for (const id of ['67e55044-10b1-426f-9247-bb680e5fe0c8', '0f8fad5b-d9cb-469f-a165-70867728950e', 'c9bf9e57-1685-4c89-bafb-ff5af830be8a']) {
      assert.ok(ids.includes(id), id);
    }
    const big = await store.load('0f8fad5b-d9cb-469f-a165-70867728950e');
    const load = big?.outputs.load as Record<string, unknown>;
    assert.strictEqual(String(load.checksum), '18446744073709551615');
    const broken = await store.inspect('c9bf9e57-1685-4c89-bafb-ff5af830be8a');
    assert.strictEqual(broken.kind, 'unreadable');
    if (broken.kind === 'unreadable') assert.match(broken.reason, /Invalid JSON: EOF while parsing/);
    assert.ok(fs.existsSync(path.join(storeDir(), 'c9bf9e57-1685-4c89-bafb-ff5af830be8a.json')), 'never deleted');
  });

  it('is listed in the listing worker: the same runs, in the same order, as listing on this thread', async () => {
    const api = await extensionExports();
    const store = api.storeFor(workspaceFolder()) as FolderExecutionStore;
    assert.strictEqual(typeof store.port.listRunFiles, 'function', 'the extension gives local store folders a listing worker');
    const columns = await store.port.listRunFiles!();
    assert.ok(columns && columns.times.length >= 3);
    assert.deepStrictEqual((await store.listRuns()).toArray(), await store.listEntries());
  });

  it('the directory setting is declared restricted and refuses paths outside the folder', async () => {
    const extension = vscode.extensions.getExtension('a3s.flow-history')!;
    const pkg = extension.packageJSON as { capabilities: { untrustedWorkspaces: { restrictedConfigurations: string[] } } };
    assert.deepStrictEqual(pkg.capabilities.untrustedWorkspaces.restrictedConfigurations, ['a3sFlow.history.directory', 'a3sFlow.history.databases']);
    const { parseStoreDirectory } = await import('../../src/host/config');
    assert.deepStrictEqual(parseStoreDirectory('runs/../..').segments, ['.a3s', 'flow', 'executions']);
    assert.ok(parseStoreDirectory('/etc').problem);
    assert.deepStrictEqual(parseStoreDirectory('out/runs').segments, ['out', 'runs']);
  });
});

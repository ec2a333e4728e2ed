/**
 * Listing in the worker thread: exactly what listing on the calling thread gives (the same
 * runs, order, times, sizes and problems), for every kind of entry a store folder can hold.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { newExecutionId } from '../../src/core/executionId';
import { FolderExecutionStore } from '../../src/core/folderStore';
import { serializeFlowResult } from '../../src/core/flowResult';
import { NodeFolderPort } from '../../src/node/nodeFolderPort';
import { listRunFilesSync, RunListingWorker } from '../../src/node/runListingWorker';
import { makeResult } from '../support/builders';
import { useTempDir } from '../support/tempDir';

const WORKER_SCRIPT = path.resolve(__dirname, '../../../dist/runListingThread.js');

describe('listing a store folder in the listing worker', () => {
  const tempDir = useTempDir();
  let listing: RunListingWorker;
  beforeEach(() => {
    listing = new RunListingWorker(WORKER_SCRIPT);
  });
  afterEach(() => listing.dispose());

  const options = { maxFileBytes: 4096 };
  const stores = (dir: string) => ({
    here: new FolderExecutionStore(new NodeFolderPort(dir), options),
    worker: new FolderExecutionStore(new NodeFolderPort(dir, { listing }), options),
  });

  /** A folder with every kind of entry: runs (some saved at the same instant), and what is not one. */
  function mixedFolder(): { dir: string; runs: string[] } {
    const dir = fs.mkdtempSync(path.join(tempDir(), 'executions-'));
    const write = (name: string, content: string) => fs.writeFileSync(path.join(dir, name), content);
    const runs: string[] = [];
    const base = Date.UTC(2026, 10, 26, 12);
    for (let i = 0; i < 40; i++) {
      const id = newExecutionId();
      runs.push(id);
      write(`${id}.json`, serializeFlowResult(makeResult({ executionId: id })));
      // Ten runs share each saved time: the order among them is by id.
      const when = new Date(base - Math.floor(i / 10) * 60_000);
      fs.utimesSync(path.join(dir, `${id}.json`), when, when);
    }
    const empty = newExecutionId();
    write(`${empty}.json`, '');
    const tooBig = newExecutionId();
    write(`${tooBig}.json`, ' '.repeat(5000));
    const outside = path.join(dir, '..', `outside-${path.basename(dir)}.json`);
    fs.writeFileSync(outside, '{}');
    fs.symlinkSync(outside, path.join(dir, `${newExecutionId()}.json`));
    runs.push(empty, tooBig);
    // Not runs: other names and forms, a temp file, a folder with a run's name.
    const id = newExecutionId();
    write(`${id.toUpperCase()}.json`, '{}');
    write(`${id.replace(/-/g, '')}.json`, '{}');
    write(`${id}.json.bak`, '{}');
    write(`.flow-history-${id}-0123abcd.tmp`, '{}');
    write('notes.txt', 'x');
    fs.mkdirSync(path.join(dir, `${newExecutionId()}.json`));
    return { dir, runs };
  }

  it('gives the same runs, order, times, sizes and problems as listing here', async () => {
    const { dir, runs } = mixedFolder();
    const { here, worker } = stores(dir);
    const entries = await here.listEntries();
    assert.strictEqual(entries.length, runs.length + 1, 'the runs and the symlink');
    assert.deepStrictEqual(
      entries.filter((e) => e.problem).map((e) => e.problem!.replace(/[0-9.]+ (KB|bytes)/g, 'N')).sort(),
      ['is N, over the N size limit', 'is a symbolic link; links are not followed', 'is empty (N): possibly still being written'],
    );
    const list = await worker.listRuns();
    assert.deepStrictEqual(list.toArray(), entries);
    // The columns themselves, from the worker and from the same function called here.
    const columns = await listing.list(dir);
    assert.deepStrictEqual(columns, listRunFilesSync(dir));
    assert.strictEqual(columns!.links.reduce((a, b) => a + b, 0), 1);
  });

  it('lists a missing folder, or a file where the folder should be, as empty', async () => {
    const missing = path.join(tempDir(), 'not-there');
    assert.strictEqual(await listing.list(missing), undefined);
    assert.strictEqual((await stores(missing).worker.listRuns()).length, 0);
    const file = path.join(tempDir(), 'a-file');
    fs.writeFileSync(file, 'x');
    assert.strictEqual(await listing.list(file), undefined);
    assert.deepStrictEqual((await stores(file).worker.listRuns()).toArray(), []);
  });

  it('answers several folders listed at once, each with its own runs', async () => {
    const folders = [mixedFolder(), mixedFolder(), mixedFolder()];
    const lists = await Promise.all(folders.map(({ dir }) => stores(dir).worker.listRuns()));
    for (const [i, { dir }] of folders.entries()) assert.deepStrictEqual(lists[i].toArray(), await stores(dir).here.listEntries());
  });

  it('falls back to listing here when the worker cannot run, and keeps working', async () => {
    const { dir } = mixedFolder();
    const failures: Error[] = [];
    const broken = new RunListingWorker(path.join(tempDir(), 'no-such-worker.js'), (error) => failures.push(error));
    try {
      await assert.rejects(broken.list(dir));
      assert.match(failures[0]?.message ?? '', /no-such-worker/, 'the failure is told, with its reason');
      const store = new FolderExecutionStore(new NodeFolderPort(dir, { listing: broken }), options);
      assert.deepStrictEqual((await store.listRuns()).toArray(), await stores(dir).here.listEntries());
    } finally {
      broken.dispose();
    }
  });

  it('falls back the same way when the worker cannot even be created', async () => {
    const { dir } = mixedFolder();
    const failures: Error[] = [];
    // Node refuses a bare relative script path when the worker is created, not later.
    const unstartable = new RunListingWorker('no-such-worker.js', (error) => failures.push(error));
    await assert.rejects(unstartable.list(dir));
    assert.strictEqual(failures.length, 1);
    const store = new FolderExecutionStore(new NodeFolderPort(dir, { listing: unstartable }), options);
    assert.deepStrictEqual((await store.listRuns()).toArray(), await stores(dir).here.listEntries());
  });
});

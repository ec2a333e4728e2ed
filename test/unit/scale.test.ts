/** Correctness at scale (speed is the benchmark's job, not a test's): a 20,000-run store. */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { FolderExecutionStore } from '../../src/core/folderStore';
import { RunList } from '../../src/core/runList';
import { selectForRetention } from '../../src/core/retention';
import { NodeFolderPort } from '../../src/node/nodeFolderPort';
import { RunListingWorker } from '../../src/node/runListingWorker';
import { useTempDir } from '../support/tempDir';

const COUNT = 20_000;

describe('a 20,000-run store', function () {
  this.timeout(120_000);
  const tempDir = useTempDir();

  it('lists every run, newest first, and pages and retains by that order', async () => {
    const dir = path.join(tempDir(), 'executions');
    fs.mkdirSync(dir);
    const now = Date.now();
    const expected: string[] = [];
    for (let i = 0; i < COUNT; i++) {
      const id = `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
      const file = path.join(dir, `${id}.json`);
      fs.writeFileSync(file, `{"execution_id":"${id}","outputs":{},"completed_nodes":[],"skipped_nodes":[]}`);
      // Shuffled saved times: run i was saved (i * 7919 mod COUNT) seconds ago.
      const age = (i * 7919) % COUNT;
      fs.utimesSync(file, new Date(now - age * 1000), new Date(now - age * 1000));
      expected[age] = id;
    }
    const entries = await new FolderExecutionStore(new NodeFolderPort(dir)).listEntries();
    assert.strictEqual(entries.length, COUNT);
    assert.deepStrictEqual(
      entries.map((e) => e.id),
      expected,
    );
    const list = new RunList(entries);
    assert.strictEqual(list.length, COUNT);
    // As the extension lists it: in the listing worker, the same list.
    const listing = new RunListingWorker(path.resolve(__dirname, '../../../dist/runListingThread.js'));
    try {
      const listed = await new FolderExecutionStore(new NodeFolderPort(dir, { listing })).listRuns();
      assert.deepStrictEqual(listed.toArray(), entries);
    } finally {
      listing.dispose();
    }
    assert.deepStrictEqual(list.at(COUNT - 1), entries[COUNT - 1]);
    assert.strictEqual(list.find(expected[12_345])?.id, expected[12_345]);
    assert.deepStrictEqual(
      selectForRetention(entries, { keepNewest: 19_990 }, now).map((e) => e.id),
      expected.slice(19_990),
    );
  });
});

/**
 * Bad files: each broken run file is listed, shown as unreadable with a precise reason, never
 * modified; the other runs keep working. A 600 MB (sparse) file is refused by its size without
 * being read. test/integration/hostileFiles.test.ts runs the same catalogue in VS Code.
 */
import * as assert from 'assert';
import fc from 'fast-check';
import * as fs from 'fs';
import * as path from 'path';
import { newExecutionId } from '../../src/core/executionId';
import { UnreadableRunError } from '../../src/core/executionStore';
import { FlowResultError, parseFlowResultBytes } from '../../src/core/flowResult';
import { FolderExecutionStore } from '../../src/core/folderStore';
import { DEFAULT_MAX_FILE_BYTES } from '../../src/core/limits';
import { FolderPort } from '../../src/core/folderPort';
import { NodeFolderPort } from '../../src/node/nodeFolderPort';
import { badFiles, validRunText } from '../support/badFiles';
import { makeResult, obj } from '../support/builders';
import { useTempDir } from '../support/tempDir';

/** Bytes and modification time of every file of a folder. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of fs.readdirSync(dir).sort()) {
    const stat = fs.statSync(path.join(dir, name));
    // Hash-free but exact: size, mtime and the bytes themselves (the sparse file is skipped by size).
    out[name] = `${stat.size} ${stat.mtimeMs} ${stat.size > 64 * 1024 * 1024 ? '(large)' : fs.readFileSync(path.join(dir, name)).toString('base64')}`;
  }
  return out;
}

function countingPort(dir: string): { port: FolderPort; reads: string[] } {
  const inner = new NodeFolderPort(dir);
  const reads: string[] = [];
  const port: FolderPort = {
    location: inner.location,
    list: () => inner.list(),
    stat: (name) => inner.stat(name),
    read: (name) => {
      reads.push(name);
      return inner.read(name);
    },
    write: (name, data) => inner.write(name, data),
    rename: (from, to) => inner.rename(from, to),
    remove: (name, options) => inner.remove(name, options),
    locate: (name) => inner.locate(name),
  };
  return { port, reads };
}

describe('bad files: shown as unreadable with a precise reason, never modified', () => {
  const tempDir = useTempDir('flow-history-bad-');
  let dir: string;
  beforeEach(() => {
    dir = path.join(tempDir(), 'executions');
    fs.mkdirSync(dir);
  });

  it(`gives each of the ${badFiles.length} kinds of broken file its exact reason; the good run keeps working`, async () => {
    const store = new FolderExecutionStore(new NodeFolderPort(dir));
    const ids = new Map<string, string>();
    for (const bad of badFiles) {
      const id = newExecutionId();
      ids.set(bad.name, id);
      fs.writeFileSync(path.join(dir, `${id}.json`), bad.bytes(id));
    }
    const good = newExecutionId();
    fs.writeFileSync(path.join(dir, `${good}.json`), validRunText(good));
    const before = snapshot(dir);

    const listed = (await store.listEntries()).map((e) => e.id);
    assert.strictEqual(listed.length, badFiles.length + 1, 'every file is listed: none hidden');
    for (const bad of badFiles) {
      const id = ids.get(bad.name)!;
      const outcome = await store.inspect(id);
      assert.strictEqual(outcome.kind, 'unreadable', bad.name);
      if (outcome.kind !== 'unreadable') continue;
      const expected = bad.reason(id);
      if (typeof expected === 'string') assert.strictEqual(outcome.reason, expected, bad.name);
      else assert.match(outcome.reason, expected, bad.name);
      await assert.rejects(store.load(id), (error: unknown) => error instanceof UnreadableRunError && error.id === id, bad.name);
      // The raw text stays available to look at (lossy where the bytes are not UTF-8).
      assert.strictEqual(typeof (await store.readRaw(id)), 'string', bad.name);
    }
    assert.strictEqual((await store.load(good))?.context.tenant, 'acme', 'the good run still loads');
    assert.deepStrictEqual(snapshot(dir), before, 'no bad file was deleted, rewritten or touched');

    // The store still writes and deletes normally next to them.
    const fresh = makeResult({ outputs: obj({ ok: true }), completedNodes: ['ok'] });
    await store.save(fresh);
    assert.strictEqual((await store.load(fresh.executionId))?.outputs.ok, true);
    await store.delete(fresh.executionId);
    assert.deepStrictEqual(snapshot(dir), before);
  });

  it('refuses a 600 MB file by its size, with a clear message, without reading it', async () => {
    const id = newExecutionId();
    const file = path.join(dir, `${id}.json`);
    // Sparse: 600 MB long, no disk used.
    fs.writeFileSync(file, '{"execution_id":');
    fs.truncateSync(file, 600 * 1024 * 1024);
    const { port, reads } = countingPort(dir);
    const store = new FolderExecutionStore(port);
    const memoryBefore = process.memoryUsage();

    const [entry] = await store.listEntries();
    assert.strictEqual(entry.size, 600 * 1024 * 1024);
    assert.strictEqual(entry.problem, 'is 600 MB, over the 256 MB size limit');
    const outcome = await store.inspect(id);
    assert.deepStrictEqual(outcome.kind === 'unreadable' && outcome.reason, 'is 600 MB, over the 256 MB size limit');
    await assert.rejects(store.load(id), /Run .* is unreadable: is 600 MB, over the 256 MB size limit/);
    await assert.rejects(store.readRaw(id), /is 600 MB, over the 256 MB size limit/);

    assert.deepStrictEqual(reads, [], 'the file was never read');
    const grown = process.memoryUsage().arrayBuffers - memoryBefore.arrayBuffers;
    assert.ok(grown < 64 * 1024 * 1024, `no big buffer was allocated (${grown} bytes)`);
    assert.strictEqual(DEFAULT_MAX_FILE_BYTES, 256 * 1024 * 1024, 'the default limit');
    assert.strictEqual(fs.statSync(file).size, 600 * 1024 * 1024, 'left as it was');
  });

  it('applies a configured size limit exactly at the boundary', async () => {
    const limit = 4096;
    const store = new FolderExecutionStore(new NodeFolderPort(dir), { maxFileBytes: limit });
    const fits = newExecutionId();
    const over = newExecutionId();
    const pad = (id: string, size: number) => {
      const base = validRunText(id);
      return base.slice(0, -1) + `,"pad":"${'x'.repeat(size - base.length - 9)}"}`;
    };
    fs.writeFileSync(path.join(dir, `${fits}.json`), pad(fits, limit));
    fs.writeFileSync(path.join(dir, `${over}.json`), pad(over, limit + 1));
    assert.strictEqual(fs.statSync(path.join(dir, `${fits}.json`)).size, limit);
    assert.strictEqual((await store.inspect(fits)).kind, 'ok');
    const outcome = await store.inspect(over);
    assert.deepStrictEqual(outcome.kind === 'unreadable' && outcome.reason, 'is 4.0 KB, over the 4.0 KB size limit');
  });

  it('the parser throws nothing but FlowResultError on arbitrary bytes or damaged run files (fast-check)', () => {
    const damaged = fc
      .tuple(fc.uuid(), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }), fc.nat())
      .map(([id, edits, cut]) => {
        const bytes = Buffer.from(validRunText(id), 'utf8');
        for (const [at, value] of edits) bytes[at % bytes.length] = value;
        return bytes.subarray(0, bytes.length - (cut % 3 === 0 ? cut % bytes.length : 0));
      });
    let refused = 0;
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 512 }), damaged), (bytes) => {
        try {
          parseFlowResultBytes(bytes);
        } catch (error) {
          assert.ok(error instanceof FlowResultError, `unexpected ${String(error)}`);
          refused++;
        }
      }),
      { numRuns: 3000 },
    );
    assert.ok(refused > 2000, `most inputs are refused (${refused})`);
  });
});

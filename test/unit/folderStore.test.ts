import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { newExecutionId } from '../../src/core/executionId';
import { UnreadableRunError } from '../../src/core/executionStore';
import { FolderExecutionStore, idFromFileName } from '../../src/core/folderStore';
import { FolderPort, PortEntry, PortStat } from '../../src/core/folderPort';
import { serializeFlowResult } from '../../src/core/flowResult';
import { NodeFolderPort } from '../../src/node/nodeFolderPort';
import { makeResult, obj } from '../support/builders';
import { useTempDir } from '../support/tempDir';

describe('FolderExecutionStore rules', () => {
  const tempDir = useTempDir();
  let dir: string;
  let store: FolderExecutionStore;
  beforeEach(() => {
    dir = path.join(tempDir(), 'executions');
    fs.mkdirSync(dir);
    store = new FolderExecutionStore(new NodeFolderPort(dir), { maxFileBytes: 128 * 1024 });
  });

  const write = (name: string, content: string | Buffer) => fs.writeFileSync(path.join(dir, name), content);
  const validText = (id: string) => serializeFlowResult(makeResult({ executionId: id }));
  const snapshot = () => Object.fromEntries(fs.readdirSync(dir).sort().map((n) => [n, fs.lstatSync(path.join(dir, n)).isDirectory() ? 'dir' : fs.readFileSync(path.join(dir, n), 'latin1')]));

  it('names files by the lowercase hyphenated id and writes serde JSON', async () => {
    const r = makeResult({ outputs: obj({ a: 1 }), completedNodes: ['a'] });
    await store.save({ ...r, executionId: r.executionId.toUpperCase() });
    assert.deepStrictEqual(fs.readdirSync(dir), [`${r.executionId}.json`]);
    assert.strictEqual(fs.readFileSync(path.join(dir, `${r.executionId}.json`), 'utf8'), serializeFlowResult(r));
  });

  it('tells where a run file is for readers in another thread, checked like readRun', async () => {
    const id = newExecutionId();
    write(`${id}.json`, validText(id));
    const local = await store.localRun(id);
    assert.ok(local?.kind === 'file');
    assert.deepStrictEqual([local.path, local.maxBytes, local.entry.id], [path.join(dir, `${id}.json`), 128 * 1024, id]);
    assert.deepStrictEqual(await store.localRun(newExecutionId()), { kind: 'missing' });
    const big = newExecutionId();
    write(`${big}.json`, Buffer.alloc(200 * 1024, 0x20));
    const tooBig = await store.localRun(big);
    assert.ok(tooBig?.kind === 'unreadable' && /over the .* size limit/.test(tooBig.reason), JSON.stringify(tooBig));
    await assert.rejects(store.localRun('../../etc/passwd'));
  });

  it('reads many runs at once (for push) exactly as readRun reads each: bytes, missing, link, empty, too big, a directory', async () => {
    const ok = newExecutionId();
    write(`${ok}.json`, validText(ok));
    const missing = newExecutionId();
    const link = newExecutionId();
    fs.writeFileSync(path.join(tempDir(), 'target.json'), validText(link));
    fs.symlinkSync(path.join(tempDir(), 'target.json'), path.join(dir, `${link}.json`));
    const empty = newExecutionId();
    write(`${empty}.json`, '');
    const big = newExecutionId();
    write(`${big}.json`, Buffer.alloc(200 * 1024, 0x20));
    const folder = newExecutionId();
    fs.mkdirSync(path.join(dir, `${folder}.json`));
    // Enough runs for the port to yield between chunks, in an order unlike the folder's.
    const more = Array.from({ length: 250 }, () => newExecutionId());
    for (const id of more) write(`${id}.json`, validText(id));
    const ids = [big, ...more.slice(0, 120), ok, missing, link, empty, folder, ...more.slice(120)];
    const batched = await store.readRuns(ids);
    const oneByOne = await Promise.all(ids.map((id) => store.readRun(id)));
    assert.deepStrictEqual(batched, oneByOne);
    assert.deepStrictEqual(
      [big, ok, missing, link, empty, folder].map((id) => batched[ids.indexOf(id)].kind),
      ['unreadable', 'bytes', 'missing', 'unreadable', 'unreadable', 'missing'],
    );
    const read = batched[ids.indexOf(ok)];
    assert.ok(read.kind === 'bytes' && Buffer.from(read.bytes).toString('utf8') === validText(ok));
    await assert.rejects(store.readRuns([ok, '../../etc/passwd']));
    // A port without the batch calls gives the same answers through readRun.
    const plain = new NodeFolderPort(dir) as FolderPort;
    const unbatched = new FolderExecutionStore({ ...plain, location: plain.location, list: () => plain.list(), stat: (n) => plain.stat(n), read: (n) => plain.read(n), write: (n, d) => plain.write(n, d), rename: (a, b) => plain.rename(a, b), remove: (n, o) => plain.remove(n, o), locate: (n) => plain.locate(n) }, { maxFileBytes: 128 * 1024 });
    assert.deepStrictEqual(await unbatched.readRuns(ids), oneByOne);
  });

  it('creates the folder on first save', async () => {
    const nested = new FolderExecutionStore(new NodeFolderPort(path.join(tempDir(), 'a/b/c')));
    assert.deepStrictEqual(await nested.listEntries(), []);
    await nested.save(makeResult());
    assert.strictEqual((await nested.list()).length, 1);
  });

  it('ignores names that are not <uuid>.json, directories and temp files', async () => {
    const id = newExecutionId();
    write(`${id}.json`, validText(id));
    write('notes.txt', 'x');
    write(`${id.toUpperCase()}.json`, validText(id));
    write(`${id.replace(/-/g, '')}.json`, validText(id));
    write(`${id}.json.bak`, validText(id));
    write(`.flow-history-${id}-0123abcd.tmp`, validText(id).slice(0, 10));
    fs.mkdirSync(path.join(dir, `${newExecutionId()}.json`));
    assert.deepStrictEqual(await store.list(), [id]);
    assert.deepStrictEqual((await store.listEntries()).map((e) => e.id), [id]);
  });

  it('shows unreadable files with a precise reason and never changes them', async () => {
    const cases: Record<string, string | Buffer> = {
      truncated: '{"execution_id":"',
      empty: '',
      wrongType: '{"execution_id":"ID","outputs":[],"completed_nodes":[],"skipped_nodes":[]}',
      bom: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"execution_id":"ID","outputs":{},"completed_nodes":[],"skipped_nodes":[]}')]),
      badUtf8: Buffer.from([0x7b, 0xff, 0x7d]),
      deep: '['.repeat(100_000),
      mismatch: validText(newExecutionId()),
      tooBig: ' '.repeat(150 * 1024),
    };
    const expected: Record<string, RegExp> = {
      truncated: /Invalid JSON: EOF while parsing a string at line 1 column 17/,
      empty: /is empty \(0 bytes\)/,
      wrongType: /outputs: invalid type: sequence, expected a map/,
      bom: /byte order mark/,
      badUtf8: /Invalid UTF-8 at byte 1/,
      deep: /recursion limit exceeded/,
      mismatch: /does not match the file name/,
      tooBig: /is 150 KB, over the 128 KB size limit/,
    };
    const ids: Record<string, string> = {};
    for (const [name, content] of Object.entries(cases)) {
      const id = newExecutionId();
      ids[name] = id;
      write(`${id}.json`, typeof content === 'string' ? content.replace('ID', id) : Buffer.from(content.toString('latin1').replace('ID', id), 'latin1'));
    }
    const good = makeResult();
    await store.save(good);
    const before = snapshot();

    for (const [name, id] of Object.entries(ids)) {
      const outcome = await store.inspect(id);
      assert.strictEqual(outcome.kind, 'unreadable', name);
      if (outcome.kind === 'unreadable') assert.match(outcome.reason, expected[name], name);
      await assert.rejects(store.load(id), UnreadableRunError);
    }
    assert.strictEqual((await store.list()).length, Object.keys(cases).length + 1);
    assert.ok(await store.load(good.executionId));
    assert.deepStrictEqual(snapshot(), before, 'nothing was deleted or rewritten');
  });

  it('does not follow symlinks, and never deletes outside the folder', async function () {
    const outside = path.join(tempDir(), 'outside.json');
    const id = newExecutionId();
    fs.writeFileSync(outside, validText(id));
    fs.symlinkSync(outside, path.join(dir, `${id}.json`));
    const outcome = await store.inspect(id);
    assert.strictEqual(outcome.kind, 'unreadable');
    if (outcome.kind === 'unreadable') assert.match(outcome.reason, /symbolic link/);
    await store.delete(id);
    assert.ok(fs.existsSync(outside), 'the link target is untouched');
    assert.ok(!fs.existsSync(path.join(dir, `${id}.json`)), 'the link itself is removed');
  });

  it('never deletes a directory that carries a run name', async () => {
    const id = newExecutionId();
    fs.mkdirSync(path.join(dir, `${id}.json`));
    await store.delete(id);
    assert.ok(fs.statSync(path.join(dir, `${id}.json`)).isDirectory());
  });

  it('saves atomically: a failed rename leaves the old run intact and no temp file', async () => {
    const r = makeResult({ outputs: obj({ v: 1 }) });
    await store.save(r);
    const port = new NodeFolderPort(dir);
    const failing: FolderPort = {
      location: port.location,
      list: () => port.list(),
      stat: (n) => port.stat(n),
      read: (n) => port.read(n),
      write: (n, d) => port.write(n, d),
      rename: async () => {
        throw new Error('disk full');
      },
      remove: (n, o) => port.remove(n, o),
      locate: (n) => port.locate(n),
    };
    await assert.rejects(new FolderExecutionStore(failing).save({ ...r, outputs: obj({ v: 2 }) }), /disk full/);
    assert.deepStrictEqual(fs.readdirSync(dir), [`${r.executionId}.json`]);
    assert.strictEqual((await store.load(r.executionId))?.outputs.v, 1);
  });

  it('cleans temp files left by a writer that died, on a later save of the same id', async () => {
    const id = newExecutionId();
    write(`.flow-history-${id}-deadbeef.tmp`, '{"execution_id":');
    await store.save(makeResult({ executionId: id }));
    assert.deepStrictEqual(fs.readdirSync(dir), [`${id}.json`]);
  });

  it('reads a run only through validated names', () => {
    assert.strictEqual(idFromFileName('../x.json'), undefined);
    assert.strictEqual(idFromFileName(`${newExecutionId()}.json/..`), undefined);
    const port = new NodeFolderPort(dir);
    assert.throws(() => port.locate('../escape.json'), /outside the store folder/);
  });

  it('reports the file modification time as the saved time', async () => {
    const r = makeResult();
    await store.save(r);
    const when = new Date('2025-01-02T03:04:05Z');
    fs.utimesSync(path.join(dir, `${r.executionId}.json`), when, when);
    assert.strictEqual((await store.listEntries())[0].savedAt, when.getTime());
  });
});

/** A port that records calls: checks the store never asks for anything but plain names. */
export class RecordingPort implements FolderPort {
  readonly names: string[] = [];
  constructor(private readonly inner: FolderPort) {}
  get location(): string {
    return this.inner.location;
  }
  list(): Promise<PortEntry[] | undefined> {
    return this.inner.list();
  }
  stat(name: string): Promise<PortStat | undefined> {
    this.names.push(name);
    return this.inner.stat(name);
  }
  read(name: string): Promise<Uint8Array> {
    this.names.push(name);
    return this.inner.read(name);
  }
  write(name: string, data: Uint8Array): Promise<void> {
    this.names.push(name);
    return this.inner.write(name, data);
  }
  rename(from: string, to: string): Promise<void> {
    this.names.push(from, to);
    return this.inner.rename(from, to);
  }
  remove(name: string, options?: { useTrash?: boolean }): Promise<void> {
    this.names.push(name);
    return this.inner.remove(name, options);
  }
  locate(name: string): string {
    return this.inner.locate(name);
  }
}

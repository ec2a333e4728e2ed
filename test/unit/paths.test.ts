/**
 * Paths: whatever id or file name comes in (`../x`, absolute paths, `%2f..`, names that are
 * not UUIDs, symlinks pointing outside, a directory named `<uuid>.json`, a FIFO), the folder
 * store never reads, writes or deletes anything outside its folder, and shows or ignores each
 * name as the rules say. Node `fs` port here; test/integration/hostileFiles.test.ts does the
 * same through the extension (vscode.workspace.fs port and commands).
 */
import * as assert from 'assert';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { newExecutionId } from '../../src/core/executionId';
import { InvalidExecutionIdError, UnreadableRunError } from '../../src/core/executionStore';
import { FolderExecutionStore, idFromFileName, runFileName } from '../../src/core/folderStore';
import { FolderPort, PortEntry, PortStat } from '../../src/core/folderPort';
import { serializeFlowResult } from '../../src/core/flowResult';
import { NodeFolderPort } from '../../src/node/nodeFolderPort';
import { makeResult, obj } from '../support/builders';
import { hostileIds } from '../support/hostileIds';
import { useTempDir } from '../support/tempDir';

/** A port that records every name it is asked about. */
class RecordingPort implements FolderPort {
  readonly calls: string[] = [];
  constructor(private readonly inner: FolderPort) {}
  get location(): string {
    return this.inner.location;
  }
  list(): Promise<PortEntry[] | undefined> {
    this.calls.push('list');
    return this.inner.list();
  }
  stat(name: string): Promise<PortStat | undefined> {
    this.calls.push(`stat ${name}`);
    return this.inner.stat(name);
  }
  read(name: string): Promise<Uint8Array> {
    this.calls.push(`read ${name}`);
    return this.inner.read(name);
  }
  write(name: string, data: Uint8Array): Promise<void> {
    this.calls.push(`write ${name}`);
    return this.inner.write(name, data);
  }
  rename(from: string, to: string): Promise<void> {
    this.calls.push(`rename ${from} ${to}`);
    return this.inner.rename(from, to);
  }
  remove(name: string, options?: { useTrash?: boolean }): Promise<void> {
    this.calls.push(`remove ${name}`);
    return this.inner.remove(name, options);
  }
  locate(name: string): string {
    this.calls.push(`locate ${name}`);
    return this.inner.locate(name);
  }
}

/** Bytes and modification times of everything under `root`, symlinks as their target text. */
function snapshot(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (dir: string) => {
    for (const name of fs.readdirSync(dir).sort()) {
      const full = path.join(dir, name);
      const stat = fs.lstatSync(full);
      const key = path.relative(root, full);
      if (stat.isSymbolicLink()) out[key] = `link -> ${fs.readlinkSync(full)}`;
      else if (stat.isDirectory()) {
        out[key] = 'dir';
        walk(full);
      } else if (stat.isFile()) out[key] = `${stat.mtimeMs} ${fs.readFileSync(full).toString('base64')}`;
      else out[key] = `other ${stat.mtimeMs}`;
    }
  };
  walk(root);
  return out;
}

describe('paths: nothing outside the store folder is ever read, written or deleted', () => {
  const tempDir = useTempDir('flow-history-paths-');
  let root: string;
  let dir: string;
  let outside: string;
  let port: RecordingPort;
  let store: FolderExecutionStore;
  const validText = (id: string) => serializeFlowResult(makeResult({ executionId: id, outputs: obj({ a: 1 }), completedNodes: ['a'] }));

  beforeEach(() => {
    root = tempDir();
    // root/ws/.a3s/flow/executions is the store; everything else is "outside".
    dir = path.join(root, 'ws', '.a3s', 'flow', 'executions');
    outside = path.join(root, 'outside');
    fs.mkdirSync(dir, { recursive: true });
    fs.mkdirSync(outside);
    fs.mkdirSync(path.join(root, 'etc'));
    for (const name of ['x', 'x.json', 'passwd', 'passwd.json']) {
      fs.writeFileSync(path.join(outside, name), 'secret');
      fs.writeFileSync(path.join(root, 'ws', name), 'secret');
      fs.writeFileSync(path.join(root, 'etc', name), 'secret');
    }
    port = new RecordingPort(new NodeFolderPort(dir));
    store = new FolderExecutionStore(port);
  });

  it('refuses every hostile id before it touches the file system, for every operation', async () => {
    const valid = newExecutionId();
    fs.writeFileSync(path.join(dir, `${valid}.json`), validText(valid));
    const before = snapshot(root);
    const ids = hostileIds(valid);
    let refusals = 0;
    for (const id of ids) {
      const label = JSON.stringify(id.slice(0, 60));
      await assert.rejects(store.load(id), InvalidExecutionIdError, `load ${label}`);
      await assert.rejects(store.inspect(id), InvalidExecutionIdError, `inspect ${label}`);
      await assert.rejects(store.readRaw(id), InvalidExecutionIdError, `readRaw ${label}`);
      await assert.rejects(store.delete(id), InvalidExecutionIdError, `delete ${label}`);
      await assert.rejects(store.delete(id, { useTrash: true }), InvalidExecutionIdError, `delete to trash ${label}`);
      await assert.rejects(store.save({ ...makeResult(), executionId: id }), InvalidExecutionIdError, `save ${label}`);
      assert.throws(() => store.locate(id), InvalidExecutionIdError, `locate ${label}`);
      assert.throws(() => runFileName(id), InvalidExecutionIdError, `runFileName ${label}`);
      refusals += 8;
    }
    assert.deepStrictEqual(port.calls, [], 'the port was never asked about anything');
    assert.deepStrictEqual(snapshot(root), before, 'nothing changed anywhere');
    assert.strictEqual(refusals, ids.length * 8);
  });

  it('the Node port itself refuses anything but a plain name (second line of defence)', async () => {
    const raw = new NodeFolderPort(dir);
    const before = snapshot(root);
    for (const name of ['../x.json', '../../../outside/x', '/etc/passwd', 'a/b', 'a\\b', '..', '.', 'x\u0000y', `${path.join(outside, 'x')}`]) {
      const label = JSON.stringify(name);
      await assert.rejects(raw.stat(name), /outside the store folder/, `stat ${label}`);
      await assert.rejects(raw.read(name), /outside the store folder/, `read ${label}`);
      await assert.rejects(raw.write(name, new Uint8Array([1])), /outside the store folder/, `write ${label}`);
      await assert.rejects(raw.rename(name, 'ok.json'), /outside the store folder/, `rename from ${label}`);
      await assert.rejects(raw.rename('ok.json', name), /outside the store folder/, `rename to ${label}`);
      await assert.rejects(raw.remove(name), /outside the store folder/, `remove ${label}`);
      assert.throws(() => raw.locate(name), /outside the store folder/, `locate ${label}`);
    }
    assert.deepStrictEqual(snapshot(root), before);
  });

  it('lists only canonical <uuid>.json names; every other name is ignored and never read', async () => {
    const good = newExecutionId();
    const other = newExecutionId();
    fs.writeFileSync(path.join(dir, `${good}.json`), validText(good));
    const ignored = [
      'notes.json',
      `${other.toUpperCase()}.json`,
      `${other.replace(/-/g, '')}.json`,
      `{${other}}.json`,
      `urn:uuid:${other}.json`,
      `${other}.JSON`,
      `${other}.json.bak`,
      `${other}.json `,
      `${other}.json\n`,
      ` ${other}.json`,
      `.${other}.json`,
      `${other}.json.tmp`,
      `${other.slice(0, 35)}\u200b${other.slice(35)}.json`,
      `${other.replace(/\d/g, (d) => String.fromCharCode(0xff10 + Number(d)))}.json`,
      '%2e%2e%2fx.json',
      '..%2f..%2fx.json',
      `.flow-history-${other}-0123abcd.tmp`,
    ];
    for (const name of ignored) fs.writeFileSync(path.join(dir, name), validText(other));
    for (const name of ignored) assert.strictEqual(idFromFileName(name), undefined, JSON.stringify(name));
    const before = snapshot(root);
    assert.deepStrictEqual(await store.list(), [good]);
    assert.deepStrictEqual((await store.listEntries()).map((e) => e.id), [good]);
    assert.strictEqual((await store.inspect(other)).kind, 'missing', 'a run is only ever its canonical file');
    assert.strictEqual(await store.readRaw(other), undefined);
    await store.delete(other);
    const touched = port.calls.filter((c) => !c.startsWith('list')).map((c) => c.split(' ').slice(1).join(' '));
    assert.ok(
      touched.every((name) => name === `${good}.json` || name === `${other}.json`),
      `only canonical names were used: ${JSON.stringify(touched)}`,
    );
    assert.deepStrictEqual(snapshot(root), before, 'nothing was deleted or rewritten');
  });

  it('never follows a symlink out of the folder: not read, not deleted through, not written through', async () => {
    const toFile = newExecutionId();
    const toDir = newExecutionId();
    const dangling = newExecutionId();
    const target = path.join(outside, `${toFile}.json`);
    fs.writeFileSync(target, validText(toFile));
    fs.symlinkSync(target, path.join(dir, `${toFile}.json`));
    fs.symlinkSync(outside, path.join(dir, `${toDir}.json`));
    fs.symlinkSync(path.join(outside, 'missing.json'), path.join(dir, `${dangling}.json`));
    // A symlink with a temp file's name: the leftover cleaner must not delete through it.
    fs.symlinkSync(path.join(outside, 'x'), path.join(dir, `.flow-history-${toFile}-deadbeef.tmp`));
    const outsideBefore = snapshot(outside);

    const entries = await store.listEntries();
    assert.deepStrictEqual(entries.map((e) => e.id).sort(), [toFile, toDir, dangling].sort(), 'links are listed, so the user sees them');
    for (const entry of entries) assert.match(entry.problem ?? '', /is a symbolic link; links are not followed/);
    for (const id of [toFile, toDir, dangling]) {
      const outcome = await store.inspect(id);
      assert.strictEqual(outcome.kind, 'unreadable', id);
      await assert.rejects(store.load(id), UnreadableRunError);
      assert.strictEqual(await store.readRaw(id), undefined, 'raw text is not read through a link');
    }
    assert.deepStrictEqual(port.calls.filter((c) => c.startsWith('read')), [], 'no read at all');

    // Saving over a link replaces the link itself; the target outside keeps its bytes.
    await store.save(makeResult({ executionId: toFile, outputs: obj({ replaced: true }), completedNodes: ['replaced'] }));
    assert.ok(fs.lstatSync(path.join(dir, `${toFile}.json`)).isFile(), 'the link was replaced by a regular file');
    assert.strictEqual((await store.load(toFile))?.outputs.replaced, true);
    assert.ok(fs.lstatSync(path.join(dir, `.flow-history-${toFile}-deadbeef.tmp`)).isSymbolicLink(), 'a linked temp name is left alone');

    // Deleting removes the links, never what they point to.
    await store.delete(toDir);
    await store.delete(dangling);
    assert.ok(!fs.existsSync(path.join(dir, `${toDir}.json`)));
    assert.ok(!fs.existsSync(path.join(dir, `${dangling}.json`)));
    assert.deepStrictEqual(snapshot(outside), outsideBefore, 'nothing outside changed');
  });

  it('a run file swapped for a symlink between stat and read is still refused (O_NOFOLLOW)', async () => {
    const id = newExecutionId();
    const target = path.join(outside, 'x.json');
    fs.writeFileSync(target, validText(id));
    const inner = new NodeFolderPort(dir);
    fs.writeFileSync(path.join(dir, `${id}.json`), validText(id));
    const racing: FolderPort = {
      location: inner.location,
      list: () => inner.list(),
      stat: async (name) => {
        const stat = await inner.stat(name);
        // The swap happens right after the store looked.
        fs.rmSync(path.join(dir, name));
        fs.symlinkSync(target, path.join(dir, name));
        return stat;
      },
      read: (name) => inner.read(name),
      write: (name, data) => inner.write(name, data),
      rename: (from, to) => inner.rename(from, to),
      remove: (name, options) => inner.remove(name, options),
      locate: (name) => inner.locate(name),
    };
    const outcome = await new FolderExecutionStore(racing).inspect(id);
    assert.strictEqual(outcome.kind, 'unreadable');
    if (outcome.kind === 'unreadable') assert.match(outcome.reason, /cannot be read: .*ELOOP/);
  });

  it('a directory named <uuid>.json is not a run: not listed, not read, not deleted, not written over', async () => {
    const id = newExecutionId();
    const folder = path.join(dir, `${id}.json`);
    fs.mkdirSync(folder);
    fs.writeFileSync(path.join(folder, 'inside.txt'), 'keep me');
    const before = snapshot(root);
    assert.deepStrictEqual(await store.list(), []);
    assert.deepStrictEqual(await store.listEntries(), []);
    assert.strictEqual((await store.inspect(id)).kind, 'missing');
    assert.strictEqual(await store.load(id), undefined);
    assert.strictEqual(await store.readRaw(id), undefined);
    await store.delete(id);
    await store.delete(id, { useTrash: true });
    await assert.rejects(store.save(makeResult({ executionId: id })), /EISDIR|directory/i);
    assert.deepStrictEqual(snapshot(root), before, 'the directory, its contents and everything else unchanged; no temp file left');
    assert.deepStrictEqual(port.calls.filter((c) => c.startsWith('read') || c.startsWith('remove ' + `${id}.json`)), []);
  });

  it('a FIFO named <uuid>.json is ignored without being opened (a read would block forever)', async function () {
    const id = newExecutionId();
    try {
      execFileSync('mkfifo', [path.join(dir, `${id}.json`)]);
    } catch {
      this.skip();
    }
    assert.deepStrictEqual(await store.list(), []);
    assert.strictEqual((await store.inspect(id)).kind, 'missing');
    assert.strictEqual(await store.readRaw(id), undefined);
    await store.delete(id);
    assert.ok(fs.lstatSync(path.join(dir, `${id}.json`)).isFIFO(), 'left in place');
    assert.deepStrictEqual(port.calls.filter((c) => c.startsWith('read')), []);
  });

  it('ids in other UUID forms are normalised to the one canonical file, never another name', async () => {
    const id = newExecutionId();
    await store.save(makeResult({ executionId: `{${id.toUpperCase()}}` }));
    await store.save(makeResult({ executionId: `urn:uuid:${id}` }));
    await store.save(makeResult({ executionId: id.replace(/-/g, '').toUpperCase() }));
    assert.deepStrictEqual(fs.readdirSync(dir), [`${id}.json`]);
    const written = port.calls.filter((c) => c.startsWith('write') || c.startsWith('rename'));
    assert.ok(written.every((c) => /^(write \.flow-history-[0-9a-f-]{36}-[0-9a-f]{8}\.tmp|rename \.flow-history-[0-9a-f-]{36}-[0-9a-f]{8}\.tmp [0-9a-f-]{36}\.json)$/.test(c)), JSON.stringify(written));
  });
});

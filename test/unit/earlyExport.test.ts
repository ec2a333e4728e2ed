/**
 * The early export (Export Run of a local run, begun while the save dialog is open): written
 * by the real scan worker into a hidden file beside the run, then moved to the target the
 * person chose, or removed when they cancel. Nothing is ever left half written.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { exportFlowResultText } from '../../src/core/exportText';
import { serializeFlowResult } from '../../src/core/flowResult';
import { generateSampleRuns } from '../../src/core/sample';
import { EARLY_EXPORT_SUFFIX, EarlyExport, ExportToFile } from '../../src/node/earlyExport';
import { RunScanner } from '../../src/node/runScanner';
import { useTempDir } from '../support/tempDir';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const SCRIPT = path.resolve(__dirname, '../../../dist/runScannerThread.js');

describe('early export (while the save dialog is open)', function () {
  this.timeout(30_000);
  const tempDir = useTempDir('flow-history-early-');
  let scanner: RunScanner;
  const toFile: ExportToFile = (source, id, target) => scanner.exportRun(source, id, target);

  before(() => assert.ok(fs.existsSync(SCRIPT), `${SCRIPT} is missing: run npm run build first`));
  beforeEach(() => (scanner = new RunScanner(SCRIPT, undefined, 100)));
  afterEach(() => scanner.dispose());

  /** A stored run in a store folder of its own, and its export as the parser gives it. */
  function storedRun(): { id: string; source: { path: string; maxBytes: number }; expected: string; store: string } {
    const [run] = generateSampleRuns({ count: 1, seed: 21, nodes: 6, payloadBytes: 300_000 });
    const store = path.join(tempDir(), 'store');
    fs.mkdirSync(store);
    const text = serializeFlowResult(run);
    const file = path.join(store, `${run.executionId}.json`);
    fs.writeFileSync(file, text);
    return { id: run.executionId, source: { path: file, maxBytes: 64 * 2 ** 20 }, expected: exportFlowResultText(text), store };
  }
  const leftovers = (store: string) => fs.readdirSync(store).filter((name) => name.endsWith(EARLY_EXPORT_SUFFIX));

  it('writes the export beside the run, hidden, and moves it whole to the target chosen', async () => {
    const { id, source, expected, store } = storedRun();
    const early = new EarlyExport(toFile, source, id);
    assert.strictEqual(path.dirname(early.path), store);
    assert.match(path.basename(early.path), new RegExp(`^\\.${id}\\.[0-9a-f]{8}\\${EARLY_EXPORT_SUFFIX}$`));
    const target = path.join(tempDir(), 'chosen.json');
    fs.writeFileSync(target, 'an older file the dialog asked to replace');
    const answer = await early.moveTo(target);
    assert.ok(answer?.ok);
    assert.strictEqual(answer.via, 'kernel');
    assert.strictEqual(fs.readFileSync(target, 'utf8'), expected);
    assert.deepStrictEqual(leftovers(store), []);
  });

  it('waits for the dialog to open: begins on its own after its delay, at once on an earlier accept, never once cancelled before', async () => {
    const { id, source, expected, store } = storedRun();
    const begun: string[] = [];
    const counted: ExportToFile = (from, runId, file) => {
      begun.push(file);
      return toFile(from, runId, file);
    };
    // Cancelled before its delay: it never begins, and nothing is written.
    const cancelled = new EarlyExport(counted, source, id, 40);
    await cancelled.discard();
    await sleep(120);
    assert.strictEqual(cancelled.started, false);
    assert.deepStrictEqual(begun, []);
    assert.deepStrictEqual(leftovers(store), []);

    // Left alone: not at once, but after its delay, with the dialog still open.
    const alone = new EarlyExport(counted, source, id, 40);
    assert.strictEqual(alone.started, false);
    const deadline = Date.now() + 5_000;
    while (!alone.started && Date.now() < deadline) await sleep(10);
    assert.deepStrictEqual(begun, [alone.path]);
    const target = path.join(tempDir(), 'chosen.json');
    assert.ok((await alone.moveTo(target))?.ok);
    assert.strictEqual(fs.readFileSync(target, 'utf8'), expected);

    // Accepted before its delay (a minute here): it begins at once.
    const quick = new EarlyExport(counted, source, id, 60_000);
    const quickTarget = path.join(tempDir(), 'quick.json');
    assert.ok((await quick.moveTo(quickTarget))?.ok);
    assert.deepStrictEqual(begun, [alone.path, quick.path]);
    assert.strictEqual(fs.readFileSync(quickTarget, 'utf8'), expected);
    assert.deepStrictEqual(leftovers(store), []);
  });

  it('removes it once written when the dialog is cancelled', async () => {
    const { id, source, store } = storedRun();
    const early = new EarlyExport(toFile, source, id, 0);
    while (!early.started) await sleep(5);
    await early.discard();
    assert.deepStrictEqual(fs.readdirSync(store), [`${id}.json`]);
  });

  it('reports an unreadable run and leaves no file; a target it cannot reach gets nothing', async () => {
    const { id, source, store } = storedRun();
    fs.writeFileSync(source.path, '{"execution_id":');
    const target = path.join(tempDir(), 'chosen.json');
    const answer = await new EarlyExport(toFile, source, id).moveTo(target);
    assert.ok(answer && !answer.ok && answer.kind === 'unreadable', JSON.stringify(answer));
    assert.ok(!fs.existsSync(target));
    assert.deepStrictEqual(leftovers(store), []);

    fs.rmSync(store, { recursive: true });
    const good = storedRun();
    const missing = path.join(tempDir(), 'no-such-folder', 'chosen.json');
    const failed = await new EarlyExport(toFile, good.source, good.id).moveTo(missing);
    assert.ok(failed && !failed.ok && failed.kind === 'write', JSON.stringify(failed));
    assert.deepStrictEqual(leftovers(good.store), []);
  });

  it('says to export the ordinary way when it could not write beside the run (a read-only store)', async () => {
    const { id, source, store } = storedRun();
    const refused: ExportToFile = async () => ({ ok: false, kind: 'write', reason: 'EROFS: read-only file system' });
    assert.strictEqual(await new EarlyExport(refused, source, id).moveTo(path.join(tempDir(), 'chosen.json')), undefined);
    assert.deepStrictEqual(leftovers(store), []);
  });

  it('copies to a target on another file system, then removes its own file', async function () {
    const other = '/dev/shm';
    if (!fs.existsSync(other) || fs.statSync(other).dev === fs.statSync(tempDir()).dev) this.skip();
    const { id, source, expected, store } = storedRun();
    const target = path.join(fs.mkdtempSync(path.join(other, 'flow-history-early-')), 'chosen.json');
    try {
      const answer = await new EarlyExport(toFile, source, id).moveTo(target);
      assert.ok(answer?.ok);
      assert.strictEqual(fs.readFileSync(target, 'utf8'), expected);
      assert.deepStrictEqual(leftovers(store), []);
    } finally {
      fs.rmSync(path.dirname(target), { recursive: true, force: true });
    }
  });
});

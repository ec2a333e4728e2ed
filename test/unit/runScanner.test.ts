/**
 * The run scanner with its real worker thread (dist/runScannerThread.js, built by
 * `npm run build`): a big run read from its file leaves nothing in the worker (its deferred
 * outputs are read back from the file by byte range, as bytes); a run handed over as bytes
 * keeps the worker until released; exports run in the worker. (Outlines and the idle stop:
 * runOutline.test.ts.)
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { exportFlowResult, parseFlowResult, serializeFlowResult } from '../../src/core/flowResult';
import { stringifyJson } from '../../src/core/json';
import { generateSampleRuns } from '../../src/core/sample';
import { BIG_RUN_BYTES } from '../../src/core/limits';
import { summarize } from '../../src/core/summary';
import { readRunNode } from '../../src/node/runNodeReader';
import { RunScanner } from '../../src/node/runScanner';
import { FIRST_MESSAGE_NODES, INLINE_OUTPUT_CHARS } from '../../src/node/runViewModel';
import { decodeNodes } from '../../src/shared/protocol';

const SCRIPT = path.resolve(__dirname, '../../../dist/runScannerThread.js');
const IDLE_MS = 150;

async function until(what: string, check: () => boolean, timeout = 5_000): Promise<void> {
  const deadline = Date.now() + timeout;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('run scanner (worker thread)', function () {
  this.timeout(30_000);
  let dir: string;
  let scanner: RunScanner;
  let problems: string[];

  before(() => assert.ok(fs.existsSync(SCRIPT), `${SCRIPT} is missing: run npm run build first`));
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flow-history-scanner-'));
    problems = [];
    scanner = new RunScanner(SCRIPT, (message) => problems.push(message), IDLE_MS);
  });
  afterEach(() => {
    scanner.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
    assert.deepStrictEqual(problems, []);
  });

  /** A run over the worker threshold, with outputs too big to go inline. */
  function bigRun(seed: number) {
    const executionId = `00000000-0000-4000-8000-00000000000${seed}`;
    const big = (c: string) => c.repeat(INLINE_OUTPUT_CHARS + 1000);
    const text = JSON.stringify({
      execution_id: executionId,
      outputs: { fetch: big('f'), parse: { rows: [big('p')], note: 'é€😀' }, notify: big('n'), score: 12345 },
      completed_nodes: ['fetch', 'parse', 'notify', 'score'],
      skipped_nodes: ['notify', 'archive'],
      context: { tenant: 'hooli' },
    });
    assert.ok(text.length > BIG_RUN_BYTES);
    const file = path.join(dir, `${executionId}.json`);
    fs.writeFileSync(file, text);
    const summary = summarize(parseFlowResult(text));
    const run = { executionId };
    return { run, file, text, expected: { ok: true, nodeCount: summary.nodeCount, executed: summary.executed.length, skipped: summary.skipped.length } };
  }

  it('keeps nothing of a run read from its file: deferred outputs come from the file by byte range, until it changes', async () => {
    const { run, file } = bigRun(5);
    const meta = { id: run.executionId, storeKey: 'k', storeLabel: 'l', savedAt: 0, size: fs.statSync(file).size };
    const scanned = await scanner.buildFromFile(file, 64 * 2 ** 20, meta);
    assert.ok(scanned?.ok);
    assert.deepStrictEqual([...scanned.deferred.keys()].sort(), ['fetch', 'notify', 'parse']);
    // The panel is open, yet the worker holds nothing: it ends.
    await until('the worker ends with the panel open', () => !scanner.running);
    // After an output with characters of 2, 3 and 4 UTF-8 bytes: byte offsets, not characters.
    const notify = await scanned.readOutput('notify');
    assert.ok(notify instanceof Uint8Array);
    assert.strictEqual(Buffer.from(notify).toString('utf8'), JSON.stringify('n'.repeat(INLINE_OUTPUT_CHARS + 1000)));
    assert.match(Buffer.from((await scanned.readOutput('parse'))!).toString('utf8'), /,"note":"é€😀"\}$/);
    // Another file in its place (same size, a new time): nothing is read from it.
    const later = new Date(Date.now() + 5_000);
    fs.utimesSync(file, later, later);
    assert.strictEqual(await scanned.readOutput('notify'), undefined);
    scanned.release();
  });

  it('reads one node of a run from its file in the worker, as the built view and the deferred output give it; nothing kept', async () => {
    const { run, file, text } = bigRun(6);
    const maxBytes = 64 * 2 ** 20;
    const meta = { id: run.executionId, storeKey: 'k', storeLabel: 'l', savedAt: 0, size: fs.statSync(file).size };
    const built = await scanner.buildFromFile(file, maxBytes, meta);
    assert.ok(built?.ok);
    const nodes = decodeNodes(built.view.nodes);
    for (const nodeId of ['fetch', 'parse', 'notify', 'score', 'archive', 'absent']) {
      const node = nodes.find((n) => n.id === nodeId);
      const deferred: string | undefined = node?.deferred ? Buffer.from((await built.readOutput(nodeId))!).toString('utf8') : undefined;
      const expected: object = !node ? { ok: true, status: 'absent' } : node.outputType === 'none' ? { ok: true, status: node.status } : { ok: true, status: node.status, text: node.output ?? deferred };
      assert.deepStrictEqual(await scanner.readNode(file, maxBytes, run.executionId, { kind: 'node', nodeId }), expected, nodeId);
      assert.deepStrictEqual(readRunNode(new TextEncoder().encode(text), run.executionId, { kind: 'node', nodeId }), expected, nodeId);
    }
    built.release();
    assert.deepStrictEqual(await scanner.readNode(file, maxBytes, run.executionId, { kind: 'context' }), { ok: true, status: 'absent', text: built.view.context });
    // From bytes (a database row): the same, the bytes handed over to the worker.
    const bytes = new TextEncoder().encode(text);
    assert.deepStrictEqual(await scanner.readNodeFromBytes(bytes, run.executionId, { kind: 'node', nodeId: 'parse' }), await scanner.readNode(file, maxBytes, run.executionId, { kind: 'node', nodeId: 'parse' }));
    assert.strictEqual(bytes.byteLength, 0, 'handed over, not copied');
    // As the store's port reads it: never through a symlink, within the size limit, the id checked.
    const link = path.join(dir, 'link.json');
    fs.symlinkSync(file, link);
    assert.match(String(((await scanner.readNode(link, maxBytes, run.executionId, { kind: 'node', nodeId: 'score' })) as { reason: string }).reason), /^cannot be read: .*ELOOP/);
    assert.match(String(((await scanner.readNode(file, 1024, run.executionId, { kind: 'node', nodeId: 'score' })) as { reason: string }).reason), /, over the .* size limit$/);
    assert.deepStrictEqual(await scanner.readNode(file, maxBytes, '00000000-0000-4000-8000-0000000000ff', { kind: 'node', nodeId: 'score' }), {
      ok: false,
      reason: `execution_id ${run.executionId} does not match the file name 00000000-0000-4000-8000-0000000000ff.json`,
    });
    // Nothing of the runs stays in the worker: it ends.
    await until('the worker ends', () => !scanner.running);
  });

  it("sends a wide run's first page of nodes with the run and the rest after it, in order, from the worker and inline", async () => {
    const [wide] = generateSampleRuns({ count: 1, seed: 16, nodes: 3 * FIRST_MESSAGE_NODES });
    const text = serializeFlowResult(wide);
    const file = path.join(dir, `${wide.executionId}.json`);
    fs.writeFileSync(file, text);
    const order = summarize(wide).nodes;
    const meta = { id: wide.executionId, storeKey: 'k', storeLabel: 'l', savedAt: 0, size: text.length };
    for (const scanned of [await scanner.buildFromFile(file, 64 * 2 ** 20, meta), await scanner.build(new TextEncoder().encode(text), meta)]) {
      assert.ok(scanned?.ok && scanned.rest);
      assert.strictEqual(scanned.view.pendingNodes, order.length - FIRST_MESSAGE_NODES);
      assert.strictEqual(scanned.view.nodeCount, summarize(wide).nodeCount, "the run's figures are all of it");
      const nodes = [...decodeNodes(scanned.view.nodes), ...decodeNodes(scanned.rest)];
      assert.deepStrictEqual(nodes.map((n) => [n.id, n.status]), order.map((n) => [n.id, n.status]));
      assert.deepStrictEqual(nodes.map((n) => n.output), order.map((n) => stringifyJson(wide.outputs[n.id])));
      scanned.release();
    }
    // A run of up to twice a page goes in one message.
    const [narrow] = generateSampleRuns({ count: 1, seed: 17, nodes: 2 * FIRST_MESSAGE_NODES - 10 });
    const built = await scanner.build(new TextEncoder().encode(serializeFlowResult(narrow)), { ...meta, id: narrow.executionId });
    assert.ok(built.ok);
    assert.strictEqual(built.rest, undefined);
    assert.strictEqual(built.view.pendingNodes, undefined);
    assert.strictEqual(decodeNodes(built.view.nodes).length, summarize(narrow).nodes.length);
  });

  it('reads and scans a run once when it is outlined and then opened, and again once its file is replaced', async () => {
    const [first, second] = generateSampleRuns({ count: 2, seed: 23, nodes: 30 });
    const file = path.join(dir, `${first.executionId}.json`);
    fs.writeFileSync(file, serializeFlowResult(first));
    const meta = { id: first.executionId, storeKey: 'k', storeLabel: 'l', savedAt: 0, size: fs.statSync(file).size };
    const outline = await scanner.outline({ path: file, maxBytes: 64 * 2 ** 20 }, first.executionId, 5);
    assert.ok(outline.ok);
    const ids = (built: Awaited<ReturnType<RunScanner['buildFromFile']>>) => (built?.ok ? decodeNodes(built.view.nodes).map((n) => [n.id, n.output]) : built);
    const expected = (run: typeof first) => summarize(run).nodes.map((n) => [n.id, stringifyJson(run.outputs[n.id])]);
    assert.deepStrictEqual(ids(await scanner.buildFromFile(file, 64 * 2 ** 20, meta)), expected(first));
    // Replaced (a new file renamed over it, as the engine saves): the new run, not the kept scan.
    const same = { ...second, executionId: first.executionId, outputs: { ...second.outputs, extra: 'a later save' } };
    fs.writeFileSync(`${file}.tmp`, serializeFlowResult(same));
    fs.renameSync(`${file}.tmp`, file);
    assert.deepStrictEqual(ids(await scanner.buildFromFile(file, 64 * 2 ** 20, meta)), expected(same));
    // And a file grown past the limit since is refused, not served from the kept scan.
    const refused = await scanner.buildFromFile(file, 10, meta);
    assert.ok(refused && !refused.ok);
  });

  it("keeps the worker while a run's text handed over as bytes is kept, and ends it once released", async () => {
    const { run, file, text } = bigRun(7);
    const meta = { id: run.executionId, storeKey: 'k', storeLabel: 'l', savedAt: 0, size: fs.statSync(file).size };
    const scanned = await scanner.build(new TextEncoder().encode(text), meta);
    assert.ok(scanned.ok);
    assert.ok(scanned.deferred.size > 0, 'some outputs wait in the worker');
    await new Promise((resolve) => setTimeout(resolve, IDLE_MS * 3));
    assert.ok(scanner.running, 'kept while the run text is needed');
    const [node, [start, end]] = [...scanned.deferred][0];
    assert.strictEqual(Buffer.from((await scanned.readOutput(node))!).toString('utf8'), text.slice(start, end));
    scanned.release();
    await until('the released worker ends', () => !scanner.running);
    assert.strictEqual(await scanned.readOutput(node), undefined, 'a released run reads nothing');
  });

  it('exports a run off the calling thread: to a file, or as bytes; a bad run or target writes nothing', async () => {
    const { run, file, text } = bigRun(6);
    const expected = exportFlowResult(parseFlowResult(text));
    const maxBytes = 64 * 2 ** 20;
    scanner.prepareExport(text.length);
    const target = path.join(dir, 'export.json');
    const written = await scanner.exportRun({ path: file, maxBytes }, run.executionId, target);
    assert.deepStrictEqual(written, { ok: true, byteLength: Buffer.byteLength(expected), via: 'kernel' });
    assert.strictEqual(fs.readFileSync(target, 'utf8'), expected);
    const given = await scanner.exportRun({ bytes: new TextEncoder().encode(text) }, run.executionId);
    assert.ok(given.ok && given.bytes);
    assert.strictEqual(Buffer.from(given.bytes).toString('utf8'), expected);
    // Not a run, another run's id, a target that cannot be written: an answer, and no file.
    const broken = path.join(dir, 'broken.json');
    fs.writeFileSync(broken, text.slice(0, -1));
    const cases: [string, Awaited<ReturnType<RunScanner['exportRun']>>, 'unreadable' | 'write'][] = [
      ['broken', await scanner.exportRun({ path: broken, maxBytes }, run.executionId, path.join(dir, 'a.json')), 'unreadable'],
      ['other id', await scanner.exportRun({ path: file, maxBytes }, '00000000-0000-4000-8000-0000000000ff', path.join(dir, 'b.json')), 'unreadable'],
      ['too big', await scanner.exportRun({ path: file, maxBytes: 1024 }, run.executionId, path.join(dir, 'c.json')), 'unreadable'],
      ['no folder', await scanner.exportRun({ path: file, maxBytes }, run.executionId, path.join(dir, 'missing', 'd.json')), 'write'],
    ];
    for (const [what, answer, kind] of cases) assert.ok(!answer.ok && answer.kind === kind && answer.reason.length > 0, `${what}: ${JSON.stringify(answer)}`);
    for (const name of ['a.json', 'b.json', 'c.json']) assert.ok(!fs.existsSync(path.join(dir, name)), `${name} not written`);
    await until('the idle worker ends after exporting', () => !scanner.running);
  });

  it('keeps the worker readied for an export while the save dialog is open, until it is cancelled', async () => {
    scanner.prepareExport(1024 * 1024);
    await new Promise((resolve) => setTimeout(resolve, IDLE_MS * 4));
    assert.ok(scanner.running, 'the readied kernel is not thrown away');
    scanner.cancelExport();
    await until('the worker ends after the cancel', () => !scanner.running);
  });
});

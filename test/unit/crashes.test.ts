/**
 * Crashes: writer processes saving runs through the folder store are killed with SIGKILL at
 * random moments until 500 saves have completed; no final `<id>.json` is ever torn, leftover
 * temp files are ignored by list and cleaned by later saves. And a reader racing a writer
 * that is NOT atomic (4 KB chunks, in place) never reports a partial file as a valid run.
 */
import * as assert from 'assert';
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { newExecutionId } from '../../src/core/executionId';
import { flowResultsEqual, parseFlowResult, parseFlowResultBytes, serializeFlowResult } from '../../src/core/flowResult';
import { FolderExecutionStore, idFromFileName } from '../../src/core/folderStore';
import { SummaryCache } from '../../src/core/summaryCache';
import { NodeFolderPort } from '../../src/node/nodeFolderPort';
import { makeResult, obj } from '../support/builders';
import { crashRun, random } from '../support/storeWriter';
import { useTempDir } from '../support/tempDir';

const WRITER = path.join(__dirname, '..', 'support', 'storeWriter.js');
const TEMP = /^\.flow-history-([0-9a-f-]{36})-[0-9a-f]{8}\.tmp$/;
const SAVES = 500;
/** A runaway loop fails instead of outliving mocha's timeout. */
const DEADLINE_MS = 240_000;

/** Starts a writer; resolves once it printed `ready`. Lines are counted as they arrive. */
function startWriter(args: string[], onLine: (line: string) => void): Promise<ChildProcess> {
  const child = spawn(process.execPath, [WRITER, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let buffered = '';
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        if (line === 'ready' || line === 'done') resolve(child);
        onLine(line);
      }
    });
    child.stderr!.on('data', (chunk: Buffer) => reject(new Error(`writer failed: ${chunk.toString('utf8')}`)));
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      if (code !== 0 && signal === null) reject(new Error(`writer exited with ${code}`));
    });
  });
}

function killAndWait(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('crashes: no torn run files, leftovers ignored and cleaned', function () {
  this.timeout(300_000);
  const tempDir = useTempDir('flow-history-crash-');

  it(`survives writers killed with SIGKILL at random moments during ${SAVES} saves`, async () => {
    const dir = path.join(tempDir(), 'executions');
    const ids = Array.from({ length: 6 }, () => newExecutionId());
    const next = random(0xc0ffee);
    let saves = 0;
    let kills = 0;
    let killedMidSave = 0;
    let torn = 0;
    let checks = 0;
    const started = Date.now();

    /** Every file under a final name must parse, with the id of its name. */
    const checkFinalFiles = () => {
      for (const name of fs.existsSync(dir) ? fs.readdirSync(dir) : []) {
        const id = idFromFileName(name);
        if (!id) continue;
        checks++;
        try {
          if (parseFlowResultBytes(fs.readFileSync(path.join(dir, name))).executionId !== id) torn++;
        } catch {
          torn++;
        }
      }
    };

    // Three lanes of writers at a time, each lane with its own ids (one engine per run),
    // each writer killed at a random moment after it started.
    const lane = async (laneIds: string[]) => {
      while (saves < SAVES) {
        if (Date.now() - started > DEADLINE_MS) assert.fail(`only ${saves} saves after ${DEADLINE_MS} ms (${kills} writers)`);
        let last = '';
        const child = await startWriter(['atomic', dir, String(Math.floor(next() * 1e9)), ...laneIds], (line) => {
          last = line;
          if (line.startsWith('saved ')) saves++;
        });
        await sleep(Math.floor(next() * 800));
        await killAndWait(child);
        kills++;
        if (last.startsWith('begin ')) killedMidSave++;
        checkFinalFiles();
      }
    };
    await Promise.all([lane(ids.slice(0, 2)), lane(ids.slice(2, 4)), lane(ids.slice(4, 6))]);

    const names = fs.readdirSync(dir);
    const leftovers = names.filter((n) => TEMP.test(n));
    const finals = names.filter((n) => idFromFileName(n));
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    console.log(`      ${saves} saves, ${kills} SIGKILLs (${killedMidSave} during a save), ${checks} final-file checks, ${torn} torn, ${leftovers.length} temp files left, ${seconds} s`);
    assert.strictEqual(torn, 0, 'no final <id>.json was ever torn');
    assert.ok(kills >= 10, `many short-lived writers (${kills})`);
    assert.ok(killedMidSave > 0, 'some kills landed inside a save');

    // Leftover temp files are not runs.
    const store = new FolderExecutionStore(new NodeFolderPort(dir), { staleTempMs: 60_000 });
    assert.deepStrictEqual((await store.list()).sort(), finals.map((n) => idFromFileName(n)!).sort());
    assert.strictEqual((await store.listEntries()).length, finals.length);

    // A dead writer leaves temp files; if none of the kills did, leave two the same way.
    if (leftovers.length === 0) {
      for (const id of ids.slice(0, 2)) fs.writeFileSync(path.join(dir, `.flow-history-${id}-deadbeef.tmp`), '{"execution_id":"');
    }
    const orphanIds = [...new Set(fs.readdirSync(dir).flatMap((n) => TEMP.exec(n)?.[1] ?? []))];
    // A later save of the same id removes that id's leftovers (fresh ones included)...
    // (a store cleans on its first save, then at most once per stale period: new stores here)
    const first = orphanIds[0];
    await new FolderExecutionStore(new NodeFolderPort(dir)).save(crashRun(first, 1e6, random(1)));
    assert.ok(!fs.readdirSync(dir).some((n) => TEMP.exec(n)?.[1] === first), 'the saved id has no temp file left');
    // ...and any save removes leftovers of other ids once they are old enough.
    const others = fs.readdirSync(dir).filter((n) => TEMP.test(n));
    const old = new Date(Date.now() - 120_000);
    for (const name of others) fs.utimesSync(path.join(dir, name), old, old);
    await new FolderExecutionStore(new NodeFolderPort(dir)).save(makeResult({ outputs: obj({ a: 1 }), completedNodes: ['a'] }));
    assert.deepStrictEqual(fs.readdirSync(dir).filter((n) => TEMP.test(n)), [], 'old leftovers of other ids are cleaned');
    // A short injected age cleans them without waiting (fresh leftover of another id).
    fs.writeFileSync(path.join(dir, `.flow-history-${ids[5]}-0badf00d.tmp`), '{');
    await sleep(20);
    await new FolderExecutionStore(new NodeFolderPort(dir), { staleTempMs: 10 }).save(makeResult());
    assert.deepStrictEqual(fs.readdirSync(dir).filter((n) => TEMP.test(n)), []);
  });

  it('never reports a run as valid while a non-atomic writer is halfway through it', async () => {
    const dir = path.join(tempDir(), 'executions');
    fs.mkdirSync(dir);
    const store = new FolderExecutionStore(new NodeFolderPort(dir));
    const cache = new SummaryCache();
    const id = newExecutionId();
    const file = path.join(dir, `${id}.json`);
    let partialSeen = 0;
    let okSeen = 0;
    let reads = 0;
    /** The complete version before this round's writer truncated the file (none at first). */
    let previous: ReturnType<typeof parseFlowResult> | undefined;
    for (const [round, rows] of [[0, 200], [1, 800], [2, 1500]] as const) {
      // Round 0 creates the file; later rounds rewrite it in place (truncate, then chunks).
      const run = crashRun(id, round, random(round + 7));
      run.outputs.load = Array.from({ length: rows }, (_, i) => `row ${round}.${i} ${'y'.repeat(100)}`);
      const text = serializeFlowResult(run);
      const source = path.join(tempDir(), `source-${round}.json`);
      fs.writeFileSync(source, text);
      const expected = parseFlowResult(text);
      let writing = true;
      const writer = startWriter(['chunked', file, source], () => undefined);
      const finished = writer.then((child) => new Promise<void>((resolve) => (child.exitCode !== null ? resolve() : child.once('exit', () => resolve()))));
      void finished.then(() => (writing = false));
      const deadline = Date.now() + 20_000;
      while (writing) {
        if (Date.now() > deadline) assert.fail('the chunked writer did not finish');
        const outcome = await store.inspect(id);
        reads++;
        if (outcome.kind === 'ok') {
          okSeen++;
          const whole = flowResultsEqual(outcome.result, expected) || (previous !== undefined && flowResultsEqual(outcome.result, previous));
          assert.ok(whole, `round ${round}: a valid result is a whole version of the run, never a part`);
        } else if (outcome.kind === 'unreadable') {
          partialSeen++;
        }
        const entry = (await store.listEntries()).find((e) => e.id === id);
        if (entry) {
          const figures = await cache.get('store', store, entry);
          if (figures.kind === 'ok') assert.strictEqual(figures.nodeCount, 2, 'the tree never counts a partial run');
        }
      }
      await finished;
      assert.strictEqual(fs.readFileSync(file, 'utf8'), text);
      const outcome = await store.inspect(id);
      assert.ok(outcome.kind === 'ok' && flowResultsEqual(outcome.result, expected), `round ${round}: readable once complete`);
      const entry = (await store.listEntries()).find((e) => e.id === id)!;
      assert.strictEqual((await cache.get('store', store, entry)).kind, 'ok', 'the cached figures follow the finished file');
      previous = expected;
    }
    console.log(`      ${reads} reads during 3 non-atomic writes: ${partialSeen} saw a partial file (unreadable), ${okSeen} saw a whole version`);
    assert.ok(partialSeen > 0, 'the reader did see partial files');
  });
});

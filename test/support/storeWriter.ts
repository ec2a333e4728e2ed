/**
 * Writer processes for the crash suite (test/unit/crashes.test.ts), run as
 * `node out/test/support/storeWriter.js <mode> ...`:
 *
 *   atomic <dir> <seed> <id>...   saves runs of the given ids forever through the compiled
 *                                 FolderExecutionStore + NodeFolderPort, printing `begin <id>`
 *                                 before and `saved <id>` after each save, until killed.
 *   chunked <file> <source>       copies <source> to <file> the way a careless engine would:
 *                                 in place, 4 KB at a time, with short pauses. Prints `done`.
 */
import * as fs from 'fs';
import { FlowResult } from '../../src/core/flowResult';
import { FolderExecutionStore } from '../../src/core/folderStore';
import { newObject } from '../../src/core/json';
import { NodeFolderPort } from '../../src/node/nodeFolderPort';

/** A small deterministic generator, so a failing run can be replayed from its seed. */
export function random(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 0x1_0000_0000;
  };
}

/** A run whose size varies a lot (1 KB to about 350 KB), so kills land inside writes. */
export function crashRun(id: string, serial: number, next: () => number): FlowResult {
  const outputs = newObject();
  const rows = Math.floor(next() ** 3 * 3_000) + 10;
  const items: string[] = [];
  for (let i = 0; i < rows; i++) items.push(`row ${serial}.${i} ${'x'.repeat(100)}`);
  outputs.load = items;
  outputs.serial = serial;
  const context = newObject();
  context.writer = process.pid;
  return { executionId: id, outputs, completedNodes: ['load', 'serial'], skippedNodes: [], context, extraFields: newObject() };
}

async function atomic(dir: string, seed: number, ids: string[]): Promise<void> {
  const store = new FolderExecutionStore(new NodeFolderPort(dir));
  const next = random(seed);
  process.stdout.write('ready\n');
  for (let serial = 0; ; serial++) {
    const id = ids[Math.floor(next() * ids.length)];
    const run = crashRun(id, serial, next);
    process.stdout.write(`begin ${id}\n`);
    await store.save(run);
    process.stdout.write(`saved ${id}\n`);
  }
}

function chunked(file: string, source: string): void {
  const data = fs.readFileSync(source);
  const fd = fs.openSync(file, 'w');
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (let at = 0; at < data.length; at += 4096) {
    fs.writeSync(fd, data, at, Math.min(4096, data.length - at));
    Atomics.wait(pause, 0, 0, 1 + (at % 3));
  }
  fs.closeSync(fd);
  process.stdout.write('done\n');
}

if (require.main === module) {
  const [mode, ...args] = process.argv.slice(2);
  if (mode === 'atomic') {
    atomic(args[0], Number(args[1]), args.slice(2)).catch((error: unknown) => {
      process.stderr.write(`${String(error)}\n`);
      process.exit(1);
    });
  } else if (mode === 'chunked') {
    chunked(args[0], args[1]);
  } else {
    process.stderr.write('usage: storeWriter.js atomic <dir> <seed> <id>... | chunked <file> <source>\n');
    process.exit(2);
  }
}

/** The store the end-to-end tests look at: the fixture runs plus twelve sample runs, with known saved times. */
import * as assert from 'assert';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { repoRoot } from '../harness/paths';

export const EXAMPLE = '67e55044-10b1-426f-9247-bb680e5fe0c8';
export const BIG = '0f8fad5b-d9cb-469f-a165-70867728950e';
export const BROKEN = 'c9bf9e57-1685-4c89-bafb-ff5af830be8a';
export const FIXTURE_IDS = [EXAMPLE, BIG, BROKEN];
export const STORE = path.join('.a3s', 'flow', 'executions');
export const CLI = path.join(repoRoot, 'dist', 'cli.js');
const MINUTE = 60_000;

/**
 * Twelve sample runs (the CLI, seed 7) next to the fixture runs, with saved times spread
 * like real use: a sample 2 min ago, EXAMPLE 7, BIG 9, more samples every 23 min from 25,
 * BROKEN 130 min ago. Written before the view first lists the store.
 */
export function seedStore(workspaceRoot: string): { store: string; newestFirst: string[]; samples: string[] } {
  const store = path.join(workspaceRoot, STORE);
  execFileSync(process.execPath, [CLI, '--dir', store, 'sample', '--count', '12', '--seed', '7'], { stdio: 'pipe' });
  const now = Date.now();
  const runIds = () => fs.readdirSync(store).filter((name) => name.endsWith('.json')).map((name) => name.slice(0, -'.json'.length));
  // The CLI writes its first run newest.
  const mtime = (id: string) => fs.statSync(path.join(store, `${id}.json`)).mtimeMs;
  const samples = runIds()
    .filter((id) => !FIXTURE_IDS.includes(id))
    .sort((a, b) => mtime(b) - mtime(a));
  assert.strictEqual(samples.length, 12, `the CLI wrote ${samples.length} sample runs`);
  const minutesAgo = new Map<string, number>([
    [EXAMPLE, 7],
    [BIG, 9],
    [BROKEN, 130],
  ]);
  samples.forEach((id, index) => minutesAgo.set(id, index === 0 ? 2 : 2 + index * 23));
  for (const [id, minutes] of minutesAgo) {
    const time = new Date(now - minutes * MINUTE);
    fs.utimesSync(path.join(store, `${id}.json`), time, time);
  }
  const newestFirst = runIds().sort((a, b) => (minutesAgo.get(a) ?? 0) - (minutesAgo.get(b) ?? 0));
  return { store, newestFirst, samples };
}

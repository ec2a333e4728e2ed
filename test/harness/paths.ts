// Where the test harness finds the repository and the test environment installed by
// scripts/install-test-env.sh. Compiled to out/test/harness/, so paths are resolved by
// walking up to the extension's package.json rather than by counting "..".
import * as fs from 'fs';
import * as path from 'path';

function findRepoRoot(start: string): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    const manifest = path.join(dir, 'package.json');
    if (fs.existsSync(manifest) && (JSON.parse(fs.readFileSync(manifest, 'utf8')) as { name?: string }).name === 'flow-history') {
      return dir;
    }
    if (path.dirname(dir) === dir) {
      throw new Error(`No flow-history package.json above ${start}`);
    }
  }
}

export const repoRoot = findRepoRoot(__dirname);

/** The git-ignored cache that scripts/install-test-env.sh fills. */
export const testEnvDir = path.join(repoRoot, '.vscode-test');
export const node24 = path.join(testEnvDir, 'node24', 'bin', 'node');
export const codeServerEntry = path.join(testEnvDir, 'code-server', 'node_modules', 'code-server', 'out', 'node', 'entry.js');
export const chromiumPath = process.env.FLOW_HISTORY_CHROMIUM ?? '/usr/bin/chromium';

/** Screenshots and logs kept after a run (git-ignored). */
export const artifactsDir = path.join(repoRoot, 'test-artifacts');
export const fixturesDir = path.join(repoRoot, 'test', 'fixtures');
export const packagedVsix = path.join(repoRoot, 'dist', 'flow-history.vsix');

/** Fails with the command to run instead of a confusing ENOENT deep inside a spawn. */
export function assertTestEnvInstalled(): void {
  for (const file of [node24, codeServerEntry, chromiumPath]) {
    if (!fs.existsSync(file)) {
      throw new Error(`${file} is missing: run 'bash scripts/install-test-env.sh' first.`);
    }
  }
}

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
export const chromiumPath = process.env.FLOW_HISTORY_CHROMIUM ?? '/usr/bin/chromium';

/**
 * One code-server release in .vscode-test/ and the Node it runs on. The integration suite
 * runs on every entry of {@link codeServerInstalls}; e2e, the demo and the bench use
 * {@link newestCodeServer}.
 */
export interface CodeServerInstall {
  /** The VS Code release it carries, as the suites name it (`1.139`, `1.90`). */
  vscode: string;
  codeServerVersion: string;
  /** code-server's `out/node/entry.js`. */
  entry: string;
  /** The node binary that runs it (each release wants the Node of its own time). */
  node: string;
  /**
   * How VS Code's `enable-smoke-test-driver` reaches its server: code-server's own
   * `--vscode-option` (4.139), or, where code-server has no such flag (4.90), through
   * smokeTestDriverEntry.js.
   */
  smokeTestDriver: 'vscode-option' | 'entry-shim';
}

function codeServerInstall(
  vscode: string,
  codeServerVersion: string,
  folder: string,
  nodeFolder: string,
  smokeTestDriver: CodeServerInstall['smokeTestDriver'],
): CodeServerInstall {
  return {
    smokeTestDriver,
    vscode,
    codeServerVersion,
    entry: path.join(testEnvDir, folder, 'node_modules', 'code-server', 'out', 'node', 'entry.js'),
    node: path.join(testEnvDir, nodeFolder, 'bin', 'node'),
  };
}

/** Newest first. Versions and folders match scripts/install-test-env.sh. */
export const codeServerInstalls: readonly CodeServerInstall[] = [
  // VS Code 1.139.1 on Node 24.
  codeServerInstall('1.139', '4.139.1', 'code-server', 'node24', 'vscode-option'),
  // VS Code 1.90.2, the oldest release `engines.vscode` accepts, on Node 20.
  codeServerInstall('1.90', '4.90.3', 'code-server-4.90.3', 'node20', 'entry-shim'),
];
export const newestCodeServer = codeServerInstalls[0];

/** The install for a VS Code version as given on a command line (`1.90`, `1.90.2`). */
export function findCodeServerInstall(vscode: string): CodeServerInstall {
  const found = codeServerInstalls.find((install) => vscode === install.vscode || vscode.startsWith(`${install.vscode}.`));
  if (!found) {
    throw new Error(`No code-server for VS Code ${vscode}; installed by scripts/install-test-env.sh: ${codeServerInstalls.map((i) => i.vscode).join(', ')}`);
  }
  return found;
}

/**
 * The VS Code version a code-server install carries, from its product.json (what the
 * workbench and `vscode.version` report), or undefined when it cannot be read.
 */
export function vscodeVersionOf(install: CodeServerInstall): string | undefined {
  const product = path.join(path.dirname(install.entry), '..', '..', 'lib', 'vscode', 'product.json');
  try {
    const version = (JSON.parse(fs.readFileSync(product, 'utf8')) as { version?: unknown }).version;
    return typeof version === 'string' ? version : undefined;
  } catch {
    return undefined;
  }
}

/** Screenshots and logs kept after a run (git-ignored). */
export const artifactsDir = path.join(repoRoot, 'test-artifacts');
export const fixturesDir = path.join(repoRoot, 'test', 'fixtures');
export const packagedVsix = path.join(repoRoot, 'dist', 'flow-history.vsix');

/** Fails with the command to run instead of a confusing ENOENT deep inside a spawn. */
export function assertTestEnvInstalled(install: CodeServerInstall = newestCodeServer): void {
  for (const file of [install.node, install.entry, chromiumPath]) {
    if (!fs.existsSync(file)) {
      throw new Error(`${file} is missing: run 'bash scripts/install-test-env.sh' first.`);
    }
  }
}

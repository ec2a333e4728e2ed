// The extension tests entry (`--extensionTestsPath`): VS Code loads this module inside its
// extension host and awaits run(). The same module serves both launchers, the code-server
// runner (test/harness/runIntegration.ts) and @vscode/test-electron.
//
// Tests use mocha's BDD interface (describe/it), like the unit and e2e suites.
// FLOW_HISTORY_TEST_GLOB (relative to this folder) picks the files of one run, so each run of
// the harness (single folder, multi-root, ...) executes only the tests written for it.
import Mocha from 'mocha';
import * as vscode from 'vscode';
import { findFiles } from '../harness/glob';

export async function run(): Promise<void> {
  console.log(`VS Code ${vscode.version} (${vscode.env.appName})`);
  const pattern = process.env.FLOW_HISTORY_TEST_GLOB ?? '*.test.js';
  const files = findFiles(__dirname, pattern);
  if (files.length === 0) {
    // A pattern that matches nothing is a broken run, not a green one.
    console.log('0 passed, 1 failed');
    throw new Error(`No integration test files match ${pattern} in ${__dirname}`);
  }

  // No colours: the output travels through the workbench's log forwarding as plain text.
  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 30_000, reporter: 'spec' });
  for (const file of files) mocha.addFile(file);

  const stats = await new Promise<Mocha.Stats>((resolve, reject) => {
    try {
      const runner = mocha.run(() => resolve(runner.stats ?? emptyStats()));
    } catch (error) {
      reject(error);
    }
  });
  // The harness and scripts/test.js count results from this exact line.
  console.log(`${stats.passes} passed, ${stats.failures} failed`);
  if (stats.failures > 0) throw new Error(`${stats.failures} integration test(s) failed.`);
}

function emptyStats(): Mocha.Stats {
  return { suites: 0, tests: 0, passes: 0, pending: 0, failures: 0 };
}

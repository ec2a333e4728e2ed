#!/usr/bin/env node
// Runs one plain-Node mocha suite over the compiled tests with the counting reporter
// (spec output plus a closing `N passed, N failed` line).
//
//   node scripts/run-mocha.js unit|e2e [--no-compile] [extra mocha arguments]
//
// Compiles first (tsc -p tsconfig.test.json) unless --no-compile: scripts/test.js compiles
// once for all suites. The e2e suite expects dist/flow-history.vsix (npm run package).
const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..');
const suites = {
  // Unit tests (and the Rust interop tests, also plain Node) are quick; e2e tests start a
  // browser and a VS Code per describe.
  unit: { patterns: ['unit/**/*.test.js', 'interop/**/*.test.js'], timeout: 10000 },
  e2e: { patterns: ['e2e/**/*.e2e.js'], timeout: 120000 },
};

const [name, ...rest] = process.argv.slice(2);
const suite = suites[name];
if (!suite) {
  console.error(`usage: node scripts/run-mocha.js ${Object.keys(suites).join('|')} [--no-compile] [mocha args]`);
  process.exit(2);
}
const compile = !rest.includes('--no-compile');
const mochaArgs = rest.filter((arg) => arg !== '--no-compile');

if (compile) {
  const tsc = spawnSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.test.json'], { cwd: root, stdio: 'inherit' });
  // tsc still writes JavaScript when it reports type errors; those are check-types' job.
  if (tsc.status !== 0) console.warn('run-mocha: tsc reported errors; running what it emitted.');
}

const reporter = path.join(root, 'out/test/harness/countingReporter.js');
const { findFiles } = require(path.join(root, 'out/test/harness/glob.js'));
const files = suite.patterns.flatMap((pattern) => findFiles(path.join(root, 'out/test'), pattern));
if (files.length === 0) {
  // Mocha would fail with "No test files found"; an empty suite is reported, not hidden.
  console.warn(`run-mocha: no ${suite.patterns.join(' or ')} files in out/test`);
  console.log('0 passed, 0 failed');
  process.exit(0);
}

const mocha = spawnSync(
  process.execPath,
  [require.resolve('mocha/bin/mocha.js'), '--reporter', reporter, '--timeout', String(suite.timeout), ...mochaArgs, ...files],
  { cwd: root, stdio: 'inherit' },
);
process.exit(mocha.status ?? 1);

#!/usr/bin/env node
// `npm test`: the whole pipeline, in the order CI runs it.
//   0. scripts/install-test-env.sh (seconds when .vscode-test/ is already filled)
//   1. checks       npm run check-types, npm run lint, npm run build  (one count each)
//   2. unit         mocha over out/test/{unit,interop}/**/*.test.js (plain Node)
//   3. integration  out/test/harness/runIntegration.js (mocha inside code-server's extension host),
//                   once per VS Code release: 1.90 (the oldest `engines` accepts, beside the unit
//                   suite) and 1.139 (the newest, beside the e2e suite)
//   4. e2e          npm run package, then mocha over out/test/e2e/**/*.e2e.js (Chromium + the .vsix)
// Every suite ends with `<suite>: N passed, N failed`; the last line is the sum,
// `N passed, N failed`. A later suite still runs when an earlier one failed, so one run
// shows everything that is broken; the exit code is 1 when anything failed.
const { spawn } = require('child_process');
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
/** The counting line of a runner: mocha's counting reporter, the in-host index, our runners. */
const COUNT_LINE = /^(?:[\w.-]+: )?(\d+) passed, (\d+) failed$/;
/** VS Code releases the integration suite runs on (test/harness/paths.ts, codeServerInstalls). */
const INTEGRATION_VSCODE = ['1.139', '1.90'];

/**
 * Runs a command, teeing its output; resolves with its exit code and stdout. With
 * `options.buffered` the output (stdout and stderr) is kept and printed in one piece when the
 * command ends, so a suite running beside another does not interleave with it.
 */
function run(command, args, options = {}) {
  const buffered = Boolean(options.buffered);
  const held = [];
  const write = (stream, chunk) => (buffered ? held.push([stream, chunk]) : stream.write(chunk));
  write(process.stdout, `\n$ ${[command, ...args].join(' ')}\n`);
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...options.env } });
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += chunk;
      write(process.stdout, chunk);
    });
    child.stderr.on('data', (chunk) => write(process.stderr, chunk));
    const done = (result) => {
      for (const [stream, chunk] of held) stream.write(chunk);
      resolve(result);
    };
    child.on('error', (error) => {
      write(process.stderr, `${error.stack ?? error}\n`);
      done({ code: 1, output });
    });
    child.on('close', (code, signal) => done({ code: code ?? (signal ? 1 : 0), output }));
  });
}

/** The last counting line of a runner's output, reconciled with its exit code. */
function counts({ code, output }) {
  const lines = output.split(/\r?\n/).map((line) => line.trim());
  const last = lines.reverse().map((line) => COUNT_LINE.exec(line)).find(Boolean);
  const passed = last ? Number(last[1]) : 0;
  let failed = last ? Number(last[2]) : 0;
  // A runner that crashed, or exited non-zero without saying which test failed, is a failure.
  if (code !== 0 && failed === 0) failed = 1;
  return { passed, failed, output };
}

/**
 * The failing tests' titles and first lines of their errors, from mocha's "N failing" list
 * (prefixed lines of the integration runner included), at most `limit` lines: repeated in the
 * summary, where a CI log cut to its tail still shows them.
 */
function failureLines(output, limit = 12) {
  const lines = output.split(/\r?\n/);
  const strip = (line) => line.replace(/^\[[^\]]*\]\s?/, '');
  const kept = [];
  let inList = false;
  let sinceTitle = Infinity;
  for (const line of lines) {
    const text = strip(line);
    if (/^\s*\d+ failing\b/.test(text)) {
      inList = true;
      continue;
    }
    if (!inList) continue;
    if (/^\s*\d+\) /.test(text)) sinceTitle = 0;
    else if (/^\s*\d+ passing\b/.test(text)) inList = false;
    // The title (and its suite lines), then the error's first lines.
    if (sinceTitle < 5 && text.trim() !== '') kept.push(line.slice(0, 200));
    sinceTitle++;
    if (kept.length >= limit) break;
  }
  return kept;
}

const results = [];
function report(suite, { passed, failed, output = '' }, startedAt) {
  const seconds = ((Date.now() - startedAt) / 1000).toFixed(1);
  results.push({ suite, passed, failed, seconds, failures: failed > 0 ? failureLines(output) : [] });
  console.log(`\n(${suite} took ${seconds} s)`);
  console.log(`${suite}: ${passed} passed, ${failed} failed`);
}

async function main() {
  const started = Date.now();

  let t = Date.now();
  const install = await run('bash', ['scripts/install-test-env.sh']);
  const envReady = install.code === 0;
  if (!envReady) console.error('install-test-env failed: integration and e2e suites will fail.');
  console.log(`(install-test-env ${((Date.now() - t) / 1000).toFixed(1)} s)`);

  // 1. Static checks and the bundle. Each command counts as one check.
  t = Date.now();
  let checks = { passed: 0, failed: 0 };
  for (const script of ['check-types', 'lint', 'build']) {
    const { code } = await run(npm, ['run', '--silent', script]);
    if (code === 0) checks.passed++;
    else {
      checks.failed++;
      console.error(`npm run ${script} failed (exit ${code}).`);
    }
  }
  report('checks', checks, t);

  // 2. Unit tests. out/ is rebuilt from scratch so a deleted test cannot linger as stale JS.
  t = Date.now();
  fs.rmSync(path.join(root, 'out'), { recursive: true, force: true });
  const compile = await run(npm, ['run', '--silent', 'compile-tests']);
  // tsc writes JavaScript despite type errors; those are counted by check-types already.
  if (compile.code !== 0) console.error('compile-tests reported errors (counted under checks); running what it emitted.');
  // The unit suite (plain Node, about 1 minute of mostly one core) runs beside the integration
  // block of the oldest VS Code release (mostly waiting on a window): they share nothing but
  // the built out/ and dist/, which neither writes. The block's output is printed when it ends.
  const [oldest, ...newer] = [...INTEGRATION_VSCODE].reverse();
  const integration = (vscode, options) => run('node', ['out/test/harness/runIntegration.js', `--vscode=${vscode}`], options);
  const oldestStarted = Date.now();
  const oldestBlock = integration(oldest, { buffered: true });
  report('unit', counts(await run('node', ['scripts/run-mocha.js', 'unit', '--no-compile'])), t);
  const oldestResult = await oldestBlock;

  // 3. Integration tests inside code-server's extension host, one block per VS Code release
  //    (single-folder, multi-root and restricted runs each), so each prints its own count.
  report(`integration-${oldest}`, counts(oldestResult), oldestStarted);

  // 4. The packaged extension, end to end. The .vsix is built first (its prepublish step
  //    rewrites dist/, which the integration blocks load); then the newer integration blocks
  //    (mostly waiting on a window, output printed when they end) run beside the e2e suite
  //    (mostly waiting on a browser). On 2 cores that saves about two minutes of the CI run.
  t = Date.now();
  const pack = await run(npm, ['run', '--silent', 'package']);
  const newerBlocks = (async () => {
    const done = [];
    for (const vscode of newer.reverse()) {
      const started = Date.now();
      done.push({ vscode, started, result: await integration(vscode, { buffered: true }) });
    }
    return done;
  })();
  if (pack.code !== 0) {
    console.error('npm run package failed: the e2e suite cannot run.');
    report('e2e', { passed: 0, failed: 1 }, t);
  } else {
    report('e2e', counts(await run('node', ['scripts/run-mocha.js', 'e2e', '--no-compile'])), t);
  }
  for (const { vscode, started, result } of await newerBlocks) report(`integration-${vscode}`, counts(result), started);

  const total = results.reduce((sum, r) => ({ passed: sum.passed + r.passed, failed: sum.failed + r.failed }), { passed: 0, failed: 0 });
  for (const r of results.filter((r) => r.failures.length > 0)) {
    console.log(`\nFailing in ${r.suite}:`);
    for (const line of r.failures) console.log(`  ${line}`);
  }
  console.log('\nSummary');
  for (const r of results) console.log(`  ${r.suite.padEnd(17)} ${String(r.passed).padStart(4)} passed ${String(r.failed).padStart(4)} failed ${r.seconds.padStart(7)} s`);
  console.log(`  total time ${((Date.now() - started) / 1000).toFixed(1)} s`);
  // The closing line CI reads: alone on its line, nothing after it.
  console.log(`${total.passed} passed, ${total.failed} failed`);
  return total.failed > 0 || !envReady ? 1 : 0;
}

main().then(
  (code) => (process.exitCode = code),
  (error) => {
    console.error(error);
    console.log('0 passed, 1 failed');
    process.exitCode = 1;
  },
);

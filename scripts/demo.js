#!/usr/bin/env node
// `npm run demo`: the packaged extension in a real VS Code (code-server) on 127.0.0.1, with
// a throwaway workspace of 25 sample runs written by the extension's own CLI. Prints the
// URL; Ctrl-C stops the server (its whole process group) and removes the temp folders.
//
// The server binds 127.0.0.1 on a free port chosen at run time. From another machine,
// forward it (e.g. `ssh -L 8080:127.0.0.1:<port> host`) rather than binding it wider.
const { spawnSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const root = path.resolve(__dirname, '..');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const SAMPLE_COUNT = 25;

function step(title, command, args, { mayFail = false } = {}) {
  console.log(`\n== ${title}`);
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit' });
  if (result.status !== 0 && !mayFail) {
    console.error(`${title} failed (exit ${result.status}).`);
    process.exit(1);
  }
  return result.status === 0;
}

async function main() {
  // The demo runs the newest VS Code only: no need for the older release the tests also use.
  step('Install the test environment (cached)', 'bash', ['scripts/install-test-env.sh', '--newest-only']);
  step('Build', npm, ['run', '--silent', 'build']);
  step('Package', npm, ['run', '--silent', 'package']);
  // The demo reuses the test harness (compiled TypeScript); a type error elsewhere in the
  // tree does not stop tsc from writing it.
  step('Compile the harness', npm, ['run', '--silent', 'compile-tests'], { mayFail: true });
  const { CodeServer } = require(path.join(root, 'out/test/harness/codeServer.js'));
  const { packagedVsix } = require(path.join(root, 'out/test/harness/paths.js'));

  const tempRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'flow-history-demo-'));
  process.once('exit', () => fs.rmSync(tempRoot, { recursive: true, force: true }));
  const workspace = path.join(tempRoot, 'demo-workspace');
  const executions = path.join(workspace, '.a3s', 'flow', 'executions');
  fs.mkdirSync(executions, { recursive: true });
  const sampled = step(
    `Write ${SAMPLE_COUNT} sample runs`,
    'node',
    ['dist/cli.js', 'sample', '--dir', executions, '--count', String(SAMPLE_COUNT)],
    { mayFail: true },
  );
  if (!sampled) console.warn('The CLI could not write sample runs; the demo workspace starts empty.');

  console.log('\n== Start code-server');
  const server = await CodeServer.start({ installExtensions: [packagedVsix], handleSignals: false });

  let stopping = false;
  const shutdown = async (signal) => {
    if (stopping) {
      // A second Ctrl-C: do not wait for a graceful stop.
      server.killNow();
      process.exit(130);
    }
    stopping = true;
    console.log(`\n${signal}: stopping code-server (process group ${server.pid}) and removing ${tempRoot}`);
    await server.stop();
    process.exit(0);
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => void shutdown(signal));

  console.log('\nFlow History demo is running:');
  console.log(`  ${server.workbenchUrl({ folder: workspace })}`);
  console.log(`  workspace: ${workspace}`);
  console.log('Press Ctrl-C to stop.');
  // Keep the process alive until a signal arrives.
  setInterval(() => undefined, 1 << 30);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});

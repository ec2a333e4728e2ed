// The standard @vscode/test-electron entry for the integration tests.
//
//   node out/test/harness/runWithTestElectron.js
//
// On a desktop with internet it downloads VS Code into .vscode-test/ and runs the tests
// there, as usual. With FLOW_HISTORY_USE_CODE_SERVER=1 (machines that only reach the npm
// registry, like CI here) it hands runTests() code-server-launcher.sh as the "VS Code
// executable", which runs the same tests in code-server + headless Chromium.
import { runTests } from '@vscode/test-electron';
import * as path from 'path';
import { repoRoot } from './paths';
import { copyFixture } from './fixtures';

async function main(): Promise<number> {
  const useCodeServer = ['1', 'true', 'yes'].includes((process.env.FLOW_HISTORY_USE_CODE_SERVER ?? '').toLowerCase());
  const workspace = copyFixture('workspace');
  try {
    await runTests({
      extensionDevelopmentPath: repoRoot,
      extensionTestsPath: path.join(repoRoot, 'out', 'test', 'integration'),
      vscodeExecutablePath: useCodeServer ? path.join(repoRoot, 'test', 'harness', 'code-server-launcher.sh') : undefined,
      launchArgs: [workspace.root, '--disable-extensions'],
      // The single-folder tests; the multi-root ones need their workspace (runIntegration.ts).
      extensionTestsEnv: { FLOW_HISTORY_TEST_GLOB: '*.test.js' },
    });
    return 0;
  } catch (error) {
    // runTests rejects with the exit code of VS Code (or the launcher) when tests fail.
    console.error(error instanceof Error ? error.message : error);
    return 1;
  } finally {
    workspace.dispose();
  }
}

main().then((code) => (process.exitCode = code));

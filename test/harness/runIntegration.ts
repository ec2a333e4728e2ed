// Runs the integration tests (test/integration) inside a real VS Code extension host:
// code-server with the smoke-test driver, and headless Chromium opening the workbench with a
// `payload` that names the extension under development and the tests entry. Mocha's output
// comes back through `codeAutomationLog`, the result through `codeAutomationExit`.
//
//   node out/test/harness/runIntegration.js [--vscode=1.90|1.139] [run name ...]
//
// Each entry of `integrationRuns` is one VS Code window on a fresh temp copy of a fixture;
// add an entry for a new workspace shape or a new setting (for example Workspace Trust).
// Every run runs on every VS Code release of paths.ts's `codeServerInstalls` (newest first),
// or on the one `--vscode=` names; each block checks that the extension host reports the
// version that release carries.
import * as fs from 'fs';
import * as path from 'path';
import { format } from 'util';
import { TestBrowser } from './browser';
import { CodeServer } from './codeServer';
import { copyFixture } from './fixtures';
import { artifactsDir, CodeServerInstall, codeServerInstalls, findCodeServerInstall, repoRoot, vscodeVersionOf } from './paths';

export interface IntegrationRun {
  name: string;
  /** Folder under test/fixtures copied to a temp folder for this run. */
  fixture: string;
  /** What the window opens inside that copy: '.' for the folder itself, or a `.code-workspace` file. */
  open: string;
  /** Test files of this run, relative to out/test/integration (see test/integration/index.ts). */
  tests: string;
  /** Extra user settings for this window. */
  userSettings?: Record<string, unknown>;
  /** Turn Workspace Trust back on (Restricted Mode tests). */
  workspaceTrust?: boolean;
}

export const integrationRuns: IntegrationRun[] = [
  { name: 'single-folder', fixture: 'workspace', open: '.', tests: '*.test.js' },
  { name: 'multi-root', fixture: 'multi-root', open: 'flow-history.code-workspace', tests: 'multiRoot/**/*.test.js' },
  // Workspace Trust on and the folder not trusted: Restricted Mode.
  { name: 'restricted', fixture: 'restricted', open: '.', tests: 'restricted/**/*.test.js', workspaceTrust: true },
];

export interface ExtensionTestOptions {
  /** The code-server release to run on; the newest by default. */
  install?: CodeServerInstall;
  /** Folder (or `.code-workspace` file) to open; none opens an empty window. */
  workspace?: string;
  extensionDevelopmentPath: string;
  /** Folder holding the compiled tests entry (index.js exporting run()). */
  extensionTestsPath: string;
  /** Environment of the extension host (the payload's extensionEnvironment). */
  extensionEnvironment?: Record<string, string>;
  userSettings?: Record<string, unknown>;
  workspaceTrust?: boolean;
  /** Run with every other non-built-in extension disabled (`--disable-extensions`). */
  disableExtensions?: boolean;
  /** Whole window: start, load, all tests. */
  timeoutMs?: number;
  /** Prefix for forwarded output lines, to tell runs apart. */
  label?: string;
  /**
   * Where the window's full console and VS Code's own logs (window, extension host) are
   * written; the terminal only shows the test output.
   */
  logDir?: string;
}

export interface ExtensionTestResult {
  /** 0 when run() resolved; 1 when it rejected, the module failed to load or time ran out. */
  exitCode: number;
  passed: number;
  failed: number;
  timedOut: boolean;
  /** The version the tests entry printed (`VS Code <version> (...)`), once it started. */
  vscodeVersion?: string;
}

const COUNT_LINE = /^(\d+) passed, (\d+) failed$/;
/** First line test/integration/index.ts prints; what comes before it is workbench start-up. */
const BANNER = /^VS Code (\d+\.\d+\S*)/;
/**
 * Workbench messages that carry no information about the tests on an offline machine
 * (docs/TESTING.md, "Harmless noise"). They still go to the log file.
 */
const NOISE = [/ENOTFOUND open-vsx\.org/, /authentication provider 'github'/, /\[AccountPolicyGate\]/, /vsda/, /^Canceled/];
const DEFAULT_TIMEOUT_MS = Number(process.env.FLOW_HISTORY_INTEGRATION_TIMEOUT_MS ?? 300_000);

/** Opens one VS Code window that runs the extension tests, and reports how they went. */
export async function runExtensionTests(options: ExtensionTestOptions): Promise<ExtensionTestResult> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const label = options.label ? `[${options.label}] ` : '';
  const result: ExtensionTestResult = { exitCode: 1, passed: 0, failed: 0, timedOut: false };
  let server: CodeServer | undefined;
  let browser: TestBrowser | undefined;
  let timer: NodeJS.Timeout | undefined;
  const fullLog: string[] = [];
  let vscodeLogs: Array<{ relativePath: string; contents: string }> = [];
  let testsStarted = false;
  try {
    server = await CodeServer.start({
      install: options.install,
      // The extension host inherits the server's environment on every release; the payload's
      // extensionEnvironment (below) does not reach it on VS Code 1.90.
      env: options.extensionEnvironment,
      smokeTestDriver: true,
      userSettings: options.userSettings,
      workspaceTrust: options.workspaceTrust,
    });
    browser = await TestBrowser.launch();
    // The clipboard as a desktop VS Code has it: VS Code 1.90's web workbench reads
    // vscode.env.clipboard only through navigator.clipboard, which Chromium refuses to a
    // page without the permission (1.139 also keeps the last text it wrote).
    const context = await browser.browser.newContext({ permissions: ['clipboard-read', 'clipboard-write'] });
    const page = await context.newPage();

    let finish: (code: number) => void = () => undefined;
    const exited = new Promise<number>((resolve) => (finish = resolve));
    // Both functions must exist before the workbench loads: it looks for them at startup.
    // Every console message of the window arrives here, the workbench's own as well as the
    // extension host's (console.log arguments, the format string first).
    await page.exposeFunction('codeAutomationLog', (level: string, message: unknown) => {
      const text = Array.isArray(message) ? format(...(message as unknown[])) : String(message);
      fullLog.push(`${level}: ${text}`);
      const lines = text.split(/\r?\n/);
      if (!testsStarted) {
        const banner = lines.map((line) => BANNER.exec(line)).find(Boolean);
        if (banner) {
          testsStarted = true;
          result.vscodeVersion = banner[1];
        }
      }
      // A noisy message is skipped whole, with its stack trace.
      if (!testsStarted || NOISE.some((pattern) => pattern.test(lines[0]))) return;
      for (const line of lines) {
        const count = COUNT_LINE.exec(line.trim());
        if (count) {
          result.passed = Number(count[1]);
          result.failed = Number(count[2]);
        }
        process.stdout.write(`${label}${line}\n`);
      }
    });
    await page.exposeFunction('codeAutomationExit', (code: number, logs?: Array<{ relativePath: string; contents: string }>) => {
      vscodeLogs = logs ?? [];
      finish(code);
    });

    const target = options.workspace?.endsWith('.code-workspace')
      ? { workspace: options.workspace }
      : { folder: options.workspace };
    const payload: Array<[string, string]> = [
      ['extensionDevelopmentPath', server.remoteUri(options.extensionDevelopmentPath)],
      ['extensionTestsPath', server.remoteUri(options.extensionTestsPath)],
      ['skipWelcome', 'true'],
      ...(options.disableExtensions ? [['disableExtensions', 'true'] as [string, string]] : []),
      ['extensionEnvironment', JSON.stringify(options.extensionEnvironment ?? {})],
    ];
    const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
    await page.goto(server.workbenchUrl({ ...target, payload }), { timeout: timeoutMs });
    const outcome = await Promise.race([exited, timedOut]);
    if (outcome === 'timeout') {
      result.timedOut = true;
      console.error(`${label}Timed out after ${timeoutMs} ms waiting for the extension tests to finish.`);
      console.error(`${label}code-server output:\n${server.recentOutput()}`);
    } else {
      result.exitCode = outcome;
    }
  } catch (error) {
    console.error(`${label}${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  } finally {
    clearTimeout(timer);
    if (server) fullLog.push('--- code-server output (last lines)', server.recentOutput(200));
    await browser?.close();
    await server?.stop();
  }
  if (result.exitCode !== 0 && !testsStarted) {
    // The tests entry never printed its banner (load error, activation crash): the reason
    // is in the window's console, which was held back so far.
    console.error(`${label}The tests did not start. Last window console messages:`);
    console.error(fullLog.slice(-30).map((line) => `${label}${line}`).join('\n'));
  }
  if (options.logDir) {
    writeLogs(options.logDir, fullLog, vscodeLogs);
    if (result.exitCode !== 0) console.error(`${label}Full window console and VS Code logs: ${options.logDir}`);
  }
  // A window that failed before counting anything (module load error, crash, timeout)
  // still has to show up as a failure in the totals.
  if (result.exitCode !== 0 && result.failed === 0) result.failed = 1;
  return result;
}

function writeLogs(dir: string, consoleLines: string[], vscodeLogs: Array<{ relativePath: string; contents: string }>): void {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'window-console.log'), consoleLines.join('\n') + '\n');
  for (const log of vscodeLogs) {
    // relativePath comes from the page: keep it inside dir.
    const target = path.join(dir, 'vscode-logs', path.normalize(log.relativePath).replace(/^(\.\.[/\\])+/, ''));
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, log.contents);
  }
}

export interface IntegrationSuiteOptions {
  /** Run names (all when empty). */
  names?: string[];
  /** VS Code releases (`1.90`, `1.139`); all of codeServerInstalls when empty. */
  vscode?: string[];
}

/**
 * Runs the named runs (all when none named) on each selected VS Code release; prints
 * per-run, per-release and total counts.
 */
export async function runIntegrationSuite(options: IntegrationSuiteOptions = {}): Promise<{ passed: number; failed: number }> {
  const names = options.names ?? [];
  const unknown = names.filter((name) => !integrationRuns.some((run) => run.name === name));
  if (unknown.length > 0) throw new Error(`Unknown integration run(s): ${unknown.join(', ')}`);
  const installs = options.vscode?.length ? options.vscode.map(findCodeServerInstall) : [...codeServerInstalls];
  const selected = integrationRuns.filter((run) => names.length === 0 || names.includes(run.name));
  const extensionTestsPath = path.join(repoRoot, 'out', 'test', 'integration');
  if (!fs.existsSync(path.join(extensionTestsPath, 'index.js'))) {
    throw new Error(`${extensionTestsPath}/index.js is missing: run 'npm run compile-tests' first.`);
  }
  let passed = 0;
  let failed = 0;
  for (const install of installs) {
    const expected = vscodeVersionOf(install);
    const release = `VS Code ${expected ?? `${install.vscode} (version unknown)`} (code-server ${install.codeServerVersion})`;
    let releasePassed = 0;
    let releaseFailed = 0;
    for (const run of selected) {
      const started = Date.now();
      console.log(`\n=== integration run '${run.name}' on ${release} (${run.fixture}/${run.open}, ${run.tests})`);
      const copy = copyFixture(run.fixture);
      try {
        const result = await runExtensionTests({
          install,
          workspace: run.open === '.' ? copy.root : path.join(copy.root, run.open),
          extensionDevelopmentPath: repoRoot,
          extensionTestsPath,
          // FLOW_HISTORY_TEST_GLOB set by the caller narrows a run to some files (targeted runs).
          extensionEnvironment: { FLOW_HISTORY_TEST_GLOB: process.env.FLOW_HISTORY_TEST_GLOB ?? run.tests },
          userSettings: run.userSettings,
          workspaceTrust: run.workspaceTrust,
          label: `${install.vscode} ${run.name}`,
          logDir: path.join(artifactsDir, 'integration', `vscode-${install.vscode}`, run.name),
        });
        // The matrix is only worth something if each block really ran on the release it names.
        if (result.vscodeVersion !== undefined && result.vscodeVersion !== expected) {
          console.error(`[${install.vscode} ${run.name}] The extension host reports VS Code ${result.vscodeVersion}, expected ${expected ?? 'a readable product.json'}.`);
          result.failed++;
        }
        releasePassed += result.passed;
        releaseFailed += result.failed;
        const seconds = ((Date.now() - started) / 1000).toFixed(1);
        const ranOn = result.vscodeVersion ? `VS Code ${result.vscodeVersion}` : 'tests did not start';
        console.log(`=== ${run.name} on ${ranOn}: ${result.passed} passed, ${result.failed} failed (exit ${result.exitCode}, ${seconds} s)`);
      } finally {
        copy.dispose();
      }
    }
    if (installs.length > 1) console.log(`\n=== ${release}: ${releasePassed} passed, ${releaseFailed} failed`);
    passed += releasePassed;
    failed += releaseFailed;
  }
  return { passed, failed };
}

/** `[--vscode=1.90[,1.139]] [run name ...]` (also `--vscode 1.90`). */
export function parseIntegrationArgs(args: string[]): IntegrationSuiteOptions {
  const names: string[] = [];
  const vscode: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--vscode') {
      const value = args[++i];
      if (value === undefined) throw new Error('--vscode needs a version, e.g. --vscode=1.90');
      vscode.push(...value.split(','));
    } else if (arg.startsWith('--vscode=')) {
      vscode.push(...arg.slice('--vscode='.length).split(','));
    } else if (arg.startsWith('-')) {
      throw new Error(`Unknown option ${arg} (known: --vscode=<version>)`);
    } else {
      names.push(arg);
    }
  }
  return { names, vscode: vscode.filter(Boolean) };
}

if (require.main === module) {
  Promise.resolve()
    .then(() => runIntegrationSuite(parseIntegrationArgs(process.argv.slice(2))))
    .then(({ passed, failed }) => {
      console.log(`integration: ${passed} passed, ${failed} failed`);
      process.exitCode = failed > 0 ? 1 : 0;
    })
    .catch((error: unknown) => {
      console.error(error);
      console.log('integration: 0 passed, 1 failed');
      process.exitCode = 1;
    });
}

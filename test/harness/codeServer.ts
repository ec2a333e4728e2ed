// Starts a real VS Code (code-server 4.139.1 = VS Code 1.139.1 by default, or another release
// of paths.ts's codeServerInstalls, such as 4.90.3 = VS Code 1.90.2) for tests and demos, fully
// isolated from the user's own VS Code: its own HOME, config, user data, extensions and a
// port picked at run time. It runs detached in its own process group, so stopping it kills
// the extension host and pty host with it.
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { assertTestEnvInstalled, CodeServerInstall, newestCodeServer } from './paths';

/**
 * User settings that remove every first-run dialog, tour and extra panel, so a test sees
 * the same workbench every time (docs/TESTING.md).
 */
export const quietUserSettings: Readonly<Record<string, unknown>> = {
  'workbench.startupEditor': 'none',
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'security.workspace.trust.enabled': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoUpdate': false,
  'extensions.autoCheckUpdates': false,
  'extensions.ignoreRecommendations': true,
  'chat.disableAIFeatures': true,
  'git.enabled': false,
  'git.openRepositoryInParentFolders': 'never',
  'window.restoreWindows': 'none',
  'editor.accessibilitySupport': 'off',
  'accessibility.signalOptions.volume': 0,
  'files.hotExit': 'off',
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
};

export interface CodeServerOptions {
  /** Which code-server release (and its Node) to run; the newest by default. */
  install?: CodeServerInstall;
  /**
   * Lets the workbench honour the `payload` query parameter (extension tests inside the
   * extension host). Without it the built workbench silently ignores the payload.
   */
  smokeTestDriver?: boolean;
  /** Merged over {@link quietUserSettings}. */
  userSettings?: Record<string, unknown>;
  /**
   * Turns Workspace Trust back on (setting and command-line flag) for tests of Restricted
   * Mode behaviour.
   */
  workspaceTrust?: boolean;
  /** .vsix files installed into this server's own extensions folder before it starts. */
  installExtensions?: string[];
  /** More code-server / VS Code command-line arguments (e.g. `--disable-extensions`). */
  extraArgs?: string[];
  /** Extra environment for the server, inherited by its extension host. */
  env?: Record<string, string>;
  /** Called with every output line of the server (for verbose runs and demos). */
  onOutput?: (line: string) => void;
  /** How long to wait for `HTTP server listening`; generous because CI machines are slow. */
  startTimeoutMs?: number;
  /**
   * Kill the server and exit on SIGINT/SIGTERM/SIGHUP (default). A caller with its own
   * graceful shutdown (the demo) turns this off and calls stop() itself; the server is
   * still killed if the process exits without stopping it.
   */
  handleSignals?: boolean;
}

export interface WorkbenchTarget {
  /** Absolute folder to open. */
  folder?: string;
  /** Absolute `.code-workspace` file to open (multi-root). */
  workspace?: string;
  /** Smoke-test driver payload: `[name, value]` pairs. */
  payload?: Array<[string, string]>;
}

const READY_LINE = 'HTTP server listening';
const KEPT_OUTPUT_LINES = 400;

/** Every running server, so an unexpected exit of the test process still kills them. */
const running = new Set<CodeServer>();
let exitHookInstalled = false;
let signalHooksInstalled = false;

export class CodeServer {
  private readonly output: string[] = [];
  private exited: Promise<void>;

  private constructor(
    private readonly child: ChildProcess,
    /** The port code-server listens on, 127.0.0.1 only. */
    readonly port: number,
    /** Temp folder holding HOME, config, user data and extensions; removed by stop(). */
    readonly runDir: string,
    private readonly onOutput: ((line: string) => void) | undefined,
  ) {
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    // A chunk may end mid-line (even mid "HTTP server listening"): keep the rest for the next one.
    const collector = () => {
      let pending = '';
      return (chunk: Buffer) => {
        const lines = (pending + chunk.toString('utf8')).split(/\r?\n/);
        pending = lines.pop() ?? '';
        for (const line of lines) {
          if (!line) continue;
          this.output.push(line);
          if (this.output.length > KEPT_OUTPUT_LINES) this.output.shift();
          this.onOutput?.(line);
        }
      };
    };
    child.stdout?.on('data', collector());
    child.stderr?.on('data', collector());
  }

  /** Starts an isolated code-server and resolves when it accepts HTTP connections. */
  static async start(options: CodeServerOptions = {}): Promise<CodeServer> {
    const install = options.install ?? newestCodeServer;
    assertTestEnvInstalled(install);
    installExitHooks(options.handleSignals ?? true);
    const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'flow-history-cs-'));
    try {
      const layout = prepareRunDir(runDir, install, options);
      for (const vsix of options.installExtensions ?? []) {
        await installExtension(layout, vsix, options.env);
      }
      // Another process can take the port between our probe and code-server's bind; that
      // shows up as EADDRINUSE, and a fresh port on the next attempt avoids it.
      for (let attempt = 1; ; attempt++) {
        const port = await findFreePort();
        const server = CodeServer.spawnOn(port, runDir, layout, options);
        try {
          await server.waitUntilListening(options.startTimeoutMs ?? 60_000);
          return server;
        } catch (error) {
          const addressInUse = server.output.some((line) => line.includes('EADDRINUSE'));
          await server.kill();
          if (!addressInUse || attempt >= 3) throw error;
        }
      }
    } catch (error) {
      fs.rmSync(runDir, { recursive: true, force: true, maxRetries: 3 });
      throw error;
    }
  }

  private static spawnOn(port: number, runDir: string, layout: RunLayout, options: CodeServerOptions): CodeServer {
    const smokeShim = options.smokeTestDriver && layout.install.smokeTestDriver === 'entry-shim';
    const args = [
      ...(smokeShim ? [path.join(__dirname, 'smokeTestDriverEntry.js')] : []),
      layout.install.entry,
      ...layout.commonArgs,
      '--auth', 'none',
      '--bind-addr', `127.0.0.1:${port}`,
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-getting-started-override',
      '--ignore-last-opened',
    ];
    if (!options.workspaceTrust) args.push('--disable-workspace-trust');
    if (smokeShim) args.push('--enable-smoke-test-driver');
    else if (options.smokeTestDriver) args.push('--vscode-option', 'enable-smoke-test-driver');
    args.push(...(options.extraArgs ?? []));
    const child = spawn(layout.install.node, args, {
      cwd: runDir,
      env: serverEnv(layout, options.env),
      // Own process group: stop() kills code-server, its extension host and pty host at once.
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const server = new CodeServer(child, port, runDir, options.onOutput);
    running.add(server);
    return server;
  }

  /** Base URL of the workbench, without a trailing slash. */
  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** The id of code-server's process group (its own pid). */
  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Extensions folder of this server (where an installed .vsix lands). */
  get extensionsDir(): string {
    return path.join(this.runDir, 'ext');
  }

  /** A path on the server's machine as the workbench addresses it (`vscode-remote://`). */
  remoteUri(absolutePath: string): string {
    const encoded = absolutePath.split(path.sep).map(encodeURIComponent).join('/');
    return `vscode-remote://127.0.0.1:${this.port}${encoded}`;
  }

  /** URL that opens the workbench on a folder or workspace, optionally with a test payload. */
  workbenchUrl(target: WorkbenchTarget = {}): string {
    const query: string[] = [];
    if (target.folder) query.push(`folder=${encodeURIComponent(target.folder)}`);
    if (target.workspace) query.push(`workspace=${encodeURIComponent(target.workspace)}`);
    if (!target.folder && !target.workspace) query.push('ew=true');
    if (target.payload) query.push(`payload=${encodeURIComponent(JSON.stringify(target.payload))}`);
    return `${this.url}/?${query.join('&')}`;
  }

  /** The last lines code-server printed, for error messages. */
  recentOutput(lines = 60): string {
    return this.output.slice(-lines).join('\n');
  }

  /** Kills the server's process group and removes its temp folder. Safe to call twice. */
  async stop(): Promise<void> {
    await this.kill();
    fs.rmSync(this.runDir, { recursive: true, force: true, maxRetries: 3 });
  }

  private async kill(): Promise<void> {
    running.delete(this);
    const pid = this.child.pid;
    if (pid === undefined) return;
    if (this.child.exitCode === null && this.child.signalCode === null) {
      signalGroup(pid, 'SIGTERM');
      const stopped = await Promise.race([this.exited.then(() => true), delay(5_000).then(() => false)]);
      if (!stopped) signalGroup(pid, 'SIGKILL');
    }
    // The leader may be gone while its extension host lingers in the group: finish it too.
    signalGroup(pid, 'SIGKILL');
    await Promise.race([this.exited, delay(5_000)]);
  }

  private waitUntilListening(timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (this.output.some((line) => line.includes(READY_LINE))) done();
      };
      const onExit = (code: number | null) =>
        done(new Error(`code-server exited (${code}) before listening:\n${this.recentOutput()}`));
      const timer = setTimeout(
        () => done(new Error(`code-server did not print '${READY_LINE}' within ${timeoutMs} ms:\n${this.recentOutput()}`)),
        timeoutMs,
      );
      const done = (error?: Error) => {
        clearTimeout(timer);
        this.child.stdout?.off('data', check);
        this.child.stderr?.off('data', check);
        this.child.off('exit', onExit);
        if (error) reject(error);
        else resolve();
      };
      // Listeners added after the collecting ones, so the line is already in `output`.
      this.child.stdout?.on('data', check);
      this.child.stderr?.on('data', check);
      this.child.once('exit', onExit);
      check();
    });
  }

  /** Synchronous last resort used from process exit and signal hooks. */
  killNow(): void {
    running.delete(this);
    if (this.child.pid !== undefined) signalGroup(this.child.pid, 'SIGKILL');
    fs.rmSync(this.runDir, { recursive: true, force: true });
  }
}

interface RunLayout {
  install: CodeServerInstall;
  home: string;
  tmp: string;
  /** Arguments shared by the server and the `--install-extension` call. */
  commonArgs: string[];
}

function prepareRunDir(runDir: string, install: CodeServerInstall, options: CodeServerOptions): RunLayout {
  const home = path.join(runDir, 'home');
  const tmp = path.join(runDir, 'tmp');
  const userDataDir = path.join(runDir, 'ud');
  const extensionsDir = path.join(runDir, 'ext');
  const config = path.join(runDir, 'config.yaml');
  for (const dir of [home, tmp, path.join(userDataDir, 'User'), extensionsDir]) fs.mkdirSync(dir, { recursive: true });
  // Without --config code-server writes ~/.config/code-server/config.yaml with a password.
  fs.writeFileSync(config, 'auth: none\ncert: false\n');
  const settings: Record<string, unknown> = { ...quietUserSettings, ...options.userSettings };
  if (options.workspaceTrust) settings['security.workspace.trust.enabled'] = true;
  fs.writeFileSync(path.join(userDataDir, 'User', 'settings.json'), JSON.stringify(settings, null, 2));
  return {
    install,
    home,
    tmp,
    commonArgs: ['--config', config, '--user-data-dir', userDataDir, '--extensions-dir', extensionsDir],
  };
}

/**
 * Extensions folders holding one .vsix as code-server installed it, by code-server and .vsix
 * (path, size, time): a later window of this process gets a copy (milliseconds) instead of
 * another `--install-extension` (a few seconds of a core each, for each window the e2e suite opens).
 */
const installedTemplates = new Map<string, string>();

async function installExtension(layout: RunLayout, vsix: string, env: Record<string, string> | undefined): Promise<void> {
  if (!fs.existsSync(vsix)) throw new Error(`Cannot install ${vsix}: file not found (run 'npm run package').`);
  const stat = fs.statSync(vsix);
  const key = JSON.stringify([layout.install.entry, path.resolve(vsix), stat.size, stat.mtimeMs]);
  const extensionsDir = layout.commonArgs[layout.commonArgs.indexOf('--extensions-dir') + 1];
  const template = installedTemplates.get(key);
  if (template && fs.existsSync(template)) {
    copyExtensionsDir(template, extensionsDir);
    return;
  }
  await runInstallExtension(layout, vsix, env);
  const kept = fs.mkdtempSync(path.join(os.tmpdir(), 'flow-history-ext-'));
  copyExtensionsDir(extensionsDir, kept);
  installedTemplates.set(key, kept);
  process.once('exit', () => fs.rmSync(kept, { recursive: true, force: true }));
}

/** Copies an extensions folder; its extensions.json's absolute locations then name the copy. */
function copyExtensionsDir(from: string, to: string): void {
  fs.cpSync(from, to, { recursive: true });
  const list = path.join(to, 'extensions.json');
  if (fs.existsSync(list)) fs.writeFileSync(list, fs.readFileSync(list, 'utf8').split(from).join(to));
}

async function runInstallExtension(layout: RunLayout, vsix: string, env: Record<string, string> | undefined): Promise<void> {
  const child = spawn(layout.install.node, [layout.install.entry, ...layout.commonArgs, '--install-extension', vsix, '--force'], {
    env: serverEnv(layout, env),
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const code = await Promise.race([
    new Promise<number | null>((resolve) => child.once('exit', resolve)),
    delay(120_000).then(() => 'timeout' as const),
  ]);
  if (child.pid !== undefined) signalGroup(child.pid, 'SIGKILL');
  if (code !== 0) throw new Error(`Installing ${vsix} failed (${code}):\n${output}`);
}

function serverEnv(layout: RunLayout, extra: Record<string, string> | undefined): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HOME: layout.home,
    // code-server keeps state under the XDG folders; keep them inside the run folder too.
    XDG_CONFIG_HOME: path.join(layout.home, '.config'),
    XDG_DATA_HOME: path.join(layout.home, '.local', 'share'),
    XDG_CACHE_HOME: path.join(layout.home, '.cache'),
    // IPC sockets (vscode-ipc-*.sock) and the TypeScript server's files go to the temp
    // folder; this one is removed with the run.
    TMPDIR: layout.tmp,
    ...extra,
  };
  // Set inside a VS Code / code-server terminal: code-server would then hand the request to
  // that outer instance instead of starting its own.
  delete env.VSCODE_IPC_HOOK_CLI;
  delete env.ELECTRON_RUN_AS_NODE;
  return env;
}

/** Asks the OS for a free port on 127.0.0.1 by binding port 0. */
export function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.unref();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** Sends a signal to a whole process group; a group that is already gone is fine. */
export function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

/**
 * A crashed or interrupted test process must not leave servers behind: kill every group
 * still running on exit, and turn SIGINT/SIGTERM into an orderly exit that runs this hook.
 */
function installExitHooks(handleSignals: boolean): void {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => {
      for (const server of [...running]) server.killNow();
    });
  }
  if (handleSignals && !signalHooksInstalled) {
    signalHooksInstalled = true;
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
      process.once(signal, () => process.exit(signal === 'SIGINT' ? 130 : 143));
    }
  }
}

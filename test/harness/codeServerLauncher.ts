// Translates the command line that @vscode/test-electron builds for a desktop VS Code into
// one code-server + Chromium window (runExtensionTests), and exits with its code. Called
// through code-server-launcher.sh, the `vscodeExecutablePath` of runWithTestElectron.ts.
//
// Understood: --extensionDevelopmentPath=, --extensionTestsPath=, a workspace folder or
// .code-workspace file, --disable-extensions, --disable-workspace-trust. Desktop-only
// flags (--user-data-dir, --extensions-dir, --no-sandbox, ...) are ignored: every run gets
// its own isolated server. Environment variables named FLOW_HISTORY_* are passed on to the
// extension host, as a desktop VS Code would inherit them.
import * as path from 'path';
import { artifactsDir } from './paths';
import { runExtensionTests } from './runIntegration';

/** Desktop flags that take their value as the next argument when written without `=`. */
const FLAGS_WITH_VALUE = new Set(['--user-data-dir', '--extensions-dir', '--locale', '--log', '--profile']);

export interface LaunchRequest {
  extensionDevelopmentPath?: string;
  extensionTestsPath?: string;
  workspace?: string;
  disableExtensions: boolean;
  workspaceTrust: boolean;
  ignored: string[];
}

export function parseLaunchArgs(args: string[]): LaunchRequest {
  const request: LaunchRequest = { disableExtensions: false, workspaceTrust: true, ignored: [] };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const [flag, inlineValue] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = () => inlineValue ?? args[++i];
    if (flag === '--extensionDevelopmentPath') {
      const devPath = value();
      // code-server's payload takes one development path; the first one is the extension under test.
      if (request.extensionDevelopmentPath) request.ignored.push(`${flag}=${devPath}`);
      else request.extensionDevelopmentPath = devPath;
    } else if (flag === '--extensionTestsPath') {
      request.extensionTestsPath = value();
    } else if (flag === '--disable-extensions') {
      request.disableExtensions = true;
    } else if (flag === '--disable-workspace-trust') {
      request.workspaceTrust = false;
    } else if (!arg.startsWith('-')) {
      request.workspace = path.resolve(arg);
    } else {
      request.ignored.push(FLAGS_WITH_VALUE.has(flag) && inlineValue === undefined ? `${arg} ${args[++i]}` : arg);
    }
  }
  return request;
}

async function main(): Promise<number> {
  const request = parseLaunchArgs(process.argv.slice(2));
  if (!request.extensionDevelopmentPath || !request.extensionTestsPath) {
    console.error('code-server launcher: --extensionDevelopmentPath and --extensionTestsPath are required.');
    return 2;
  }
  if (request.ignored.length > 0) console.log(`code-server launcher: ignoring ${request.ignored.join(' ')}`);
  const extensionEnvironment = Object.fromEntries(
    Object.entries(process.env).filter((entry): entry is [string, string] => entry[0].startsWith('FLOW_HISTORY_') && entry[1] !== undefined),
  );
  const result = await runExtensionTests({
    workspace: request.workspace,
    extensionDevelopmentPath: path.resolve(request.extensionDevelopmentPath),
    // VS Code accepts the entry module or its folder; the payload wants the folder.
    extensionTestsPath: path.resolve(request.extensionTestsPath).replace(/[/\\]index\.js$/, ''),
    extensionEnvironment,
    disableExtensions: request.disableExtensions,
    workspaceTrust: request.workspaceTrust,
    logDir: path.join(artifactsDir, 'integration', 'test-electron'),
  });
  return result.exitCode !== 0 || result.failed > 0 ? 1 : 0;
}

if (require.main === module) {
  main().then(
    (code) => (process.exitCode = code),
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}

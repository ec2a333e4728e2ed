/**
 * Node History and Plot Across Runs over 500 runs of about 1 MB each (issue 13's last speed
 * goal): the CLI's sample store, then a code-server window whose extension host runs
 * ./historyHost, which times each load there (command to the message posted to the page)
 * against reading the 500 files raw in the same extension host, and watches its event loop.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { runExtensionTests } from '../harness/runIntegration';
import { ScenarioResult } from './stats';

const COUNT = Number(process.env.BENCH_HISTORY_RUNS ?? 500);
const PAYLOAD_KB = 1024;

export async function runHistoryScenarios(cli: string, root: string): Promise<ScenarioResult[]> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'flow-history-bench-history-'));
  // BENCH_HISTORY_WORKSPACE: a workspace whose store a run of this scenario made (its
  // generation takes minutes), kept there and used again.
  const kept = process.env.BENCH_HISTORY_WORKSPACE;
  const workspace = kept ? path.resolve(kept) : path.join(work, 'workspace');
  try {
    const dir = path.join(workspace, '.a3s', 'flow', 'executions');
    const started = Date.now();
    const present = fs.existsSync(dir) ? fs.readdirSync(dir).filter((name) => name.endsWith('.json')).length : 0;
    if (!kept || present !== COUNT) {
      fs.rmSync(dir, { recursive: true, force: true });
      execFileSync(process.execPath, [cli, '--dir', dir, 'sample', '--no-fsync', '--count', String(COUNT), '--payload-kb', String(PAYLOAD_KB), '--seed', '13'], { stdio: 'inherit' });
    }
    const bytes = fs.readdirSync(dir).reduce((sum, name) => sum + fs.statSync(path.join(dir, name)).size, 0);
    console.log(`${present === COUNT && kept ? 'Kept' : 'Generated'} ${COUNT} runs, ${(bytes / 2 ** 20).toFixed(0)} MB, in ${((Date.now() - started) / 1000).toFixed(0)} s`);
    const out = path.join(work, 'history.json');
    const host = await runExtensionTests({
      workspace,
      extensionDevelopmentPath: root,
      extensionTestsPath: path.join(root, 'out', 'test', 'bench', 'historyHost'),
      extensionEnvironment: { BENCH_OUT: out },
      // Node History shows a page of this many runs; the plot's default is 500 already.
      // code-server's port finder off, as for the main table (its exec of `ls -l /proc/*/fd`
      // every few seconds blocks the host, VS Code's doing, not ours); BENCH_PORT_FINDER=1 keeps it.
      userSettings: {
        'a3sFlow.history.pageSize': COUNT,
        'a3sFlow.history.plotRuns': COUNT,
        ...(process.env.BENCH_PORT_FINDER ? {} : { 'remote.autoForwardPorts': false, 'remote.autoForwardPortsSource': 'output' }),
      },
      timeoutMs: 20 * 60_000,
      label: 'bench history',
    });
    if (host.exitCode !== 0 || !fs.existsSync(out)) throw new Error('The Node History scenarios failed (see the output above).');
    return (JSON.parse(fs.readFileSync(out, 'utf8')) as { results: ScenarioResult[] }).results;
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

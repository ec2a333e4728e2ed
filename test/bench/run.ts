/**
 * `npm run bench`: generates the stores with the CLI's `sample`, runs each scenario several
 * times after a warm-up, and prints one table (ours, the raw baseline measured in the same
 * run, ratio, goal, PASS/FAIL) plus peak memory; saves it as bench/results.md.
 * Scenarios that need the real UI run in code-server (see ./host).
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { exportStoredRun } from '../../src/core/exportText';
import { FolderExecutionStore } from '../../src/core/folderStore';
import { writeExportFile } from '../../src/node/exportFile';
import { NodeFolderPort } from '../../src/node/nodeFolderPort';
import { RunListingWorker } from '../../src/node/runListingWorker';
import { runExtensionTests } from '../harness/runIntegration';
import { median, passes, ScenarioResult, timeInterleaved } from './stats';
import { runHistoryScenarios } from './history';
import { runMemoryScenarios } from './memory';
import { runWideScenarios } from './wide';
import { runDatabaseScenarios } from './database';

const root = path.resolve(__dirname, '../../..');
const cli = path.join(root, 'dist', 'cli.js');
const RUNS = 5;
const EXPORT_RUNS = 9;
const COUNT = Number(process.env.BENCH_RUNS ?? 100_000);
const BIG_KB = Number(process.env.BENCH_BIG_KB ?? 50 * 1024);

function sample(dir: string, args: string[]): void {
  execFileSync(process.execPath, [cli, '--dir', dir, 'sample', '--no-fsync', ...args], { stdio: 'inherit' });
}

/** The packaged .vsix the wide-run scenario installs into code-server. */
function packageExtension(): void {
  execFileSync(process.platform === 'win32' ? 'npm.cmd' : 'npm', ['run', 'package'], { cwd: root, stdio: 'inherit' });
}

/**
 * Scenarios on the packaged extension in code-server and Chromium (and the PostgreSQL store at
 * 1,000,000 runs, issue 12), each kept as its own section of bench/results.md;
 * `BENCH_ONLY=wide`, `BENCH_ONLY=memory`, `BENCH_ONLY=database` or `BENCH_ONLY=history` runs
 * one of them alone, `BENCH_ONLY=main` the main table alone.
 */
const SECTIONS = {
  memory: { title: '## Big runs and memory (`BENCH_ONLY=memory npm run bench`)', run: () => runMemoryScenarios(cli, BIG_KB) },
  wide: { title: '## Wide runs (`BENCH_ONLY=wide npm run bench`)', run: () => runWideScenarios(cli) },
  database: {
    title: '## Team history on PostgreSQL, 1,000,000 runs (`BENCH_ONLY=database npm run bench`)',
    run: () => runDatabaseScenarios(cli, root),
    about: "The extension's production build in code-server's extension host, a private PostgreSQL 15 (fsync=off) reached through the bench's counting TCP proxy; each row says what it is.",
  },
  history: { title: '## Node History and plot over big runs (`BENCH_ONLY=history npm run bench`)', run: () => runHistoryScenarios(cli, root) },
} as const;
type SectionName = keyof typeof SECTIONS;

/** Runs a section's scenarios and writes its table into bench/results.md in its place. */
async function runSection(name: SectionName): Promise<void> {
  const section = SECTIONS[name];
  const started = Date.now();
  const results = await section.run();
  console.log(`The ${name} scenarios took ${((Date.now() - started) / 1000).toFixed(0)} s`);
  const table = renderTable(results, {}, section.title, 'about' in section ? section.about : undefined);
  console.log(`\n${table}`);
  const file = path.join(root, 'bench', 'results.md');
  const previous = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  // The main table, then the sections in a fixed order; this one replaced, the others kept.
  const parts = previous.split(/\n(?=## )/);
  const kept = new Map<SectionName, string>();
  for (const other of Object.keys(SECTIONS) as SectionName[]) {
    const part = parts.find((p) => p.startsWith(SECTIONS[other].title));
    if (part) kept.set(other, part.trimEnd());
  }
  kept.set(name, table.trimEnd());
  const head = parts.filter((p) => !p.startsWith('## ')).join('\n').trimEnd();
  const body = (Object.keys(SECTIONS) as SectionName[]).flatMap((n) => (kept.has(n) ? [kept.get(n)!] : []));
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${[head, ...body].filter(Boolean).join('\n\n')}\n`);
  console.log('Saved bench/results.md');
}

async function main(): Promise<void> {
  if (!fs.existsSync(cli)) throw new Error('dist/cli.js is missing: run npm run build first');
  // What the extension-host scenarios need (code-server, Chromium): installed once, then found.
  execFileSync('bash', [path.join(root, 'scripts', 'install-test-env.sh'), '--newest-only'], { cwd: root, stdio: 'inherit' });
  packageExtension();
  const only = process.env.BENCH_ONLY;
  if (only && only !== 'main') {
    if (!(only in SECTIONS)) throw new Error(`BENCH_ONLY=${only}: one of main, ${Object.keys(SECTIONS).join(', ')}`);
    return runSection(only as SectionName);
  }
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'flow-history-bench-'));
  const dir = path.join(work, 'workspace', '.a3s', 'flow', 'executions');
  const bigDir = path.join(work, 'big');
  try {
    let started = Date.now();
    sample(dir, ['--count', String(COUNT), '--seed', '1', '--spacing-minutes', '1']);
    sample(bigDir, ['--count', '1', '--seed', '2', '--nodes', '8', '--payload-kb', String(BIG_KB)]);
    const [bigName] = fs.readdirSync(bigDir);
    const bigId = bigName.replace('.json', '');
    // The big run joins the store as an old run, so it is not on the tree's first screen.
    fs.renameSync(path.join(bigDir, bigName), path.join(dir, bigName));
    const old = new Date(Date.now() - 365 * 86_400_000);
    fs.utimesSync(path.join(dir, bigName), old, old);
    const bigBytes = fs.statSync(path.join(dir, bigName)).size;
    console.log(`Generated ${COUNT.toLocaleString('en-US')} runs and one ${(bigBytes / 2 ** 20).toFixed(1)} MB run in ${((Date.now() - started) / 1000).toFixed(1)} s`);

    const results: ScenarioResult[] = [];
    // List with saved times vs bare readdir + stat.
    // As the extension lists a local folder: in the listing worker, into a compact list.
    const listing = new RunListingWorker(path.join(root, 'dist', 'runListingThread.js'));
    const store = new FolderExecutionStore(new NodeFolderPort(dir, { listing }));
    // Against the fastest bare listing: synchronous readdir and stat (promises cost several
    // times more). Interleaved: this machine's speed drifts from minute to minute.
    const [ours, raw] = await timeInterleaved(RUNS, [
      () => store.listRuns(),
      async () => {
        for (const name of fs.readdirSync(dir)) fs.statSync(path.join(dir, name));
      },
    ]);
    listing.dispose();
    results.push({ scenario: `list with saved times (${COUNT.toLocaleString('en-US')} runs)`, ours: median(ours), baseline: median(raw), unit: 'ms', goal: { ratio: 1.5 } });

    // Export of the big result: what `flow-history export` and the Export command do (stored
    // bytes to the export file), against reading + writing the same bytes (a copy of the stored
    // file), and against the export's own I/O (read the stored file, write a file the size of
    // the export, which is pretty-printed and so bigger).
    const out = path.join(work, 'export.json');
    const bigPath = path.join(dir, bigName);
    const exportRun = async () => {
      const outcome = await store.readRun(bigId);
      if (outcome.kind !== 'bytes') throw new Error(`big run: ${outcome.kind}`);
      const exported = exportStoredRun(outcome.bytes);
      if (exported.via !== 'kernel') throw new Error(`big run exported via ${exported.via}`);
      await writeExportFile(out, exported);
      exported.release();
      return exported.byteLength;
    };
    const coldStart = performance.now();
    const exportBytes = await exportRun(); // the first export in this process: a fresh kernel
    const coldExport = performance.now() - coldStart;
    const sameSize = Buffer.alloc(exportBytes, 0x20);
    const [exportTimes, copyTimes, ioTimes] = await timeInterleaved(EXPORT_RUNS, [
      exportRun,
      async () => fs.promises.writeFile(out, await fs.promises.readFile(bigPath)),
      async () => {
        await fs.promises.readFile(bigPath);
        await fs.promises.writeFile(out, sameSize);
      },
    ]);
    const mb = (n: number) => `${(n / 2 ** 20).toFixed(0)} MB`;
    results.push({ scenario: `export of a ${mb(bigBytes)} result, vs copying the stored file`, ours: median(exportTimes), baseline: median(copyTimes), unit: 'ms', goal: { ratio: 2 } });
    results.push({
      scenario: `export of a ${mb(bigBytes)} result, vs its own I/O (read ${mb(bigBytes)}, write the ${mb(exportBytes)} export)`,
      ours: median(exportTimes),
      baseline: median(ioTimes),
      unit: 'ms',
      note: `the first export in a process, with a fresh kernel: ${coldExport.toFixed(0)} ms`,
    });

    // The extension-host and page scenarios, in code-server.
    started = Date.now();
    const benchOut = path.join(work, 'host.json');
    const host = await runExtensionTests({
      workspace: path.join(work, 'workspace'),
      extensionDevelopmentPath: root,
      extensionTestsPath: path.join(root, 'out', 'test', 'bench', 'host'),
      // BENCH_CPU_PROFILE=<file>: the extension host's CPU profile of the big-run loads, to find a block.
      extensionEnvironment: { BENCH_OUT: benchOut, BENCH_BIG_ID: bigId, ...(process.env.BENCH_CPU_PROFILE ? { BENCH_CPU_PROFILE: path.resolve(process.env.BENCH_CPU_PROFILE) } : {}) },
      // code-server's extension host looks for ports to forward every few seconds by running
      // `ls -l /proc/*/fd` (exec): its spawn blocked the host 150 ms in a profile of the loads.
      // That is VS Code's, not ours; the event-loop row measures ours.
      userSettings: process.env.BENCH_PORT_FINDER ? {} : { 'remote.autoForwardPorts': false, 'remote.autoForwardPortsSource': 'output' },
      timeoutMs: 20 * 60_000,
      label: 'bench',
    });
    if (host.exitCode !== 0 || !fs.existsSync(benchOut)) throw new Error('The extension-host scenarios failed (see the output above).');
    const hostResults = JSON.parse(fs.readFileSync(benchOut, 'utf8')) as { results: ScenarioResult[]; extra: Record<string, number> };
    results.push(...hostResults.results);
    console.log(`Extension-host scenarios took ${((Date.now() - started) / 1000).toFixed(0)} s`);

    const table = renderTable(results, hostResults.extra);
    console.log(`\n${table}`);
    fs.mkdirSync(path.join(root, 'bench'), { recursive: true });
    // The main table replaced; the sections already there are kept (BENCH_ONLY=main runs none).
    const file = path.join(root, 'bench', 'results.md');
    const sections = fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split(/\n(?=## )/).filter((part) => part.startsWith('## ')) : [];
    fs.writeFileSync(file, `${[table.trimEnd(), ...sections.map((part) => part.trimEnd())].join('\n\n')}\n`);
    console.log('Saved bench/results.md');
    // The packaged extension in code-server and Chromium: big runs and memory (issue 14),
    // wide runs (issue 16), each its own section.
    if (only !== 'main') for (const name of Object.keys(SECTIONS) as SectionName[]) await runSection(name);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

function renderTable(results: readonly ScenarioResult[], extra: Record<string, number>, title = '# Benchmark results', about = 'The packaged extension in code-server and Chromium; each row says what it is.'): string {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  const lines = [
    title,
    '',
    `Machine: ${os.cpus().length} × ${cpu}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, ${os.type()} ${os.release()}, Node ${process.version}; VS Code 1.139.1 (code-server) for the extension-host scenarios.`,
    title === '# Benchmark results'
      ? `Date: ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC. Medians of ${RUNS} runs after a warm-up (${EXPORT_RUNS} for export, interleaved with its baselines). Produced by \`npm run bench\`.`
      : `Date: ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC. ${about}`,
    '',
    '| Scenario | Ours | Raw baseline | Ratio | Goal | Result |',
    '| --- | ---: | ---: | ---: | --- | --- |',
  ];
  for (const r of results) {
    const fmt = (v: number) => (r.unit === 'ms' ? `${v.toFixed(0)} ms` : `${v.toFixed(r.unit === 'B/run' ? 1 : 0)} ${r.unit}`);
    const ratio = r.baseline ? `${(r.ours / r.baseline).toFixed(2)}×` : '–';
    const goal = !r.goal ? '(for reference)' : 'ratio' in r.goal ? `≤ ${r.goal.ratio}× baseline` : `≤ ${r.goal.max} ${r.unit}`;
    const result = !r.goal ? '–' : passes(r) ? 'PASS' : 'FAIL';
    lines.push(`| ${r.scenario}${r.note ? ` (${r.note})` : ''} | ${fmt(r.ours)} | ${r.baseline !== undefined ? fmt(r.baseline) : '–'} | ${ratio} | ${goal} | ${result} |`);
  }
  if (extra.heapBeforeMB === undefined) {
    lines.push('', `Machine load average when done: ${os.loadavg().map((l) => l.toFixed(1)).join(', ')}.`, '');
    return lines.join('\n');
  }
  lines.push('', `Peak memory: bench process ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB RSS; extension host heap ${extra.heapBeforeMB?.toFixed(0)} MiB before listing, ${extra.heapAfterMB?.toFixed(0)} MiB with the 100,000-run store listed.`, '');
  return lines.join('\n');
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});

/**
 * The Node History / Plot Across Runs bench, inside the extension host (see ../history.ts):
 * a store of 500 runs of about 1 MB. Each round opens a new panel (its RunCache is the
 * panel's own, so every run is read again) and times it from the command to the message
 * posted to the page, against reading the 500 files raw here with fs.promises.readFile at
 * the panels' concurrency; a 10 ms timer measures the longest event-loop block meanwhile
 * (the first, cold, round apart, as the main bench leaves its warm-up out).
 */
import * as fs from 'fs';
import * as path from 'path';
import { PerformanceObserver } from 'perf_hooks';
import { setFlagsFromString } from 'v8';
import { runInNewContext } from 'vm';
import * as vscode from 'vscode';
import type { FlowHistoryExports } from '../../../src/extension';
import type { NodeHistoryPanel } from '../../../src/panel/historyPanel';
import type { PlotPanel } from '../../../src/panel/plotPanel';
import { median, ScenarioResult } from '../stats';

/** Measured rounds, after a first (cold) one. */
const ROUNDS = 5;
/** Runs the panels read at once (CONCURRENCY in historyPanel.ts and plotPanel.ts). */
const CONCURRENCY = 4;
/** A node every sample run has (skipped in some, as the sample's guarded nodes are), with a number in its output. */
const NODE = 'classify';
const NODE_PATH = '$.outputs.classify.confidence';
/** A number every run has. */
const CONTEXT_PATH = '$.context.attempt';

function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

async function mapLimit<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: limit }, async () => {
    while (next < items.length) await fn(items[next++]);
  }));
}

/** The longest event-loop block (ms) while `work` runs: how late a 10 ms timer fires. */
async function watched<T>(work: () => Promise<T>): Promise<{ value: T; ms: number; block: number }> {
  let expected = performance.now() + 10;
  let block = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    block = Math.max(block, now - expected);
    expected = now + 10;
  }, 10);
  const started = performance.now();
  try {
    const value = await work();
    return { value, ms: performance.now() - started, block };
  } finally {
    clearInterval(timer);
  }
}

export async function run(): Promise<void> {
  console.log(`VS Code ${vscode.version} (bench: Node History and plot)`);
  const out = process.env.BENCH_OUT;
  if (!out) throw new Error('BENCH_OUT must be set');
  const api = (await vscode.extensions.getExtension<FlowHistoryExports>('a3s.flow-history')!.activate()) as FlowHistoryExports;
  const { histories, plots, stores } = api.internals;
  const folder = vscode.workspace.workspaceFolders![0];
  const handle = stores.forFolder(folder)!;
  const dir = path.join(folder.uri.fsPath, '.a3s', 'flow', 'executions');
  const files = fs.readdirSync(dir).filter((n) => n.endsWith('.json')).map((n) => path.join(dir, n));
  const count = files.length;

  const raw = () => mapLimit(files, CONCURRENCY, (file) => fs.promises.readFile(file));
  const history = async () => {
    const panel = (await vscode.commands.executeCommand<NodeHistoryPanel>('a3sFlow.history.showNodeHistory', { storeKey: handle.key, nodeId: NODE }))!;
    await panel.whenLoaded();
    const last = panel.posted[panel.posted.length - 1];
    if (last?.type !== 'history' || last.entries.length !== count || last.entries.some((e) => e.unreadable !== undefined || e.status === undefined)) {
      throw new Error(`Node History posted ${last?.type === 'history' ? `${last.entries.length} entries (${last.entries.filter((e) => e.unreadable !== undefined).length} unreadable)` : 'nothing'}, expected ${count} readable`);
    }
    const byWorker = [...panel.readBy.values()].filter((by) => by === 'scan worker').length;
    if (byWorker !== count) throw new Error(`${byWorker} of ${count} runs were read by the scan worker`);
    return last.entries.filter((e) => e.status === 'skipped').length;
  };
  const plot = (jsonPath: string) => async () => {
    const panel = (await vscode.commands.executeCommand<PlotPanel>('a3sFlow.history.plotAcrossRuns', { storeKey: handle.key, path: jsonPath }))!;
    await panel.whenLoaded();
    const last = panel.posted[panel.posted.length - 1];
    if (last?.type !== 'plot' || last.points.length !== count || last.points.some((p) => p.gap === 'unreadable')) throw new Error(`The plot of ${jsonPath} posted ${last?.type === 'plot' ? `${last.points.length} points` : 'nothing'}, expected ${count}`);
    if ([...panel.readBy.values()].filter((by) => by === 'scan worker').length !== count) throw new Error(`The plot of ${jsonPath}: not every run read by the scan worker`);
    return last.plotted;
  };
  const close = async () => {
    histories.dispose();
    plots.dispose();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  };

  const scenarios: Record<string, () => Promise<unknown>> = { raw, history, plotNode: plot(NODE_PATH), plotContext: plot(CONTEXT_PATH) };
  type Name = 'raw' | 'history' | 'plotNode' | 'plotContext';
  const times: Record<Name, number[]> = { raw: [], history: [], plotNode: [], plotContext: [] };
  const cold: Partial<Record<Name, number>> = {};
  const answers: Partial<Record<Name, unknown>> = {};
  let longestBlock = 0;
  let coldBlock = 0;
  let longestGc = 0;
  let gcInLoad = 0;
  let measuring = false;
  const gcObserver = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) if (measuring) gcInLoad = Math.max(gcInLoad, entry.duration);
  });
  gcObserver.observe({ entryTypes: ['gc'] });
  // Interleaved rounds: this machine's speed drifts from minute to minute.
  for (let round = 0; round <= ROUNDS; round++) {
    for (const name of Object.keys(scenarios) as Name[]) {
      await close();
      await new Promise((resolve) => setTimeout(resolve, 200));
      measuring = name !== 'raw';
      gcInLoad = 0;
      const { value, ms, block } = await watched(scenarios[name]);
      measuring = false;
      answers[name] = value;
      if (name !== 'raw') {
        // The first (cold) round is reported apart, as the main bench leaves its warm-up load out.
        if (round === 0) coldBlock = Math.max(coldBlock, block);
        else {
          longestBlock = Math.max(longestBlock, block);
          longestGc = Math.max(longestGc, gcInLoad);
        }
      } else {
        // The raw read's 500 MB of buffers are the bench's garbage, not the extension's: collected
        // now, not in the middle of the next load.
        collectGarbage();
        await new Promise((resolve) => setTimeout(resolve, 300));
      }
      if (round === 0) cold[name] = ms;
      else times[name].push(ms);
      console.log(`round ${round} ${name}: ${ms.toFixed(0)} ms, event-loop block ${block.toFixed(0)} ms${name === 'raw' ? '' : `, longest GC pause ${gcInLoad.toFixed(0)} ms`}`);
    }
  }
  gcObserver.disconnect();
  await close();

  const baseline = median(times.raw);
  const what = `${count} runs of 1 MB`;
  const coldNote = (name: Name) => `first (cold) load ${cold[name]!.toFixed(0)} ms, raw read then ${cold.raw!.toFixed(0)} ms; a new panel each round`;
  const results: ScenarioResult[] = [
    {
      scenario: `Node History of one node over ${what} (command to the history posted), vs reading the ${count} files raw (fs.promises.readFile, ${CONCURRENCY} at a time)`,
      ours: median(times.history),
      baseline,
      unit: 'ms',
      goal: { ratio: 2 },
      note: `${coldNote('history')}; ${String(answers.history)} runs skipped the node`,
    },
    {
      scenario: `Plot Across Runs of a number in that node (${NODE_PATH}) over ${what}, vs the same raw read`,
      ours: median(times.plotNode),
      baseline,
      unit: 'ms',
      goal: { ratio: 2 },
      note: `${coldNote('plotNode')}; ${String(answers.plotNode)} points, the other runs skipped the node`,
    },
    {
      scenario: `Plot Across Runs of a number in the context (${CONTEXT_PATH}) over ${what}, vs the same raw read`,
      ours: median(times.plotContext),
      baseline,
      unit: 'ms',
      goal: { ratio: 2 },
      note: `${coldNote('plotContext')}; ${String(answers.plotContext)} points`,
    },
    {
      scenario: 'extension host: longest event-loop block during those loads',
      ours: longestBlock,
      unit: 'ms',
      goal: { max: 100 },
      note: `worst of the ${3 * ROUNDS} measured loads; longest garbage-collection pause in them ${longestGc.toFixed(0)} ms; in the 3 first (cold) loads ${coldBlock.toFixed(0)} ms`,
    },
  ];
  fs.writeFileSync(out, JSON.stringify({ results }, null, 2));
  console.log('1 passed, 0 failed');
}

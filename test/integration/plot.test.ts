/** Plot Across Runs in a real VS Code: from the panel's action path and Node History; points, big integers, live updates, refusals. */
import * as assert from 'assert';
import * as fs from 'fs';
import * as vscode from 'vscode';
import type { PlotPanel } from '../../src/panel/plotPanel';
import type { PlotHostMessage } from '../../src/shared/plotProtocol';
import { extensionExports, runText, storeDir, waitFor, workspaceFolder, writeRunAtomically } from './support';

type Internals = Awaited<ReturnType<typeof extensionExports>>['internals'];

const NODE = 'pl.probe';
const PATH = `$.outputs["${NODE}"].stats["a.b"][1]`;
const id = (n: number) => `b2b2b2b2-0000-4000-8000-00000000000${n}`;
const output = (value: string) => `{"${NODE}":{"stats":{"a.b":[0,${value}]}}}`;

function lastPlot(plot: PlotPanel): PlotHostMessage | undefined {
  return plot.posted[plot.posted.length - 1];
}

describe('Plot Across Runs', function () {
  let internals: Internals;
  const storeKey = () => workspaceFolder().uri.toString();
  const files: string[] = [];
  // Newer than the fixture runs (and than runs other files write now), oldest first.
  const base = Date.now() + 7_200_000;

  before(async () => {
    internals = (await extensionExports()).internals;
    const dir = storeDir();
    files.push(
      writeRunAtomically(dir, id(1), runText(id(1), output('0.25'), `["${NODE}"]`), new Date(base)),
      writeRunAtomically(dir, id(2), runText(id(2), `{"${NODE}":{"stats":{}}}`, `["${NODE}"]`), new Date(base + 60_000)),
      writeRunAtomically(dir, id(3), runText(id(3), output('"high"'), `["${NODE}"]`), new Date(base + 120_000)),
      writeRunAtomically(dir, id(4), runText(id(4), output('12345678901234567891'), `["${NODE}"]`), new Date(base + 180_000)),
      writeRunAtomically(dir, id(5), runText(id(5), output('1.5e3'), `["${NODE}"]`), new Date(base + 240_000)),
    );
    await waitFor('the runs in the tree', async () => (await internals.tree.entries(storeKey())).some((e) => e.id === id(5)));
  });

  after(async () => {
    for (const file of files) fs.rmSync(file, { force: true });
    internals.plots.dispose();
    internals.histories.dispose();
    internals.panels.dispose();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  let plot: PlotPanel;

  it('opens from a number in the panel (its validated action path) with the points of every run', async () => {
    await vscode.commands.executeCommand('a3sFlow.history.openRun', { storeKey: storeKey(), id: id(5) });
    const panel = await waitFor('run panel', () => internals.panels.get({ storeKey: storeKey(), id: id(5) }));
    await panel.whenLoaded();
    // Refused: another run than the one shown, a node it does not have, a path that is not one.
    await panel.handleMessage({ type: 'action', action: 'plot', id: id(4), path: PATH });
    await panel.handleMessage({ type: 'action', action: 'plot', id: id(5), path: '$.outputs["no-such-node"].x' });
    await panel.handleMessage({ type: 'action', action: 'plot', id: id(5), path: '$.outputs[' });
    assert.strictEqual(internals.plots.get(storeKey(), PATH), undefined);
    assert.strictEqual(internals.plots.get(storeKey(), '$.outputs["no-such-node"].x'), undefined);
    await panel.handleMessage({ type: 'action', action: 'plot', id: id(5), path: PATH });
    plot = await waitFor('plot panel', () => internals.plots.get(storeKey(), PATH));
    await plot.whenLoaded();
    const message = await waitFor('plot message', () => lastPlot(plot));
    assert.strictEqual(message.path, PATH);
    // Oldest first; the fixture runs (older) lack the path or are unreadable.
    const ours = message.points.filter((p) => p.id.startsWith('b2b2b2b2'));
    assert.deepStrictEqual(
      ours.map((p) => [p.id, p.text ?? p.gap]),
      [
        [id(1), '0.25'],
        [id(2), 'missing'],
        [id(3), 'not a number'],
        [id(4), '12345678901234567891'],
        [id(5), '1.5e3'],
      ],
    );
    assert.deepStrictEqual(
      ours.map((p) => p.value),
      [0.25, undefined, undefined, Number("12345678901234567891"), 1500],
    );
    assert.ok(message.points.every((p, i) => i === 0 || message.points[i - 1].savedAt <= p.savedAt), 'oldest first');
    assert.ok(message.points.slice(0, -5).every((p) => p.gap !== undefined), 'the fixture runs are gaps');
    // The big integer: plotted as its nearest double, exact as text, and noted.
    assert.strictEqual(ours[3].approximate, true);
    assert.strictEqual(message.approximate, 1);
    assert.strictEqual(message.plotted, 3);
    assert.strictEqual(message.total, message.points.length);
    // The page (a real webview with uPlot) drew it, under the nonce-only CSP.
    await waitFor('rendered', () => plot.lastRendered === 3, 15_000);
    const html = plot.panel.webview.html;
    assert.match(html, /default-src 'none'/);
    assert.match(html, /uPlot\.min\.css/);
    assert.doesNotMatch(html, /unsafe-inline|unsafe-eval|https?:\/\/(?!.*vscode)/);
    // Invoked again for the same path and store: the same panel.
    assert.strictEqual(await vscode.commands.executeCommand('a3sFlow.history.plotAcrossRuns', { storeKey: storeKey(), path: PATH }), plot);
  });

  it('updates live when a run arrives', async () => {
    files.push(writeRunAtomically(storeDir(), id(6), runText(id(6), output('-2'), `["${NODE}"]`), new Date(base + 300_000)));
    const point = await waitFor('the new run in the plot', () => {
      const last = lastPlot(plot)?.points.at(-1);
      return last?.id === id(6) ? last : undefined;
    });
    assert.deepStrictEqual([point.text, point.value], ['-2', -2]);
    await waitFor('rendered again', () => plot.lastRendered === 4, 15_000);
  });

  it('opens a run from a point; runs not plotted are refused', async () => {
    const before = vscode.window.tabGroups.all.flatMap((g) => g.tabs).length;
    await plot.handleMessage({ type: 'openRun', runId: 'eeeeeeee-1111-4222-8333-666666666666' });
    assert.strictEqual(vscode.window.tabGroups.all.flatMap((g) => g.tabs).length, before, 'nothing opened');
    await plot.handleMessage({ type: 'openRun', runId: id(1) });
    const panel = await waitFor('run panel of the point', () => internals.panels.get({ storeKey: storeKey(), id: id(1) }));
    await panel.whenLoaded();
  });

  it('plots a node output that is a number from Node History', async () => {
    const numeric = 'pl_number';
    files.push(writeRunAtomically(storeDir(), id(7), runText(id(7), `{"${numeric}":42}`, `["${numeric}"]`), new Date(base + 360_000)));
    await waitFor('the run in the tree', async () => (await internals.tree.entries(storeKey())).some((e) => e.id === id(7)));
    const history = (await vscode.commands.executeCommand<{ whenLoaded(): Promise<void>; handleMessage(m: unknown): Promise<void> }>('a3sFlow.history.showNodeHistory', { storeKey: storeKey(), nodeId: numeric }))!;
    await history.whenLoaded();
    await history.handleMessage({ type: 'plot' });
    const fromHistory = await waitFor('plot from Node History', () => internals.plots.get(storeKey(), `$.outputs["${numeric}"]`));
    await fromHistory.whenLoaded();
    const last = lastPlot(fromHistory)!.points.at(-1)!;
    assert.deepStrictEqual([last.id, last.text], [id(7), '42']);
  });

  it("plots a big local run's number read in the scan worker, straight from its file", async () => {
    const big = 'b2b2b2b2-0000-4000-8000-0000000000b1';
    // Over the worker threshold (512 KB): another node's output fills it.
    const filler = JSON.stringify('x'.repeat(600 * 1024));
    files.push(writeRunAtomically(storeDir(), big, runText(big, `{"filler":${filler},"${NODE}":{"stats":{"a.b":[0,18446744073709551615]}}}`, `["${NODE}"]`), new Date(base + 420_000)));
    await waitFor('the big run in the tree', async () => (await internals.tree.entries(storeKey())).some((e) => e.id === big));
    plot.panel.dispose();
    const fresh = (await vscode.commands.executeCommand<PlotPanel>('a3sFlow.history.plotAcrossRuns', { storeKey: storeKey(), path: PATH }))!;
    await fresh.whenLoaded();
    const point = lastPlot(fresh)!.points.at(-1)!;
    assert.strictEqual(point.id, big);
    assert.deepStrictEqual([point.text, point.approximate], ['18446744073709551615', true]);
    assert.strictEqual(fresh.readBy.get(big), 'scan worker');
    assert.strictEqual(fresh.readBy.get(id(1)), 'extension host', 'a small run is read on the host');
  });
});

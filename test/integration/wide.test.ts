/**
 * Issue 16 in a real VS Code: a run with 20,000 nodes. Expanding it in the tree shows the
 * first page of its nodes and a "Show more…" row (like the runs), which adds the next page;
 * the run's row says how many nodes there are; a node of a later page still opens its output
 * as a document, and the panel gets every node, in order.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { FlowResult, serializeFlowResult } from '../../src/core/flowResult';
import { stringifyJson } from '../../src/core/json';
import { generateSampleRuns } from '../../src/core/sample';
import { summarize } from '../../src/core/summary';
import type { HistoryNode } from '../../src/tree/treeNodes';
import { extensionExports, storeDir, waitFor, workspaceFolder, writeRunAtomically } from './support';
import { decodeNodes } from '../../src/shared/protocol';
import { FIRST_MESSAGE_NODES } from '../../src/node/runViewModel';

const NODES = 20_000;
const PAGE = 200; // a3sFlow.history.pageSize's default

describe('A run with 20,000 nodes', function () {
  this.timeout(120_000);
  let run: FlowResult;
  let order: string[];
  let internals: Awaited<ReturnType<typeof extensionExports>>['internals'];
  const ref = () => ({ storeKey: workspaceFolder().uri.toString(), id: run.executionId });

  before(async () => {
    // Made here, not while mocha loads the files: the other suites' clocks start at load.
    [run] = generateSampleRuns({ count: 1, seed: 16, nodes: NODES });
    order = summarize(run).nodes.map((n) => n.id);
    writeRunAtomically(storeDir(), run.executionId, serializeFlowResult(run));
    internals = (await extensionExports()).internals;
    internals.tree.refreshAll();
    await waitFor('the wide run is listed', async () => (await internals.tree.getChildren(undefined)).some((n) => n.kind === 'run' && n.id === run.executionId));
  });

  after(() => {
    internals.panels.get(ref())?.panel.dispose();
    fs.rmSync(path.join(storeDir(), `${run.executionId}.json`), { force: true });
    internals.tree.refreshAll();
  });

  const nodeIds = (children: readonly HistoryNode[]) => children.flatMap((c) => (c.kind === 'node' ? [c.nodeId] : []));

  it("says how many nodes on the run's row", async () => {
    const item = await internals.tree.getTreeItem(internals.tree.runNode(ref()));
    assert.match(String(item.description), new RegExp(`· ${NODES} nodes`));
  });

  it('shows the first page of nodes with Show more…, which adds the next page', async () => {
    const runNode = internals.tree.runNode(ref());
    let children = await internals.tree.getChildren(runNode);
    assert.deepStrictEqual(nodeIds(children), order.slice(0, PAGE));
    const more = children[PAGE];
    assert.strictEqual(more.kind, 'more');
    assert.deepStrictEqual(children.slice(PAGE + 1).map((c) => c.kind), ['context'], 'the context stays last');
    const item = await internals.tree.getTreeItem(more);
    assert.strictEqual(item.label, `Show more… (${(NODES - PAGE).toLocaleString('en-US')} more nodes)`);
    assert.strictEqual(internals.tree.getParent(more), runNode, 'the row belongs to its run');
    assert.deepStrictEqual(item.command?.arguments, [ref().storeKey, run.executionId]);

    await vscode.commands.executeCommand(item.command!.command, ...item.command!.arguments!);
    children = await internals.tree.getChildren(runNode);
    assert.deepStrictEqual(nodeIds(children), order.slice(0, 2 * PAGE));
    assert.strictEqual((await internals.tree.getTreeItem(children[2 * PAGE])).label, `Show more… (${(NODES - 2 * PAGE).toLocaleString('en-US')} more nodes)`);

    // A small run is not paged: no Show more row.
    const small = await internals.tree.getChildren(internals.tree.runNode({ storeKey: ref().storeKey, id: '67e55044-10b1-426f-9247-bb680e5fe0c8' }));
    assert.ok(!small.some((c) => c.kind === 'more'));
  });

  it('opens the output of a node from the second page as a document', async () => {
    const children = await internals.tree.getChildren(internals.tree.runNode(ref()));
    const node = children.find((c) => c.kind === 'node' && c.nodeId === order[PAGE + 7]);
    assert.ok(node, 'the node of the second page is listed');
    const editor = await vscode.commands.executeCommand<vscode.TextEditor>('a3sFlow.history.openNodeOutput', node);
    assert.ok(editor);
    assert.strictEqual(editor.document.getText(), `${stringifyJson(run.outputs[order[PAGE + 7]], 2)}\n`);
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });

  it('opens in the panel with every node, in order', async () => {
    const panel = internals.panels.show(ref())!;
    const rendered = await new Promise<{ rows: number; ms: number }>((resolve) => panel.onDidRender(resolve));
    // The first page with the run (its first screen), the rest right behind it.
    const message = panel.posted.find((m) => m.type === 'run');
    const rest = panel.posted.find((m) => m.type === 'nodes');
    assert.ok(message && message.type === 'run' && rest && rest.type === 'nodes');
    assert.strictEqual(decodeNodes(message.run.nodes).length, FIRST_MESSAGE_NODES);
    assert.strictEqual(message.run.pendingNodes, NODES - FIRST_MESSAGE_NODES);
    assert.deepStrictEqual([...decodeNodes(message.run.nodes), ...decodeNodes(rest.nodes)].map((n) => n.id), order);
    // A node of the later nodes is a node of the run shown: its history opens from the panel.
    const last = order[NODES - 1];
    await panel.handleMessage({ type: 'action', action: 'nodeHistory', id: run.executionId, nodeId: last });
    const history = await waitFor('the node history of the last node', () => internals.histories.get(ref().storeKey, last));
    history.panel.dispose();
    assert.ok(rendered.rows < 5000, `${rendered.rows} JSON rows in the page`);
  });
});

/** Show Node History: one node across the newest runs of its store (from a tree node, the Run Grid or a run's panel). */
import * as vscode from 'vscode';
import { NodeHistoryPanel } from '../panel/historyPanel';
import { CommandContext } from './commandContext';

/**
 * `arg`: a tree node row (`{ kind: 'node', storeKey, runId, nodeId }`), or `{ storeKey, nodeId }`
 * from the grid or the panel. Without one, the node selected in the tree.
 */
export function showNodeHistoryCommand(ctx: CommandContext, arg?: unknown): NodeHistoryPanel | undefined {
  const target = nodeOf(arg) ?? (arg === undefined ? ctx.treeView.selection.map(nodeOf).find((n) => n !== undefined) : undefined);
  if (!target) {
    void vscode.window.showInformationMessage('Choose a node (in Flow History, the Run Grid or a run\'s panel) to show its history.');
    return undefined;
  }
  const handle = ctx.stores.get(target.storeKey);
  if (!handle) {
    void vscode.window.showInformationMessage('That store of runs is no longer open.');
    return undefined;
  }
  return ctx.histories.show(handle, target.nodeId);
}

function nodeOf(arg: unknown): { storeKey: string; nodeId: string } | undefined {
  if (typeof arg !== 'object' || arg === null) return undefined;
  const { storeKey, nodeId } = arg as { storeKey?: unknown; nodeId?: unknown };
  return typeof storeKey === 'string' && typeof nodeId === 'string' ? { storeKey, nodeId } : undefined;
}

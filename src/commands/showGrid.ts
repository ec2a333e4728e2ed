/** Show Run Grid: the grid of a store (the group it was invoked on, the only one, or one picked). */
import * as vscode from 'vscode';
import { RunGridPanel } from '../panel/gridPanel';
import { StoreHandle } from '../stores/historyStores';
import { CommandContext } from './commandContext';

export async function showGridCommand(ctx: CommandContext, arg?: unknown): Promise<RunGridPanel | undefined> {
  const handle = await storeFor(ctx, arg);
  return handle && ctx.grids.show(handle);
}

async function storeFor(ctx: CommandContext, arg: unknown): Promise<StoreHandle | undefined> {
  // A store group's context menu passes its node; a caller may pass the store's key.
  const key = typeof arg === 'string' ? arg : typeof arg === 'object' && arg !== null && typeof (arg as { storeKey?: unknown }).storeKey === 'string' ? (arg as { storeKey: string }).storeKey : undefined;
  if (key !== undefined) {
    const handle = ctx.stores.get(key);
    if (!handle) void vscode.window.showInformationMessage('That store of runs is no longer open.');
    return handle;
  }
  const visible = ctx.tree.visibleStores();
  if (visible.length === 0) {
    void vscode.window.showInformationMessage('There is no store of runs to show: open a folder or record a run first.');
    return undefined;
  }
  if (visible.length === 1) return visible[0];
  const picked = await vscode.window.showQuickPick(
    visible.map((handle) => ({ label: handle.presentation.label, description: handle.presentation.where, handle })),
    { title: 'Show Run Grid', placeHolder: 'Which store of runs?' },
  );
  return picked?.handle;
}

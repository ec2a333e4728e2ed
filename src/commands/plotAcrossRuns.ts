/** Plot Across Runs: the number at one JSON path over the newest runs of a store (from the panel's JSON viewer or Node History). */
import * as vscode from 'vscode';
import { JsonPathError } from '../core/plotSeries';
import { PlotPanel } from '../panel/plotPanel';
import { CommandContext } from './commandContext';

/** `arg`: `{ storeKey, path }`, the path as the panel's Copy Path writes it (`$.outputs["n"].x`). */
export function plotAcrossRunsCommand(ctx: CommandContext, arg?: unknown): PlotPanel | undefined {
  const target = targetOf(arg);
  if (!target) {
    void vscode.window.showInformationMessage('Choose a number in a run\'s panel or in a Node History to plot it across runs.');
    return undefined;
  }
  const handle = ctx.stores.get(target.storeKey);
  if (!handle) {
    void vscode.window.showInformationMessage('That store of runs is no longer open.');
    return undefined;
  }
  try {
    return ctx.plots.show(handle, target.path);
  } catch (error) {
    if (error instanceof JsonPathError) {
      void vscode.window.showWarningMessage(`Flow History: cannot plot that path: ${error.message}`);
      return undefined;
    }
    throw error;
  }
}

function targetOf(arg: unknown): { storeKey: string; path: string } | undefined {
  if (typeof arg !== 'object' || arg === null) return undefined;
  const { storeKey, path } = arg as { storeKey?: unknown; path?: unknown };
  return typeof storeKey === 'string' && typeof path === 'string' ? { storeKey, path } : undefined;
}

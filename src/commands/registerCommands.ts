/** Every command of the extension, registered in one place. */
import * as vscode from 'vscode';
import { log, reportError } from '../log';
import { CommandContext } from './commandContext';
import { createSampleRunsCommand } from './createSampleRuns';
import { deleteRunsCommand } from './deleteRuns';
import { exportRunCommand } from './exportRun';
import { compareRunsCommand } from './compareRuns';
import { exportRunsCommand } from './exportRun';
import { importRunsCommand } from './importRuns';
import { applyRetentionSettingsCommand, deleteOlderThanCommand, keepNewestCommand } from './retention';
import { copyExecutionIdCommand, goToRunCommand, openNodeOutputCommand, openRawJsonCommand, openRunCommand, revealInExplorerCommand } from './runCommands';
import { clearSearch, searchHistoryCommand } from './searchHistory';

type Handler = (ctx: CommandContext, ...args: unknown[]) => unknown;

const COMMANDS: Record<string, Handler> = {
  'a3sFlow.history.refresh': (ctx) => ctx.tree.refreshAll(),
  'a3sFlow.history.openRun': openRunCommand,
  'a3sFlow.history.openRawJson': openRawJsonCommand,
  'a3sFlow.history.exportRun': exportRunCommand,
  'a3sFlow.history.deleteRuns': deleteRunsCommand,
  'a3sFlow.history.copyExecutionId': copyExecutionIdCommand,
  'a3sFlow.history.revealInExplorer': revealInExplorerCommand,
  'a3sFlow.history.createSampleRuns': (ctx, count) => createSampleRunsCommand(ctx, count),
  'a3sFlow.history.compareRuns': compareRunsCommand,
  'a3sFlow.history.openNodeOutput': openNodeOutputCommand,
  'a3sFlow.history.goToRun': goToRunCommand,
  'a3sFlow.history.search': (ctx, query) => searchHistoryCommand(ctx, query),
  'a3sFlow.history.clearSearch': (ctx) => clearSearch(ctx),
  'a3sFlow.history.deleteOlderThan': (ctx, days) => deleteOlderThanCommand(ctx, days),
  'a3sFlow.history.keepNewest': (ctx, count) => keepNewestCommand(ctx, count),
  'a3sFlow.history.applyRetention': applyRetentionSettingsCommand,
  'a3sFlow.history.importRuns': (ctx, files) => importRunsCommand(ctx, files),
  'a3sFlow.history.exportRuns': (ctx, arg, selection) => exportRunsCommand(ctx, arg, selection, false),
  'a3sFlow.history.exportAll': (ctx) => exportRunsCommand(ctx, undefined, undefined, true),
  'a3sFlow.history.showMore': (ctx, storeKey, runId) => {
    if (typeof storeKey !== 'string') return;
    if (typeof runId === 'string') ctx.tree.showMoreNodes({ storeKey, id: runId });
    else ctx.tree.showMore(storeKey);
  },
};

export function registerCommands(ctx: CommandContext): vscode.Disposable[] {
  return Object.entries(COMMANDS).map(([id, handler]) =>
    vscode.commands.registerCommand(id, async (...args: unknown[]) => {
      try {
        return await handler(ctx, ...args);
      } catch (error) {
        log().error(`${id} failed`, error);
        reportError(`Flow History: ${error instanceof Error ? error.message : String(error)}`);
        return undefined;
      }
    }),
  );
}

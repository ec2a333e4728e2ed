/** Every command of the extension, registered in one place; the panel's buttons run the same functions. */
import * as vscode from 'vscode';
import * as ids from '../host/commands';
import { PanelAction } from '../shared/protocol';
import { RunRef } from '../stores/runRef';
import { CommandContext } from './commandContext';
import { compareRunsCommand } from './compareRuns';
import { createSampleRunsCommand } from './createSampleRuns';
import { connectDatabaseCommand, forgetDatabasePasswordCommand, removeDatabaseCommand } from './databases';
import { deleteRunsCommand } from './deleteRuns';
import { exportRun, exportRunCommand, exportRunsCommand } from './exportRun';
import { importRunsCommand } from './importRuns';
import { applyRetentionSettingsCommand, deleteOlderThanCommand, keepNewestCommand } from './retention';
import { copyExecutionIdCommand, goToRunCommand, openNodeOutputCommand, openRawJson, openRawJsonCommand, openRunCommand, revealInExplorerCommand } from './runCommands';
import { clearSearch, searchHistoryCommand } from './searchHistory';
import { showGridCommand } from './showGrid';
import { plotAcrossRunsCommand } from './plotAcrossRuns';
import { showNodeHistoryCommand } from './showNodeHistory';

type Handler = (ctx: CommandContext, ...args: unknown[]) => unknown;

const COMMANDS: Record<string, Handler> = {
  [ids.REFRESH_COMMAND]: (ctx) => ctx.tree.refreshAll(),
  [ids.OPEN_RUN_COMMAND]: openRunCommand,
  [ids.OPEN_RAW_JSON_COMMAND]: openRawJsonCommand,
  [ids.EXPORT_RUN_COMMAND]: exportRunCommand,
  [ids.DELETE_RUNS_COMMAND]: deleteRunsCommand,
  [ids.COPY_EXECUTION_ID_COMMAND]: copyExecutionIdCommand,
  [ids.REVEAL_IN_EXPLORER_COMMAND]: revealInExplorerCommand,
  [ids.CREATE_SAMPLE_RUNS_COMMAND]: (ctx, count) => createSampleRunsCommand(ctx, count),
  [ids.COMPARE_RUNS_COMMAND]: compareRunsCommand,
  [ids.OPEN_NODE_OUTPUT_COMMAND]: openNodeOutputCommand,
  [ids.GO_TO_RUN_COMMAND]: goToRunCommand,
  [ids.SEARCH_COMMAND]: (ctx, query) => searchHistoryCommand(ctx, query),
  [ids.CLEAR_SEARCH_COMMAND]: (ctx) => clearSearch(ctx),
  [ids.DELETE_OLDER_THAN_COMMAND]: (ctx, days) => deleteOlderThanCommand(ctx, days),
  [ids.KEEP_NEWEST_COMMAND]: (ctx, count) => keepNewestCommand(ctx, count),
  [ids.APPLY_RETENTION_COMMAND]: applyRetentionSettingsCommand,
  [ids.IMPORT_RUNS_COMMAND]: (ctx, files) => importRunsCommand(ctx, files),
  [ids.EXPORT_RUNS_COMMAND]: (ctx, arg, selection) => exportRunsCommand(ctx, arg, selection, false),
  [ids.EXPORT_ALL_COMMAND]: (ctx) => exportRunsCommand(ctx, undefined, undefined, true),
  [ids.SHOW_GRID_COMMAND]: (ctx, arg) => showGridCommand(ctx, arg),
  [ids.SHOW_NODE_HISTORY_COMMAND]: (ctx, arg) => showNodeHistoryCommand(ctx, arg),
  [ids.PLOT_ACROSS_RUNS_COMMAND]: (ctx, arg) => plotAcrossRunsCommand(ctx, arg),
  [ids.CONNECT_DATABASE_COMMAND]: (ctx) => connectDatabaseCommand(ctx),
  [ids.FORGET_DATABASE_PASSWORD_COMMAND]: (ctx, arg) => forgetDatabasePasswordCommand(ctx, arg),
  [ids.REMOVE_DATABASE_COMMAND]: (ctx, arg) => removeDatabaseCommand(ctx, arg),
  [ids.RETRY_STORE_COMMAND]: (ctx, storeKey) => {
    const key = typeof storeKey === 'string' ? storeKey : (storeKey as { storeKey?: unknown } | undefined)?.storeKey;
    if (typeof key === 'string') ctx.tree.retry(key);
    else ctx.tree.refreshAll();
  },
  [ids.SHOW_MORE_COMMAND]: async (ctx, storeKey, runId) => {
    if (typeof storeKey !== 'string') return;
    if (typeof runId === 'string') ctx.tree.showMoreNodes({ storeKey, id: runId });
    else await ctx.tree.showMore(storeKey);
  },
};

/** What a panel button runs: the function of the command with the same name. */
export function runPanelAction(ctx: CommandContext, action: PanelAction, ref: RunRef, nodeId?: string, path?: string): Promise<unknown> {
  switch (action) {
    case 'export':
      return exportRun(ctx, ref);
    case 'delete':
      return deleteRunsCommand(ctx, ref);
    case 'openRaw':
      return openRawJson(ctx, ref);
    case 'copyId':
      return copyExecutionIdCommand(ctx, ref);
    case 'nodeHistory':
      return Promise.resolve(nodeId === undefined ? undefined : showNodeHistoryCommand(ctx, { storeKey: ref.storeKey, nodeId }));
    case 'plot':
      return Promise.resolve(path === undefined ? undefined : plotAcrossRunsCommand(ctx, { storeKey: ref.storeKey, path }));
  }
}

export function register(ctx: CommandContext): vscode.Disposable[] {
  const handlers = Object.fromEntries(Object.entries(COMMANDS).map(([id, handler]) => [id, (...args: unknown[]) => handler(ctx, ...args)]));
  return [...ids.registerCommands(handlers), ctx.panels.handleActions((action, ref, nodeId, path) => runPanelAction(ctx, action, ref, nodeId, path))];
}

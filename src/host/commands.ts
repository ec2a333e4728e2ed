/**
 * Command ids (every one in package.json `contributes.commands`, checked both ways by
 * test/unit/contributions.test.ts) and the one way commands are registered: errors become
 * one sentence for the user and the details go to the log.
 */
import * as vscode from 'vscode';
import { errorMessage } from '../core/errors';
import { log, reportError } from './log';

export const REFRESH_COMMAND = 'a3sFlow.history.refresh';
export const OPEN_RUN_COMMAND = 'a3sFlow.history.openRun';
export const OPEN_RAW_JSON_COMMAND = 'a3sFlow.history.openRawJson';
export const EXPORT_RUN_COMMAND = 'a3sFlow.history.exportRun';
export const DELETE_RUNS_COMMAND = 'a3sFlow.history.deleteRuns';
export const COPY_EXECUTION_ID_COMMAND = 'a3sFlow.history.copyExecutionId';
export const REVEAL_IN_EXPLORER_COMMAND = 'a3sFlow.history.revealInExplorer';
export const CREATE_SAMPLE_RUNS_COMMAND = 'a3sFlow.history.createSampleRuns';
export const SHOW_MORE_COMMAND = 'a3sFlow.history.showMore';
export const COMPARE_RUNS_COMMAND = 'a3sFlow.history.compareRuns';
export const OPEN_NODE_OUTPUT_COMMAND = 'a3sFlow.history.openNodeOutput';
export const GO_TO_RUN_COMMAND = 'a3sFlow.history.goToRun';
export const SEARCH_COMMAND = 'a3sFlow.history.search';
export const CLEAR_SEARCH_COMMAND = 'a3sFlow.history.clearSearch';
export const DELETE_OLDER_THAN_COMMAND = 'a3sFlow.history.deleteOlderThan';
export const KEEP_NEWEST_COMMAND = 'a3sFlow.history.keepNewest';
export const APPLY_RETENTION_COMMAND = 'a3sFlow.history.applyRetention';
export const IMPORT_RUNS_COMMAND = 'a3sFlow.history.importRuns';
export const EXPORT_RUNS_COMMAND = 'a3sFlow.history.exportRuns';
export const EXPORT_ALL_COMMAND = 'a3sFlow.history.exportAll';
export const SHOW_GRID_COMMAND = 'a3sFlow.history.showGrid';
export const SHOW_NODE_HISTORY_COMMAND = 'a3sFlow.history.showNodeHistory';
export const PLOT_ACROSS_RUNS_COMMAND = 'a3sFlow.history.plotAcrossRuns';
export const CONNECT_DATABASE_COMMAND = 'a3sFlow.history.connectDatabase';
export const FORGET_DATABASE_PASSWORD_COMMAND = 'a3sFlow.history.forgetDatabasePassword';
export const REMOVE_DATABASE_COMMAND = 'a3sFlow.history.removeDatabase';
export const RETRY_STORE_COMMAND = 'a3sFlow.history.retryStore';

/** Registers a command whose failures are reported, never thrown at VS Code. */
export function registerCommand(id: string, handler: (...args: unknown[]) => unknown): vscode.Disposable {
  return vscode.commands.registerCommand(id, async (...args: unknown[]) => {
    try {
      return await handler(...args);
    } catch (error) {
      log().error(`${id} failed`, error);
      reportError(`Flow History: ${errorMessage(error)}`);
      return undefined;
    }
  });
}

/** Registers a table of commands. */
export function registerCommands(table: Record<string, (...args: unknown[]) => unknown>): vscode.Disposable[] {
  return Object.entries(table).map(([id, handler]) => registerCommand(id, handler));
}

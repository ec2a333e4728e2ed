/** Every command of the extension, registered in one place. */
import * as vscode from 'vscode';
import { log, reportError } from '../log';
import { CommandContext } from './commandContext';
import { createSampleRunsCommand } from './createSampleRuns';
import { deleteRunsCommand } from './deleteRuns';
import { exportRunCommand } from './exportRun';
import { copyExecutionIdCommand, openRawJsonCommand, openRunCommand, revealInExplorerCommand } from './runCommands';

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
  'a3sFlow.history.showMore': (ctx, storeKey) => {
    if (typeof storeKey === 'string') ctx.tree.showMore(storeKey);
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

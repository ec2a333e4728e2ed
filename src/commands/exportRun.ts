/** Export a run to a JSON file chosen in the save dialog, in the core's export format. */
import * as path from 'path';
import * as vscode from 'vscode';
import { UnreadableRunError } from '../core/executionStore';
import { exportFlowResult } from '../core/flowResult';
import { reportError } from '../log';
import { RunRef } from '../tree/historyNodes';
import { CommandContext, handleFor, runsForCommand } from './commandContext';

const LAST_EXPORT_FOLDER = 'a3sFlow.history.lastExportFolder';
const PROGRESS_THRESHOLD_BYTES = 1024 * 1024;

export async function exportRunCommand(ctx: CommandContext, arg?: unknown, selection?: unknown): Promise<vscode.Uri | undefined> {
  const [ref] = await runsForCommand(ctx, arg, selection, { title: 'Export Run', canPickMany: false, readableOnly: true });
  return ref ? exportRun(ctx, ref) : undefined;
}

export async function exportRun(ctx: CommandContext, ref: RunRef): Promise<vscode.Uri | undefined> {
  const handle = handleFor(ctx, ref);
  let text: string;
  try {
    const result = await handle.store.load(ref.id);
    if (!result) {
      void vscode.window.showWarningMessage(`Run ${ref.id} no longer exists.`);
      return undefined;
    }
    text = exportFlowResult(result);
  } catch (error) {
    reportError(error instanceof UnreadableRunError ? `Run ${ref.id} cannot be exported: it is unreadable (${error.reason}).` : `Could not read run ${ref.id}.`, error);
    return undefined;
  }
  const remembered = ctx.workspaceState.get<string>(LAST_EXPORT_FOLDER);
  const base = remembered ? vscode.Uri.parse(remembered) : (handle.folder?.uri ?? vscode.workspace.workspaceFolders?.[0]?.uri);
  // The save dialog asks before replacing an existing file; we never overwrite behind it.
  const target = await vscode.window.showSaveDialog({
    title: `Export Run ${ref.id}`,
    saveLabel: 'Export',
    defaultUri: base ? vscode.Uri.joinPath(base, `${ref.id}.json`) : undefined,
    filters: { JSON: ['json'] },
  });
  if (!target) return undefined;
  const bytes = new TextEncoder().encode(text);
  try {
    const write = () => vscode.workspace.fs.writeFile(target, bytes);
    if (bytes.byteLength >= PROGRESS_THRESHOLD_BYTES) {
      await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Exporting run ${ref.id.slice(0, 8)}…` }, write);
    } else {
      await write();
    }
  } catch (error) {
    reportError(`Could not write ${target.scheme === 'file' ? target.fsPath : target.toString(true)}.`, error);
    return undefined;
  }
  await ctx.workspaceState.update(LAST_EXPORT_FOLDER, vscode.Uri.joinPath(target, '..').toString());
  void vscode.window.showInformationMessage(`Exported run ${ref.id.slice(0, 8)} to ${path.posix.basename(target.path)}.`, 'Open').then((choice) => {
    if (choice === 'Open') void vscode.window.showTextDocument(target);
  });
  return target;
}

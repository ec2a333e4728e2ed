/** Export a run to a JSON file chosen in the save dialog, in the core's export format. */
import * as path from 'path';
import * as vscode from 'vscode';
import { idMismatch, UnreadableRunError } from '../core/executionStore';
import { ExportedRun, exportStoredRun, joinPieces } from '../core/exportText';
import { exportFlowResults, FlowResult, FlowResultError } from '../core/flowResult';
import { formatBytes, plural } from '../core/format';
import { log, reportError } from '../host/log';
import { writeExportFile } from '../node/exportFile';
import { RunRef } from '../stores/runRef';
import { CommandContext, handleFor, runsForCommand, runsFromArguments } from './commandContext';

const LAST_EXPORT_FOLDER = 'a3sFlow.history.lastExportFolder';
const PROGRESS_THRESHOLD_BYTES = 1024 * 1024;

export async function exportRunCommand(ctx: CommandContext, arg?: unknown, selection?: unknown): Promise<vscode.Uri | undefined> {
  const [ref] = await runsForCommand(ctx, arg, selection, { title: 'Export Run', canPickMany: false, readableOnly: true });
  return ref ? exportRun(ctx, ref) : undefined;
}

export async function exportRun(ctx: CommandContext, ref: RunRef): Promise<vscode.Uri | undefined> {
  const handle = handleFor(ctx, ref);
  let exported: ExportedRun;
  try {
    const outcome = await handle.store.readRun(ref.id);
    if (outcome.kind === 'missing') {
      void vscode.window.showWarningMessage(`Run ${ref.id} no longer exists.`);
      return undefined;
    }
    if (outcome.kind === 'unreadable') throw new UnreadableRunError(ref.id, outcome.reason);
    // From the stored text: exact, and cheap even for a 50 MB run.
    exported = exportStoredRun(outcome.bytes);
    const mismatch = idMismatch(exported.executionId, ref.id);
    if (mismatch) throw new UnreadableRunError(ref.id, mismatch);
  } catch (error) {
    const reason = error instanceof UnreadableRunError ? error.reason : error instanceof FlowResultError ? error.message : undefined;
    reportError(reason !== undefined ? `Run ${ref.id} cannot be exported: it is unreadable (${reason}).` : `Could not read run ${ref.id}.`, error);
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
  if (!target) {
    exported.release();
    return undefined;
  }
  try {
    // A local file is written piece by piece; other file systems take one buffer.
    const write = () => (target.scheme === 'file' ? writeExportFile(target.fsPath, exported) : vscode.workspace.fs.writeFile(target, joinPieces(exported)));
    if (exported.byteLength >= PROGRESS_THRESHOLD_BYTES) {
      await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Exporting run ${ref.id.slice(0, 8)}…` }, write);
    } else {
      await write();
    }
  } catch (error) {
    reportError(`Could not write ${target.scheme === 'file' ? target.fsPath : target.toString(true)}.`, error);
    return undefined;
  } finally {
    exported.release();
  }
  log().info(`Exported run ${ref.id} to ${target.toString(true)}: ${formatBytes(exported.byteLength)}, written by the ${exported.via}.`);
  await ctx.workspaceState.update(LAST_EXPORT_FOLDER, vscode.Uri.joinPath(target, '..').toString());
  void vscode.window.showInformationMessage(`Exported run ${ref.id.slice(0, 8)} to ${path.posix.basename(target.path)}.`, 'Open').then((choice) => {
    if (choice === 'Open') void vscode.window.showTextDocument(target);
  });
  return target;
}

/**
 * Export Selected / Export All: one JSON array file of runs in the export format, with
 * progress. Unreadable runs are skipped and named in the message.
 */
export async function exportRunsCommand(ctx: CommandContext, arg?: unknown, selection?: unknown, all?: boolean): Promise<vscode.Uri | undefined> {
  const refs = all ? [] : runsFromArguments(ctx, arg, selection);
  if (refs.length === 0) {
    for (const handle of ctx.stores.all()) for (const e of await ctx.tree.entries(handle.key)) refs.push({ storeKey: handle.key, id: e.id });
  }
  if (refs.length === 0) {
    void vscode.window.showInformationMessage('There are no runs to export.');
    return undefined;
  }
  const base = vscode.workspace.workspaceFolders?.[0]?.uri;
  const target = await vscode.window.showSaveDialog({
    title: `Export ${plural(refs.length, 'Run')}`,
    saveLabel: 'Export',
    defaultUri: base ? vscode.Uri.joinPath(base, `flow-runs-${new Date().toISOString().slice(0, 10)}.json`) : undefined,
    filters: { JSON: ['json'] },
  });
  if (!target) return undefined;
  const skipped: string[] = [];
  const done = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Exporting ${plural(refs.length, 'run')}`, cancellable: true }, async (progress, token) => {
    const results: FlowResult[] = [];
    for (const ref of refs) {
      if (token.isCancellationRequested) return false;
      try {
        const result = await handleFor(ctx, ref).store.load(ref.id);
        if (result) results.push(result);
      } catch {
        skipped.push(ref.id);
      }
      progress.report({ increment: 100 / refs.length });
    }
    await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(exportFlowResults(results)));
    return true;
  });
  if (!done) return undefined;
  const note = skipped.length ? ` ${plural(skipped.length, 'unreadable run')} skipped: ${skipped.slice(0, 3).join(', ')}${skipped.length > 3 ? '…' : ''}.` : '';
  void vscode.window.showInformationMessage(`Exported ${plural(refs.length - skipped.length, 'run')} to ${path.posix.basename(target.path)}.${note}`);
  return target;
}

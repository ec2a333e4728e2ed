/** Export a run to a JSON file chosen in the save dialog, in the core's export format. */
import * as path from 'path';
import * as vscode from 'vscode';
import { errorMessage } from '../core/errors';
import { exportFlowResults, FlowResult } from '../core/flowResult';
import { formatBytes, plural } from '../core/format';
import { log, reportError } from '../host/log';
import { EARLY_EXPORT_DELAY_MS, EarlyExport } from '../node/earlyExport';
import { ExportAnswer } from '../node/exportFile';
import { RunSource } from '../node/runScanner';
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
  // What the export reads: the run's local file (read by the worker, never on this thread)
  // or the bytes the store gives.
  let source: RunSource;
  let storedBytes: number;
  try {
    const outcome = (await handle.store.localRun?.(ref.id)) ?? (await handle.store.readRun(ref.id));
    if (outcome.kind === 'missing') {
      void vscode.window.showWarningMessage(`Run ${ref.id} no longer exists.`);
      return undefined;
    }
    if (outcome.kind === 'unreadable') return reportUnreadable(ref, outcome.reason);
    source = outcome.kind === 'file' ? { path: outcome.path, maxBytes: outcome.maxBytes } : { bytes: outcome.bytes };
    storedBytes = outcome.entry.size;
  } catch (error) {
    reportError(`Could not read run ${ref.id}.`, error);
    return undefined;
  }
  // A big local run is exported while the person chooses where to save it (beside the run,
  // moved into place on accept); for another, the kernel gets ready meanwhile. Both wait for
  // the dialog to open first (see EarlyExport).
  const early = 'path' in source && storedBytes >= PROGRESS_THRESHOLD_BYTES ? new EarlyExport((from, id, file) => ctx.scanner.exportRun(from, id, file), source, ref.id) : undefined;
  const prepare = !early && storedBytes >= PROGRESS_THRESHOLD_BYTES ? setTimeout(() => ctx.scanner.prepareExport(storedBytes), EARLY_EXPORT_DELAY_MS) : undefined;
  const remembered = ctx.workspaceState.get<string>(LAST_EXPORT_FOLDER);
  const base = remembered ? vscode.Uri.parse(remembered) : (handle.folder?.uri ?? vscode.workspace.workspaceFolders?.[0]?.uri);
  // The save dialog asks before replacing an existing file; we never overwrite behind it.
  const target = await vscode.window.showSaveDialog({
    title: `Export Run ${ref.id}`,
    saveLabel: 'Export',
    defaultUri: base ? vscode.Uri.joinPath(base, `${ref.id}.json`) : undefined,
    filters: { JSON: ['json'] },
  });
  clearTimeout(prepare);
  if (!target) {
    ctx.scanner.cancelExport();
    void early?.discard();
    return undefined;
  }
  const where = target.scheme === 'file' ? target.fsPath : target.toString(true);
  // Off this thread: a local file is written by the worker piece by piece; other file
  // systems take the export's bytes in one write.
  const write = async (): Promise<ExportAnswer> => {
    if (early && target.scheme === 'file') {
      const moved = await early.moveTo(target.fsPath);
      if (moved) return moved;
    } else {
      void early?.discard();
    }
    const answer = await ctx.scanner.exportRun(source, ref.id, target.scheme === 'file' ? target.fsPath : undefined);
    if (!answer.ok || !answer.bytes) return answer;
    try {
      await vscode.workspace.fs.writeFile(target, answer.bytes);
      return answer;
    } catch (error) {
      return { ok: false, kind: 'write', reason: errorMessage(error) };
    }
  };
  const answer = storedBytes >= PROGRESS_THRESHOLD_BYTES ? await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Exporting run ${ref.id.slice(0, 8)}…` }, write) : await write();
  if (!answer.ok) {
    if (answer.kind === 'unreadable') return reportUnreadable(ref, answer.reason);
    reportError(`Could not write ${where}.`, answer.reason);
    return undefined;
  }
  log().info(`Exported run ${ref.id} to ${target.toString(true)}: ${formatBytes(answer.byteLength)}, written by the ${answer.via} off the extension host's thread.`);
  await ctx.workspaceState.update(LAST_EXPORT_FOLDER, vscode.Uri.joinPath(target, '..').toString());
  void vscode.window.showInformationMessage(`Exported run ${ref.id.slice(0, 8)} to ${path.posix.basename(target.path)}.`, 'Open').then((choice) => {
    if (choice === 'Open') void vscode.window.showTextDocument(target);
  });
  return target;
}

function reportUnreadable(ref: RunRef, reason: string): undefined {
  reportError(`Run ${ref.id} cannot be exported: it is unreadable (${reason}).`);
  return undefined;
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

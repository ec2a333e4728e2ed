/**
 * Import…: FlowResult JSON files (one run as exported or written by serde, or an array as
 * written by Export All) are validated and saved into a chosen store; invalid files are
 * reported and nothing of them is written.
 */
import * as path from 'path';
import * as vscode from 'vscode';
import { FlowResult, flowResultFromJson, FlowResultError, parseFlowResultBytes } from '../core/flowResult';
import { errorMessage } from '../core/errors';
import { plural } from '../core/format';
import { parseJson, JsonSyntaxError } from '../core/json';
import { log } from '../host/log';
import { StoreHandle } from '../stores/historyStores';
import { CommandContext, requireTrust } from './commandContext';

export interface ImportReport {
  readonly imported: string[];
  readonly failed: { file: string; reason: string }[];
}

export async function importRunsCommand(ctx: CommandContext, files?: unknown): Promise<ImportReport | undefined> {
  if (!requireTrust('Importing runs')) return undefined;
  const uris = Array.isArray(files) && files.every((f) => f instanceof vscode.Uri)
    ? (files as vscode.Uri[])
    : await vscode.window.showOpenDialog({ title: 'Import Runs', openLabel: 'Import', canSelectMany: true, filters: { JSON: ['json'] } });
  if (!uris || uris.length === 0) return undefined;
  const target = await chooseStore(ctx);
  if (!target) return undefined;
  // A role that may not write (rights can change after the menus were drawn): refused before any file is read.
  await target.requireRight?.('insert');
  const report: ImportReport = { imported: [], failed: [] };
  const release = ctx.tree.holdRefresh();
  try {
    await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Importing into ${target.label}` }, async (progress) => {
      for (const uri of uris) {
        const name = path.posix.basename(uri.path);
        progress.report({ message: name, increment: 100 / uris.length });
        let results: FlowResult[];
        try {
          results = readResults(await vscode.workspace.fs.readFile(uri));
        } catch (error) {
          report.failed.push({ file: name, reason: error instanceof FlowResultError ? `not a FlowResult: ${error.message}` : errorMessage(error) });
          continue;
        }
        for (const result of results) {
          await target.store.save(result);
          report.imported.push(result.executionId);
        }
      }
    });
  } finally {
    release();
  }
  for (const f of report.failed) log().warn(`Import: ${f.file}: ${f.reason}`);
  const summary = `Imported ${plural(report.imported.length, 'run')} into ${target.label}.`;
  if (report.failed.length === 0) void vscode.window.showInformationMessage(summary);
  else {
    const first = report.failed[0];
    void vscode.window.showWarningMessage(`${summary} ${plural(report.failed.length, 'file')} could not be imported: ${first.file}: ${first.reason}${report.failed.length > 1 ? ' (see the Flow History log for the others)' : ''}`);
  }
  return report;
}

/** One run, or an array of runs; every element must be valid or the file is refused whole. */
function readResults(bytes: Uint8Array): FlowResult[] {
  const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes.subarray(0, 64));
  if (text.trimStart().startsWith('[') && !/^\s*\[\s*"/.test(text)) {
    // An array of records (Export All), not serde's array form of one struct.
    let value;
    try {
      value = parseJson(new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes), { maxDepth: 129 });
    } catch (error) {
      throw new FlowResultError(error instanceof JsonSyntaxError ? `Invalid JSON: ${error.message}` : errorMessage(error));
    }
    if (!Array.isArray(value)) throw new FlowResultError('expected an array of runs');
    return value.map((item, i) => {
      try {
        return flowResultFromJson(item);
      } catch (error) {
        throw new FlowResultError(`run ${i + 1}: ${errorMessage(error)}`);
      }
    });
  }
  return [parseFlowResultBytes(bytes)];
}

async function chooseStore(ctx: CommandContext): Promise<StoreHandle | undefined> {
  const writable = ctx.stores.all().filter((h) => h.capabilities.writable);
  // One store that keeps runs: no need to ask.
  const persistent = writable.filter((h) => h.capabilities.persistent);
  if (persistent.length === 1) return persistent[0];
  const picks = writable.map((h) => ({ label: h.presentation.label, description: h.presentation.where, handle: h }));
  return (await vscode.window.showQuickPick(picks, { title: 'Import into…' }))?.handle;
}

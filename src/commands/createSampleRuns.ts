/** Writes realistic sample runs into a workspace folder's store (the welcome view offers it). */
import * as vscode from 'vscode';
import { generateSampleRuns } from '../core/sample';
import { reportError } from '../host/log';
import { StoreHandle } from '../stores/historyStores';
import { CommandContext, requireTrust } from './commandContext';

const SAMPLE_COUNT = 12;

export async function createSampleRunsCommand(ctx: CommandContext, count: unknown = SAMPLE_COUNT): Promise<number> {
  if (!requireTrust('Creating sample runs')) return 0;
  // Samples go where runs are kept: not into a store that is gone after a reload.
  const folders = ctx.stores.all().filter((h) => h.capabilities.writable && h.capabilities.persistent);
  if (folders.length === 0) {
    void vscode.window.showInformationMessage('Open a folder first: sample runs are written to its .a3s/flow/executions folder.');
    return 0;
  }
  let target: StoreHandle | undefined = folders[0];
  if (folders.length > 1) {
    const picked = await vscode.window.showQuickPick(
      folders.map((h) => ({ label: h.presentation.label, description: h.presentation.where, handle: h })),
      { title: 'Create Sample Runs in…' },
    );
    target = picked?.handle;
  }
  if (!target) return 0;
  await target.requireRight?.('insert');
  const n = typeof count === 'number' && Number.isSafeInteger(count) && count > 0 && count <= 10_000 ? count : SAMPLE_COUNT;
  const release = ctx.tree.holdRefresh();
  try {
    for (const run of generateSampleRuns({ count: n })) await target.store.save(run);
  } catch (error) {
    reportError(`Could not write sample runs to ${target.label}.`, error);
    return 0;
  } finally {
    release();
  }
  void vscode.window.showInformationMessage(`Created ${n} sample runs in ${target.label}.`);
  return n;
}

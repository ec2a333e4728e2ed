/**
 * Retention: "Delete Runs Older Than…", "Keep Only the Newest N Runs…" and the optional
 * settings applied on demand. Always a preview count and a modal confirmation, never
 * silent; unreadable runs are never removed.
 */
import * as vscode from 'vscode';
import { readConfig } from '../host/config';
import { plural } from '../core/format';
import { describeRule, RetentionRule, selectForRetention } from '../core/retention';
import { RunRef } from '../stores/runRef';
import { CommandContext, requireTrust } from './commandContext';
import { deleteRuns } from './deleteRuns';

export async function deleteOlderThanCommand(ctx: CommandContext, days?: unknown): Promise<number> {
  if (!requireTrust('Deleting runs')) return 0;
  const value = typeof days === 'number' ? days : await askNumber('Delete Runs Older Than…', 'Delete runs saved more than this many days ago', '30', false);
  return value === undefined ? 0 : applyRule(ctx, { olderThanDays: value });
}

export async function keepNewestCommand(ctx: CommandContext, count?: unknown): Promise<number> {
  if (!requireTrust('Deleting runs')) return 0;
  const value = typeof count === 'number' ? count : await askNumber('Keep Only the Newest N Runs…', 'Keep this many of the newest runs in each store; delete the rest', '100', true);
  return value === undefined ? 0 : applyRule(ctx, { keepNewest: value });
}

/** The settings a3sFlow.history.retention.*, applied only when asked, with the same confirmation. */
export async function applyRetentionSettingsCommand(ctx: CommandContext): Promise<number> {
  if (!requireTrust('Deleting runs')) return 0;
  const config = readConfig();
  if (config.retentionMaxAgeDays === undefined && config.retentionMaxRuns === undefined) {
    const open = 'Open Settings';
    if ((await vscode.window.showInformationMessage('No retention is set. Set a3sFlow.history.retention.maxAgeDays or .maxRuns first.', open)) === open) {
      await vscode.commands.executeCommand('workbench.action.openSettings', 'a3sFlow.history.retention');
    }
    return 0;
  }
  return applyRule(ctx, { olderThanDays: config.retentionMaxAgeDays, keepNewest: config.retentionMaxRuns });
}

async function askNumber(title: string, prompt: string, value: string, integer: boolean): Promise<number | undefined> {
  const text = await vscode.window.showInputBox({
    title,
    prompt,
    value,
    validateInput: (t) => (/^\d+$/.test(t.trim()) || (!integer && /^\d+(\.\d+)?$/.test(t.trim())) ? undefined : integer ? 'Enter a whole number of 0 or more' : 'Enter a number of 0 or more'),
  });
  return text === undefined ? undefined : Number(text.trim());
}

async function applyRule(ctx: CommandContext, rule: RetentionRule): Promise<number> {
  const now = Date.now();
  const doomed: RunRef[] = [];
  let kept = 0;
  await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Checking runs for retention…' }, async () => {
    for (const handle of ctx.stores.all()) {
      const entries = await ctx.tree.entries(handle.key);
      // Only candidates are read: an unreadable one is kept and does not count.
      const unreadable = new Set<string>();
      for (const entry of selectForRetention(entries, rule, now)) {
        const figures = await ctx.tree.summaries.get(handle.key, handle.store, entry);
        if (figures.kind !== 'ok') unreadable.add(entry.id);
      }
      kept += unreadable.size;
      for (const e of selectForRetention(entries, rule, now, unreadable)) doomed.push({ storeKey: handle.key, id: e.id });
    }
  });
  const keptNote = kept ? ` ${plural(kept, 'unreadable run')} will be kept.` : '';
  if (doomed.length === 0) {
    void vscode.window.showInformationMessage(`No runs ${describeRule(rule)}.${keptNote}`);
    return 0;
  }
  return deleteRuns(ctx, doomed, `${plural(doomed.length, 'run')} ${describeRule(rule)}.${keptNote}`);
}

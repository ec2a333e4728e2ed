/** Compare two runs in VS Code's diff editor, on their export form (read-only documents). */
import * as vscode from 'vscode';
import { exportRunUri } from '../stores/runUris';
import { RunRef } from '../stores/runRef';
import { CommandContext, pickRuns, runsFromArguments } from './commandContext';

/** "Compare Runs" on two selected rows; with one, asks for the other. */
export async function compareRunsCommand(ctx: CommandContext, arg?: unknown, selection?: unknown): Promise<boolean> {
  let refs = runsFromArguments(ctx, arg, selection);
  if (refs.length > 2) {
    void vscode.window.showInformationMessage('Select exactly two runs to compare.');
    return false;
  }
  if (refs.length < 2) {
    const first = refs[0] ?? (await pickRuns(ctx, { title: 'Compare Runs: first run', canPickMany: false, readableOnly: true }))[0];
    if (!first) return false;
    const second = (await pickRuns(ctx, { title: `Compare ${first.id.slice(0, 8)} with…`, canPickMany: false, readableOnly: true, exclude: first }))[0];
    if (!second) return false;
    refs = [first, second];
  }
  await compareRunsOrdered(ctx, refs[0], refs[1]);
  return true;
}

/** Older on the left, newer on the right, as in a git diff. */
export async function compareRuns(a: RunRef, b: RunRef): Promise<void> {
  const title = `Run ${a.id.slice(0, 8)} ↔ ${b.id.slice(0, 8)}`;
  await vscode.commands.executeCommand('vscode.diff', exportRunUri(a), exportRunUri(b), title, { preview: false });
}

export async function compareRunsOrdered(ctx: CommandContext, a: RunRef, b: RunRef): Promise<void> {
  const ea = ctx.tree.entry(a);
  const eb = ctx.tree.entry(b);
  if (ea && eb && ea.savedAt > eb.savedAt) return compareRuns(b, a);
  return compareRuns(a, b);
}

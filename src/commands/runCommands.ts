/** Small commands on one run: open, open raw JSON, copy id, reveal in the Explorer. */
import * as vscode from 'vscode';
import { nodeOutputUri } from '../stores/runUris';
import { reportError } from '../host/log';
import { RunRef } from '../stores/runRef';
import { CommandContext, handleFor, pickRuns, runsForCommand } from './commandContext';

export async function openRunCommand(ctx: CommandContext, arg?: unknown, selection?: unknown, focusNode?: unknown): Promise<void> {
  const refs = await runsForCommand(ctx, arg, selection, { title: 'Open Run', canPickMany: false });
  // Several selected rows open several panels; the last one ends up in front.
  for (const ref of refs) ctx.panels.show(ref, typeof focusNode === 'string' ? focusNode : undefined);
}

export async function openRawJsonCommand(ctx: CommandContext, arg?: unknown, selection?: unknown): Promise<void> {
  const [ref] = await runsForCommand(ctx, arg, selection, { title: 'Open Raw JSON', canPickMany: false });
  if (ref) await openRawJson(ctx, ref);
}

/** The run's file where it has one (unreadable runs too); else a read-only document. */
export async function openRawJson(ctx: CommandContext, ref: RunRef): Promise<void> {
  const uri = handleFor(ctx, ref).rawJsonUri(ref.id);
  try {
    const document = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(document, { preview: true });
  } catch (error) {
    reportError(`Could not open the raw JSON of run ${ref.id}.`, error);
  }
}

export async function copyExecutionIdCommand(ctx: CommandContext, arg?: unknown, selection?: unknown): Promise<string | undefined> {
  const refs = await runsForCommand(ctx, arg, selection, { title: 'Copy Execution ID', canPickMany: false });
  if (refs.length === 0) return undefined;
  const text = refs.map((r) => r.id).join('\n');
  await vscode.env.clipboard.writeText(text);
  vscode.window.setStatusBarMessage(refs.length === 1 ? `Copied execution id ${refs[0].id}` : `Copied ${refs.length} execution ids`, 3000);
  return text;
}

export async function revealInExplorerCommand(ctx: CommandContext, arg?: unknown, selection?: unknown): Promise<void> {
  const [ref] = await runsForCommand(ctx, arg, selection, { title: 'Reveal in Explorer', canPickMany: false });
  if (!ref) return;
  const handle = handleFor(ctx, ref);
  const uri = handle.runFile(ref.id);
  if (!uri) {
    void vscode.window.showInformationMessage(`Runs in ${handle.presentation.label} are not files on disk.`);
    return;
  }
  await vscode.commands.executeCommand('revealInExplorer', uri);
}

/** A node's output as a read-only JSON document: folding, find, breadcrumbs and copy on huge outputs. */
export async function openNodeOutputCommand(_ctx: CommandContext, arg?: unknown): Promise<vscode.TextEditor | undefined> {
  const node = arg as { kind?: string; storeKey?: unknown; runId?: unknown; nodeId?: unknown } | undefined;
  if (!node || node.kind !== 'node' || typeof node.storeKey !== 'string' || typeof node.runId !== 'string' || typeof node.nodeId !== 'string') {
    void vscode.window.showInformationMessage('Expand a run in Flow History and choose a node to open its output.');
    return undefined;
  }
  const uri = nodeOutputUri({ storeKey: node.storeKey, id: node.runId }, node.nodeId);
  const document = await vscode.languages.setTextDocumentLanguage(await vscode.workspace.openTextDocument(uri), 'json');
  return vscode.window.showTextDocument(document, { preview: true });
}

/** Go to Run…: a quick pick over every run; typing a prefix of an id finds it. */
export async function goToRunCommand(ctx: CommandContext): Promise<void> {
  const [ref] = await pickRuns(ctx, { title: 'Go to Run', canPickMany: false });
  if (!ref) return;
  ctx.panels.show(ref);
  // Best effort: the row may be on a later page.
  await ctx.treeView.reveal(ctx.tree.runNode(ref), { select: true, focus: false }).then(undefined, () => undefined);
}

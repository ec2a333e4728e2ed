/** What every command needs, and how a command finds the runs it acts on. */
import * as vscode from 'vscode';
import { ExecutionEntry } from '../core/executionStore';
import { RunScanner } from '../node/runScanner';
import { formatRelativeTime, plural } from '../core/format';
import { DetailPanels } from '../panel/detailPanel';
import { RunGridPanels } from '../panel/gridPanel';
import { NodeHistoryPanels } from '../panel/historyPanel';
import { PlotPanels } from '../panel/plotPanel';
import { HistoryStores, StoreHandle } from '../stores/historyStores';
import { HistoryNode } from '../tree/treeNodes';
import { isRunRef, RunRef } from '../stores/runRef';
import { HistoryTreeProvider } from '../tree/historyTreeProvider';

export interface CommandContext {
  readonly extensionUri: vscode.Uri;
  readonly stores: HistoryStores;
  readonly tree: HistoryTreeProvider;
  readonly treeView: vscode.TreeView<HistoryNode>;
  readonly panels: DetailPanels;
  readonly grids: RunGridPanels;
  readonly histories: NodeHistoryPanels;
  readonly plots: PlotPanels;
  /** The worker thread that scans big runs and exports runs. */
  readonly scanner: RunScanner;
  readonly workspaceState: vscode.Memento;
  /** Passwords of the databases added with "Connect to Database…". */
  readonly secrets: vscode.SecretStorage;
}

/**
 * The runs a command was invoked on: the multi-selection when the clicked row is part of it
 * (VS Code passes `(clicked, selected[])`), else the clicked row, else the tree's selection.
 */
export function runsFromArguments(ctx: CommandContext, arg: unknown, selection: unknown): RunRef[] {
  const refs = (items: readonly unknown[]) => items.filter(isRunRef).map((r) => ({ storeKey: r.storeKey, id: r.id }));
  if (Array.isArray(selection) && selection.length > 0 && isRunRef(arg) && selection.includes(arg)) return dedupe(refs(selection));
  if (isRunRef(arg)) return [{ storeKey: arg.storeKey, id: arg.id }];
  if (arg === undefined && ctx.treeView.visible) return dedupe(refs(ctx.treeView.selection));
  return [];
}

function dedupe(refs: RunRef[]): RunRef[] {
  const seen = new Set<string>();
  return refs.filter((r) => {
    const key = `${r.storeKey}\n${r.id}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export interface RunPick extends vscode.QuickPickItem {
  readonly ref: RunRef;
  readonly savedAt: number;
}

/** A run as a quick pick item: its id, when, its counts (when known) and, among several stores, its store. */
export function runPick(ctx: CommandContext, handle: StoreHandle, entry: ExecutionEntry, now: number, multi: boolean): RunPick {
  const figures = ctx.tree.summaries.peek(handle.key, entry);
  const counts = figures?.kind === 'ok' ? `${plural(figures.nodeCount, 'node')}${figures.skipped ? `, ${figures.skipped} skipped` : ''}` : figures?.kind === 'unreadable' ? 'unreadable' : '';
  return {
    label: entry.id,
    description: [formatRelativeTime(entry.savedAt, now), counts, multi ? handle.label : ''].filter(Boolean).join(' · '),
    ref: { storeKey: handle.key, id: entry.id },
    savedAt: entry.savedAt,
  };
}

/** Every listed run as a quick pick item, newest first. */
export async function runPicks(ctx: CommandContext, options: { readableOnly?: boolean; exclude?: RunRef } = {}): Promise<RunPick[]> {
  const items: RunPick[] = [];
  const now = Date.now();
  const handles = ctx.stores.all();
  // Listed first: the memory store only counts (as in the tree) once it holds runs.
  const listed = await Promise.all(handles.map((h) => ctx.tree.entries(h.key)));
  const multi = ctx.tree.visibleStores().length > 1;
  for (const [index, handle] of handles.entries()) {
    for (const entry of listed[index]) {
      if (options.readableOnly && ctx.tree.summaries.peek(handle.key, entry)?.kind === 'unreadable') continue;
      if (options.exclude && options.exclude.storeKey === handle.key && options.exclude.id === entry.id) continue;
      items.push(runPick(ctx, handle, entry, now, multi));
    }
  }
  return items.sort((a, b) => b.savedAt - a.savedAt);
}

/** A quick pick over every run, newest first; typing a prefix of an id finds it. */
export async function pickRuns(ctx: CommandContext, options: { title: string; canPickMany: boolean; readableOnly?: boolean; exclude?: RunRef }): Promise<RunRef[]> {
  const items = await runPicks(ctx, options);
  if (items.length === 0) {
    void vscode.window.showInformationMessage('There are no runs in Flow History yet.');
    return [];
  }
  if (options.canPickMany) {
    const picked = await vscode.window.showQuickPick(items, { title: options.title, canPickMany: true, matchOnDescription: true, placeHolder: 'Type part of an execution id' });
    return (picked ?? []).map((p) => p.ref);
  }
  const picked = await vscode.window.showQuickPick(items, { title: options.title, matchOnDescription: true, placeHolder: 'Type part of an execution id' });
  return picked ? [picked.ref] : [];
}

/** The runs for a command: from its arguments, or asked for. */
export async function runsForCommand(ctx: CommandContext, arg: unknown, selection: unknown, ask: { title: string; canPickMany: boolean; readableOnly?: boolean }): Promise<RunRef[]> {
  const refs = runsFromArguments(ctx, arg, selection);
  return refs.length > 0 ? refs : pickRuns(ctx, ask);
}

export function handleFor(ctx: CommandContext, ref: RunRef): StoreHandle {
  const handle = ctx.stores.get(ref.storeKey);
  if (!handle) throw new Error(`The store of run ${ref.id} is no longer open.`);
  return handle;
}

/** Destructive and writing commands refuse in Restricted Mode, whoever invokes them. */
export function requireTrust(action: string): boolean {
  if (vscode.workspace.isTrusted) return true;
  void vscode.window.showWarningMessage(`${action} is not available in Restricted Mode. Trust this workspace to enable it.`, 'Manage Workspace Trust').then((choice) => {
    if (choice) void vscode.commands.executeCommand('workbench.trust.manage');
  });
  return false;
}

export function describeRuns(refs: readonly RunRef[]): string {
  return refs.length === 1 ? `run ${refs[0].id}` : `${refs.length} runs`;
}

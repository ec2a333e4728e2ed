/** Small commands on one run: open, open raw JSON, copy id, reveal in the Explorer. */
import * as vscode from 'vscode';
import { nodeOutputUri } from '../stores/runUris';
import { reportError } from '../host/log';
import { RunRef } from '../stores/runRef';
import { errorMessage, OperationCancelledError } from '../core/errors';
import { PagedEntry, StoreHandle } from '../stores/storeHandle';
import { log } from '../host/log';
import { CommandContext, handleFor, pickRuns, RunPick, runPick, runPicks, runsForCommand } from './commandContext';

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

/** How many runs a store's server finds for an id prefix, at most. */
const FOUND_BY_PREFIX = 20;
const PREFIX_DEBOUNCE_MS = 150;

interface FoundRun {
  readonly handle: StoreHandle;
  readonly entry: PagedEntry;
}

/** Stores that find runs by id in their server (a database), beyond the pages listed. */
function findersOf(ctx: CommandContext): StoreHandle[] {
  return ctx.stores.all().filter((h) => h.pager?.findByPrefix);
}

/** Runs whose id starts with `prefix`, found by the stores' servers (a store that fails, or is cancelled, finds none). */
async function findInServers(finders: readonly StoreHandle[], prefix: string, signal?: AbortSignal): Promise<FoundRun[]> {
  const found = await Promise.all(
    finders.map(async (handle) => {
      try {
        return (await handle.pager!.findByPrefix!(prefix, FOUND_BY_PREFIX, signal)).map((entry) => ({ handle, entry }));
      } catch (error) {
        if (error instanceof OperationCancelledError) return [];
        log().warn(`Could not look up runs starting with ${JSON.stringify(prefix)} in ${handle.label}: ${errorMessage(error)}`);
        return [];
      }
    }),
  );
  return found.flat();
}

const refKey = (ref: RunRef) => `${ref.storeKey}\n${ref.id}`;

/**
 * Go to Run…: a quick pick over every listed run; typing a prefix of an id finds it, also in
 * a database beyond its loaded pages (found in the server). With `prefix` (a string), goes
 * straight to the run whose id starts with it (asking when several do). Opens the run's panel
 * and reveals and selects its row.
 */
export async function goToRunCommand(ctx: CommandContext, prefix?: unknown): Promise<RunRef | undefined> {
  const found = new Map<string, FoundRun>();
  const ref = typeof prefix === 'string' ? await runByPrefix(ctx, prefix.trim(), found) : await pickRunFindingIds(ctx, found);
  if (!ref) return undefined;
  ctx.panels.show(ref);
  // The row is shown (a run found in a server beyond the loaded pages becomes one), so it can be revealed.
  const entry = ctx.tree.entry(ref) ?? found.get(refKey(ref))?.entry;
  if (entry) await ctx.tree.includeRun(ref.storeKey, entry);
  await revealRow(ctx, ref);
  return ref;
}

/** How often, and how long apart, a row that VS Code did not reveal and select is tried again. */
const REVEAL_ATTEMPTS = 4;
const REVEAL_RETRY_MS = 400;

/**
 * Reveals and selects a run's row. VS Code may refuse, or reveal without selecting, while
 * the refresh that adds the row is still on its way (it delays refreshes that come close
 * together; seen on a busy machine): the row is then tried again a few times. Best effort:
 * under a search the row may not be shown at all.
 */
async function revealRow(ctx: CommandContext, ref: RunRef): Promise<void> {
  const node = ctx.tree.runNode(ref);
  for (let attempt = 1; ; attempt++) {
    const selected = new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => done(false), REVEAL_RETRY_MS);
      const listener = ctx.treeView.onDidChangeSelection((event) => event.selection.includes(node) && done(true));
      const done = (value: boolean) => {
        clearTimeout(timer);
        listener.dispose();
        resolve(value);
      };
    });
    const revealed = await ctx.treeView.reveal(node, { select: true, focus: false }).then(
      () => true,
      (error: unknown) => (log().debug(`Could not reveal the row of run ${ref.id} (attempt ${attempt}): ${errorMessage(error)}`), false),
    );
    if ((revealed && (ctx.treeView.selection.includes(node) || (await selected))) || attempt === REVEAL_ATTEMPTS || ctx.tree.activeFilter !== undefined) return;
    if (!revealed) await selected;
  }
}

async function runByPrefix(ctx: CommandContext, prefix: string, found: Map<string, FoundRun>): Promise<RunRef | undefined> {
  const wanted = prefix.toLowerCase();
  const listed = wanted === '' ? [] : (await runPicks(ctx)).filter((item) => item.ref.id.toLowerCase().startsWith(wanted));
  const known = new Set(listed.map((item) => refKey(item.ref)));
  const now = Date.now();
  const multi = ctx.tree.visibleStores().length > 1;
  const extra: RunPick[] = [];
  for (const run of wanted === '' ? [] : await findInServers(findersOf(ctx), wanted)) {
    const ref = { storeKey: run.handle.key, id: run.entry.id };
    found.set(refKey(ref), run);
    if (!known.has(refKey(ref))) extra.push(runPick(ctx, run.handle, run.entry, now, multi));
  }
  const items = [...listed, ...extra].sort((a, b) => b.savedAt - a.savedAt);
  if (items.length === 0) {
    void vscode.window.showInformationMessage(`No run's execution id starts with "${prefix.slice(0, 40)}".`);
    return undefined;
  }
  if (items.length === 1) return items[0].ref;
  const picked = await vscode.window.showQuickPick(items, { title: 'Go to Run', matchOnDescription: true, placeHolder: `Runs whose id starts with ${prefix.slice(0, 40)}` });
  return picked?.ref;
}

/**
 * The quick pick of Go to Run. Without a store that finds runs in its server, the same as
 * every other run pick; with one, a typed id prefix is also looked up there (debounced) and
 * the runs found beyond the loaded pages join the list.
 */
async function pickRunFindingIds(ctx: CommandContext, found: Map<string, FoundRun>): Promise<RunRef | undefined> {
  const finders = findersOf(ctx);
  if (finders.length === 0) return (await pickRuns(ctx, { title: 'Go to Run', canPickMany: false }))[0];
  const listed = await runPicks(ctx);
  const known = new Set(listed.map((item) => refKey(item.ref)));
  const multi = ctx.tree.visibleStores().length > 1;
  const pick = vscode.window.createQuickPick<RunPick>();
  pick.title = 'Go to Run';
  pick.placeholder = 'Type part of an execution id (the start of one to find it in a database)';
  pick.matchOnDescription = true;
  pick.items = listed;
  let asked = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  // The lookup in flight: stopped in the server when the text changes or the pick closes.
  let lookup = new AbortController();
  const lookUp = async (wanted: string, generation: number) => {
    const runs = await findInServers(finders, wanted, lookup.signal);
    if (generation !== asked) return;
    const now = Date.now();
    const extra: RunPick[] = [];
    for (const run of runs) {
      const ref = { storeKey: run.handle.key, id: run.entry.id };
      found.set(refKey(ref), run);
      if (!known.has(refKey(ref))) extra.push({ ...runPick(ctx, run.handle, run.entry, now, multi), alwaysShow: true });
    }
    pick.items = [...extra, ...listed];
    pick.busy = false;
  };
  const subscriptions = [
    pick.onDidChangeValue((value) => {
      const generation = ++asked;
      if (timer) clearTimeout(timer);
      lookup.abort();
      lookup = new AbortController();
      const wanted = value.trim().toLowerCase();
      // Only what can start an id is looked up.
      if (!/^[0-9a-f][0-9a-f-]{0,35}$/.test(wanted)) {
        pick.busy = false;
        if (pick.items.length !== listed.length) pick.items = listed;
        return;
      }
      pick.busy = true;
      timer = setTimeout(() => void lookUp(wanted, generation), PREFIX_DEBOUNCE_MS);
    }),
  ];
  try {
    return await new Promise<RunRef | undefined>((resolve) => {
      subscriptions.push(
        pick.onDidAccept(() => {
          resolve(pick.selectedItems[0]?.ref);
          pick.hide();
        }),
        pick.onDidHide(() => resolve(undefined)),
      );
      pick.show();
    });
  } finally {
    if (timer) clearTimeout(timer);
    lookup.abort();
    for (const s of subscriptions) s.dispose();
    pick.dispose();
  }
}

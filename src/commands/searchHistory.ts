/**
 * Search history: narrows the tree to runs whose execution id, node ids, outputs or context
 * contain the text. Reads run files in small batches, yielding between them, with a
 * cancellable progress notification, so a large store never blocks the extension host.
 */
import * as vscode from 'vscode';
import { plural } from '../core/format';
import { CommandContext } from './commandContext';

const BATCH = 50;

export async function searchHistoryCommand(ctx: CommandContext, query?: unknown): Promise<number | undefined> {
  const text = typeof query === 'string' ? query : await vscode.window.showInputBox({
    title: 'Search Flow History',
    prompt: 'Show runs whose execution id, node ids, outputs or context contain this text (case-insensitive)',
    value: ctx.tree.activeFilter ?? '',
    placeHolder: 'e.g. acme, fetch, 18446744073709551615',
  });
  if (text === undefined) return undefined;
  if (text.trim() === '') {
    clearSearch(ctx);
    return undefined;
  }
  const needle = text.toLowerCase();
  const matches = new Map<string, Set<string>>();
  let total = 0;
  const completed = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Searching runs for "${text}"`, cancellable: true },
    async (progress, token) => {
      const handles = ctx.stores.all();
      const all = await Promise.all(handles.map(async (h) => ({ handle: h, entries: await ctx.tree.entries(h.key) })));
      const count = all.reduce((n, s) => n + s.entries.length, 0);
      let done = 0;
      for (const { handle, entries } of all) {
        const found = new Set<string>();
        matches.set(handle.key, found);
        for (let i = 0; i < entries.length; i += BATCH) {
          if (token.isCancellationRequested) return false;
          await Promise.all(
            entries.slice(i, i + BATCH).map(async (entry) => {
              if (entry.id.includes(needle)) {
                found.add(entry.id);
                return;
              }
              try {
                const raw = await handle.store.readRaw(entry.id);
                if (raw && raw.toLowerCase().includes(needle)) found.add(entry.id);
              } catch {
                // unreadable or too big: not a match
              }
            }),
          );
          done += Math.min(BATCH, entries.length - i);
          progress.report({ message: `${done.toLocaleString('en-US')} of ${count.toLocaleString('en-US')}`, increment: (100 * Math.min(BATCH, entries.length - i)) / Math.max(count, 1) });
          // Let other work run between batches.
          await new Promise((resolve) => setImmediate(resolve));
        }
        total += found.size;
      }
      return true;
    },
  );
  if (!completed) return undefined;
  ctx.tree.setFilter(text, matches);
  vscode.window.setStatusBarMessage(`Flow History: ${plural(total, 'run')} ${total === 1 ? 'matches' : 'match'} "${text}"`, 5000);
  return total;
}

export function clearSearch(ctx: CommandContext): void {
  ctx.tree.setFilter(undefined);
}

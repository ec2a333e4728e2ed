/**
 * Search history: narrows the tree to runs whose execution id, node ids, outputs or context
 * contain the text. Reads run files in small batches, yielding between them, with a
 * cancellable progress notification, so a large store never blocks the extension host.
 * Stores that can search themselves (a database) are searched in their server, all of their
 * runs, not only those listed; the tree pages their matches like their runs.
 */
import * as vscode from 'vscode';
import { plural } from '../core/format';
import { ServerMatches } from '../tree/historyTreeProvider';
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
  const server = new Map<string, ServerMatches>();
  let total = 0;
  const completed = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Searching runs for "${text}"`, cancellable: true },
    async (progress, token) => {
      const handles = ctx.stores.all();
      // Cancel stops the search in the database server too, not only the wait for it.
      const abort = new AbortController();
      const onAbort = token.onCancellationRequested(() => abort.abort());
      // Stores that search themselves: their first page of matches, searched meanwhile.
      const searching = Promise.all(
        handles
          .filter((h) => h.pager?.search)
          .map(async (h) => {
            await ctx.tree.entries(h.key);
            if (abort.signal.aborted) return;
            const found = await ctx.tree.searchInStore(h.key, text, abort.signal);
            if (found) server.set(h.key, found);
          }),
      ).finally(() => onAbort.dispose());
      let onCancel: vscode.Disposable | undefined;
      const cancelled = new Promise<false>((resolve) => (onCancel = token.onCancellationRequested(() => resolve(false))));
      const all = await Promise.all(handles.filter((h) => !h.pager?.search).map(async (h) => ({ handle: h, entries: await ctx.tree.entries(h.key) })));
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
      if (server.size < handles.filter((h) => h.pager?.search).length) progress.report({ message: 'waiting for the database' });
      // A slow server: Cancel leaves the tree as it was.
      const finished = await Promise.race([searching.then(() => true), cancelled]);
      onCancel?.dispose();
      if (!finished) return false;
      for (const found of server.values()) total += found.entries.length;
      return true;
    },
  );
  if (!completed) return undefined;
  ctx.tree.setFilter(text, matches, server);
  const more = ctx.tree.hasMoreServerMatches() ? ' (and more, page by page)' : '';
  vscode.window.setStatusBarMessage(`Flow History: ${plural(total, 'run')} ${total === 1 && !more ? 'matches' : 'match'} "${text}"${more}`, 5000);
  return total;
}

export function clearSearch(ctx: CommandContext): void {
  ctx.tree.setFilter(undefined);
}

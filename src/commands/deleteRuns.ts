/**
 * Delete one or many runs: a modal confirmation naming them; the trash where the file
 * system has one, and where it has not (remote and server file systems), a second modal
 * that says the delete is permanent. One tree refresh for the whole batch.
 */
import * as vscode from 'vscode';
import { TrashUnavailableError } from '../core/executionStore';
import { errorMessage } from '../core/errors';
import { log, reportError } from '../host/log';
import { RunRef } from '../stores/runRef';
import { CommandContext, describeRuns, handleFor, requireTrust, runsForCommand } from './commandContext';

const MAX_LISTED = 10;
/** Deletes in flight at once. */
const DELETE_CONCURRENCY = 8;

export async function deleteRunsCommand(ctx: CommandContext, arg?: unknown, selection?: unknown): Promise<number> {
  if (!requireTrust('Deleting runs')) return 0;
  const refs = await runsForCommand(ctx, arg, selection, { title: 'Delete Runs', canPickMany: true });
  if (refs.length === 0) return 0;
  return deleteRuns(ctx, refs);
}

export async function deleteRuns(ctx: CommandContext, refs: readonly RunRef[], why?: string): Promise<number> {
  const handles = [...new Set(refs.map((r) => handleFor(ctx, r)))];
  // A store whose role may not delete (a read-only database user) refuses the whole batch up
  // front, before any question, so nothing is half-done. Invoked from the palette too.
  for (const handle of handles) await handle.requireRight?.('delete');
  const withTrash = refs.map((r) => ctx.stores.get(r.storeKey)).filter((h) => h?.capabilities.trash);
  const trashKnownMissing = withTrash.some((h) => ctx.stores.trashMissing(h!));
  const permanent = withTrash.length === 0 || trashKnownMissing;
  const accept = permanent ? 'Delete Permanently' : 'Move to Trash';
  const question = permanent ? `Permanently delete ${describeRuns(refs)}?` : `Move ${describeRuns(refs)} to the trash?`;
  const noTrash = permanent ? 0 : refs.length - withTrash.length;
  const detail = [
    why,
    listRuns(refs),
    permanent ? 'This cannot be undone.' : `You can restore ${refs.length === 1 ? 'it' : 'them'} from the trash.`,
    noTrash > 0 ? `${noTrash === 1 ? 'One run is' : `${noTrash} runs are`} in a store without a trash (a database) and ${noTrash === 1 ? 'is' : 'are'} deleted permanently.` : undefined,
  ]
    .filter(Boolean)
    .join('\n\n');
  if ((await vscode.window.showWarningMessage(question, { modal: true, detail }, accept)) !== accept) return 0;

  const release = ctx.tree.holdRefresh();
  let deleted = 0;
  try {
    const needPermanent: RunRef[] = [];
    const failures: string[] = [];
    // Stores that delete many runs in one transaction (a database): one call each, all or none.
    const single: RunRef[] = [];
    for (const handle of handles) {
      const mine = refs.filter((r) => r.storeKey === handle.key);
      if (!handle.deleteMany) {
        single.push(...mine);
        continue;
      }
      try {
        deleted += (await handle.deleteMany(mine.map((r) => r.id))).length;
      } catch (error) {
        failures.push(`${handle.label} (none of its ${mine.length} selected run(s) was deleted): ${errorMessage(error)}`);
      }
    }
    await withProgressIfMany(single.length, 'Deleting runs', async (step) => {
      // A few at a time: each delete is a round trip to the file system (to the server, in a
      // remote window), so 1,000 in a row take half a minute.
      await forEachConcurrently(single, DELETE_CONCURRENCY, async (ref) => {
        // Decided once for the batch: what the user agreed to, never silently more.
        try {
          const handle = handleFor(ctx, ref);
          const useTrash = !permanent && handle.capabilities.trash;
          // A store found to have no trash earlier in this batch: asked about below, not tried again.
          if (useTrash && ctx.stores.trashMissing(handle)) throw new TrashUnavailableError('found earlier in this batch');
          await handle.store.delete(ref.id, { useTrash });
          deleted++;
        } catch (error) {
          if (error instanceof TrashUnavailableError) {
            const handle = ctx.stores.get(ref.storeKey);
            if (handle) ctx.stores.noteTrashMissing(handle);
            needPermanent.push(ref);
          } else {
            failures.push(`${ref.id}: ${errorMessage(error)}`);
          }
        }
        step();
      });
    });
    if (needPermanent.length > 0) {
      const again = 'Delete Permanently';
      const choice = await vscode.window.showWarningMessage(
        `The trash is not available here. Permanently delete ${describeRuns(needPermanent)}?`,
        { modal: true, detail: `${listRuns(needPermanent)}\n\nThis cannot be undone.` },
        again,
      );
      if (choice === again) {
        await withProgressIfMany(needPermanent.length, 'Deleting runs', (step) =>
          forEachConcurrently(needPermanent, DELETE_CONCURRENCY, async (ref) => {
            try {
              await handleFor(ctx, ref).store.delete(ref.id);
              deleted++;
            } catch (error) {
              failures.push(`${ref.id}: ${errorMessage(error)}`);
            }
            step();
          }),
        );
      }
    }
    if (failures.length > 0) {
      log().error(`Could not delete ${failures.length} run(s):\n${failures.join('\n')}`);
      reportError(`Could not delete ${failures.length === 1 ? 'a run' : `${failures.length} runs`}. See the Flow History log for details.`);
    }
    if (deleted > 0) log().info(`Deleted ${deleted} run(s)`);
  } finally {
    release();
  }
  return deleted;
}

function listRuns(refs: readonly RunRef[]): string {
  const lines = refs.slice(0, MAX_LISTED).map((r) => r.id);
  if (refs.length > MAX_LISTED) lines.push(`…and ${refs.length - MAX_LISTED} more`);
  return lines.join('\n');
}

/** Runs `work` over `items` with at most `limit` running at once. */
async function forEachConcurrently<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

async function withProgressIfMany(count: number, title: string, work: (step: () => void) => Promise<void>): Promise<void> {
  if (count < 20) return work(() => undefined);
  await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title }, async (progress) => {
    const increment = 100 / count;
    await work(() => progress.report({ increment }));
  });
}

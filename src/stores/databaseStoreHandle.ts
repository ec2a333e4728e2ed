/**
 * A PostgreSQL run history (src/postgres) as the extension hosts it: a group beside the
 * workspace folders, listed in keyset pages with the row figures the server computes, raw
 * JSON in read-only `flow-history:` documents. No files and no trash; writable only where
 * the role may INSERT and DELETE (found out by asking the server, see `checkPrivileges`).
 */
import { PermissionDeniedError, PostgresExecutionStore, redactUrl, RunSummaryRow } from '../postgres/postgresStore';
import { RunFigures } from '../core/summaryCache';
import { rawRunUri } from './runUris';
import { PagedEntry, StoreCapabilities, StoreHandle } from './storeHandle';

export interface DatabaseStoreHandle extends StoreHandle {
  readonly kind: 'database';
  readonly store: PostgresExecutionStore;
  /** The URL of the setting (never with a password). */
  readonly url: string;
  readonly capabilities: StoreCapabilities;
  /** Asks the server what the role may do and updates `capabilities`; true when they changed. */
  checkPrivileges(): Promise<boolean>;
}

/**
 * Where a database's password is kept in VS Code's SecretStorage: made from its name and
 * URL, so a changed URL (another server or role) never gets the old password.
 */
export function databaseSecretKey(name: string, url: string): string {
  return `a3sFlow.history.databasePassword:${JSON.stringify([name, url])}`;
}

/** The key of a database's group: stable across windows for the same name. */
export function databaseStoreKey(name: string): string {
  return `database:${name}`;
}

function pageLimit(limit: number): number {
  return Math.min(5000, Math.max(1, Math.floor(limit)));
}

/** A listed row with the figures the server computed (none for a record that is not a FlowResult). */
function pagedEntry(row: RunSummaryRow): PagedEntry {
  const figures: RunFigures | undefined =
    row.nodes === null || row.skipped === null ? undefined : { kind: 'ok', nodeCount: row.nodes, executed: row.executed ?? row.nodes - row.skipped, skipped: row.skipped };
  return { id: row.id, savedAt: row.savedAt, size: row.size, figures };
}

export function createDatabaseStoreHandle(name: string, url: string, store: PostgresExecutionStore): DatabaseStoreHandle {
  const key = databaseStoreKey(name);
  const where = redactUrl(url);
  // Nothing may be written until the server said the role may (asked right after creation).
  // Live: historyStores watches every database (LISTEN/NOTIFY, or a poll without the trigger).
  const capabilities = { files: false, trash: false, writable: false, live: true, persistent: true, connection: true };
  return {
    kind: 'database',
    key,
    label: name,
    store,
    url,
    capabilities,
    presentation: { label: name, where, tooltip: `PostgreSQL: ${where} (${store.name.schema}.${store.name.table})`, icon: 'database', showWhenEmpty: true },
    trashScope: key,
    rawJsonUri: (id) => rawRunUri({ storeKey: key, id }),
    runFile: () => undefined,
    runLocation: () => undefined,
    pager: {
      async page(after, limit) {
        const page = await store.listPage({ after, limit: pageLimit(limit) });
        return { entries: page.rows.map(pagedEntry), next: page.next };
      },
      count: () => store.countEstimate(),
      async search(term, after, limit, signal) {
        const page = await store.search(term, { after, limit: pageLimit(limit), signal });
        return { entries: page.rows.map(pagedEntry), next: page.next };
      },
      async findByPrefix(prefix, limit, signal) {
        return (await store.findRowsByPrefix(prefix, pageLimit(limit), { signal })).map(pagedEntry);
      },
    },
    async requireRight(what) {
      const privileges = await store.privileges();
      if (privileges[what]) return;
      const role = await store.currentRole().catch(() => undefined);
      const verb = what === 'delete' ? 'delete runs' : 'save or import runs';
      throw new PermissionDeniedError(
        `The role ${role ? `"${role}" ` : ''}cannot ${verb} in "${name}" (${store.name.schema}.${store.name.table}: it lacks the ${what === 'delete' ? 'DELETE' : 'INSERT and UPDATE'} right); nothing was changed.`,
      );
    },
    deleteMany: (ids) => store.deleteMany(ids),
    async checkPrivileges() {
      const privileges = await store.privileges();
      const writable = privileges.insert && privileges.delete;
      if (writable === capabilities.writable) return false;
      capabilities.writable = writable;
      return true;
    },
  };
}

/**
 * A run history in PostgreSQL (schema.ts): the same ExecutionStore contract as the folder
 * store (save overwrites, load of an unknown id gives undefined, list gives every id, delete
 * of an unknown id is a no-op), plus what a team history needs at a million runs: keyset
 * pages of summaries without bodies, a count estimate, search in the server, deletes of
 * many runs in one transaction, and a privilege check so callers refuse up front.
 *
 * Every value reaches SQL as a parameter; only the configured schema and table names are
 * part of the SQL text, and those are checked and quoted (schema.ts). Bodies are stored as
 * the exact serde text and read back with `result::text`, byte for byte. Pure Node (the `pg`
 * client): no `vscode` import.
 */
import { Client, DatabaseError, Notification, Pool, PoolClient, PoolConfig } from 'pg';
import { parseIntoClientConfig } from 'pg-connection-string';
import pgpass from 'pgpass';
import { Emitter } from '../core/events';
import {
  ExecutionEntry,
  ExecutionStore,
  InspectOutcome,
  inspectViaReadRun,
  loadViaInspect,
  ReadOutcome,
  requireExecutionId,
  StoreChange,
} from '../core/executionStore';
import { OperationCancelledError } from '../core/errors';
import { normalizeExecutionId } from '../core/executionId';
import { FlowResult, serializeFlowResult } from '../core/flowResult';
import { escapeLike, NOTIFY_CHANNEL, notifyTriggerName, qualifiedName, schemaStatements, SchemaOptions, TableName, tableName } from './schema';

export interface PostgresStoreOptions {
  /** `postgres://user@host:port/db?sslmode=…`; a password in it works but belongs in PGPASSWORD, ~/.pgpass or `password`. */
  readonly url: string;
  /**
   * Used when the URL has none; otherwise PGPASSWORD, then ~/.pgpass (libpq's rules). A
   * function is asked each time a connection is opened (a password kept in a secret store).
   */
  readonly password?: string | (() => Promise<string | undefined>);
  readonly schema?: string;
  readonly table?: string;
  /** Server-side statement timeout in ms (0: none). Default 30 s. */
  readonly statementTimeoutMs?: number;
  /** How long to wait for a connection, in ms. Default 10 s. */
  readonly connectTimeoutMs?: number;
  /** Connections kept open at most. Default 4. */
  readonly maxConnections?: number;
}

/** One listed run: what the tree and `list` show, computed by the server. */
export interface RunSummaryRow {
  readonly id: string;
  /** ms since epoch. */
  readonly savedAt: number;
  readonly size: number;
  /** Null when the stored record is not a FlowResult object. */
  readonly nodes: number | null;
  readonly skipped: number | null;
  readonly executed: number | null;
}

export interface RunPage {
  readonly rows: RunSummaryRow[];
  /** Pass as `after` for the next page; undefined on the last one. */
  readonly next?: string;
}

export interface PageOptions {
  /** A cursor from the previous page. */
  readonly after?: string;
  /** Rows per page (1 to 5000). Default 200. */
  readonly limit?: number;
  /**
   * Only `search` and `findRowsByPrefix`: aborting it cancels the statement in the server
   * (pg_cancel_backend) and rejects with an OperationCancelledError.
   */
  readonly signal?: AbortSignal;
}

export interface Privileges {
  readonly select: boolean;
  readonly insert: boolean;
  readonly delete: boolean;
}

/** A run to write as given: its exact text and, optionally, when it was saved. */
export interface StoredText {
  readonly id: string;
  readonly text: string;
  /** ms since epoch; the server's now() when absent. */
  readonly savedAt?: number;
}

export interface WatchOptions {
  /** The fallback poll's interval when the table has no NOTIFY trigger, in ms. Default 2 s. */
  readonly pollMs?: number;
  /** Notifications arriving within this many ms become one change. Default 50 ms. */
  readonly debounceMs?: number;
  /** Told once how the store is watched, and of connection trouble (never a password). */
  readonly log?: (message: string) => void;
}

/** How changes by other clients are seen: LISTEN on the trigger's channel, or a cheap poll. */
export interface StoreWatch {
  readonly mode: 'listen' | 'poll';
  dispose(): void;
}

/** A failure talking to the database, said plainly (never with the password). */
export class PostgresStoreError extends Error {
  constructor(
    message: string,
    readonly code?: string,
  ) {
    super(message);
    this.name = 'PostgresStoreError';
  }
}

/** The role lacks a right an operation needs; raised before anything is done. */
export class PermissionDeniedError extends PostgresStoreError {
  constructor(message: string) {
    super(message, '42501');
    this.name = 'PermissionDeniedError';
  }
}

/** What the poll (no trigger) compares: the newest saved_at and the table's write counters. */
interface PollState {
  readonly max: string;
  readonly writes: number;
  readonly deletes: number;
}

/** What one of the store's own writes did: the ids written, and the newest saved_at it left. */
interface OwnWriteResult {
  readonly ids: string[];
  readonly newest?: string | null;
}

const MICROS = `(extract(epoch FROM saved_at) * 1000000)::bigint::text`;
const SUMMARY_COLUMNS = `execution_id::text AS id, ${MICROS} AS micros, size_bytes AS size, node_count AS nodes, skipped_count AS skipped`;
const MAX_PAGE = 5000;
/** How long a NOTIFY for a row we wrote counts as our own echo. */
const OWN_ECHO_MS = 5000;
/**
 * How long the poll (no trigger) takes a change as our own writes': the server's write
 * counters show them when the writing connection flushes its statistics, which PostgreSQL 15
 * does at most once a second, or 10 s after it went idle.
 */
const OWN_POLL_ECHO_MS = 15_000;

/** The URL without its password, for labels and messages. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '';
    return parsed.toString().replace(/:@/, '@');
  } catch {
    return '(an invalid database URL)';
  }
}

function lookUpPgpass(config: PoolConfig): Promise<string | undefined> {
  return new Promise((resolve) => {
    pgpass({ host: config.host ?? 'localhost', port: config.port ?? 5432, database: config.database ?? config.user, user: config.user ?? process.env.PGUSER }, resolve);
  });
}

/** A cursor is `<µs since epoch>_<id>`: opaque to callers, checked before it reaches SQL. */
function parseCursor(cursor: string): { micros: string; id: string } {
  const match = /^(-?\d{1,19})_([0-9a-f-]{36})$/.exec(cursor);
  const id = match ? normalizeExecutionId(match[2]) : undefined;
  if (!match || !id) throw new PostgresStoreError(`Not a page cursor: ${JSON.stringify(cursor.slice(0, 80))}`);
  return { micros: match[1], id };
}

/**
 * The keyset condition for the rows after `after` (newest first): `(saved_at, execution_id)`
 * below the cursor's, its two values pushed onto `params`. Empty without a cursor.
 */
function afterCursor(after: string | undefined, params: unknown[]): string {
  if (after === undefined) return '';
  const cursor = parseCursor(after);
  params.push(cursor.micros, cursor.id);
  const micros = params.length - 1;
  return `(saved_at, execution_id) < ('epoch'::timestamptz + $${micros}::bigint * interval '1 microsecond', $${micros + 1}::uuid)`;
}

function pageLimit(limit: number | undefined): number {
  const n = limit ?? 200;
  if (!Number.isSafeInteger(n) || n < 1 || n > MAX_PAGE) throw new PostgresStoreError(`A page holds 1 to ${MAX_PAGE} runs, not ${n}`);
  return n;
}

interface SummaryRecord {
  id: string;
  micros: string;
  size: number | null;
  nodes: number | null;
  skipped: number | null;
}

function toSummary(row: SummaryRecord): RunSummaryRow {
  const nodes = row.nodes;
  const skipped = row.skipped;
  return {
    id: row.id,
    savedAt: Math.floor(Number(row.micros) / 1000),
    size: row.size ?? 0,
    nodes,
    skipped,
    executed: nodes === null || skipped === null ? null : nodes - skipped,
  };
}

function toPage(records: SummaryRecord[], limit: number): RunPage {
  const rows = records.slice(0, limit);
  const last = records.length > limit ? records[limit - 1] : undefined;
  return { rows: rows.map(toSummary), next: last ? `${last.micros}_${last.id}` : undefined };
}

const UUID_SHAPE = '00000000-0000-0000-0000-000000000000';

/** The lowest and highest ids starting with `prefix`, or undefined when no id can. */
export function idPrefixRange(prefix: string): [string, string] | undefined {
  const p = prefix.toLowerCase();
  if (p.length === 0 || p.length > UUID_SHAPE.length) return undefined;
  for (let i = 0; i < p.length; i++) {
    if (UUID_SHAPE[i] === '-' ? p[i] !== '-' : !/[0-9a-f]/.test(p[i])) return undefined;
  }
  const rest = UUID_SHAPE.slice(p.length);
  return [p + rest, p + rest.replace(/0/g, 'f')];
}

export class PostgresExecutionStore implements ExecutionStore {
  readonly label: string;
  readonly name: TableName;
  private readonly table: string;
  private readonly pool: Pool;
  private readonly statementTimeoutMs: number;
  private readonly changes = new Emitter<StoreChange>();
  readonly onDidChange = this.changes.event;
  private closed = false;
  private readonly config: PoolConfig;
  /**
   * Rows this store just wrote or deleted, by id, with when: their NOTIFY echo is dropped
   * once (our own change already fired), so a delete of 1,000 runs refreshes the tree once.
   */
  private readonly ownWrites = new Map<string, { count: number; at: number }>();
  /** LISTEN watches open (own writes are remembered only while there is one). */
  private listening = 0;
  /** Polls open (no trigger): own writes are then remembered as what the poll will see. */
  private polling = 0;
  /**
   * Own writes since the poll last saw the table change: rows written and deleted (the write
   * counters show them within about a second) and the newest saved_at they left (which shows
   * at once), so the poll does not list again for a change this store already fired.
   */
  private pollEchoes = { writes: 0, deletes: 0, maxes: new Set<string>(), at: 0 };
  /**
   * Own writes under way: their rows can show in a poll before the write's answer has been
   * handled (and its share added to pollEchoes), so the poll decides nothing meanwhile.
   */
  private writesInFlight = 0;

  constructor(options: PostgresStoreOptions) {
    this.name = tableName(options.schema, options.table);
    this.table = qualifiedName(this.name);
    this.statementTimeoutMs = options.statementTimeoutMs ?? 30_000;
    this.label = `${redactUrl(options.url)} (${this.name.schema}.${this.name.table})`;
    let parsed: URL;
    try {
      parsed = new URL(options.url);
    } catch {
      throw new PostgresStoreError(`Not a database URL (expected postgres://user@host:port/database): ${JSON.stringify(redactUrl(options.url))}`);
    }
    if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
      throw new PostgresStoreError(`Not a database URL (expected postgres://user@host:port/database), got a ${parsed.protocol} URL`);
    }
    let client: PoolConfig;
    try {
      // Parsed here (not handed over as connectionString, whose fields would override ours)
      // with pg's own parser, so sslmode and the other libpq parameters mean what pg says.
      client = parseIntoClientConfig(options.url) as PoolConfig;
    } catch (error) {
      throw new PostgresStoreError(`Not a usable database URL (${redactUrl(options.url)}): ${(error as Error).message}`);
    }
    const config: PoolConfig = {
      ...client,
      max: options.maxConnections ?? 4,
      connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000,
      idleTimeoutMillis: 30_000,
      application_name: 'flow-history',
      statement_timeout: this.statementTimeoutMs || undefined,
    };
    // pg reads PGPASSWORD itself and ~/.pgpass (through pgpass) when no password is given.
    if (!parsed.password) {
      // libpq's order: the given password, then PGPASSWORD, then ~/.pgpass (or PGPASSFILE),
      // looked up only when the server asks for one.
      const given = options.password;
      config.password = async () => (typeof given === 'function' ? await given() : given) || process.env.PGPASSWORD || (await lookUpPgpass(config)) || '';
    }
    this.config = config;
    this.pool = new Pool(config);
    // A connection that dies while idle (server restarted) is dropped from the pool; the
    // next query opens a new one. Without a listener the error would end the process.
    this.pool.on('error', () => undefined);
  }

  /**
   * Runs one of our own writes of `keys` and fires its change. While a LISTEN watch is open
   * the keys are remembered from BEFORE the statement (its NOTIFY can arrive before the
   * statement's own answer), so their echoes are dropped; keys not written are forgotten.
   */
  private async ownWrite(keys: readonly string[], kind: 'saved' | 'deleted', write: () => Promise<OwnWriteResult>): Promise<string[]> {
    const remember = this.listening > 0;
    if (remember) for (const key of keys) this.expectEcho(key, +1);
    let written: string[];
    let newest: string | null | undefined;
    this.writesInFlight++;
    try {
      ({ ids: written, newest } = await write());
    } catch (error) {
      if (remember) for (const key of keys) this.expectEcho(key, -1);
      throw error;
    } finally {
      this.writesInFlight--;
    }
    if (remember) {
      const done = new Set(written);
      for (const key of keys) if (!done.has(key)) this.expectEcho(key, -1);
    }
    if (this.polling > 0 && written.length > 0) {
      const echoes = this.pollEchoes;
      if (kind === 'saved') echoes.writes += written.length;
      else echoes.deletes += written.length;
      echoes.maxes.add(newest ?? '');
      echoes.at = Date.now();
    }
    if (written.length > 0) this.changes.fire(kind === 'saved' ? { saved: written, deleted: [] } : { saved: [], deleted: written });
    return written;
  }

  /** One more (or one fewer) NOTIFY echo to expect for a row we write. */
  private expectEcho(id: string, delta: 1 | -1): void {
    const entry = this.ownWrites.get(id) ?? { count: 0, at: 0 };
    entry.count += delta;
    entry.at = Date.now();
    if (entry.count > 0) this.ownWrites.set(id, entry);
    else this.ownWrites.delete(id);
  }

  /** Whether all `n` notifications of an id are echoes of our own recent writes (they are consumed). */
  private isOwnEcho(id: string, n: number): boolean {
    const entry = this.ownWrites.get(id);
    if (!entry) return false;
    const consumed = Math.min(n, entry.count);
    entry.count -= consumed;
    if (entry.count <= 0) this.ownWrites.delete(id);
    return consumed === n && Date.now() - entry.at < OWN_ECHO_MS;
  }

  // --- schema and rights -------------------------------------------------------------

  /** Applies the schema in one transaction (idempotent; safe on a table with runs). */
  async applySchema(options: SchemaOptions = {}): Promise<void> {
    await this.transaction(async (client) => {
      // Two `init`s at once must not race on CREATE … IF NOT EXISTS.
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`flow-history:${this.table}`]);
      // Building a search index over a big table takes minutes: no statement timeout here.
      await client.query('SET LOCAL statement_timeout = 0');
      for (const statement of schemaStatements(this.name, options)) await client.query(statement);
    });
  }

  /** What the connected role may do with the table; all false when the table is missing. */
  async privileges(): Promise<Privileges> {
    // Without USAGE on the schema even looking the table up is refused.
    const usage = await this.query<{ usage: boolean }>(
      `SELECT coalesce((SELECT has_schema_privilege(oid, 'USAGE') FROM pg_namespace WHERE nspname = $1), false) AS usage`,
      [this.name.schema],
    );
    if (!usage.rows[0].usage) return { select: false, insert: false, delete: false };
    const { rows } = await this.query<{ exists: boolean; select: boolean; insert: boolean; delete: boolean }>(
      `SELECT to_regclass($1) IS NOT NULL AS exists,
              coalesce(has_table_privilege(to_regclass($1), 'SELECT'), false) AS select,
              coalesce(has_table_privilege(to_regclass($1), 'INSERT') AND has_table_privilege(to_regclass($1), 'UPDATE'), false) AS insert,
              coalesce(has_table_privilege(to_regclass($1), 'DELETE'), false) AS delete`,
      [this.table],
    );
    const row = rows[0];
    return { select: row.select, insert: row.insert, delete: row.delete };
  }

  /** The role the connection logs in as. */
  async currentRole(): Promise<string> {
    const { rows } = await this.query<{ role: string }>('SELECT current_user::text AS role');
    return rows[0].role;
  }

  /** Throws a PermissionDeniedError unless the role may do `what`: call before starting. */
  async requirePrivilege(what: 'insert' | 'delete'): Promise<void> {
    const privileges = await this.privileges();
    if (privileges[what]) return;
    const verb = what === 'insert' ? 'save or import runs (INSERT and UPDATE)' : 'delete runs (DELETE)';
    throw new PermissionDeniedError(`The database role may not ${verb} in ${this.name.schema}.${this.name.table}; nothing was changed`);
  }

  // --- the ExecutionStore contract ------------------------------------------------------

  async save(result: FlowResult): Promise<void> {
    const id = requireExecutionId(result.executionId);
    const text = serializeFlowResult({ ...result, executionId: id });
    await this.ownWrite([id], 'saved', async () => {
      const { rows } = await this.query<{ saved: string }>(
        `INSERT INTO ${this.table} (execution_id, result) VALUES ($1::uuid, $2::text::json)
         ON CONFLICT (execution_id) DO UPDATE SET result = EXCLUDED.result, saved_at = now()
         RETURNING saved_at::text AS saved`,
        [id, text],
      );
      return { ids: [id], newest: rows[0]?.saved };
    });
  }

  /**
   * Writes runs as given (exact text, optional saved time) in one transaction; a run whose
   * stored text is already the same is left alone (so pushing again changes nothing).
   * Returns the ids written.
   */
  async saveTexts(runs: readonly StoredText[]): Promise<string[]> {
    if (runs.length === 0) return [];
    const ids = runs.map((run) => requireExecutionId(run.id));
    return this.ownWrite(ids, 'saved', async () => {
    const { rows } = await this.query<{ id: string; saved: string; saved_at: Date }>(
      `INSERT INTO ${this.table} AS t (execution_id, result, saved_at)
       SELECT id, body::json, coalesce('epoch'::timestamptz + ms * interval '1 millisecond', now())
       FROM unnest($1::uuid[], $2::text[], $3::float8[]) AS runs(id, body, ms)
       ON CONFLICT (execution_id) DO UPDATE SET result = EXCLUDED.result, saved_at = EXCLUDED.saved_at
       WHERE t.result::text IS DISTINCT FROM EXCLUDED.result::text
       RETURNING execution_id::text AS id, saved_at::text AS saved, saved_at`,
      [ids, runs.map((run) => run.text), runs.map((run) => run.savedAt ?? null)],
    );
    let newest: { saved: string; saved_at: Date } | undefined;
    for (const row of rows) if (!newest || row.saved_at > newest.saved_at) newest = row;
    return { ids: rows.map((row) => row.id), newest: newest?.saved };
    });
  }

  load(id: string): Promise<FlowResult | undefined> {
    return loadViaInspect(this, id);
  }

  /** Every id, newest first. */
  async list(): Promise<string[]> {
    const { rows } = await this.query<{ id: string }>(`SELECT execution_id::text AS id FROM ${this.table} ORDER BY saved_at DESC, execution_id DESC`);
    return rows.map((row) => row.id);
  }

  async delete(id: string): Promise<void> {
    const key = requireExecutionId(id);
    await this.deleteMany([key]);
  }

  /** Deletes runs in one transaction (all or none); unknown ids are skipped. Returns those deleted. */
  async deleteMany(ids: readonly string[]): Promise<string[]> {
    const keys = [...new Set(ids.map(requireExecutionId))];
    if (keys.length === 0) return [];
    return this.ownWrite(keys, 'deleted', () =>
      this.transaction(async (client) => {
        const { rows } = await client.query<{ id: string }>(`DELETE FROM ${this.table} WHERE execution_id = ANY($1::uuid[]) RETURNING execution_id::text AS id`, [keys]);
        // The newest saved_at left, for a poll (no trigger) to know this change as ours.
        const newest = this.polling > 0 && rows.length > 0 ? (await client.query<{ max: string | null }>(`SELECT max(saved_at)::text AS max FROM ${this.table}`)).rows[0].max : undefined;
        return { ids: rows.map((row) => row.id), newest };
      }),
    );
  }

  /** Every run's entry, newest first (no bodies transferred). */
  async listEntries(): Promise<ExecutionEntry[]> {
    const { rows } = await this.query<SummaryRecord>(`SELECT ${SUMMARY_COLUMNS} FROM ${this.table} ORDER BY saved_at DESC, execution_id DESC`);
    return rows.map((row) => ({ id: row.id, savedAt: Math.floor(Number(row.micros) / 1000), size: row.size ?? 0 }));
  }

  inspect(id: string): Promise<InspectOutcome> {
    return inspectViaReadRun(this, id);
  }

  async readRun(id: string): Promise<ReadOutcome> {
    const key = requireExecutionId(id);
    const { rows } = await this.query<SummaryRecord & { body: string }>(`SELECT ${SUMMARY_COLUMNS}, result::text AS body FROM ${this.table} WHERE execution_id = $1::uuid`, [key]);
    if (rows.length === 0) return { kind: 'missing' };
    const bytes = new TextEncoder().encode(rows[0].body);
    return { kind: 'bytes', entry: { id: key, savedAt: Math.floor(Number(rows[0].micros) / 1000), size: bytes.byteLength }, bytes };
  }

  async readRaw(id: string): Promise<string | undefined> {
    const key = requireExecutionId(id);
    const { rows } = await this.query<{ body: string }>(`SELECT result::text AS body FROM ${this.table} WHERE execution_id = $1::uuid`, [key]);
    return rows[0]?.body;
  }

  // --- what a big shared history needs --------------------------------------------------

  /** A page of summaries, newest first, by keyset (never OFFSET): a page deep in costs the same as the first. */
  async listPage(options: PageOptions = {}): Promise<RunPage> {
    const limit = pageLimit(options.limit);
    const params: unknown[] = [limit + 1];
    const after = afterCursor(options.after, params);
    const where = after && `WHERE ${after}`;
    const { rows } = await this.query<SummaryRecord>(`SELECT ${SUMMARY_COLUMNS} FROM ${this.table} ${where} ORDER BY saved_at DESC, execution_id DESC LIMIT $1`, params);
    return toPage(rows, limit);
  }

  /**
   * Runs whose stored text contains `term` (case-insensitive), newest first, in pages. The
   * term is a parameter with `\`, `%` and `_` escaped, so it only ever matches itself. JSON
   * text cannot hold a raw NUL, so a term with one matches nothing (and is never sent).
   */
  async search(term: string, options: PageOptions = {}): Promise<RunPage> {
    const limit = pageLimit(options.limit);
    if (term.includes('\u0000')) return { rows: [] };
    const params: unknown[] = [limit + 1, escapeLike(term)];
    const after = afterCursor(options.after, params);
    const keyset = after && `AND ${after}`;
    const { rows } = await this.cancellableQuery<SummaryRecord>(
      `SELECT ${SUMMARY_COLUMNS} FROM ${this.table}
       WHERE result::text ILIKE '%' || $2 || '%' ESCAPE '\\' ${keyset}
       ORDER BY saved_at DESC, execution_id DESC LIMIT $1`,
      params,
      options.signal,
    );
    return toPage(rows, limit);
  }

  /**
   * How many runs: the planner's estimate for a big table (count(*) takes 0.3 s at a
   * million runs), an exact count for a small or never-analysed one.
   */
  async countEstimate(): Promise<{ count: number; exact: boolean }> {
    const { rows } = await this.query<{ estimate: string | null }>(`SELECT reltuples::bigint::text AS estimate FROM pg_class WHERE oid = to_regclass($1)`, [this.table]);
    const estimate = rows[0]?.estimate === null || rows[0]?.estimate === undefined ? -1 : Number(rows[0].estimate);
    if (estimate >= 100_000) return { count: estimate, exact: false };
    const exact = await this.query<{ count: string }>(`SELECT count(*)::text AS count FROM ${this.table}`);
    return { count: Number(exact.rows[0].count), exact: true };
  }

  /** Which of these ids are stored (unknown ones are left out). */
  async existing(ids: readonly string[]): Promise<string[]> {
    const keys = [...new Set(ids.map(requireExecutionId))];
    if (keys.length === 0) return [];
    const { rows } = await this.query<{ id: string }>(`SELECT execution_id::text AS id FROM ${this.table} WHERE execution_id = ANY($1::uuid[])`, [keys]);
    const found = new Set(rows.map((row) => row.id));
    return keys.filter((id) => found.has(id));
  }

  /** Ids starting with a prefix of an id (for `show 1a2b`), at most `limit`. */
  async findByPrefix(prefix: string, limit = 4): Promise<string[]> {
    return (await this.findRowsByPrefix(prefix, limit)).map((row) => row.id);
  }

  /**
   * Summaries of the runs whose id starts with `prefix` (hex digits in any case, hyphens where
   * an id has them), in id order, at most `limit`. A range over the primary key (the prefix
   * padded with 0s and with fs), so it costs an index lookup at any size; anything else is
   * not a prefix of an id and finds nothing without a query.
   */
  async findRowsByPrefix(prefix: string, limit = 4, options: { signal?: AbortSignal } = {}): Promise<RunSummaryRow[]> {
    const range = idPrefixRange(prefix);
    if (!range) return [];
    const { rows } = await this.cancellableQuery<SummaryRecord>(
      `SELECT ${SUMMARY_COLUMNS} FROM ${this.table} WHERE execution_id BETWEEN $1::uuid AND $2::uuid ORDER BY execution_id LIMIT $3`,
      [range[0], range[1], pageLimit(limit)],
      options.signal,
    );
    return rows.map(toSummary);
  }

  /** Whole runs (exact text), newest first, in keyset pages: for pull and export-all. */
  async readPage(options: PageOptions = {}): Promise<{ runs: (StoredText & { savedAt: number })[]; next?: string }> {
    const limit = pageLimit(options.limit);
    const params: unknown[] = [limit + 1];
    const after = afterCursor(options.after, params);
    const where = after && `WHERE ${after}`;
    const { rows } = await this.query<SummaryRecord & { body: string }>(
      `SELECT ${SUMMARY_COLUMNS}, result::text AS body FROM ${this.table} ${where} ORDER BY saved_at DESC, execution_id DESC LIMIT $1`,
      params,
    );
    const page = toPage(rows, limit);
    // Saved times to the microsecond here (a pulled file's time then matches the pushed one's).
    return { runs: rows.slice(0, limit).map((row) => ({ id: row.id, text: row.body, savedAt: Number(row.micros) / 1000 })), next: page.next };
  }

  /**
   * Watches the table for changes by any client and fires `onDidChange` for them. With the
   * schema's NOTIFY trigger: LISTEN on a dedicated connection (no query at all while nothing
   * changes; a lost connection is reopened with back-off and then reports `all`). Without it
   * (a role that could not install it): a cheap poll of max(saved_at) over the keyset index and
   * the table's write counters (pg_stat_user_tables), said once through `log`.
   */
  async watch(options: WatchOptions = {}): Promise<StoreWatch> {
    const say = options.log ?? (() => undefined);
    const { rows } = await this.query<{ present: boolean }>(
      `SELECT EXISTS (SELECT 1 FROM pg_trigger WHERE tgrelid = to_regclass($1) AND tgname = $2 AND NOT tgisinternal) AS present`,
      [this.table, notifyTriggerName(this.name)],
    );
    return rows[0].present ? this.listenForChanges(options, say) : this.pollForChanges(options, say);
  }

  private listenForChanges(options: WatchOptions, say: (message: string) => void): StoreWatch {
    const debounceMs = options.debounceMs ?? 50;
    let disposed = false;
    let client: Client | undefined;
    let retryTimer: ReturnType<typeof setTimeout> | undefined;
    let flushTimer: ReturnType<typeof setTimeout> | undefined;
    let delay = 500;
    let everConnected = false;
    /** Notifications per id since the last flush. */
    const ids = new Map<string, number>();
    const flush = () => {
      flushTimer = undefined;
      const changed = [...ids].filter(([id, n]) => !this.isOwnEcho(id, n)).map(([id]) => id);
      ids.clear();
      // Forget own writes whose echo never came (the table's trigger was dropped meanwhile).
      const now = Date.now();
      for (const [id, entry] of this.ownWrites) if (now - entry.at >= OWN_ECHO_MS) this.ownWrites.delete(id);
      if (!disposed && changed.length > 0) this.changes.fire({ saved: [], deleted: [], changed });
    };
    const onNotification = (message: Notification) => {
      if (message.channel !== NOTIFY_CHANNEL || !message.payload) return;
      let payload: { schema?: unknown; table?: unknown; id?: unknown };
      try {
        payload = JSON.parse(message.payload) as typeof payload;
      } catch {
        return;
      }
      if (payload.schema !== this.name.schema || payload.table !== this.name.table || typeof payload.id !== 'string') return;
      const id = normalizeExecutionId(payload.id);
      if (!id) return;
      ids.set(id, (ids.get(id) ?? 0) + 1);
      flushTimer ??= setTimeout(flush, debounceMs);
    };
    const connect = async () => {
      retryTimer = undefined;
      if (disposed) return;
      const next = new Client(this.config);
      next.on('notification', onNotification);
      next.on('error', () => undefined);
      try {
        await next.connect();
        await next.query(`LISTEN ${NOTIFY_CHANNEL}`);
      } catch (error) {
        await next.end().catch(() => undefined);
        if (disposed) return;
        say(`Live updates of ${this.label} wait for the database: ${this.describe(error).message}; retrying in ${Math.round(delay / 1000)} s`);
        retryTimer = setTimeout(() => void connect(), delay);
        delay = Math.min(delay * 2, 30_000);
        return;
      }
      if (disposed) {
        await next.end().catch(() => undefined);
        return;
      }
      client = next;
      delay = 500;
      // Changes made while we were not listening were missed: list again.
      if (everConnected) this.changes.fire({ saved: [], deleted: [], all: true });
      everConnected = true;
      next.once('end', () => {
        if (client !== next || disposed) return;
        client = undefined;
        say(`Lost the live connection to ${this.label}; reconnecting`);
        retryTimer = setTimeout(() => void connect(), delay);
      });
    };
    say(`Live updates of ${this.label}: LISTEN ${NOTIFY_CHANNEL}`);
    this.listening++;
    void connect();
    return {
      mode: 'listen',
      dispose: () => {
        if (!disposed) this.listening--;
        disposed = true;
        if (retryTimer) clearTimeout(retryTimer);
        if (flushTimer) clearTimeout(flushTimer);
        const last = client;
        client = undefined;
        if (last) void last.end().catch(() => undefined);
      },
    };
  }

  private pollForChanges(options: WatchOptions, say: (message: string) => void): StoreWatch {
    const pollMs = options.pollMs ?? 2000;
    let disposed = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let last: PollState | undefined;
    say(`The table ${this.name.schema}.${this.name.table} has no NOTIFY trigger (the role could not install it): checking ${this.label} for changes every ${pollMs / 1000} s instead`);
    const poll = async () => {
      timer = undefined;
      try {
        // Cheap at any size: the newest saved_at from the keyset index (a save or replace
        // shows at once) and the server's write counters for the table (a delete shows
        // within the statistics' flush interval, about 1 s). Never count(*) (0.3 s at 1M runs).
        const { rows } = await this.query<{ max: string | null; writes: string | null; deletes: string | null }>(
          `SELECT (SELECT max(saved_at)::text FROM ${this.table}) AS max,
                  (SELECT n_tup_ins + n_tup_upd FROM pg_stat_user_tables WHERE relid = to_regclass($1))::text AS writes,
                  (SELECT n_tup_del FROM pg_stat_user_tables WHERE relid = to_regclass($1))::text AS deletes`,
          [this.table],
        );
        const state: PollState = { max: rows[0].max ?? '', writes: Number(rows[0].writes ?? 0), deletes: Number(rows[0].deletes ?? 0) };
        // While an own write is under way, the next poll decides (against the same `last`).
        if (this.writesInFlight === 0) {
          if (last !== undefined && !disposed && !this.isOwnPollChange(last, state)) this.changes.fire({ saved: [], deleted: [], all: true });
          last = state;
        }
      } catch {
        // The tree shows why the store cannot be listed; keep polling.
      }
      if (!disposed) timer = setTimeout(() => void poll(), pollMs);
    };
    this.polling++;
    void poll();
    return {
      mode: 'poll',
      dispose: () => {
        if (!disposed) this.polling--;
        disposed = true;
        if (timer) clearTimeout(timer);
      },
    };
  }

  /**
   * Whether all the poll saw change (`last` → `now`) is this store's own recent writes, which
   * already fired their change: no more rows written or deleted than it did, and a newest
   * saved_at that is the one before or one its writes left. Their share is consumed. A change
   * by another client at the same moment shows at the latest when the counters catch up.
   */
  private isOwnPollChange(last: PollState, now: PollState): boolean {
    if (now.max === last.max && now.writes === last.writes && now.deletes === last.deletes) return true;
    const echoes = this.pollEchoes;
    if (Date.now() - echoes.at >= OWN_POLL_ECHO_MS) {
      this.pollEchoes = { writes: 0, deletes: 0, maxes: new Set(), at: 0 };
      return false;
    }
    const writes = now.writes - last.writes;
    const deletes = now.deletes - last.deletes;
    const ours = writes >= 0 && deletes >= 0 && writes <= echoes.writes && deletes <= echoes.deletes && (now.max === last.max || echoes.maxes.has(now.max));
    if (!ours) return false;
    echoes.writes -= writes;
    echoes.deletes -= deletes;
    return true;
  }

  /** Closes every connection. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.changes.dispose();
    this.ownWrites.clear();
    await this.pool.end();
  }

  dispose(): void {
    void this.close();
  }

  // --- plumbing ------------------------------------------------------------------------

  private async query<R extends object = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<{ rows: R[]; rowCount: number | null }> {
    try {
      const result = await this.pool.query<R>(sql, params);
      return { rows: result.rows, rowCount: result.rowCount };
    } catch (error) {
      throw this.describe(error);
    }
  }

  /**
   * A read that `signal` can stop: run on a client of its own, whose backend is asked to
   * cancel it (pg_cancel_backend on another pool connection: pg has no public cancel) when
   * the signal fires. Aborted before the statement is sent, nothing is sent. The client is
   * held until the cancel was answered, so the cancel cannot reach a later statement; a
   * backend that already finished ignores it (PostgreSQL drops a cancel while idle).
   */
  private async cancellableQuery<R extends object>(sql: string, params: unknown[], signal: AbortSignal | undefined): Promise<{ rows: R[]; rowCount: number | null }> {
    if (!signal) return this.query<R>(sql, params);
    const cancelled = () => new OperationCancelledError(`Cancelled: the query to ${this.label} was stopped`);
    if (signal.aborted) throw cancelled();
    let client: PoolClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      throw signal.aborted ? cancelled() : this.describe(error);
    }
    let broken: unknown;
    let cancelling: Promise<unknown> | undefined;
    const onAbort = () => {
      const pid = (client as unknown as { processID?: unknown }).processID;
      if (typeof pid === 'number') cancelling = this.pool.query('SELECT pg_cancel_backend($1)', [pid]).catch(() => undefined);
    };
    try {
      if (signal.aborted) throw cancelled();
      signal.addEventListener('abort', onAbort, { once: true });
      const result = await client.query<R>(sql, params);
      return { rows: result.rows, rowCount: result.rowCount };
    } catch (error) {
      if (error instanceof OperationCancelledError) throw error;
      // The server's "canceling statement due to user request" (57014), or anything after the abort.
      if (signal.aborted) throw cancelled();
      broken = error;
      throw this.describe(error);
    } finally {
      signal.removeEventListener('abort', onAbort);
      if (cancelling) await cancelling;
      client.release(broken !== undefined && !(broken instanceof DatabaseError));
    }
  }

  private async transaction<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
    let client: PoolClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      throw this.describe(error);
    }
    let broken: unknown;
    try {
      await client.query('BEGIN');
      const value = await work(client);
      await client.query('COMMIT');
      return value;
    } catch (error) {
      broken = error;
      // If the connection died, the server rolls back on its own; nothing is half-written.
      await client.query('ROLLBACK').catch(() => undefined);
      throw this.describe(error);
    } finally {
      // A connection that failed (not a query the server refused) is not reused.
      client.release(broken !== undefined && !(broken instanceof DatabaseError));
    }
  }

  /** A pg or network error as one plain sentence naming the database (never the password). */
  private describe(error: unknown): Error {
    if (error instanceof PostgresStoreError) return error;
    const e = error as { code?: string; message?: string; detail?: string };
    const where = this.label;
    const message = e?.message ?? String(error);
    switch (e?.code) {
      case 'ECONNREFUSED':
      case 'ENOTFOUND':
      case 'EHOSTUNREACH':
      case 'ETIMEDOUT':
      case 'ECONNRESET':
        return new PostgresStoreError(`Cannot reach the database ${where}: ${message}`, e.code);
      case '57014':
        return new PostgresStoreError(`The database did not answer within the statement timeout (${this.statementTimeoutMs} ms): ${where}`, e.code);
      case '57P01':
      case '57P02':
      case '57P03':
        return new PostgresStoreError(`The database server ${where} shut down or is starting: ${message}`, e.code);
      case '42P01':
        return new PostgresStoreError(`No table ${this.name.schema}.${this.name.table} in ${where}: run \`flow-history --db URL init\` first`, e.code);
      case '42703':
        return new PostgresStoreError(`The table ${this.name.schema}.${this.name.table} lacks Flow History's summary columns (${message}): run \`flow-history --db URL init\``, e.code);
      case '42501':
        return new PermissionDeniedError(`The database role may not do this in ${this.name.schema}.${this.name.table}: ${message}; nothing was changed`);
      case '28P01':
      case '28000':
        return new PostgresStoreError(`The database refused the login for ${where}: ${message}`, e.code);
      case '22P02':
      case '22032':
        return new PostgresStoreError(`The database refused a value: ${message}${e.detail ? ` (${e.detail})` : ''}`, e.code);
      default:
        if (/Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error/i.test(message)) {
          return new PostgresStoreError(`Lost the connection to the database ${where}: ${message}`, e?.code);
        }
        return new PostgresStoreError(`Database error (${where}): ${message}`, e?.code);
    }
  }
}

/**
 * `flow-history`: the store from a terminal or a CI script, over the same core as the
 * extension: a store folder (`--dir`) or a PostgreSQL table (`--db URL` or FLOW_HISTORY_DB).
 * Exit codes: 0 success, 1 some item failed, 2 usage error. Errors are one line on stderr,
 * never a stack trace.
 */
import { Command, CommanderError, Option } from 'commander';
import { promises as fs, utimesSync } from 'fs';
import * as readline from 'readline';
import { FolderExecutionStore } from '../core/folderStore';
import { DEFAULT_STORE_DIRECTORY } from '../core/limits';
import { errorMessage } from '../core/errors';
import { normalizeExecutionId } from '../core/executionId';
import { ExecutionEntry, ExecutionStore, idMismatch, ReadOutcome } from '../core/executionStore';
import { ExportedRun, exportStoredRun } from '../core/exportText';
import { FlowResultError, parseFlowResultBytes, serializeFlowResult } from '../core/flowResult';
import { formatBytes, formatTimestamp, oneLine } from '../core/format';
import { diffRuns, formatRunDiff } from '../core/diff';
import { describeRule, RetentionRule, selectForRetention } from '../core/retention';
import { generateSampleRuns } from '../core/sample';
import { summarize } from '../core/summary';
import { writeExportFile } from '../node/exportFile';
import { NodeFolderPort } from '../node/nodeFolderPort';
import { PostgresExecutionStore, PostgresStoreError, RunSummaryRow, StoredText } from '../postgres/postgresStore';
import { DEFAULT_SCHEMA, DEFAULT_TABLE, schemaScript, tableName } from '../postgres/schema';

/** An error the user caused or can fix: printed as one line, exit code attached. */
class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

interface GlobalOptions {
  dir: string;
  db?: string;
  schema: string;
  table: string;
  statementTimeout: string;
}

type AnyStore = FolderExecutionStore | PostgresExecutionStore;

/** Databases opened by this command: closed when it ends, whatever happens. */
const openDatabases = new Set<PostgresExecutionStore>();

async function closeDatabases(): Promise<void> {
  const stores = [...openDatabases];
  openDatabases.clear();
  await Promise.all(stores.map((store) => store.close().catch(() => undefined)));
}

function openDatabase(options: GlobalOptions): PostgresExecutionStore {
  const url = options.db;
  if (!url) throw new CliError('This needs a database: give --db postgres://user@host:port/database or set FLOW_HISTORY_DB', 2);
  const statementTimeoutMs = positiveInteger(options.statementTimeout, '--statement-timeout', true);
  let store: PostgresExecutionStore;
  try {
    store = new PostgresExecutionStore({ url, schema: options.schema, table: options.table, statementTimeoutMs });
  } catch (error) {
    throw new CliError(errorMessage(error), 2);
  }
  openDatabases.add(store);
  return store;
}

/** The database when --db (or FLOW_HISTORY_DB) is given, else the --dir folder. */
function openAny(options: GlobalOptions, durable = true): AnyStore {
  return options.db ? openDatabase(options) : openStore(options, durable);
}

export interface ListRow {
  id: string;
  savedAt: string;
  size: number;
  nodes: number | null;
  executed: number | null;
  skipped: number | null;
  status: 'ok' | 'unreadable';
  error?: string;
}

function openStore(options: GlobalOptions, durable = true): FolderExecutionStore {
  return new FolderExecutionStore(new NodeFolderPort(options.dir, { durable }));
}

/** Resolves an id argument: any UUID form, or an unambiguous prefix of a stored id. */
async function resolveId(store: AnyStore, text: string): Promise<string> {
  const id = normalizeExecutionId(text);
  if (id) return id;
  const prefix = text.toLowerCase();
  if (!/^[0-9a-f][0-9a-f-]{3,35}$/.test(prefix)) {
    throw new CliError(`${JSON.stringify(text)} is not an execution id (a UUID or at least 4 of its first hex digits)`, 2);
  }
  const matches = store instanceof PostgresExecutionStore ? await store.findByPrefix(prefix, 4) : (await store.list()).filter((candidate) => candidate.startsWith(prefix));
  if (matches.length === 1) return matches[0];
  if (matches.length === 0) throw new CliError(`No run starts with ${prefix} in ${store.label}`);
  throw new CliError(`${prefix} is ambiguous: ${matches.length} runs start with it (${matches.slice(0, 3).join(', ')}…)`);
}

/** Every listed run of a database, newest first, by keyset pages (no bodies transferred). */
async function databaseSummaries(store: PostgresExecutionStore): Promise<RunSummaryRow[]> {
  const rows: RunSummaryRow[] = [];
  let after: string | undefined;
  do {
    const page = await store.listPage({ after, limit: 1000 });
    rows.push(...page.rows);
    after = page.next;
  } while (after);
  return rows;
}

const NOT_A_RECORD = 'not a FlowResult object';

async function listRows(store: AnyStore): Promise<ListRow[]> {
  if (store instanceof PostgresExecutionStore) {
    return (await databaseSummaries(store)).map((row) => {
      const base = { id: row.id, savedAt: new Date(row.savedAt).toISOString(), size: row.size, nodes: row.nodes, executed: row.executed, skipped: row.skipped };
      return row.nodes === null ? { ...base, status: 'unreadable' as const, error: NOT_A_RECORD } : { ...base, status: 'ok' as const };
    });
  }
  const entries = await store.listEntries();
  const rows: ListRow[] = [];
  for (const entry of entries) rows.push(await listRow(store, entry));
  return rows;
}

async function listRow(store: ExecutionStore, entry: ExecutionEntry): Promise<ListRow> {
  const base = { id: entry.id, savedAt: new Date(entry.savedAt).toISOString(), size: entry.size };
  const outcome = await store.inspect(entry.id);
  if (outcome.kind === 'ok') {
    const summary = summarize(outcome.result);
    return { ...base, nodes: summary.nodeCount, executed: summary.executed.length, skipped: summary.skipped.length, status: 'ok' };
  }
  const error = outcome.kind === 'unreadable' ? outcome.reason : 'removed while listing';
  return { ...base, nodes: null, executed: null, skipped: null, status: 'unreadable', error };
}

function printTable(rows: ListRow[], label: string): void {
  if (rows.length === 0) {
    console.log(`No runs in ${label}`);
    return;
  }
  console.log(['EXECUTION ID'.padEnd(36), 'SAVED'.padEnd(23), 'SIZE'.padStart(8), 'NODES', 'SKIPPED', 'STATUS'].join('  '));
  for (const row of rows) {
    const status = row.status === 'ok' ? 'ok' : `unreadable: ${oneLine(row.error ?? '', 100)}`;
    console.log(
      [
        row.id,
        formatTimestamp(Date.parse(row.savedAt)),
        formatBytes(row.size).padStart(8),
        String(row.nodes ?? '-').padStart(5),
        String(row.skipped ?? '-').padStart(7),
        status,
      ].join('  '),
    );
  }
}

async function confirm(question: string): Promise<boolean> {
  const rl = readline.createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await new Promise<string>((resolve) => rl.question(`${question} [y/N] `, resolve));
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}

export function buildProgram(): Command {
  const program = new Command();
  program
    .name('flow-history')
    .description('Inspect and manage a3s_flow run history (FlowResult records) in a store folder.')
    .option('--dir <dir>', 'store folder', DEFAULT_STORE_DIRECTORY)
    .addOption(new Option('--db <url>', 'PostgreSQL database instead of a folder: postgres://user@host:port/db?sslmode=… (password from PGPASSWORD or ~/.pgpass)').env('FLOW_HISTORY_DB'))
    .option('--schema <name>', 'database schema of the table', DEFAULT_SCHEMA)
    .option('--table <name>', 'database table', DEFAULT_TABLE)
    .option('--statement-timeout <ms>', 'give up on a database statement after this many ms (0: never)', '30000')
    .exitOverride()
    .configureOutput({ outputError: (text, write) => write(`flow-history: ${text.split('\n')[0].replace(/^error: /, '')} (see --help)\n`) });

  const globals = (): GlobalOptions => program.opts<GlobalOptions>();
  let exitCode = 0;
  program.hook('preAction', () => {
    const options = globals();
    if (options.db && program.getOptionValueSource('db') === 'cli' && /^[a-z]+:\/\/[^/@]*:[^/@]*@/i.test(options.db)) {
      console.error('note: a password in --db is visible to other users of this machine (ps, shell history); prefer PGPASSWORD or ~/.pgpass');
    }
  });
  /** For verbs that work on one store: --dir and --db together are a mistake. */
  const single = (): GlobalOptions => {
    const options = globals();
    if (options.db && program.getOptionValueSource('dir') === 'cli') throw new CliError('Give --dir or --db (FLOW_HISTORY_DB), not both', 2);
    return options;
  };

  program
    .command('list')
    .description('list runs, newest first')
    .option('--json', 'print a JSON array')
    .action(async (options: { json?: boolean }) => {
      const store = openAny(single());
      const rows = await listRows(store);
      if (options.json) console.log(JSON.stringify(rows, null, 2));
      else printTable(rows, store.label);
    });

  program
    .command('show')
    .description('print a stored run exactly as stored')
    .argument('<id>', 'execution id or unique prefix')
    .action(async (text: string) => {
      const store = openAny(single());
      const id = await resolveId(store, text);
      const outcome = await store.inspect(id);
      if (outcome.kind === 'missing') throw new CliError(`No run ${id} in ${store.label}`);
      if (outcome.kind === 'unreadable') throw new CliError(`Run ${id} is unreadable: ${outcome.reason}`);
      const raw = await store.readRaw(id);
      process.stdout.write(raw ?? '');
      if (raw && !raw.endsWith('\n')) process.stdout.write('\n');
    });

  program
    .command('export')
    .description('write a run in the export format (pretty, sorted, exact numbers)')
    .argument('<id>', 'execution id or unique prefix')
    .requiredOption('--out <file>', 'file to write')
    .option('--force', 'overwrite an existing file')
    .action(async (text: string, options: { out: string; force?: boolean }) => {
      const store = openAny(single());
      const id = await resolveId(store, text);
      const outcome = await store.readRun(id);
      if (outcome.kind === 'missing') throw new CliError(`No run ${id} in ${store.label}`);
      if (outcome.kind === 'unreadable') throw new CliError(`Run ${id} is unreadable: ${outcome.reason}`);
      let exported: ExportedRun;
      try {
        exported = exportStoredRun(outcome.bytes);
      } catch (error) {
        throw new CliError(`Run ${id} is unreadable: ${errorMessage(error)}`);
      }
      const mismatch = idMismatch(exported.executionId, id);
      if (mismatch) throw new CliError(`Run ${id} is unreadable: ${mismatch}`);
      try {
        await writeExportFile(options.out, exported, options.force ? 'w' : 'wx');
        exported.release();
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
          throw new CliError(`${options.out} already exists; use --force to overwrite it`);
        }
        throw error;
      }
      console.log(`Exported ${id} to ${options.out}`);
    });

  program
    .command('import')
    .description('validate FlowResult JSON files and save each into the store')
    .argument('<files...>', 'JSON files (exported, or written by serde)')
    .action(async (files: string[]) => {
      const store = openAny(single());
      if (store instanceof PostgresExecutionStore) await store.requirePrivilege('insert');
      for (const file of files) {
        try {
          const result = parseFlowResultBytes(await fs.readFile(file));
          await store.save(result);
          console.log(`imported ${file} as ${result.executionId}`);
        } catch (error) {
          exitCode = 1;
          const reason = error instanceof FlowResultError ? `not a FlowResult: ${error.message}` : errorMessage(error);
          console.error(`failed ${file}: ${reason}`);
        }
      }
    });

  program
    .command('delete')
    .description('delete runs (permanently)')
    .argument('<ids...>', 'execution ids or unique prefixes')
    .option('--yes', 'do not ask for confirmation')
    .action(async (texts: string[], options: { yes?: boolean }) => {
      const store = openAny(single());
      const ids: string[] = [];
      for (const text of texts) {
        try {
          ids.push(await resolveId(store, text));
        } catch (error) {
          if (error instanceof CliError && error.exitCode === 2) throw error;
          console.error(`note: ${errorMessage(error)}; nothing to delete`);
        }
      }
      const present = new Set(store instanceof PostgresExecutionStore ? await store.existing(ids) : await store.list());
      const toDelete = ids.filter((id) => present.has(id));
      for (const id of ids.filter((id) => !present.has(id))) console.error(`note: no run ${id}; nothing to delete`);
      if (toDelete.length === 0) return;
      if (!options.yes) {
        if (!process.stdin.isTTY) throw new CliError('Refusing to delete without --yes when not run in a terminal', 2);
        if (!(await confirm(`Permanently delete ${toDelete.length} run(s) from ${store.label}?`))) {
          console.error('Nothing deleted.');
          return;
        }
      }
      if (store instanceof PostgresExecutionStore) {
        // One transaction: all of them or, on any failure, none.
        await store.requirePrivilege('delete');
        for (const id of await store.deleteMany(toDelete)) console.log(`deleted ${id}`);
        return;
      }
      for (const id of toDelete) {
        try {
          await store.delete(id);
          console.log(`deleted ${id}`);
        } catch (error) {
          exitCode = 1;
          console.error(`failed ${id}: ${errorMessage(error)}`);
        }
      }
    });

  program
    .command('sample')
    .description('write realistic sample runs into the store')
    .addOption(new Option('--count <n>', 'number of runs').default('10'))
    .addOption(new Option('--nodes <m>', 'nodes per run').default('6'))
    .addOption(new Option('--seed <s>', 'seed for repeatable data'))
    .addOption(new Option('--payload-kb <k>', 'extra output bytes per run, in KB').default('0'))
    .addOption(new Option('--spacing-minutes <m>', 'minutes between saved times').default('17'))
    .addOption(new Option('--no-fsync', 'skip flushing each file (fast bulk generation for benchmarks)').hideHelp())
    .action(async (options: { count: string; nodes: string; seed?: string; payloadKb: string; spacingMinutes: string; fsync: boolean }) => {
      const count = positiveInteger(options.count, '--count', true);
      const nodes = positiveInteger(options.nodes, '--nodes', false);
      const seed = options.seed === undefined ? undefined : positiveInteger(options.seed, '--seed', true);
      const payloadBytes = positiveInteger(options.payloadKb, '--payload-kb', true) * 1024;
      const spacing = positiveInteger(options.spacingMinutes, '--spacing-minutes', true) * 60_000;
      const store = openAny(single(), options.fsync);
      const now = Date.now();
      // Generated in batches so 100,000 runs never sit in memory at once.
      const random = seed ?? Date.now();
      for (let done = 0; done < count; ) {
        const batch = generateSampleRuns({ count: Math.min(1000, count - done), nodes, seed: random + done, payloadBytes });
        if (store instanceof PostgresExecutionStore) {
          if (done === 0) await store.requirePrivilege('insert');
          const texts = batch.map((run, i): StoredText => ({ id: run.executionId, text: serializeFlowResult(run), savedAt: now - (done + i) * spacing }));
          await store.saveTexts(texts);
          done += batch.length;
          continue;
        }
        for (const run of batch) {
          await store.save(run);
          // Spread saved times into the past so the history reads like real use.
          const time = new Date(now - done * spacing);
          utimesSync(store.locate(run.executionId), time, time);
          done++;
        }
      }
      console.log(`Wrote ${count} sample run(s) to ${store.label}`);
    });

  program
    .command('prune')
    .description('delete runs older than DAYS or beyond the newest N (unreadable files are never removed)')
    .option('--older-than <days>', 'remove runs saved more than DAYS days ago')
    .option('--keep <n>', 'keep only the newest N runs')
    .option('--dry-run', 'only list what would be removed')
    .action(async (options: { olderThan?: string; keep?: string; dryRun?: boolean }) => {
      if (options.olderThan === undefined && options.keep === undefined) throw new CliError('prune needs --older-than DAYS or --keep N', 2);
      const rule: RetentionRule = {
        olderThanDays: options.olderThan === undefined ? undefined : nonNegativeNumber(options.olderThan, '--older-than'),
        keepNewest: options.keep === undefined ? undefined : positiveInteger(options.keep, '--keep', true),
      };
      const store = openAny(single());
      let entries: ExecutionEntry[];
      const unreadable = new Set<string>();
      if (store instanceof PostgresExecutionStore) {
        if (!options.dryRun) await store.requirePrivilege('delete');
        const rows = await databaseSummaries(store);
        entries = rows.map((row) => ({ id: row.id, savedAt: row.savedAt, size: row.size }));
        for (const row of rows) if (row.nodes === null) unreadable.add(row.id);
      } else {
        entries = await store.listEntries();
        for (const entry of selectForRetention(entries, rule, Date.now())) {
          if ((await store.inspect(entry.id)).kind !== 'ok') unreadable.add(entry.id);
        }
      }
      const doomed = selectForRetention(entries, rule, Date.now(), unreadable);
      if (unreadable.size > 0) console.error(`note: keeping ${unreadable.size} unreadable run(s); retention never removes them`);
      if (doomed.length === 0) {
        console.log(`No runs ${describeRule(rule)} in ${store.label}`);
        return;
      }
      if (store instanceof PostgresExecutionStore && !options.dryRun) {
        const deleted = new Set(await store.deleteMany(doomed.map((entry) => entry.id)));
        for (const entry of doomed) if (deleted.has(entry.id)) console.log(`deleted ${entry.id}  ${formatTimestamp(entry.savedAt)}`);
        console.log(`Deleted ${deleted.size} of ${entries.length} run(s) (${describeRule(rule)})`);
        return;
      }
      for (const entry of doomed) {
        if (options.dryRun) {
          console.log(`would delete ${entry.id}  ${formatTimestamp(entry.savedAt)}`);
          continue;
        }
        try {
          await store.delete(entry.id);
          console.log(`deleted ${entry.id}  ${formatTimestamp(entry.savedAt)}`);
        } catch (error) {
          exitCode = 1;
          console.error(`failed ${entry.id}: ${errorMessage(error)}`);
        }
      }
      console.log(`${options.dryRun ? 'Would delete' : 'Deleted'} ${doomed.length} of ${entries.length} run(s) (${describeRule(rule)})`);
    });

  program
    .command('diff')
    .description('compare two runs node by node: nodes only in one, status changes, changed outputs and context')
    .argument('<a>', 'execution id or unique prefix')
    .argument('<b>', 'execution id or unique prefix')
    .action(async (textA: string, textB: string) => {
      const store = openAny(single());
      const [a, b] = [await resolveId(store, textA), await resolveId(store, textB)];
      const [runA, runB] = [await store.load(a), await store.load(b)];
      if (!runA) throw new CliError(`No run ${a} in ${store.label}`);
      if (!runB) throw new CliError(`No run ${b} in ${store.label}`);
      const diff = diffRuns(runA, runB);
      for (const line of formatRunDiff(runA, runB, diff)) console.log(line);
    });

  program
    .command('init')
    .description('create or update the database schema (idempotent: safe to run again, and on a table that has runs)')
    .option('--search-index', 'also build the pg_trgm index that makes search fast (large; minutes at a million runs)')
    .action(async (options: { searchIndex?: boolean }) => {
      const store = openDatabase(globals());
      await store.applySchema({ searchIndex: options.searchIndex });
      const { count, exact } = await store.countEstimate();
      console.log(`Schema ready in ${store.label}: ${exact ? '' : 'about '}${count} run(s)${options.searchIndex ? ', with the search index' : ''}`);
    });

  program
    .command('schema')
    .description('print the database schema as SQL (what init applies), for a DBA')
    .option('--search-index', 'include the pg_trgm search index')
    .action((options: { searchIndex?: boolean }) => {
      const { schema, table } = globals();
      let name;
      try {
        name = tableName(schema, table);
      } catch (error) {
        throw new CliError(errorMessage(error), 2);
      }
      process.stdout.write(schemaScript(name, { searchIndex: options.searchIndex }));
    });

  program
    .command('push')
    .description('copy the runs of the --dir folder into the --db database: exact bytes and saved times; runs already there unchanged are skipped, so it can be run again or resumed')
    .addOption(new Option('--batch <n>', 'runs per transaction').default('500'))
    .action(async (options: { batch: string }) => {
      const batchSize = positiveInteger(options.batch, '--batch', false);
      const db = openDatabase(globals());
      const folder = openStore(globals());
      await db.requirePrivilege('insert');
      const entries = await folder.listEntries();
      const progress = new Progress('push', entries.length);
      // The next batch's files are read and checked while the server writes this one, so the
      // folder and the database work at the same time instead of taking turns.
      const read = (start: number) => {
        const slice = entries.slice(start, start + batchSize);
        const reading = folder.readRuns(slice.map((entry) => entry.id)).then((outcomes) => ({ slice, checked: outcomes.map((outcome, i) => checkedText(outcome, slice[i].id)) }));
        // Awaited in turn below; a failure while an earlier batch is written is not unhandled.
        reading.catch(() => undefined);
        return reading;
      };
      let next = entries.length > 0 ? read(0) : undefined;
      for (let start = 0; next; start += batchSize) {
        const { slice, checked } = await next;
        next = start + batchSize < entries.length ? read(start + batchSize) : undefined;
        const batch: StoredText[] = [];
        slice.forEach((entry, i) => {
          const text = checked[i];
          if (typeof text === 'string') {
            exitCode = 1;
            progress.fail(`${entry.id}: ${text}`);
          } else batch.push({ id: entry.id, text: text.text, savedAt: text.savedAt });
        });
        progress.count(await saveBatch(db, batch, (id, reason) => {
          exitCode = 1;
          progress.fail(`${id}: ${reason}`);
        }), slice.length);
      }
      progress.done(`Pushed ${entries.length} run(s) from ${folder.label} to ${db.label}`);
    });

  program
    .command('pull')
    .description('copy the runs of the --db database into the --dir folder: exact bytes, file times set to the saved times; files already identical are skipped')
    .action(async () => {
      const db = openDatabase(globals());
      const folder = openStore(globals());
      const { count } = await db.countEstimate();
      const progress = new Progress('pull', count);
      let after: string | undefined;
      let seen = 0;
      do {
        const page = await db.readPage({ after, limit: 200 });
        let written = 0;
        for (const run of page.runs) {
          const bytes = new TextEncoder().encode(run.text);
          const problem = checkRecord(bytes, run.id);
          if (problem) {
            exitCode = 1;
            progress.fail(`${run.id}: ${problem}`);
            continue;
          }
          const local = await folder.readRun(run.id);
          if (local.kind === 'bytes' && Buffer.from(local.bytes).equals(Buffer.from(bytes))) continue;
          await folder.saveBytes(run.id, bytes);
          // In seconds, not a Date: a Date would round the microseconds away.
          utimesSync(folder.locate(run.id), run.savedAt / 1000, run.savedAt / 1000);
          written++;
        }
        seen += page.runs.length;
        progress.count(written, page.runs.length, seen);
        after = page.next;
      } while (after);
      progress.done(`Pulled ${seen} run(s) from ${db.label} to ${folder.label}`);
    });

  program.hook('postAction', () => {
    process.exitCode = exitCode;
  });
  return program;
}

function nonNegativeNumber(text: string, flag: string): number {
  const n = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text) || !Number.isFinite(n)) throw new CliError(`${flag} must be a number of 0 or more, got ${JSON.stringify(text)}`, 2);
  return n;
}

function positiveInteger(text: string, flag: string, allowZero: boolean): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(n) || (!allowZero && n === 0)) {
    throw new CliError(`${flag} must be a ${allowZero ? 'non-negative' : 'positive'} integer, got ${JSON.stringify(text)}`, 2);
  }
  return n;
}

/** Why stored bytes are not a usable run for `id`, if they are not. */
function checkRecord(bytes: Uint8Array, id: string): string | undefined {
  try {
    return idMismatch(parseFlowResultBytes(bytes).executionId, id);
  } catch (error) {
    return error instanceof FlowResultError ? `not a FlowResult: ${error.message}` : errorMessage(error);
  }
}

/** A folder run's exact text and saved time, or why it cannot be pushed. */
function checkedText(outcome: ReadOutcome, id: string): { text: string; savedAt: number } | string {
  if (outcome.kind === 'missing') return 'removed while pushing';
  if (outcome.kind === 'unreadable') return outcome.reason;
  const problem = checkRecord(outcome.bytes, id);
  if (problem) return problem;
  return { text: new TextDecoder('utf-8', { fatal: true }).decode(outcome.bytes), savedAt: outcome.entry.savedAt };
}

/**
 * Saves a batch in one transaction; when the database refuses a value, saves the runs one
 * by one so only the bad ones are reported. Returns how many were written.
 */
async function saveBatch(db: PostgresExecutionStore, batch: StoredText[], fail: (id: string, reason: string) => void): Promise<number> {
  try {
    return (await db.saveTexts(batch)).length;
  } catch (error) {
    if (!(error instanceof PostgresStoreError) || !error.code?.startsWith('22') || batch.length === 1) throw error;
  }
  let written = 0;
  for (const run of batch) {
    try {
      written += (await db.saveTexts([run])).length;
    } catch (error) {
      if (!(error instanceof PostgresStoreError) || !error.code?.startsWith('22')) throw error;
      fail(run.id, error.message);
    }
  }
  return written;
}

/** The progress line of push and pull, on stderr (rewritten in place on a terminal). */
class Progress {
  private processed = 0;
  private written = 0;
  private failed = 0;
  private readonly started = Date.now();

  constructor(
    private readonly verb: string,
    private readonly total: number,
  ) {}

  count(written: number, processed: number, seen?: number): void {
    this.written += written;
    this.processed = seen ?? this.processed + processed;
    this.line(false);
  }

  fail(message: string): void {
    this.failed++;
    if (process.stderr.isTTY) process.stderr.write('\n');
    console.error(`failed ${message}`);
  }

  done(summary: string): void {
    if (process.stderr.isTTY) this.line(true);
    const unchanged = Math.max(0, this.processed - this.written - this.failed);
    console.log(`${summary}: ${this.written} written, ${unchanged} already there, ${this.failed} failed (${((Date.now() - this.started) / 1000).toFixed(1)} s)`);
  }

  private line(last: boolean): void {
    const text = `${this.verb}: ${this.processed}/${Math.max(this.total, this.processed)} run(s), ${this.written} written, ${this.failed} failed`;
    if (process.stderr.isTTY) process.stderr.write(`\r${text}${last ? '\n' : ''}`);
    else process.stderr.write(`${text}\n`);
  }
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version are successes; everything else commander reports is usage.
      return error.exitCode === 0 ? 0 : 2;
    }
    if (error instanceof CliError) {
      console.error(`flow-history: ${error.message}`);
      return error.exitCode;
    }
    console.error(`flow-history: ${errorMessage(error)}`);
    return 1;
  } finally {
    await closeDatabases();
  }
}

if (require.main === module) {
  // `flow-history list | head` closes the pipe early: that is not an error worth a trace.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
    throw error;
  });
  void main(process.argv).then((code) => {
    process.exitCode = code;
  });
}


/**
 * The database bench's extension-host side (see ../database.ts): a PostgreSQL server holding
 * 1,000,000 runs, reached by the extension through a counting TCP proxy (BENCH_DB_PROXIED,
 * counters at BENCH_WIRE_STATS) and by "another client" directly (BENCH_DB_DIRECT). Measures
 * the tree's first screen and a deep page, the listing's bytes on the wire, live updates and
 * idle queries, search with and without the trigram index, and a delete of 1,000 selected
 * runs; writes the rows as JSON to BENCH_OUT.
 */
import { execFile } from 'child_process';
import * as fs from 'fs';
import { Client } from 'pg';
import * as vscode from 'vscode';
import type { FlowHistoryExports } from '../../../src/extension';
import type { PostgresExecutionStore } from '../../../src/postgres/postgresStore';
import type { HistoryNode, RunNode, StoreNode } from '../../../src/tree/treeNodes';
import type { WireCounters } from '../pgWireCounter';
import { median, ScenarioResult, timeInterleaved } from '../stats';

const KEY = 'database:bench';
const ROUNDS = 7;
const SEARCH_ROUNDS = 3;
const LIVE_INSERTS = 20;
const DELETES = 1000;

function env(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} must be set`);
  return value;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor<T>(what: string, check: () => T | Promise<T>, timeoutMs: number, everyMs = 50): Promise<NonNullable<T>> {
  const started = Date.now();
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() - started > timeoutMs) throw new Error(`Timed out waiting for ${what}`);
    await sleep(everyMs);
  }
}

function uuid(n: number): string {
  return `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
}

function runText(id: string): string {
  return `{"execution_id":"${id}","outputs":{"a":1},"completed_nodes":["a"],"skipped_nodes":[],"context":{}}`;
}

export async function run(): Promise<void> {
  console.log(`VS Code ${vscode.version} (bench)`);
  const out = env('BENCH_OUT');
  const direct = new Client({ connectionString: env('BENCH_DB_DIRECT'), application_name: 'bench-other-client' });
  await direct.connect();
  const wire = async (): Promise<WireCounters> => (await (await fetch(env('BENCH_WIRE_STATS'))).json()) as WireCounters;
  const results: ScenarioResult[] = [];
  try {
    const exportsApi = (await vscode.extensions.getExtension<FlowHistoryExports>('a3s.flow-history')!.activate()) as FlowHistoryExports;
    const { tree, stores } = exportsApi.internals;
    await vscode.workspace.getConfiguration('a3sFlow.history').update('databases', [{ name: 'bench', url: env('BENCH_DB_PROXIED') }], vscode.ConfigurationTarget.Global);
    const handle = await waitFor('the database store', () => stores.get(KEY), 30_000);
    const store = handle.store as PostgresExecutionStore;
    const pool = (store as unknown as { pool: { query: (sql: string, params?: unknown[]) => Promise<{ rows: unknown[] }> } }).pool;
    const table = 'public.flow_executions';
    const runs = Number(env('BENCH_DB_RUNS'));
    const group = async (): Promise<StoreNode> => {
      const roots = await tree.getChildren();
      const node = roots.find((n): n is StoreNode => n.kind === 'store' && n.storeKey === KEY);
      if (!node) throw new Error(`no group for the database among ${roots.length} roots`);
      return node;
    };
    const runRows = async (): Promise<RunNode[]> => (await tree.getChildren(await group())).filter((n: HistoryNode): n is RunNode => n.kind === 'run');
    await waitFor('the database listed', async () => (await runRows()).length > 0, 60_000);
    await waitFor('writable from the privileges', () => handle.capabilities.writable, 30_000);

    // 1. The tree's first screen: the group listed again (its keyset page and the count
    // estimate) and its 200 rows drawn, against the bare keyset query for the same 200 rows
    // over the same connection pool.
    const firstScreen = async () => {
      tree.refreshAll();
      const rows = await runRows();
      if (rows.length !== 200) throw new Error(`first screen: ${rows.length} rows`);
      const items = await Promise.all(rows.map((r) => tree.getTreeItem(r)));
      if (!/\d+ nodes/.test(String(items[0].description))) throw new Error(`first screen: no node count in ${String(items[0].description)}`);
    };
    const bareKeyset = () =>
      pool.query(`SELECT execution_id, saved_at, size_bytes, node_count, skipped_count FROM ${table} ORDER BY saved_at DESC, execution_id DESC LIMIT 200`);
    const [screenTimes, bareTimes] = await timeInterleaved(ROUNDS, [firstScreen, bareKeyset]);
    results.push({
      scenario: `database: tree first screen (200 rows with node and skip counts of ${runs.toLocaleString('en-US')}), vs the bare keyset query for the same 200 rows over the same connection`,
      ours: median(screenTimes),
      baseline: median(bareTimes),
      unit: 'ms',
      goal: { ratio: 2 },
      note: `medians of ${ROUNDS}, interleaved; through the counting proxy, both`,
    });

    // A page deep in (after 900,000 runs) through the tree's pager, against its first page.
    const deepAfter = Math.floor(runs * 0.9);
    const { rows: deep } = (await pool.query(
      `SELECT (extract(epoch FROM saved_at) * 1000000)::bigint::text AS micros, execution_id::text AS id FROM ${table} ORDER BY saved_at DESC, execution_id DESC OFFSET $1 LIMIT 1`,
      [deepAfter - 1],
    )) as { rows: { micros: string; id: string }[] };
    const cursor = `${deep[0].micros}_${deep[0].id}`;
    const pager = handle.pager!;
    const [firstPage, deepPage] = await timeInterleaved(ROUNDS, [
      async () => (await pager.page(undefined, 200)).entries.length === 200 || Promise.reject(new Error('first page short')),
      async () => (await pager.page(cursor, 200)).entries.length === 200 || Promise.reject(new Error('deep page short')),
    ]);
    results.push({
      scenario: `database: a page deep in (200 rows after ${deepAfter.toLocaleString('en-US')}), vs the first page, both through the tree's pager`,
      ours: median(deepPage),
      baseline: median(firstPage),
      unit: 'ms',
      goal: { ratio: 2 },
      note: `keyset, never OFFSET; first page ${median(firstPage).toFixed(1)} ms, deep page ${median(deepPage).toFixed(1)} ms`,
    });

    console.log(`database: first screen ${median(screenTimes).toFixed(1)} ms, bare ${median(bareTimes).toFixed(1)} ms; deep page ${median(deepPage).toFixed(1)} ms`);

    // 2. Bytes on the wire per listed run: the first screen's listing, both directions.
    tree.refreshAll();
    await sleep(300);
    const before = await wire();
    const listed = (await runRows()).length;
    const after = await wire();
    const listingBytes = after.toServer - before.toServer + (after.toClient - before.toClient);
    results.push({
      scenario: 'database: listing bytes on the wire per listed run (the tree\'s first screen)',
      ours: listingBytes / listed,
      unit: 'B/run',
      goal: { max: 200 },
      note: `${listingBytes} B both ways for ${listed} rows (${after.toClient - before.toClient} B from the server), ${after.statements - before.statements} statements; counted by a TCP proxy in the bench between the extension and the server`,
    });

    // 3. Live: another client inserts a run; the time until the tree shows it at the top.
    const latencies: number[] = [];
    for (let i = 1; i <= LIVE_INSERTS; i++) {
      const id = uuid(0xbe0000 + i);
      await sleep(200);
      const started = performance.now();
      await direct.query(`INSERT INTO ${table} (execution_id, result) VALUES ($1::uuid, $2::text::json)`, [id, runText(id)]);
      await waitFor('the inserted run at the top', async () => (await runRows())[0]?.id === id, 10_000, 5);
      latencies.push(performance.now() - started);
    }
    results.push({
      scenario: `database live: insert by another client to the row at the top of the tree (median of ${LIVE_INSERTS})`,
      ours: median(latencies),
      unit: 'ms',
      goal: { max: 1000 },
      note: `worst ${Math.max(...latencies).toFixed(0)} ms; LISTEN/NOTIFY; the tree polled every 5 ms`,
    });
    console.log(`database: live median ${median(latencies).toFixed(0)} ms; idle for ${process.env.BENCH_DB_IDLE_S ?? 60} s`);
    // Idle for a minute: statements the extension's connections send meanwhile.
    const idleSeconds = Number(process.env.BENCH_DB_IDLE_S ?? 60);
    await sleep(2000);
    const idleBefore = await wire();
    await sleep(idleSeconds * 1000);
    const idleAfter = await wire();
    results.push({
      scenario: `database live: queries while idle for ${idleSeconds} s`,
      ours: idleAfter.statements - idleBefore.statements,
      unit: 'queries',
      goal: { max: 0 },
      note: `${idleAfter.toServer - idleBefore.toServer + idleAfter.toClient - idleBefore.toClient} B on the wire meanwhile (${idleAfter.terminations - idleBefore.terminations} idle pool connections closed); Query/Execute messages counted by the bench's TCP proxy on all the extension's connections (pool and LISTEN)`,
    });

    // 4. Search of a substring in 10 of 1,000,000 runs: the tree's search (its first page, as
    // the command shows it) vs a raw ILIKE scan of the same term over the same connection.
    const term = env('BENCH_RARE_TERM');
    const matches = Number(env('BENCH_RARE_MATCHES'));
    const search = async () => {
      const found = await vscode.commands.executeCommand<number>('a3sFlow.history.search', term);
      if (found !== matches) throw new Error(`search found ${found}`);
    };
    const rawScan = async () => {
      const { rows } = await pool.query(`SELECT execution_id FROM ${table} WHERE result::text ILIKE $1`, [`%${term}%`]);
      if (rows.length !== matches) throw new Error(`ILIKE found ${rows.length}`);
    };
    const [searchTimes, scanTimes] = await timeInterleaved(SEARCH_ROUNDS, [search, rawScan]);
    await vscode.commands.executeCommand('a3sFlow.history.clearSearch');
    results.push({
      scenario: `database: search of a substring over ${runs.toLocaleString('en-US')} runs (the tree's search, first page), vs a raw ILIKE scan of the same term`,
      ours: median(searchTimes),
      baseline: median(scanTimes),
      unit: 'ms',
      goal: { ratio: 1.2 },
      note: `a term in ${matches} runs; medians of ${SEARCH_ROUNDS}, interleaved`,
    });

    console.log(`database: search ${median(searchTimes).toFixed(0)} ms, ILIKE ${median(scanTimes).toFixed(0)} ms; building the trigram index`);
    // With the trigram index (`init --search-index`, built once here), the same selective term.
    const started = performance.now();
    await new Promise<void>((resolve, reject) =>
      execFile(env('BENCH_NODE'), [env('BENCH_CLI'), '--db', env('BENCH_DB_DIRECT'), 'init', '--search-index'], (error, _stdout, stderr) => (error ? reject(new Error(`init --search-index: ${stderr}`)) : resolve())),
    );
    const buildMs = performance.now() - started;
    const [indexedTimes] = await timeInterleaved(ROUNDS, [search]);
    await vscode.commands.executeCommand('a3sFlow.history.clearSearch');
    results.push({
      scenario: 'database: search of a selective term with the trigram index (`flow-history --db URL init --search-index`)',
      ours: median(indexedTimes),
      unit: 'ms',
      goal: { max: 100 },
      note: `the same term in ${matches} runs; the index built once in ${(buildMs / 60_000).toFixed(1)} min`,
    });

    console.log(`database: indexed search ${median(indexedTimes).toFixed(0)} ms`);
    // 6. Delete 1,000 selected runs in the tree (deleteRuns): one transaction, one refresh.
    tree.refreshAll();
    await runRows();
    for (let shown = 200; shown < DELETES; shown += 200) await vscode.commands.executeCommand('a3sFlow.history.showMore', KEY);
    const selected = (await runRows()).slice(0, DELETES);
    if (selected.length !== DELETES) throw new Error(`only ${selected.length} rows to select`);
    const quiet = async () => {
      let count = tree.refreshCount;
      for (;;) {
        await sleep(500);
        if (tree.refreshCount === count) return count;
        count = tree.refreshCount;
      }
    };
    const refreshes = await quiet();
    // Transaction ids handed out meanwhile (each writing transaction takes one; reads none),
    // in the whole server: nothing else writes now.
    const nextXid = async () => Number(((await direct.query('SELECT pg_snapshot_xmax(pg_current_snapshot())::text AS x')).rows[0] as { x: string }).x);
    const xidBefore = await nextXid();
    const window = vscode.window as unknown as Record<string, unknown>;
    const original = window.showWarningMessage;
    window.showWarningMessage = async (_m: string, _o: unknown, ...items: string[]) => items[0];
    let deleted: unknown;
    const deleteStarted = performance.now();
    try {
      deleted = await vscode.commands.executeCommand('a3sFlow.history.deleteRuns', selected[0], selected);
    } finally {
      window.showWarningMessage = original;
    }
    const deleteMs = performance.now() - deleteStarted;
    await sleep(1500);
    const xidAfter = await nextXid();
    const refreshCount = tree.refreshCount - refreshes;
    const left = Number(((await direct.query(`SELECT count(*)::int AS n FROM ${table} WHERE execution_id = ANY($1::uuid[])`, [selected.map((r) => r.id)])).rows[0] as { n: number }).n);
    if (deleted !== DELETES || left !== 0) throw new Error(`delete: the command said ${String(deleted)}, ${left} of the selected runs are left`);
    results.push({
      scenario: `database: delete of ${DELETES.toLocaleString('en-US')} selected runs in the tree: writing transactions`,
      ours: xidAfter - xidBefore,
      unit: 'transactions',
      goal: { max: 1 },
      note: `transaction ids handed out by the server meanwhile (pg_current_snapshot's xmax before and after; reads take none); the command took ${deleteMs.toFixed(0)} ms`,
    });
    results.push({ scenario: `database: delete of ${DELETES.toLocaleString('en-US')} selected runs in the tree: tree refreshes`, ours: refreshCount, unit: 'refreshes', goal: { max: 1 }, note: 'counted from a quiet tree to 1.5 s after' });

    await vscode.workspace.getConfiguration('a3sFlow.history').update('databases', undefined, vscode.ConfigurationTarget.Global);
    fs.writeFileSync(out, JSON.stringify({ results }, null, 2));
    console.log('1 passed, 0 failed');
  } finally {
    await direct.end();
  }
}

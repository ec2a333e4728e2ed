/**
 * The team history on PostgreSQL at 1,000,000 runs (issue 12), `BENCH_ONLY=database`: one
 * private PostgreSQL server (test/support/postgresServer.ts, fsync=off), the schema applied by
 * `flow-history --db URL init` (never a copy of it), filled with INSERT … SELECT
 * generate_series building FlowResult text as serde writes it (the generated summary columns
 * are the server's own). Node side: push of 100,000 sample runs against a raw COPY of the same
 * files. The tree, live, search and delete rows run in the extension host (./dbhost), the
 * extension connected through a counting TCP proxy (./pgWireCounter) for the wire figures.
 */
import { execFile, execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseFlowResult, serializeFlowResult } from '../../src/core/flowResult';
import { runExtensionTests } from '../harness/runIntegration';
import { startPostgres } from '../support/postgresServer';
import { startWireCounter } from './pgWireCounter';
import { ScenarioResult } from './stats';

const COUNT = Number(process.env.BENCH_DB_RUNS ?? 1_000_000);
const PUSH_COUNT = Number(process.env.BENCH_DB_PUSH_RUNS ?? 100_000);
/** Only a few runs hold it: a selective term (10 of 1,000,000). */
export const RARE_TENANT = 'stark-industries';
const RARE_EVERY = 100_000;

/**
 * FlowResult text for run i, as serde_json writes a3s_flow's FlowResult (compact, keys in
 * struct order, integers only so no float formatting question arises); every third run skips
 * `summarize`. About 590 bytes.
 */
export function fillSql(from: number, to: number, table = 'public.flow_executions'): string {
  const tenants = `(ARRAY['acme','globex','initech','umbrella','hooli'])[1 + i % 5]`;
  const tenant = `CASE WHEN i % ${RARE_EVERY} = 7 THEN '${RARE_TENANT}' ELSE ${tenants} END`;
  const big = (mul: string) => `((i::numeric * ${mul}) % 18446744073709551615)::text`;
  const skip = 'i % 3 = 0';
  return `INSERT INTO ${table} (execution_id, result, saved_at)
SELECT id, format(
  '{"execution_id":"%s","outputs":{"fetch":{"status":200,"url":"https://api.example.com/orders/%s","items":[{"sku":"SKU-1000","qty":%s,"price_cents":%s},{"sku":"SKU-1001","qty":%s,"price_cents":%s}],"etag":%s},"parse":{"ok":true,"step":1,"duration_ns":%s,"tags":["%s","eu"]},"validate":{"ok":true,"step":2,"duration_ns":%s,"tags":["globex","ap"]},"classify":{"label":"%s","confidence_pct":%s}%s},"completed_nodes":["fetch","parse","validate","classify"%s],"skipped_nodes":[%s],"context":{"tenant":"%s","attempt":%s,"trace_id":%s,"dry_run":%s}}',
  id, 10000 + i, 1 + i % 7, 100 + i % 9000, 1 + i % 5, 50 + i % 7000, ${big('1000003')},
  ${big('7919')}, ${tenants}, ${big('104729')},
  (ARRAY['urgent','spam','routine','billing'])[1 + i % 4], i % 100,
  CASE WHEN ${skip} THEN '' ELSE format(',"summarize":{"text":"Order %s confirmed","tokens":%s}', i, 100 + i % 3000) END,
  CASE WHEN ${skip} THEN '' ELSE ',"summarize"' END,
  CASE WHEN ${skip} THEN '"summarize"' ELSE '' END,
  ${tenant}, 1 + i % 3, ${big('2654435761')}, CASE WHEN i % 2 = 0 THEN 'true' ELSE 'false' END
)::json, now() - i * interval '1 second'
FROM (SELECT i, md5('run' || i)::uuid AS id FROM generate_series(${from}, ${to}) AS i) AS runs`;
}

function psql(url: string, sql: string): string {
  return execFileSync('psql', ['-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-d', url, '-c', sql], { encoding: 'utf8', maxBuffer: 64 * 2 ** 20, stdio: 'pipe' });
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/** COPY's text format: `\`, tab, newline and carriage return escaped. */
function copyField(text: string): string {
  return text.replace(/[\\\t\n\r]/g, (c) => ({ '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' })[c]!);
}

export async function runDatabaseScenarios(cli: string, root: string): Promise<ScenarioResult[]> {
  const results: ScenarioResult[] = [];
  const server = await startPostgres();
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'flow-history-dbbench-'));
  const counter = await startWireCounter(server.port);
  try {
    const url = server.url();
    const flowHistory = (args: string[]) => execFileSync(process.execPath, [cli, '--db', url, ...args], { stdio: 'pipe', encoding: 'utf8' });
    flowHistory(['init']);

    // Fill: 1,000,000 runs by two INSERT … SELECTs at once (two cores), as a DBA's bulk load
    // would: the NOTIFY trigger off meanwhile (nobody listens yet; a million notifications
    // queued in one transaction would double the time), on again before anything is measured.
    // Then what autovacuum would do by itself.
    let started = performance.now();
    psql(url, 'ALTER TABLE flow_executions DISABLE TRIGGER flow_executions_notify');
    const half = Math.ceil(COUNT / 2);
    await Promise.all(
      [fillSql(1, half), fillSql(half + 1, COUNT)].map(
        (sql) =>
          new Promise<void>((resolve, reject) =>
            execFile('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', url, '-c', sql], (error) => (error ? reject(error) : resolve())),
          ),
      ),
    );
    psql(url, 'ALTER TABLE flow_executions ENABLE TRIGGER flow_executions_notify');
    const fillMs = performance.now() - started;
    started = performance.now();
    psql(url, 'VACUUM ANALYZE flow_executions');
    console.log(`database: filled ${COUNT.toLocaleString('en-US')} runs in ${seconds(fillMs)}, VACUUM ANALYZE ${seconds(performance.now() - started)}`);
    // The text is serde's exactly (parse and write again gives the same bytes), and the
    // server's summary columns say what the text says.
    const checks = psql(
      url,
      `SELECT json_build_object('id', execution_id, 'text', result::text, 'size', size_bytes, 'nodes', node_count, 'skipped', skipped_count)
       FROM flow_executions WHERE execution_id IN (md5('run1')::uuid, md5('run2')::uuid, md5('run7')::uuid)`,
    )
      .trim()
      .split('\n');
    for (const line of checks) {
      const row = JSON.parse(line) as { id: string; text: string; size: number; nodes: number; skipped: number };
      const run = parseFlowResult(row.text);
      if (serializeFlowResult(run) !== row.text) throw new Error(`fill: run ${row.id} is not serde's text:\n${row.text}`);
      if (run.executionId !== row.id) throw new Error(`fill: run ${row.id} names ${run.executionId}`);
      const nodes = new Set([...run.completedNodes, ...run.skippedNodes]).size;
      if (row.size !== Buffer.byteLength(row.text) || row.nodes !== nodes || row.skipped !== run.skippedNodes.length) {
        throw new Error(`fill: summary columns of ${row.id} are wrong: ${JSON.stringify({ ...row, text: undefined })}`);
      }
    }
    const bytes = Number(psql(url, 'SELECT avg(size_bytes)::int FROM flow_executions').trim());
    const tableMb = Number(psql(url, `SELECT pg_total_relation_size('flow_executions') / 1048576`).trim());

    // 5. push of 100,000 sample runs vs a raw COPY of the same files into the same table shape
    // (each into its own fresh schema made by `init`).
    const folder = path.join(work, 'push');
    started = performance.now();
    execFileSync(process.execPath, [cli, '--dir', folder, 'sample', '--no-fsync', '--count', String(PUSH_COUNT), '--seed', '12', '--spacing-minutes', '1'], { stdio: 'pipe' });
    console.log(`database: ${PUSH_COUNT.toLocaleString('en-US')} sample runs in ${seconds(performance.now() - started)}`);
    flowHistory(['--schema', 'push_raw', 'init']);
    flowHistory(['--schema', 'push_ours', 'init']);
    // Raw: read every file, its id from the name and its time from the file, COPY the lot
    // through psql in one statement.
    started = performance.now();
    const lines: string[] = [];
    for (const name of fs.readdirSync(folder)) {
      if (!name.endsWith('.json')) continue;
      const file = path.join(folder, name);
      const text = fs.readFileSync(file, 'utf8');
      lines.push(`${name.slice(0, -5)}\t${copyField(text)}\t${new Date(fs.statSync(file).mtimeMs).toISOString()}\n`);
    }
    const copied = spawnSync('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', url, '-c', 'COPY push_raw.flow_executions (execution_id, result, saved_at) FROM STDIN'], { input: lines.join(''), encoding: 'utf8' });
    const copyMs = performance.now() - started;
    if (copied.status !== 0) throw new Error(`raw COPY failed: ${copied.stderr}`);
    started = performance.now();
    execFileSync(process.execPath, [cli, '--dir', folder, '--db', url, '--schema', 'push_ours', 'push'], { stdio: 'pipe' });
    const pushMs = performance.now() - started;
    const pushed = psql(url, 'SELECT (SELECT count(*) FROM push_ours.flow_executions) || \' \' || (SELECT count(*) FROM push_raw.flow_executions)').trim();
    if (pushed !== `${lines.length} ${lines.length}`) throw new Error(`push: ${pushed} rows (ours, raw), expected ${lines.length} each`);
    const same = psql(url, 'SELECT count(*) FROM push_ours.flow_executions o JOIN push_raw.flow_executions r USING (execution_id) WHERE o.result::text = r.result::text').trim();
    if (Number(same) !== lines.length) throw new Error(`push: only ${same} of ${lines.length} runs have the same text as the raw COPY`);
    psql(url, 'DROP SCHEMA push_raw CASCADE; DROP SCHEMA push_ours CASCADE');
    fs.rmSync(folder, { recursive: true, force: true });
    const rate = (ms: number) => `${Math.round(lines.length / (ms / 1000)).toLocaleString('en-US')} runs/s`;
    const pushRow: ScenarioResult = {
      scenario: `push of ${lines.length.toLocaleString('en-US')} sample runs (a folder made with \`sample\`), vs a raw \`COPY\` of the same files into the same table shape`,
      ours: pushMs,
      baseline: copyMs,
      unit: 'ms',
      goal: { ratio: 2 },
      note: `${rate(pushMs)} vs ${rate(copyMs)}: the goal, ≥ 50% of COPY's throughput, is ≤ 2× its time; \`flow-history push\` as a process, COPY through psql with the files read by the bench; one run each`,
    };

    // The extension-host rows.
    const out = path.join(work, 'host.json');
    const workspace = path.join(work, 'workspace');
    fs.mkdirSync(workspace);
    const proxied = `postgres://flow@127.0.0.1:${counter.port}/postgres`;
    const host = await runExtensionTests({
      workspace,
      extensionDevelopmentPath: root,
      extensionTestsPath: path.join(root, 'out', 'test', 'bench', 'dbhost'),
      extensionEnvironment: {
        BENCH_OUT: out,
        BENCH_DB_DIRECT: url,
        BENCH_DB_PROXIED: proxied,
        BENCH_WIRE_STATS: counter.statsUrl,
        BENCH_CLI: cli,
        BENCH_NODE: process.execPath,
        BENCH_RARE_TERM: RARE_TENANT,
        BENCH_RARE_MATCHES: String(Math.floor((COUNT - 7) / RARE_EVERY) + 1),
        BENCH_DB_RUNS: String(COUNT),
        BENCH_DB_IDLE_S: process.env.BENCH_DB_IDLE_S ?? '60',
      },
      timeoutMs: 20 * 60_000,
      label: 'bench-database',
    });
    if (host.exitCode !== 0 || !fs.existsSync(out)) throw new Error('The database extension-host scenarios failed (see the output above).');
    const hostResults = JSON.parse(fs.readFileSync(out, 'utf8')) as { results: ScenarioResult[] };
    results.push(...hostResults.results, pushRow);
    results.push({
      scenario: `fill: ${COUNT.toLocaleString('en-US')} runs of ${bytes} B on average (two INSERT … SELECT generate_series at once, the NOTIFY trigger off; the summary columns computed by the server)`,
      ours: fillMs,
      unit: 'ms',
      note: `table with its indexes ${tableMb} MB`,
    });
    return results;
  } finally {
    await counter.close();
    server.stop();
    fs.rmSync(work, { recursive: true, force: true });
  }
}

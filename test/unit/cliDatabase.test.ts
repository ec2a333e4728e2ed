/** The flow-history CLI over a PostgreSQL database (a private server this run starts). */
import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { newExecutionId } from '../../src/core/executionId';
import { exportFlowResult, parseFlowResult } from '../../src/core/flowResult';
import { PostgresServer, sharedPostgres, stopSharedPostgresAfterAll } from '../support/postgresServer';
import { useTempDir } from '../support/tempDir';

const CLI = path.resolve(__dirname, '../../../dist/cli.js');
const BIG = `{"execution_id":"ID","outputs":{"hash":18446744073709551615,"f":1.0},"completed_nodes":["hash","f"],"skipped_nodes":[]}`;

interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

stopSharedPostgresAfterAll();

describe('flow-history CLI on PostgreSQL', function () {
  this.timeout(60000);
  const tempDir = useTempDir();
  let server: PostgresServer;
  let db: string;
  before(async () => {
    assert.ok(fs.existsSync(CLI), `${CLI} is missing: run npm run build first`);
    server = await sharedPostgres();
  });
  beforeEach(() => {
    db = server.url(server.createDatabase());
  });

  /** Runs the CLI with FLOW_HISTORY_DB set to this test's database (unless `env` says otherwise). */
  function cli(args: string[], env: Record<string, string | undefined> = { FLOW_HISTORY_DB: db }): Ran {
    const r = spawnSync(process.execPath, [CLI, ...args], { cwd: tempDir(), encoding: 'utf8', input: '', env: { ...process.env, FLOW_HISTORY_DB: undefined, ...env } });
    return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
  }
  function ok(args: string[], env?: Record<string, string | undefined>): Ran {
    const r = cli(args, env);
    assert.strictEqual(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
    return r;
  }
  const rows = () => JSON.parse(ok(['list', '--json']).stdout) as { id: string; savedAt: string; status: string; nodes: number | null; executed: number | null; skipped: number | null; size: number }[];

  it('initialises idempotently, prints the schema, samples and lists like a folder', () => {
    assert.match(cli(['list']).stderr, /No table public\.flow_executions .*run `flow-history --db URL init` first/);
    assert.match(ok(['init']).stdout, /Schema ready in postgres:\/\/flow@127\.0\.0\.1:\d+\/t\d+_\d+ \(public\.flow_executions\): 0 run\(s\)/);
    ok(['sample', '--count', '4', '--seed', '3']);
    assert.match(ok(['init']).stdout, /: 4 run\(s\)/);
    const listed = rows();
    assert.strictEqual(listed.length, 4);
    assert.deepStrictEqual(Object.keys(listed[0]), ['id', 'savedAt', 'size', 'nodes', 'executed', 'skipped', 'status']);
    const times = listed.map((row) => Date.parse(row.savedAt));
    assert.deepStrictEqual(times, [...times].sort((a, b) => b - a));
    assert.ok(listed.every((row) => row.status === 'ok' && row.nodes === 6 && row.executed! + row.skipped! === 6));
    assert.match(ok(['list']).stdout, /EXECUTION ID\s+SAVED\s+SIZE\s+NODES\s+SKIPPED\s+STATUS/);
    const schema = ok(['schema', '--search-index'], {}).stdout;
    assert.match(schema, /^-- Flow History/);
    assert.match(schema, /result json NOT NULL/);
    assert.match(schema, /gin_trgm_ops/);
    assert.match(ok(['--schema', 'team', '--table', 'runs', 'schema'], {}).stdout, /"team"\."runs"/);
    assert.strictEqual(cli(['--table', 'x"; drop', 'schema'], {}).code, 2);
  });

  it('imports, shows exactly, exports exactly, diffs and deletes in one transaction', () => {
    ok(['init']);
    const [a, b] = [newExecutionId(), newExecutionId()];
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'a.json'), BIG.replace('ID', a.toUpperCase()));
    fs.writeFileSync(path.join(dir, 'b.json'), BIG.replace('ID', b).replace('18446744073709551615', '18446744073709551614'));
    fs.writeFileSync(path.join(dir, 'bad.json'), '{"execution_id":"nope"}');
    const imported = cli(['import', 'a.json', 'b.json', 'bad.json']);
    assert.strictEqual(imported.code, 1);
    assert.match(imported.stderr, /failed bad\.json: not a FlowResult/);
    assert.match(ok(['show', a.slice(0, 8)]).stdout, /"hash":18446744073709551615,"f":1\.0/);
    ok(['export', a, '--out', 'out.json']);
    assert.strictEqual(fs.readFileSync(path.join(dir, 'out.json'), 'utf8'), exportFlowResult(parseFlowResult(BIG.replace('ID', a))));
    assert.match(ok(['diff', a, b]).stdout, /~ output of "hash":\n\s+- 18446744073709551615\n\s+\+ 18446744073709551614/);
    assert.strictEqual(cli(['show', newExecutionId()]).code, 1);
    assert.strictEqual(cli(['show', "'; DROP TABLE flow_executions; --"]).code, 2);
    assert.match(cli(['delete', a]).stderr, /without --yes/);
    const unknown = newExecutionId();
    const deleted = ok(['delete', a, unknown, '--yes']);
    assert.match(deleted.stdout, new RegExp(`deleted ${a}`));
    assert.match(deleted.stderr, new RegExp(`note: no run ${unknown}`));
    assert.deepStrictEqual(
      rows().map((row) => row.id),
      [b],
    );
  });

  it('pushes a folder exactly (bytes and saved times), again without rewriting, and pulls it back', () => {
    ok(['init']);
    const dir = tempDir();
    const folder = path.join(dir, 'runs');
    ok(['--dir', folder, 'sample', '--count', '5', '--spacing-minutes', '60'], {});
    // A run as serde might write it, spacing and all, and a broken file that must be reported.
    const odd = newExecutionId();
    const oddText = `{ "execution_id": "${odd}", "outputs": {"n": 1.0, "big": 18446744073709551615}, "completed_nodes": ["n"], "skipped_nodes": [], "later": {"x": 1} }\n`;
    fs.writeFileSync(path.join(folder, `${odd}.json`), oddText);
    const broken = newExecutionId();
    fs.writeFileSync(path.join(folder, `${broken}.json`), '{"execution_id":');
    const pushed = cli(['--dir', folder, 'push', '--batch', '2']);
    assert.strictEqual(pushed.code, 1, pushed.stderr);
    assert.match(pushed.stderr, new RegExp(`failed ${broken}: .*EOF`));
    assert.match(pushed.stderr, /push: 7\/7 run\(s\), 6 written, 1 failed/);
    assert.match(pushed.stdout, /Pushed 7 run\(s\) from .* to postgres:\/\/.*: 6 written, 0 already there, 1 failed/);
    fs.rmSync(path.join(folder, `${broken}.json`));
    assert.match(ok(['--dir', folder, 'push']).stdout, /0 written, 6 already there, 0 failed/);
    // Exact bytes and the file's time as the saved time.
    assert.strictEqual(ok(['show', odd]).stdout, oddText);
    const byId = new Map(rows().map((row) => [row.id, row]));
    assert.strictEqual(byId.size, 6);
    for (const name of fs.readdirSync(folder)) {
      const id = name.replace('.json', '');
      // The database keeps microseconds; list prints milliseconds.
      assert.ok(Math.abs(Date.parse(byId.get(id)!.savedAt) - fs.statSync(path.join(folder, name)).mtimeMs) < 1, name);
    }
    // Pull into another folder: the same files, byte for byte, with the same times.
    const home = path.join(dir, 'home');
    const pulled = ok(['--dir', home, 'pull']);
    assert.match(pulled.stdout, /Pulled 6 run\(s\) .*: 6 written, 0 already there, 0 failed/);
    assert.match(pulled.stderr, /pull: 6\/6 run\(s\), 6 written, 0 failed/);
    assert.deepStrictEqual(fs.readdirSync(home).sort(), fs.readdirSync(folder).sort());
    for (const name of fs.readdirSync(folder)) {
      assert.ok(fs.readFileSync(path.join(home, name)).equals(fs.readFileSync(path.join(folder, name))), name);
      assert.ok(Math.abs(fs.statSync(path.join(home, name)).mtimeMs - fs.statSync(path.join(folder, name)).mtimeMs) < 0.01, name);
    }
    assert.match(ok(['--dir', home, 'pull']).stdout, /0 written, 6 already there/);
    assert.strictEqual(cli(['--dir', folder, 'push'], {}).code, 2);
  });

  it('prunes in the server, keeping records that are not runs', () => {
    ok(['init']);
    ok(['sample', '--count', '5', '--spacing-minutes', '1440']);
    const junk = newExecutionId();
    server.psql(`INSERT INTO flow_executions (execution_id, result, saved_at) VALUES ('${junk}', '[]', now() - interval '90 days')`, db.split('/').pop());
    const dry = ok(['prune', '--older-than', '2.5', '--dry-run']);
    assert.match(dry.stdout, /Would delete 2 of 6 run\(s\) \(older than 2.5 days\)/);
    assert.match(dry.stderr, /keeping 1 unreadable run/);
    assert.match(ok(['prune', '--keep', '1']).stdout, /Deleted 4 of 6 run\(s\)/);
    const left = rows();
    assert.deepStrictEqual(
      left.map((row) => row.status),
      ['ok', 'unreadable'],
    );
    assert.strictEqual(left[1].id, junk);
  });

  it('refuses changes up front for a read-only role, with nothing changed', () => {
    ok(['init']);
    ok(['sample', '--count', '2']);
    const name = db.split('/').pop()!;
    const role = `ro_${name}`;
    server.psql(`CREATE ROLE ${role} LOGIN; GRANT SELECT ON flow_executions TO ${role}`, name);
    const reader = { FLOW_HISTORY_DB: server.url(name, role) };
    const [first] = rows();
    assert.strictEqual(JSON.parse(ok(['list', '--json'], reader).stdout).length, 2);
    for (const args of [['delete', first.id, '--yes'], ['prune', '--keep', '0'], ['import', 'x.json'], ['sample', '--count', '1']]) {
      const r = cli(args, reader);
      assert.strictEqual(r.code, 1, args.join(' '));
      assert.match(r.stderr, /^flow-history: The database role may not (delete|save or import) runs .*; nothing was changed\n$/);
    }
    assert.strictEqual(rows().length, 2);
  });

  it('says plainly when the database is unreachable, and keeps usage errors usage errors', () => {
    const nowhere = `postgres://flow:hunter2@127.0.0.1:1/none`;
    const r = cli(['--db', nowhere, 'list'], {});
    assert.strictEqual(r.code, 1);
    assert.match(r.stderr, /note: a password in --db is visible/);
    assert.match(r.stderr, /flow-history: Cannot reach the database postgres:\/\/flow@127\.0\.0\.1:1\/none/);
    assert.doesNotMatch(r.stderr, /hunter2/);
    assert.strictEqual(cli(['--dir', 'x', 'list']).code, 2);
    assert.strictEqual(cli(['init'], {}).code, 2);
    assert.strictEqual(cli(['--db', 'mysql://x@127.0.0.1/y', 'list'], {}).code, 2);
    assert.strictEqual(cli(['--statement-timeout', 'soon', 'list']).code, 2);
  });
});

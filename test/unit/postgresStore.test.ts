/**
 * The PostgreSQL store against a real private server (test/support/postgresServer.ts): the
 * store contract, exact bytes, keyset paging, hostile input as parameters only, rights,
 * passwords, TLS, timeouts and a server that dies.
 */
import * as assert from 'assert';
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Client } from 'pg';
import { InvalidExecutionIdError, StoreChange } from '../../src/core/executionStore';
import { OperationCancelledError } from '../../src/core/errors';
import { newExecutionId } from '../../src/core/executionId';
import { parseFlowResult, serializeFlowResult } from '../../src/core/flowResult';
import { PermissionDeniedError, PostgresExecutionStore, PostgresStoreError, RunSummaryRow } from '../../src/postgres/postgresStore';
import { InvalidIdentifierError, schemaScript, tableName } from '../../src/postgres/schema';
import { hostileIds } from '../support/hostileIds';
import { PostgresServer, sharedPostgres, startPostgres, stopSharedPostgresAfterAll } from '../support/postgresServer';
import { defineStoreContract } from '../support/storeContract';

let schemaCounter = 0;

/** A store on a fresh schema of the shared server, with the schema applied. */
async function freshStore(options: { statementTimeoutMs?: number } = {}): Promise<{ store: PostgresExecutionStore; server: PostgresServer; schema: string }> {
  const server = await sharedPostgres();
  const schema = `s${++schemaCounter}_${process.pid}`;
  const store = new PostgresExecutionStore({ url: server.url(), schema, ...options });
  await store.applySchema();
  return { store, server, schema };
}

function run(id: string, extra = ''): string {
  return `{"execution_id":"${id}","outputs":{"a":1},"completed_nodes":["a"],"skipped_nodes":[]${extra}}`;
}

stopSharedPostgresAfterAll();

defineStoreContract({
  name: 'PostgresExecutionStore (private PostgreSQL)',
  async create() {
    const { store } = await freshStore();
    return { store, cleanup: () => store.close() };
  },
});

describe('PostgresExecutionStore', function () {
  this.timeout(30000);
  let store: PostgresExecutionStore;
  let server: PostgresServer;
  let schema: string;
  beforeEach(async () => {
    ({ store, server, schema } = await freshStore());
  });
  afterEach(async () => store.close());

  it('keeps the stored text byte for byte: u64 beyond 2^53, 1.0, unknown fields, duplicate keys, spacing, escapes', async () => {
    const id = newExecutionId();
    const text = `{"execution_id":"${id}", "outputs":{"big":18446744073709551615,"f":1.0,"e":1.5e300,"s":"\\u00e9\\n\\"é😀"},"completed_nodes":["big"],"skipped_nodes":[],"dup":1,"dup":2,"engine":{"v":"0.3.1"}}\n`;
    assert.deepStrictEqual(await store.saveTexts([{ id, text }]), [id]);
    assert.strictEqual(await store.readRaw(id), text);
    const read = await store.readRun(id);
    assert.ok(read.kind === 'bytes');
    assert.deepStrictEqual(Buffer.from(read.bytes), Buffer.from(text, 'utf8'));
    assert.strictEqual(read.entry.size, Buffer.byteLength(text));
    const loaded = await store.load(id);
    assert.strictEqual(String(loaded?.outputs.big), '18446744073709551615');
    assert.strictEqual(String(loaded?.outputs.f), '1.0');
    // What save writes is serde's compact text, and it comes back exactly.
    const compact = serializeFlowResult(parseFlowResult(run(id, ',"x":18446744073709551615')));
    await store.save(parseFlowResult(compact));
    assert.strictEqual(await store.readRaw(id), compact);
    // Pushing the same text again writes nothing (no new saved time, no notification).
    assert.deepStrictEqual(await store.saveTexts([{ id, text: compact }]), []);
  });

  it('lists summaries computed by the server, for records written by anyone', async () => {
    const [a, b, c] = [newExecutionId(), newExecutionId(), newExecutionId()];
    // The way a3s_flow's store writes: only the three contract columns.
    server.psql(
      `INSERT INTO "${schema}".flow_executions (execution_id, result, saved_at) VALUES
       ('${a}', '{"execution_id":"${a}","outputs":{},"completed_nodes":["x","y","y"],"skipped_nodes":["y","z"]}', now() - interval '3 minutes'),
       ('${b}', '[1,2]', now() - interval '2 minutes'),
       ('${c}', '{"execution_id":"${c}","outputs":{},"completed_nodes":{},"skipped_nodes":null}', now() - interval '1 minute')`,
    );
    const page = await store.listPage();
    assert.deepStrictEqual(
      page.rows.map((row) => [row.id, row.nodes, row.executed, row.skipped]),
      [
        [c, 0, 0, 0],
        [b, null, null, null],
        [a, 3, 1, 2],
      ],
    );
    assert.strictEqual(page.next, undefined);
    assert.strictEqual((await store.inspect(b)).kind, 'unreadable');
    assert.deepStrictEqual(await store.countEstimate(), { count: 3, exact: true });
  });

  it('pages by keyset, stable while runs are inserted, with ties on the saved time', async () => {
    const base = Date.UTC(2026, 0, 1);
    const runs = Array.from({ length: 37 }, (_, i) => {
      const id = newExecutionId();
      // Groups of three share a saved time: the id breaks the tie.
      return { id, text: run(id), savedAt: base + Math.floor(i / 3) * 1000 };
    });
    await store.saveTexts(runs);
    const expected = [...runs].sort((x, y) => y.savedAt - x.savedAt || (x.id < y.id ? 1 : -1)).map((r) => r.id);
    const seen: RunSummaryRow[] = [];
    let after: string | undefined;
    let pages = 0;
    do {
      const page = await store.listPage({ after, limit: 10 });
      seen.push(...page.rows);
      after = page.next;
      pages++;
      // Runs saved meanwhile are newer than every cursor: they never shift the pages.
      await store.save(parseFlowResult(run(newExecutionId())));
    } while (after);
    assert.strictEqual(pages, 4);
    assert.deepStrictEqual(
      seen.map((row) => row.id),
      expected,
    );
    assert.deepStrictEqual((await store.listPage({ limit: 3 })).rows.length, 3);
    await assert.rejects(store.listPage({ after: "1_'; DROP TABLE x; --" }), /Not a page cursor/);
    await assert.rejects(store.listPage({ limit: 0 }), /A page holds 1 to 5000 runs/);
  });

  it('searches in the server with hostile terms reaching SQL only as parameters', async () => {
    const texts: Record<string, string> = {
      percent: ',"note":"100% done"',
      under: ',"note":"a_b"',
      near: ',"note":"axb"',
      quote: `,"note":"it's"`,
      backslash: ',"note":"back\\\\slash"',
      sql: `,"note":"'; DROP TABLE flow_executions; --"`,
    };
    const ids: Record<string, string> = {};
    for (const [name, extra] of Object.entries(texts)) {
      ids[name] = newExecutionId();
      await store.saveTexts([{ id: ids[name], text: run(ids[name], extra) }]);
    }
    const found = async (term: string) => (await store.search(term)).rows.map((row) => row.id).sort();
    assert.deepStrictEqual(await found('%'), [ids.percent]);
    assert.deepStrictEqual(await found('a_b'), [ids.under]);
    assert.deepStrictEqual(await found("it's"), [ids.quote]);
    assert.deepStrictEqual(await found('back\\\\slash'), [ids.backslash]);
    assert.deepStrictEqual(await found('\\'), [ids.backslash]);
    assert.deepStrictEqual(await found("'; drop TABLE"), [ids.sql]);
    assert.deepStrictEqual(await found('A\u0000B'), []);
    assert.deepStrictEqual(await found('AXB'), [ids.near]);
    assert.strictEqual((await found('"outputs"')).length, 6);
    // The table is still there, whole.
    assert.strictEqual((await store.list()).length, 6);
    // Search pages too.
    const first = await store.search('"outputs"', { limit: 4 });
    const second = await store.search('"outputs"', { limit: 4, after: first.next });
    assert.deepStrictEqual([first.rows.length, second.rows.length, second.next], [4, 2, undefined]);
  });

  it('search pages every match by keyset, newest first, with ties on the saved time, skipping non-matches', async () => {
    const base = Date.UTC(2026, 0, 1);
    const runs = Array.from({ length: 23 }, (_, i) => {
      const id = newExecutionId();
      // Every third run matches; pairs share a saved time (the id breaks the tie).
      return { id, text: run(id, i % 3 === 0 ? ',"note":"Needle_%"' : ',"note":"needleX%"'), savedAt: base + Math.floor(i / 2) * 1000 };
    });
    await store.saveTexts(runs);
    const expected = runs
      .filter((_, i) => i % 3 === 0)
      .sort((x, y) => y.savedAt - x.savedAt || (x.id < y.id ? 1 : -1))
      .map((r) => r.id);
    const seen: string[] = [];
    let after: string | undefined;
    let pages = 0;
    do {
      // `_` and `%` are themselves, not wildcards: "needleX%" never matches "needle_%".
      const page = await store.search('needle_%', { after, limit: 3 });
      seen.push(...page.rows.map((row) => row.id));
      assert.ok(page.rows.every((row) => row.nodes === 1 && row.size > 0), 'summaries come with the matches');
      after = page.next;
      pages++;
    } while (after);
    assert.deepStrictEqual(seen, expected);
    assert.strictEqual(pages, 3);
  });

  it('finds runs by a prefix of their id (any case, hyphens where ids have them) as a range of the primary key', async () => {
    const ids = ['1a2b0000-0000-4000-8000-000000000001', '1a2b0000-0000-4000-8000-000000000002', '1a2c0000-0000-4000-8000-000000000003', 'ffffffff-ffff-4fff-bfff-ffffffffffff'];
    await store.saveTexts(ids.map((id, i) => ({ id, text: run(id), savedAt: Date.UTC(2026, 0, 1) + i * 1000 })));
    assert.deepStrictEqual(await store.findByPrefix('1a2b'), ids.slice(0, 2));
    assert.deepStrictEqual(await store.findByPrefix('1A2'), ids.slice(0, 3));
    assert.deepStrictEqual(await store.findByPrefix('1a2b0000-0000-4000-8000-000000000002'), [ids[1]]);
    assert.deepStrictEqual(await store.findByPrefix('1a2b0000-'), ids.slice(0, 2));
    assert.deepStrictEqual(await store.findByPrefix('ffffffff-ffff'), [ids[3]]);
    assert.deepStrictEqual(await store.findByPrefix('1a', 1), [ids[0]]);
    const [row] = await store.findRowsByPrefix('1a2c');
    assert.deepStrictEqual([row.id, row.savedAt, row.nodes, row.skipped], [ids[2], Date.UTC(2026, 0, 1) + 2000, 1, 0]);
    // Not the start of any id: no query at all.
    for (const bad of ['1a2b-', '-1a', '1a2b0000_', '1a%', '', 'g', '1a2b0000-0000-4000-8000-0000000000011']) {
      assert.deepStrictEqual(await store.findByPrefix(bad), [], JSON.stringify(bad));
    }
  });

  it('cancels a search (and a prefix lookup) in the server when its signal aborts, and works after', async () => {
    const id = newExecutionId();
    await store.saveTexts([{ id, text: run(id, ',"note":"needle"') }]);
    // Another session holds the table under ACCESS EXCLUSIVE: the search waits in the server.
    const locker = new Client({ connectionString: server.url() });
    await locker.connect();
    // Backends of the store still at work on a statement against the table (not idle).
    const busy = () =>
      server
        .psql(`SELECT pid, wait_event_type FROM pg_stat_activity WHERE application_name = 'flow-history' AND state <> 'idle' AND query LIKE '%"${schema}"."flow_executions"%'`)
        .trim();
    const waitFor = async (what: string, done: () => boolean, ms: number) => {
      const deadline = Date.now() + ms;
      while (!done()) {
        if (Date.now() > deadline) assert.fail(`${what} within ${ms} ms`);
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    };
    try {
      await locker.query(`BEGIN; LOCK TABLE "${schema}".flow_executions IN ACCESS EXCLUSIVE MODE`);
      for (const lookup of [(signal: AbortSignal) => store.search('needle', { signal }), (signal: AbortSignal) => store.findRowsByPrefix(id.slice(0, 8), 4, { signal })]) {
        const abort = new AbortController();
        const pending = lookup(abort.signal);
        let settled = false;
        void pending.then(
          () => (settled = true),
          () => (settled = true),
        );
        await waitFor('the lookup waits on the lock', () => busy().endsWith('|Lock'), 5000);
        assert.strictEqual(settled, false);
        const aborted = Date.now();
        abort.abort();
        await assert.rejects(pending, (error: Error) => error instanceof OperationCancelledError && /Cancelled: the query to .* was stopped/.test(error.message));
        await waitFor('no backend still runs it', () => busy() === '', 1000);
        assert.ok(Date.now() - aborted < 1000, `stopped in ${Date.now() - aborted} ms`);
      }
      // Aborted before it is sent: rejects at once, and nothing reaches the server.
      const before = new AbortController();
      before.abort();
      await assert.rejects(store.search('needle', { signal: before.signal }), OperationCancelledError);
      await new Promise((resolve) => setTimeout(resolve, 200));
      assert.strictEqual(busy(), '');
    } finally {
      await locker.query('ROLLBACK').catch(() => undefined);
      await locker.end();
    }
    // The store (and the connection the search used) works after; an abort after the answer changes nothing.
    const after = new AbortController();
    for (let i = 0; i < 6; i++) assert.deepStrictEqual((await store.search('needle', { signal: after.signal })).rows.map((row) => row.id), [id]);
    after.abort();
    assert.deepStrictEqual((await store.findRowsByPrefix(id.slice(0, 8))).map((row) => row.id), [id]);
    assert.deepStrictEqual(await store.list(), [id]);
  });

  it('refuses hostile ids before any SQL, and hostile table names', async () => {
    const valid = newExecutionId();
    for (const bad of hostileIds(valid)) {
      await assert.rejects(store.load(bad), InvalidExecutionIdError, JSON.stringify(bad));
      await assert.rejects(store.delete(bad), InvalidExecutionIdError, JSON.stringify(bad));
      await assert.rejects(store.deleteMany([valid, bad]), InvalidExecutionIdError, JSON.stringify(bad));
      await assert.rejects(store.saveTexts([{ id: bad, text: run(valid) }]), InvalidExecutionIdError, JSON.stringify(bad));
    }
    assert.deepStrictEqual(await store.findByPrefix("' OR 1=1 --"), []);
    for (const bad of ['x"; DROP TABLE y; --', 'a.b', '', '1abc', 'x'.repeat(64), 'é']) {
      assert.throws(() => new PostgresExecutionStore({ url: server.url(), table: bad }), InvalidIdentifierError);
      assert.throws(() => tableName(bad), InvalidIdentifierError);
    }
  });

  it('deletes many runs in one transaction: all or none', async () => {
    const ids = Array.from({ length: 5 }, () => newExecutionId());
    await store.saveTexts(ids.map((id) => ({ id, text: run(id) })));
    const unknown = newExecutionId();
    assert.deepStrictEqual((await store.deleteMany([ids[0], ids[1], unknown, ids[1].toUpperCase()])).sort(), [ids[0], ids[1]].sort());
    assert.deepStrictEqual((await store.list()).sort(), ids.slice(2).sort());
    // A batch with one bad record writes nothing at all.
    const fresh = [newExecutionId(), newExecutionId()];
    await assert.rejects(store.saveTexts([{ id: fresh[0], text: run(fresh[0]) }, { id: fresh[1], text: '{"broken":' }]), PostgresStoreError);
    assert.strictEqual((await store.list()).length, 3);
  });

  it('tells what a read-only role may do and refuses changes up front', async () => {
    const id = newExecutionId();
    await store.saveTexts([{ id, text: run(id) }]);
    const role = `reader_${schema}`;
    server.psql(`CREATE ROLE ${role} LOGIN; GRANT USAGE ON SCHEMA "${schema}" TO ${role}; GRANT SELECT ON "${schema}".flow_executions TO ${role}`);
    const reader = new PostgresExecutionStore({ url: server.url('postgres', role), schema });
    try {
      assert.deepStrictEqual(await reader.privileges(), { select: true, insert: false, delete: false });
      await assert.rejects(reader.requirePrivilege('delete'), (e: Error) => e instanceof PermissionDeniedError && /may not delete runs/.test(e.message));
      await assert.rejects(reader.requirePrivilege('insert'), PermissionDeniedError);
      // Even without asking first, the server refuses and nothing changes.
      await assert.rejects(reader.deleteMany([id]), PermissionDeniedError);
      assert.deepStrictEqual(await reader.list(), [id]);
      assert.strictEqual((await reader.listPage()).rows.length, 1);
      await store.requirePrivilege('delete');
    } finally {
      await reader.close();
    }
  });

  it('applies the schema idempotently onto a bare table that already has runs', async () => {
    const bare = `bare_${schema}`;
    const id = newExecutionId();
    server.psql(
      `CREATE TABLE ${bare} (execution_id uuid PRIMARY KEY, result json NOT NULL, saved_at timestamptz NOT NULL DEFAULT now());
       INSERT INTO ${bare} (execution_id, result) VALUES ('${id}', '${run(id)}')`,
    );
    const other = new PostgresExecutionStore({ url: server.url(), table: bare });
    try {
      await assert.rejects(other.listPage(), /lacks Flow History's summary columns.*init/);
      await other.applySchema();
      await other.applySchema();
      assert.deepStrictEqual(
        (await other.listPage()).rows.map((row) => [row.id, row.nodes]),
        [[id, 1]],
      );
      assert.strictEqual(await other.readRaw(id), run(id));
    } finally {
      await other.close();
      server.psql(`DROP TABLE ${bare}`);
    }
    const script = schemaScript(tableName('team', 'runs'), { searchIndex: true });
    assert.match(script, /CREATE TABLE IF NOT EXISTS "team"\."runs"/);
    assert.match(script, /gin_trgm_ops/);
    assert.doesNotMatch(script, /jsonb/);
  });

  it('notifies listeners of inserts, updates and deletes by anyone', async () => {
    const client = new Client({ connectionString: server.url() });
    await client.connect();
    try {
      const heard: unknown[] = [];
      client.on('notification', (message) => heard.push(JSON.parse(message.payload ?? 'null')));
      await client.query('LISTEN flow_history');
      const id = newExecutionId();
      server.psql(`INSERT INTO "${schema}".flow_executions (execution_id, result) VALUES ('${id}', '{}')`);
      await store.deleteMany([id]);
      const deadline = Date.now() + 5000;
      while (heard.length < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      assert.deepStrictEqual(heard, [
        { schema, table: 'flow_executions', op: 'INSERT', id },
        { schema, table: 'flow_executions', op: 'DELETE', id },
      ]);
    } finally {
      await client.end();
    }
  });

  it('watch: drops the NOTIFY echo of its own writes but reports others; the poll without a trigger sees deletes without count(*) and does not list again for its own writes', async () => {
    const changes: StoreChange[] = [];
    store.onDidChange((change) => changes.push(change));
    const waitChanges = async (n: number) => {
      const deadline = Date.now() + 5000;
      while (changes.length < n && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    };
    const watch = await store.watch({ debounceMs: 10 });
    const mine = newExecutionId();
    const theirs = newExecutionId();
    try {
      assert.strictEqual(watch.mode, 'listen');
      // The LISTEN connection is up once a change by another client is heard.
      const deadline = Date.now() + 5000;
      while (changes.length === 0 && Date.now() < deadline) {
        server.psql(`INSERT INTO "${schema}".flow_executions (execution_id, result) VALUES ('${theirs}', '{}') ON CONFLICT (execution_id) DO UPDATE SET saved_at = now()`);
        await new Promise((resolve) => setTimeout(resolve, 300));
      }
      // Every insert that was heard (one, or two when the connection came up in between).
      await new Promise((resolve) => setTimeout(resolve, 300));
      const heard = changes.splice(0);
      assert.ok(heard.length >= 1, 'heard the other client');
      for (const change of heard) assert.deepStrictEqual(change, { saved: [], deleted: [], changed: [theirs] });
      await store.saveTexts([{ id: mine, text: run(mine) }]);
      await store.deleteMany([mine]);
      server.psql(`DELETE FROM "${schema}".flow_executions WHERE execution_id = '${theirs}'`);
      await waitChanges(3);
      assert.deepStrictEqual(changes.splice(0), [
        { saved: [mine], deleted: [] },
        { saved: [], deleted: [mine] },
        { saved: [], deleted: [], changed: [theirs] },
      ]);
    } finally {
      watch.dispose();
    }
    server.psql(`DROP TRIGGER flow_executions_notify ON "${schema}".flow_executions`);
    server.psql(`INSERT INTO "${schema}".flow_executions (execution_id, result, saved_at) VALUES ('${theirs}', '{}', now() - interval '1 day')`);
    const queries: string[] = [];
    const poll = await store.watch({ pollMs: 100, log: () => undefined });
    const spy = store as unknown as { query: (sql: string, params?: unknown[]) => Promise<unknown> };
    const original = spy.query.bind(store);
    spy.query = (sql, params) => {
      queries.push(sql);
      return original(sql, params);
    };
    try {
      assert.strictEqual(poll.mode, 'poll');
      await new Promise((resolve) => setTimeout(resolve, 300));
      changes.splice(0);
      // An old run deleted by someone else: max(saved_at) does not move, the write counters do.
      server.psql(`DELETE FROM "${schema}".flow_executions WHERE execution_id = '${theirs}'`);
      await waitChanges(1);
      assert.deepStrictEqual(changes[0], { saved: [], deleted: [], all: true });
      assert.ok(queries.length > 0 && queries.every((sql) => !/count\(/i.test(sql)), queries.join('\n'));
      // Its own writes (the newest run saved, then deleted) fire their change once each: the
      // poll sees the newest saved_at move and, once the server's counters show them, the
      // writes, and lists nothing again for them.
      await waitChanges(1);
      const counters = () => server.psql(`SELECT n_tup_ins + n_tup_upd, n_tup_del FROM pg_stat_user_tables WHERE relid = '"${schema}".flow_executions'::regclass`).trim();
      // The server's counters of the earlier writes settled (on a busy machine they show late,
      // and would look like another client's writes beside ours), and the poll has seen them.
      for (let settled = Date.now() + 10_000, last = ''; Date.now() < settled; ) {
        const now = counters();
        if (now === last) break;
        last = now;
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
      await new Promise((resolve) => setTimeout(resolve, 300));
      changes.splice(0);
      const before = counters();
      const own = newExecutionId();
      await store.saveTexts([{ id: own, text: run(own) }]);
      await new Promise((resolve) => setTimeout(resolve, 300));
      await store.deleteMany([own]);
      const deadline = Date.now() + 20_000;
      while (counters().split('|')[1] === before.split('|')[1] && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200));
      assert.notStrictEqual(counters(), before, 'the server counted the writes');
      await new Promise((resolve) => setTimeout(resolve, 500));
      assert.deepStrictEqual(changes.splice(0), [
        { saved: [own], deleted: [] },
        { saved: [], deleted: [own] },
      ]);
      // Another client's write right after is still seen.
      server.psql(`INSERT INTO "${schema}".flow_executions (execution_id, result, saved_at) VALUES ('${theirs}', '{}', now() - interval '2 days')`);
      await waitChanges(1);
      assert.deepStrictEqual(changes[0], { saved: [], deleted: [], all: true });
    } finally {
      poll.dispose();
      spy.query = original;
    }
  });

  it('gives up on a statement after the configured timeout, saying so', async () => {
    const slow = new PostgresExecutionStore({ url: server.url(), schema, statementTimeoutMs: 300 });
    // Another session holds the table locked for 3 s.
    const locker = spawn('psql', ['-X', '-q', '-d', server.url(), '-c', `BEGIN; LOCK TABLE "${schema}".flow_executions; SELECT pg_sleep(3); COMMIT;`], { stdio: 'ignore' });
    try {
      await new Promise((resolve) => setTimeout(resolve, 700));
      const started = Date.now();
      await assert.rejects(slow.save(parseFlowResult(run(newExecutionId()))), /did not answer within the statement timeout \(300 ms\)/);
      assert.ok(Date.now() - started < 2500);
    } finally {
      await slow.close();
      await new Promise((resolve) => locker.on('exit', resolve));
    }
    assert.deepStrictEqual(await store.list(), []);
  });

  it('honours sslmode from the URL and refuses a URL that is not postgres://', async () => {
    const tls = new PostgresExecutionStore({ url: `${server.url()}?sslmode=require`, schema });
    try {
      await assert.rejects(tls.list(), /does not support SSL/);
    } finally {
      await tls.close();
    }
    assert.throws(() => new PostgresExecutionStore({ url: 'mysql://x@127.0.0.1/db' }), /Not a database URL/);
    assert.throws(() => new PostgresExecutionStore({ url: 'not a url' }), /Not a database URL/);
  });

  it('logs in with a password from the option, PGPASSWORD or a pgpass file, and never shows it', async () => {
    const role = `secret_${schema}`;
    const password = "pa'ss wörd";
    server.requirePassword(role, password);
    const url = server.url('postgres', role);
    const attempt = async (options: { password?: string; url?: string } = {}) => {
      const s = new PostgresExecutionStore({ url: options.url ?? url, schema, password: options.password });
      try {
        return await s.privileges();
      } finally {
        await s.close();
      }
    };
    const saved = { PGPASSWORD: process.env.PGPASSWORD, PGPASSFILE: process.env.PGPASSFILE };
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flow-history-pgpass-'));
    try {
      delete process.env.PGPASSWORD;
      process.env.PGPASSFILE = path.join(dir, 'none');
      await assert.rejects(attempt(), (e: Error) => e instanceof PostgresStoreError && !e.message.includes(password));
      await assert.rejects(attempt({ password: 'wrong' }), /password authentication failed/);
      assert.deepStrictEqual(await attempt({ password }), { select: false, insert: false, delete: false });
      process.env.PGPASSWORD = password;
      assert.ok(await attempt());
      delete process.env.PGPASSWORD;
      const pgpass = path.join(dir, 'pgpass');
      fs.writeFileSync(pgpass, `127.0.0.1:${server.port}:postgres:${role}:${password.replace(/[:\\]/g, '\\$&')}\n`, { mode: 0o600 });
      process.env.PGPASSFILE = pgpass;
      assert.ok(await attempt());
      // A password in the URL works too, but the label never shows it.
      const withPassword = `postgres://${role}:${encodeURIComponent(password)}@127.0.0.1:${server.port}/postgres`;
      const s = new PostgresExecutionStore({ url: withPassword, schema });
      assert.ok(!s.label.includes(encodeURIComponent(password)) && !s.label.includes(password), s.label);
      await s.close();
    } finally {
      for (const [key, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('PostgresExecutionStore when the server dies', function () {
  this.timeout(60000);
  let server: PostgresServer;
  before(async () => {
    server = await startPostgres();
  });
  after(() => server.stop());

  it('says plainly that the database is gone, writes nothing half, and works again once it is back', async () => {
    const store = new PostgresExecutionStore({ url: server.url(), connectTimeoutMs: 3000 });
    try {
      await store.applySchema();
      const ids = Array.from({ length: 3 }, () => newExecutionId());
      await store.saveTexts(ids.map((id) => ({ id, text: run(id) })));
      server.kill();
      await assert.rejects(store.load(ids[0]), (e: Error) => e instanceof PostgresStoreError && /(Lost the connection to|Cannot reach) the database postgres:\/\/flow@127\.0\.0\.1/.test(e.message));
      await assert.rejects(store.deleteMany(ids), (e: Error) => e instanceof PostgresStoreError && /Cannot reach the database|Lost the connection/.test(e.message));
      server.start();
      assert.deepStrictEqual((await store.list()).sort(), [...ids].sort());
      // Killed in the middle of a transaction: the server rolls it back on restart.
      const more = Array.from({ length: 200 }, () => newExecutionId());
      const writing = store.saveTexts(more.map((id) => ({ id, text: run(id, `,"pad":"${'x'.repeat(20000)}"`) })));
      await new Promise((resolve) => setTimeout(resolve, 30));
      server.kill();
      const outcome = await writing.then(
        () => 'committed',
        (e: Error) => e.message,
      );
      server.start();
      const count = (await store.list()).length;
      assert.ok(count === 3 || (count === 203 && outcome === 'committed'), `${count} runs after ${outcome}`);
    } finally {
      await store.close();
    }
  });
});

/**
 * Interop on PostgreSQL: the Rust reference store (rust/a3s-flow-postgres-store, tokio-postgres,
 * built offline from Debian's crates) and our CLI on the same table of a private server.
 *
 *  (a) the seed's five store tests pass on the Rust store;
 *  (b) runs saved by Rust are listed, shown and exported exactly by `flow-history --db`;
 *  (c) runs we import are loaded by Rust as equal values; deletes on either side are seen
 *      by the other.
 *
 * Needs `cargo`, the tokio-postgres crates and PostgreSQL (scripts/install-test-env.sh);
 * fails, never skips, without them.
 */
import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { ListRow } from '../../src/cli/main';
import { newExecutionId } from '../../src/core/executionId';
import { exportFlowResult, flowResultsEqual, parseFlowResult } from '../../src/core/flowResult';
import { PostgresServer, sharedPostgres, stopSharedPostgresAfterAll } from '../support/postgresServer';

const ROOT = path.resolve(__dirname, '../../..');
const CLI = path.join(ROOT, 'dist', 'cli.js');
const CRATE = path.join(ROOT, 'rust', 'a3s-flow-postgres-store');
const BIN = path.join(CRATE, 'target', 'release', 'flow-pg-store');
const BUILD_TIMEOUT_MS = 8 * 60_000;

interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

function run(command: string, args: readonly string[], options: { cwd?: string; timeout?: number; env?: NodeJS.ProcessEnv } = {}): Ran {
  const r = spawnSync(command, args, { cwd: options.cwd ?? ROOT, encoding: 'utf8', input: '', timeout: options.timeout ?? 60_000, env: options.env ?? process.env });
  if (r.error) throw new Error(`${command} ${args.join(' ')} could not run: ${r.error.message}`);
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

function expectOk(r: Ran, what: string): Ran {
  assert.strictEqual(r.code, 0, `${what} exited ${r.code}\n${r.stdout.slice(0, 3000)}\n${r.stderr.slice(0, 3000)}`);
  return r;
}

function findCargo(): string | undefined {
  for (const candidate of [process.env.CARGO, 'cargo', path.join(process.env.CARGO_HOME ?? path.join(os.homedir(), '.cargo'), 'bin', 'cargo')]) {
    if (candidate && spawnSync(candidate, ['--version']).status === 0) return candidate;
  }
  return undefined;
}

stopSharedPostgresAfterAll();

describe('interop with the Rust PostgreSQL store (tokio-postgres)', function () {
  this.timeout(120_000);
  let server: PostgresServer;
  let url: string;
  let work: string;
  const cli = (...args: string[]) => run(process.execPath, [CLI, '--db', url, ...args]);
  const rust = (...args: string[]) => run(BIN, args);

  before(async function () {
    this.timeout(BUILD_TIMEOUT_MS + 30_000);
    assert.ok(fs.existsSync(CLI), `${CLI} is missing: run \`npm run build\` first`);
    const cargo = findCargo();
    assert.ok(cargo, 'cargo (Rust) was not found: the PostgreSQL interop test builds rust/a3s-flow-postgres-store offline from Debian\'s librust-tokio-postgres-dev and friends');
    const started = Date.now();
    expectOk(run(cargo, ['build', '--release', '--offline'], { cwd: CRATE, timeout: BUILD_TIMEOUT_MS }), 'cargo build --release --offline (rust/a3s-flow-postgres-store)');
    console.log(`      flow-pg-store built by cargo in ${((Date.now() - started) / 1000).toFixed(1)}s`);
    server = await sharedPostgres();
    url = server.url(server.createDatabase());
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'flow-pg-interop-'));
  });
  after(() => {
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  it('passes the seed\'s five store tests', () => {
    const r = expectOk(rust('contract', url, 'rust_contract'), 'flow-pg-store contract');
    assert.deepStrictEqual(r.stdout.trim().split('\n'), [
      'ok save_and_load_round_trip',
      'ok load_unknown_id_returns_none',
      'ok list_returns_all_saved_ids',
      'ok delete_removes_entry',
      'ok save_overwrites_existing_entry',
    ]);
  });

  it('lists, shows and exports exactly the runs Rust saved, and Rust loads the runs we import as equal values', () => {
    // Rust creates the bare table and saves first; our init then adds the rest around its runs.
    const ids = [newExecutionId(), newExecutionId()];
    const files = ids.map((id, i) => {
      const file = path.join(work, `rust-${i}.json`);
      fs.writeFileSync(
        file,
        JSON.stringify({
          execution_id: id,
          outputs: { a: { list: [1, 'two', null], s: 'é😀\n"q"' }, b: 'x'.repeat(i * 100) },
          completed_nodes: ['a', 'b', 'c'],
          skipped_nodes: i === 0 ? ['c'] : [],
          context: { run: i },
        }).replace('"run":0', '"run":18446744073709551615,"f":1.0,"neg":-9223372036854775808'),
      );
      return file;
    });
    expectOk(rust('save', url, ...files), 'flow-pg-store save');
    expectOk(cli('init'), 'flow-history init');
    const listed = JSON.parse(expectOk(cli('list', '--json'), 'list').stdout) as ListRow[];
    assert.deepStrictEqual(listed.map((row) => row.id).sort(), [...ids].sort());
    const byId = new Map(listed.map((row) => [row.id, row]));
    assert.deepStrictEqual([byId.get(ids[0])?.nodes, byId.get(ids[0])?.skipped, byId.get(ids[0])?.executed, byId.get(ids[0])?.status], [3, 1, 2, 'ok']);
    assert.deepStrictEqual([byId.get(ids[1])?.nodes, byId.get(ids[1])?.skipped], [3, 0]);
    for (const id of ids) {
      // What serde wrote, straight from the table: `show` prints exactly that.
      const stored = server.psql(`SELECT result::text FROM flow_executions WHERE execution_id = '${id}'`, url.split('/').pop()).replace(/\n$/, '');
      const shown = expectOk(cli('show', id), 'show').stdout;
      assert.strictEqual(shown, `${stored}\n`);
      const out = path.join(work, `${id}.export.json`);
      expectOk(cli('export', id, '--out', out), 'export');
      assert.strictEqual(fs.readFileSync(out, 'utf8'), exportFlowResult(parseFlowResult(stored)));
    }
    assert.match(expectOk(cli('show', ids[0]), 'show').stdout, /"run":18446744073709551615/);
    assert.match(expectOk(cli('show', ids[0]), 'show').stdout, /"f":1\.0/);

    // Ours to Rust: import, then Rust loads and re-serialises an equal FlowResult.
    const ours = newExecutionId();
    const source = `{"execution_id":"${ours}","outputs":{"hash":18446744073709551615,"f":1.0,"t":"\\u00e9\\ud83d\\ude00","n":null},"completed_nodes":["hash","f","t","n"],"skipped_nodes":["n"],"context":{"k":[1,2.5,-3]}}`;
    fs.writeFileSync(path.join(work, 'ours.json'), source);
    expectOk(cli('import', path.join(work, 'ours.json')), 'import');
    const loaded = path.join(work, 'loaded.json');
    expectOk(rust('load', url, ours, loaded), 'flow-pg-store load');
    assert.ok(flowResultsEqual(parseFlowResult(fs.readFileSync(loaded, 'utf8')), parseFlowResult(source)), fs.readFileSync(loaded, 'utf8'));
    assert.strictEqual(rust('load', url, newExecutionId(), loaded).code, 3);

    // Deletes on either side are seen by the other.
    expectOk(cli('delete', ids[0], '--yes'), 'delete');
    assert.deepStrictEqual(expectOk(rust('list', url), 'flow-pg-store list').stdout.trim().split('\n').sort(), [ids[1], ours].sort());
    expectOk(rust('delete', url, ours), 'flow-pg-store delete');
    expectOk(rust('delete', url, ours), 'flow-pg-store delete (unknown now)');
    assert.deepStrictEqual(
      (JSON.parse(expectOk(cli('list', '--json'), 'list').stdout) as ListRow[]).map((row) => row.id),
      [ids[1]],
    );
  });
});

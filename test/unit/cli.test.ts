import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { newExecutionId } from '../../src/core/executionId';
import { exportFlowResult, parseFlowResult } from '../../src/core/flowResult';
import { useTempDir } from '../support/tempDir';

const CLI = path.resolve(__dirname, '../../../dist/cli.js');

function cli(cwd: string, ...args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', input: '' });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

describe('flow-history CLI', function () {
  this.timeout(20000);
  const tempDir = useTempDir();
  before(() => assert.ok(fs.existsSync(CLI), `${CLI} is missing: run npm run build first`));

  const storeDir = (cwd: string) => path.join(cwd, '.a3s/flow/executions');
  const BIG = `{"execution_id":"ID","outputs":{"hash":18446744073709551615,"f":1.0},"completed_nodes":["hash","f"],"skipped_nodes":[]}`;

  it('samples into the default store and lists newest first, as JSON', () => {
    const cwd = tempDir();
    assert.strictEqual(cli(cwd, 'sample', '--count', '4', '--seed', '3').code, 0);
    const r = cli(cwd, 'list', '--json');
    assert.strictEqual(r.code, 0, r.stderr);
    const rows = JSON.parse(r.stdout) as { id: string; savedAt: string; status: string; nodes: number; executed: number; skipped: number; size: number }[];
    assert.strictEqual(rows.length, 4);
    assert.deepStrictEqual(Object.keys(rows[0]), ['id', 'savedAt', 'size', 'nodes', 'executed', 'skipped', 'status']);
    const times = rows.map((row) => Date.parse(row.savedAt));
    assert.deepStrictEqual(times, [...times].sort((a, b) => b - a));
    assert.ok(rows.every((row) => row.status === 'ok' && row.nodes === 6 && row.executed + row.skipped === 6));
    assert.deepStrictEqual(rows.map((row) => `${row.id}.json`).sort(), fs.readdirSync(storeDir(cwd)).sort());
  });

  it('lists unreadable files with their reason', () => {
    const cwd = tempDir();
    fs.mkdirSync(storeDir(cwd), { recursive: true });
    const id = newExecutionId();
    fs.writeFileSync(path.join(storeDir(cwd), `${id}.json`), '{"execution_id":');
    const rows = JSON.parse(cli(cwd, 'list', '--json').stdout);
    assert.deepStrictEqual([rows[0].id, rows[0].status, rows[0].nodes], [id, 'unreadable', null]);
    assert.match(rows[0].error, /EOF while parsing a value/);
    assert.match(cli(cwd, 'list').stdout, /unreadable: Invalid JSON/);
  });

  it('imports, shows exactly and exports exactly', () => {
    const cwd = tempDir();
    const id = newExecutionId();
    const source = path.join(cwd, 'in.json');
    fs.writeFileSync(source, BIG.replace('ID', id.toUpperCase()));
    const imported = cli(cwd, 'import', source);
    assert.strictEqual(imported.code, 0, imported.stderr);
    const shown = cli(cwd, 'show', id.slice(0, 8));
    assert.strictEqual(shown.code, 0, shown.stderr);
    assert.match(shown.stdout, /"hash":18446744073709551615,"f":1\.0/);
    const out = path.join(cwd, 'out.json');
    assert.strictEqual(cli(cwd, 'export', id, '--out', out).code, 0);
    assert.strictEqual(fs.readFileSync(out, 'utf8'), exportFlowResult(parseFlowResult(BIG.replace('ID', id))));
    const again = cli(cwd, 'export', id, '--out', out);
    assert.deepStrictEqual([again.code, again.stderr.trim()], [1, `flow-history: ${out} already exists; use --force to overwrite it`]);
    assert.strictEqual(cli(cwd, 'export', id, '--out', out, '--force').code, 0);
  });

  it('reports each invalid import file and saves nothing for it', () => {
    const cwd = tempDir();
    const good = path.join(cwd, 'good.json');
    const bad = path.join(cwd, 'bad.json');
    fs.writeFileSync(good, BIG.replace('ID', newExecutionId()));
    fs.writeFileSync(bad, '{"execution_id":"nope","outputs":{},"completed_nodes":[],"skipped_nodes":[]}');
    const r = cli(cwd, 'import', good, bad, path.join(cwd, 'missing.json'));
    assert.strictEqual(r.code, 1);
    assert.match(r.stderr, /failed .*bad\.json: not a FlowResult: execution_id: "nope" is not a UUID/);
    assert.match(r.stderr, /failed .*missing\.json: ENOENT/);
    assert.strictEqual(fs.readdirSync(storeDir(cwd)).length, 1);
  });

  it('deletes with --yes, notes unknown ids, refuses without a terminal', () => {
    const cwd = tempDir();
    cli(cwd, 'sample', '--count', '2');
    const [a, b] = fs.readdirSync(storeDir(cwd)).map((n) => n.replace('.json', ''));
    const refused = cli(cwd, 'delete', a);
    assert.strictEqual(refused.code, 2);
    assert.match(refused.stderr, /without --yes/);
    const unknown = newExecutionId();
    const r = cli(cwd, 'delete', a, unknown, '--yes');
    assert.strictEqual(r.code, 0, r.stderr);
    assert.match(r.stderr, new RegExp(`note: no run ${unknown}`));
    assert.deepStrictEqual(fs.readdirSync(storeDir(cwd)), [`${b}.json`]);
  });

  it('uses exit code 2 and one line for usage errors, 1 for failures, --dir for another store', () => {
    const cwd = tempDir();
    for (const args of [['bogus'], ['show'], ['sample', '--count', '-1'], ['show', '../etc/passwd']]) {
      const r = cli(cwd, ...args);
      assert.strictEqual(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.strictEqual(r.stderr.trim().split('\n').length, 1, r.stderr);
      assert.doesNotMatch(r.stderr, /\n\s+at /);
    }
    const missing = cli(cwd, 'show', newExecutionId());
    assert.strictEqual(missing.code, 1);
    const other = path.join(cwd, 'elsewhere');
    assert.strictEqual(cli(cwd, '--dir', other, 'sample', '--count', '1').code, 0);
    assert.strictEqual(fs.readdirSync(other).length, 1);
  });

  it('prunes by age or count, never unreadable files, with --dry-run', () => {
    const cwd = tempDir();
    assert.strictEqual(cli(cwd, 'sample', '--count', '5', '--spacing-minutes', '1440').code, 0);
    const broken = path.join(storeDir(cwd), `${newExecutionId()}.json`);
    fs.writeFileSync(broken, '{');
    const old = new Date(Date.now() - 90 * 86_400_000);
    fs.utimesSync(broken, old, old);
    const dry = cli(cwd, 'prune', '--older-than', '2.5', '--dry-run');
    assert.strictEqual(dry.code, 0, dry.stderr);
    assert.match(dry.stdout, /Would delete 2 of 6 run\(s\) \(older than 2.5 days\)/);
    assert.match(dry.stderr, /keeping 1 unreadable run/);
    assert.strictEqual(fs.readdirSync(storeDir(cwd)).length, 6);
    const kept = cli(cwd, 'prune', '--keep', '1');
    assert.match(kept.stdout, /Deleted 4 of 6 run\(s\)/);
    assert.strictEqual(fs.readdirSync(storeDir(cwd)).length, 2);
    assert.ok(fs.existsSync(broken));
    assert.strictEqual(cli(cwd, 'prune').code, 2);
    assert.strictEqual(cli(cwd, 'prune', '--keep', 'x').code, 2);
  });

  it('diffs two runs node by node', () => {
    const cwd = tempDir();
    const a = newExecutionId();
    const b = newExecutionId();
    fs.mkdirSync(storeDir(cwd), { recursive: true });
    fs.writeFileSync(path.join(storeDir(cwd), `${a}.json`), BIG.replace('ID', a));
    fs.writeFileSync(path.join(storeDir(cwd), `${b}.json`), BIG.replace('ID', b).replace('18446744073709551615', '18446744073709551614').replace('"f":1.0', '"f":1.0,"g":2').replace('["hash","f"]', '["hash","f","g"]'));
    const r = cli(cwd, 'diff', a, b.slice(0, 8));
    assert.strictEqual(r.code, 0, r.stderr);
    assert.match(r.stdout, /\+ node "g" only in/);
    assert.match(r.stdout, /~ output of "hash":\n\s+- 18446744073709551615\n\s+\+ 18446744073709551614/);
  });
});

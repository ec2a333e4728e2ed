/**
 * A PostgreSQL history inside VS Code, against a private server this test starts: the store
 * contract in the extension host, the database group in the tree (keyset pages, badge,
 * capabilities from the role's rights), the detail panel, export and compare through the
 * handle, and the setting's Restricted Mode rule.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Client } from 'pg';
import * as vscode from 'vscode';
import { PostgresExecutionStore } from '../../src/postgres/postgresStore';
import { databaseSecretKey } from '../../src/stores/databaseStoreHandle';
import type { HistoryNode, RunNode, StoreNode } from '../../src/tree/treeNodes';
import { PostgresServer, startPostgres } from '../support/postgresServer';
import { defineStoreContract } from '../support/storeContract';
import { extensionExports, runText, stub, waitFor, workspaceFolder } from './support';
import { decodeNodes } from '../../src/shared/protocol';

type Internals = Awaited<ReturnType<typeof extensionExports>>['internals'];

let server: PostgresServer | undefined;
async function privateServer(): Promise<PostgresServer> {
  server ??= await startPostgres();
  return server;
}

after(() => {
  server?.stop();
  server = undefined;
});

let schemaCounter = 0;
defineStoreContract({
  name: 'PostgresExecutionStore inside the extension host (private PostgreSQL)',
  async create() {
    const pg = await privateServer();
    const store = new PostgresExecutionStore({ url: pg.url(), schema: `contract${++schemaCounter}` });
    await store.applySchema();
    return { store, cleanup: () => store.close() };
  },
});

const RUNS = 25;
const PAGE = 10;
const KEY = 'database:team';

function id(n: number): string {
  return `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
}

describe('a database in the tree', function () {
  this.timeout(60_000);
  let internals: Internals;
  let seeded: PostgresExecutionStore;
  let url: string;
  const base = Date.UTC(2026, 0, 1);

  before(async () => {
    internals = (await extensionExports()).internals;
    const pg = await privateServer();
    const db = pg.createDatabase();
    url = pg.url(db);
    seeded = new PostgresExecutionStore({ url });
    await seeded.applySchema();
    // Run n saved n minutes after base; even ones skip a node.
    await seeded.saveTexts(
      Array.from({ length: RUNS }, (_, i) => ({
        id: id(i + 1),
        text: runText(id(i + 1), '{"a":1,"b":2}', i % 2 ? '["a","b"]' : '["a"]', i % 2 ? '[]' : '["b"]'),
        savedAt: base + (i + 1) * 60_000,
      })),
    );
    const config = vscode.workspace.getConfiguration('a3sFlow.history');
    await config.update('pageSize', PAGE, vscode.ConfigurationTarget.Global);
    await config.update('databases', [{ name: 'team', url }], vscode.ConfigurationTarget.Global);
    await waitFor('the database store', () => internals.stores.get(KEY));
  });

  after(async () => {
    const config = vscode.workspace.getConfiguration('a3sFlow.history');
    await config.update('databases', undefined, vscode.ConfigurationTarget.Global);
    await config.update('pageSize', undefined, vscode.ConfigurationTarget.Global);
    await seeded?.close();
    await waitFor('the database group gone', () => !internals.stores.get(KEY));
  });

  async function groupChildren(): Promise<HistoryNode[]> {
    const roots = await internals.tree.getChildren();
    const group = roots.find((n): n is StoreNode => n.kind === 'store' && n.storeKey === KEY);
    assert.ok(group, `a group for the database among ${roots.map((r) => (r.kind === 'store' ? r.storeKey : r.kind)).join(', ')}`);
    return internals.tree.getChildren(group);
  }

  it('is a group beside the workspace folder, newest first, in keyset pages with "Show more…"', async () => {
    // The superuser may write: asked from the server, not assumed.
    await waitFor('writable from the privileges', () => internals.stores.get(KEY)!.capabilities.writable);
    const roots = await internals.tree.getChildren();
    const keys = roots.map((n) => (n.kind === 'store' ? n.storeKey : ''));
    assert.ok(keys.indexOf(workspaceFolder().uri.toString()) >= 0 && keys.indexOf(KEY) > keys.indexOf(workspaceFolder().uri.toString()), keys.join(', '));
    const group = roots.find((n) => n.kind === 'store' && n.storeKey === KEY)!;
    // As VS Code does for an expanded group: its row, then its children (listed then), then the row again.
    await internals.tree.getChildren(group);
    const groupItem = await internals.tree.getTreeItem(group);
    assert.strictEqual(groupItem.label, 'team');
    assert.strictEqual(groupItem.description, `${RUNS} runs`);
    assert.match(String(groupItem.tooltip), /^PostgreSQL: postgres:\/\/flow@127\.0\.0\.1:\d+\/t\d+_\d+ \(public\.flow_executions\)$/);
    assert.strictEqual(groupItem.contextValue, 'store writable live persistent connection');

    const handle = internals.stores.get(KEY)!;
    const pages = stub(handle.store as PostgresExecutionStore, 'listPage', PostgresExecutionStore.prototype.listPage.bind(handle.store as PostgresExecutionStore));
    try {
      let rows = await groupChildren();
      assert.deepStrictEqual(
        rows.filter((n): n is RunNode => n.kind === 'run').map((n) => n.id),
        Array.from({ length: PAGE }, (_, i) => id(RUNS - i)),
      );
      assert.strictEqual(rows[rows.length - 1].kind, 'more');
      const more = await internals.tree.getTreeItem(rows[rows.length - 1]);
      assert.strictEqual(more.label, `Show more… (${RUNS - PAGE} older)`);
      await vscode.commands.executeCommand(more.command!.command, ...(more.command!.arguments ?? []));
      rows = await groupChildren();
      assert.deepStrictEqual(
        rows.filter((n): n is RunNode => n.kind === 'run').map((n) => n.id),
        Array.from({ length: 2 * PAGE }, (_, i) => id(RUNS - i)),
      );
      await vscode.commands.executeCommand('a3sFlow.history.showMore', KEY);
      rows = await groupChildren();
      assert.strictEqual(rows.filter((n) => n.kind === 'run').length, RUNS);
      assert.ok(!rows.some((n) => n.kind === 'more'), 'no "Show more…" after the last page');
      // Each later page started after the previous page's last row (a keyset cursor, no OFFSET).
      const cursors = pages.calls.map((args) => (args[0] as { after?: string } | undefined)?.after).filter((after): after is string => !!after);
      assert.strictEqual(cursors.length, 2, JSON.stringify(pages.calls));
      assert.match(cursors[0], new RegExp(`_${id(RUNS - PAGE + 1)}$`));
      assert.match(cursors[1], new RegExp(`_${id(RUNS - 2 * PAGE + 1)}$`));
    } finally {
      pages.restore();
    }
  });

  it('rows carry the figures the server computed, and the badge counts the database', async () => {
    const handle = internals.stores.get(KEY)!;
    const inspect = stub(handle.store, 'inspect', handle.store.inspect.bind(handle.store));
    try {
      const rows = (await groupChildren()).filter((n): n is RunNode => n.kind === 'run');
      const odd = await internals.tree.getTreeItem(rows.find((r) => r.id === id(RUNS))!);
      const even = await internals.tree.getTreeItem(rows.find((r) => r.id === id(RUNS - 1))!);
      assert.match(String(odd.description), /· 2 nodes · 1 skipped$/);
      assert.match(String(even.description), /· 2 nodes$/);
      assert.strictEqual(even.contextValue, 'run readable writable live persistent connection');
      assert.match(String(even.tooltip), /2 nodes: 2 executed, 0 skipped\n.* · team$/);
      assert.strictEqual(inspect.calls.length, 0, 'no run body read to draw the rows');
    } finally {
      inspect.restore();
    }
    const { count } = internals.tree.totals();
    const folderRuns = (await internals.tree.entries(workspaceFolder().uri.toString())).length;
    assert.strictEqual(count, folderRuns + RUNS);
  });

  it('searches in the server: every match, paged by keyset with "Show more…", no body read; a failure shows in the group', async () => {
    const handle = internals.stores.get(KEY)!;
    const store = handle.store as PostgresExecutionStore;
    const term = '"skipped_nodes":["b"]';
    // The odd runs skip b: 13 matches, more than a page, most of them beyond the loaded page.
    const expected = Array.from({ length: RUNS }, (_, i) => RUNS - i).filter((n) => n % 2 === 1).map(id);
    const runIds = (rows: HistoryNode[]) => rows.filter((n): n is RunNode => n.kind === 'run').map((n) => n.id);
    internals.tree.refreshAll();
    assert.deepStrictEqual(runIds(await groupChildren()).length, PAGE);
    const search = stub(store, 'search', PostgresExecutionStore.prototype.search.bind(store));
    const reads = stub(store, 'readRaw', PostgresExecutionStore.prototype.readRaw.bind(store));
    try {
      // The command counts the matches loaded (the first page of the server's).
      assert.strictEqual(await vscode.commands.executeCommand('a3sFlow.history.search', term), PAGE + (await folderMatches(term)));
      let rows = await groupChildren();
      assert.deepStrictEqual(runIds(rows), expected.slice(0, PAGE));
      const more = await internals.tree.getTreeItem(rows[rows.length - 1]);
      assert.strictEqual(more.label, 'Show more… (more matching runs)');
      await vscode.commands.executeCommand(more.command!.command, ...(more.command!.arguments ?? []));
      rows = await groupChildren();
      assert.deepStrictEqual(runIds(rows), expected);
      assert.ok(!rows.some((n) => n.kind === 'more'), 'no "Show more…" after the last match');
      await waitFor('the filter banner', () => internals.treeView.description === `filter: ${term}`);
      // The first page, then the second after the first page's last match (keyset). A change
      // heard meanwhile (a late NOTIFY of an earlier test's writes, on a busy machine) asks
      // for the first page again: that is a refresh, not another page.
      const after = (call: unknown[]) => (call[1] as { after?: string } | undefined)?.after;
      const pages = search.calls.filter((call) => after(call) !== undefined);
      assert.ok(search.calls.length >= 2 && after(search.calls[0]) === undefined, `the first page first: ${JSON.stringify(search.calls.map(after))}`);
      assert.ok(pages.length >= 1, `a second page asked of the server: ${JSON.stringify(search.calls.map(after))}`);
      for (const page of pages) assert.strictEqual(after(page)?.endsWith(`_${expected[PAGE - 1]}`), true, JSON.stringify(page));
      assert.strictEqual(reads.calls.length, 0, 'no run body read over the wire');
    } catch (error) {
      await vscode.commands.executeCommand('a3sFlow.history.clearSearch');
      throw error;
    } finally {
      search.restore();
      reads.restore();
    }
    // The server fails: the group says why (with Retry), the folder group is searched as before.
    const failing = stub(store, 'search', (async () => {
      throw new Error('canceling statement due to statement timeout');
    }) as typeof store.search);
    try {
      await vscode.commands.executeCommand('a3sFlow.history.search', 'anything');
      const rows = await groupChildren();
      const message = rows.find((n) => n.kind === 'message');
      assert.ok(message && message.kind === 'message', JSON.stringify(rows));
      assert.strictEqual(message.text, 'Could not search runs');
      assert.match(String(message.detail), /statement timeout/);
      assert.ok(rows.some((n) => n.kind === 'retry'), 'Retry');
      assert.ok((await internals.tree.getChildren()).some((n) => n.kind === 'store' && n.storeKey === workspaceFolder().uri.toString()));
    } finally {
      failing.restore();
      await vscode.commands.executeCommand('a3sFlow.history.clearSearch');
    }
    assert.deepStrictEqual(runIds(await groupChildren()), Array.from({ length: PAGE }, (_, i) => id(RUNS - i)));
  });

  it('Cancel of a search stops its query in the server, leaves the tree as it was, and the store works after', async () => {
    const pg = await privateServer();
    const database = new URL(url).pathname.slice(1);
    const runIds = (rows: HistoryNode[]) => rows.filter((n): n is RunNode => n.kind === 'run').map((n) => n.id);
    internals.tree.refreshAll();
    const shown = runIds(await groupChildren());
    // The extension's backends still at work on a search of the table (not idle).
    const searching = () => pg.psql(`SELECT wait_event_type FROM pg_stat_activity WHERE application_name = 'flow-history' AND datname = '${database}' AND state <> 'idle' AND query LIKE '%ILIKE%'`).trim();
    // Another session holds the table under ACCESS EXCLUSIVE: the search waits in the server.
    const locker = new Client({ connectionString: url });
    await locker.connect();
    const cancel = new vscode.CancellationTokenSource();
    const progress = stub(vscode.window, 'withProgress', ((_options: vscode.ProgressOptions, task: (p: vscode.Progress<unknown>, t: vscode.CancellationToken) => Thenable<unknown>) =>
      task({ report: () => undefined }, cancel.token)) as typeof vscode.window.withProgress);
    try {
      await locker.query('BEGIN; LOCK TABLE public.flow_executions IN ACCESS EXCLUSIVE MODE');
      const command = vscode.commands.executeCommand('a3sFlow.history.search', '"skipped_nodes":["b"]');
      await waitFor('the search waiting on the lock in the server', () => searching() === 'Lock');
      const cancelled = Date.now();
      cancel.cancel();
      assert.strictEqual(await command, undefined, 'a cancelled search counts nothing');
      await waitFor('no backend still searching', () => searching() === '', 1000);
      assert.ok(Date.now() - cancelled < 1500, `stopped in ${Date.now() - cancelled} ms`);
    } finally {
      progress.restore();
      cancel.dispose();
      await locker.query('ROLLBACK').catch(() => undefined);
      await locker.end();
    }
    assert.strictEqual(internals.treeView.description ?? '', '', 'no filter set');
    const rows = await groupChildren();
    assert.deepStrictEqual(runIds(rows), shown);
    assert.ok(!rows.some((n) => n.kind === 'message'), `no "Could not search runs": ${JSON.stringify(rows.filter((n) => n.kind === 'message'))}`);
    // The store searches again after.
    assert.strictEqual((await (internals.stores.get(KEY)!.store as PostgresExecutionStore).search('"skipped_nodes":["b"]')).rows.length, 13);
  });

  it('a "Show more…" page of a search waiting in the server is stopped there by Clear Search', async () => {
    const pg = await privateServer();
    const database = new URL(url).pathname.slice(1);
    const searching = () => pg.psql(`SELECT wait_event_type FROM pg_stat_activity WHERE application_name = 'flow-history' AND datname = '${database}' AND state <> 'idle' AND query LIKE '%ILIKE%'`).trim();
    const term = '"skipped_nodes":["b"]';
    assert.strictEqual(await vscode.commands.executeCommand('a3sFlow.history.search', term), PAGE + (await folderMatches(term)));
    const rows = await groupChildren();
    const more = await internals.tree.getTreeItem(rows[rows.length - 1]);
    assert.strictEqual(more.label, 'Show more… (more matching runs)');
    const locker = new Client({ connectionString: url });
    await locker.connect();
    try {
      await locker.query('BEGIN; LOCK TABLE public.flow_executions IN ACCESS EXCLUSIVE MODE');
      const showing = vscode.commands.executeCommand(more.command!.command, ...(more.command!.arguments ?? []));
      await waitFor('the next page waiting on the lock in the server', () => searching() === 'Lock');
      await vscode.commands.executeCommand('a3sFlow.history.clearSearch');
      await waitFor('no backend still searching', () => searching() === '', 1000);
      await showing;
    } finally {
      await locker.query('ROLLBACK').catch(() => undefined);
      await locker.end();
      await vscode.commands.executeCommand('a3sFlow.history.clearSearch');
    }
    const after = await groupChildren();
    assert.ok(!after.some((n) => n.kind === 'message'), JSON.stringify(after.filter((n) => n.kind === 'message')));
    assert.deepStrictEqual(
      after.filter((n): n is RunNode => n.kind === 'run').map((n) => n.id),
      Array.from({ length: PAGE }, (_, i) => id(RUNS - i)),
    );
  });

  /** How many runs of the other stores (searched by the client) contain `term`. */
  async function folderMatches(term: string): Promise<number> {
    let n = 0;
    for (const other of internals.stores.all().filter((h) => h.key !== KEY)) {
      const texts = await Promise.all((await internals.tree.entries(other.key)).map((e) => other.store.readRaw(e.id).catch(() => undefined)));
      n += texts.filter((t) => t?.toLowerCase().includes(term.toLowerCase())).length;
    }
    return n;
  }

  it('Go to Run finds a run beyond the loaded page by a prefix of its id, opens it and selects its row', async () => {
    internals.tree.refreshAll();
    const runIds = async () => (await groupChildren()).filter((n): n is RunNode => n.kind === 'run').map((n) => n.id);
    assert.ok(!(await runIds()).includes(id(2)), 'not on the first page');
    const target = { storeKey: KEY, id: id(2) };
    // A prefix shared by 16 runs: the runs found in the server are offered.
    const pick = stub(vscode.window, 'showQuickPick', (async (items: readonly (vscode.QuickPickItem & { ref: unknown })[]) => (await items).find((i) => i.label === id(2))) as unknown as typeof vscode.window.showQuickPick);
    try {
      const ref = await vscode.commands.executeCommand('a3sFlow.history.goToRun', id(2).slice(0, 35).toUpperCase());
      assert.deepStrictEqual(ref, target);
      const offered = (await (pick.calls[0][0] as Thenable<vscode.QuickPickItem[]>)).map((i) => i.label).sort();
      // id(1) to id(15), none of them loaded: all found in the server.
      assert.deepStrictEqual(offered, Array.from({ length: 15 }, (_, i) => id(i + 1)).sort());
    } finally {
      pick.restore();
    }
    const panel = await waitFor('the panel', () => internals.panels.get(target));
    await panel.whenLoaded();
    assert.ok((await runIds()).includes(id(2)), 'the run is a row of its group');
    await waitFor('the row selected', () => internals.treeView.selection.some((n) => n.kind === 'run' && n.id === id(2)));
    internals.panels.dispose();
    // In the quick pick: a typed prefix is looked up in the server, the run found is offered.
    let quickPick: vscode.QuickPick<vscode.QuickPickItem & { ref?: unknown }> | undefined;
    const create = vscode.window.createQuickPick.bind(vscode.window);
    const created = stub(vscode.window, 'createQuickPick', (() => (quickPick = create())) as typeof vscode.window.createQuickPick);
    try {
      const going = vscode.commands.executeCommand('a3sFlow.history.goToRun');
      const qp = await waitFor('the quick pick', () => quickPick);
      qp.value = id(4).slice(0, 30);
      const found = await waitFor('the run found in the server', () => qp.items.find((i) => i.label === id(4)));
      assert.strictEqual(qp.items.filter((i) => i.label === id(2)).length, 1, 'a run already loaded is not offered twice');
      qp.activeItems = [found];
      // The quick pick sends its changes to the window on the next timer tick: let it go first.
      await new Promise((resolve) => setTimeout(resolve, 0));
      await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
      assert.deepStrictEqual(await going, { storeKey: KEY, id: id(4) });
    } finally {
      created.restore();
      quickPick?.hide();
    }
    await waitFor('the second panel', () => internals.panels.get({ storeKey: KEY, id: id(4) }));
    internals.panels.dispose();
    assert.ok((await runIds()).includes(id(4)), 'the second run is a row too');
    // "Show more…" goes on from the loaded page; the included runs are not repeated.
    await vscode.commands.executeCommand('a3sFlow.history.showMore', KEY);
    await vscode.commands.executeCommand('a3sFlow.history.showMore', KEY);
    assert.deepStrictEqual(await runIds(), Array.from({ length: RUNS }, (_, i) => id(RUNS - i)));
  });

  it('opens a run in the detail panel and exports it, exact, through the handle', async () => {
    const ref = { storeKey: KEY, id: id(7) };
    try {
      await vscode.commands.executeCommand('a3sFlow.history.openRun', internals.tree.runNode(ref));
      const panel = await waitFor('panel', () => internals.panels.get(ref));
      await panel.whenLoaded();
      const message = await waitFor('run message', () => panel.posted.find((m) => m.type === 'run'));
      assert.ok(message.type === 'run');
      assert.strictEqual(message.run.id, id(7));
      assert.strictEqual(message.run.storeLabel, 'team');
      assert.deepStrictEqual(
        decodeNodes(message.run.nodes).map((n) => [n.id, n.status]),
        [
          ['a', 'executed'],
          ['b', 'skipped'],
        ],
      );
    } finally {
      internals.panels.dispose();
    }
    const out = vscode.Uri.file(path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'flow-history-db-export-')), 'run.json'));
    const dialog = stub(vscode.window, 'showSaveDialog', (async () => out) as typeof vscode.window.showSaveDialog);
    try {
      const written = await vscode.commands.executeCommand<vscode.Uri>('a3sFlow.history.exportRun', internals.tree.runNode(ref));
      assert.strictEqual(written?.fsPath, out.fsPath);
      const exported = JSON.parse(fs.readFileSync(out.fsPath, 'utf8')) as { execution_id: string; skipped_nodes: string[] };
      assert.strictEqual(exported.execution_id, id(7));
      assert.deepStrictEqual(exported.skipped_nodes, ['b']);
    } finally {
      dialog.restore();
      fs.rmSync(path.dirname(out.fsPath), { recursive: true, force: true });
    }
  });

  it('compares a folder run with a database run, and its raw JSON is a read-only document', async () => {
    const folderKey = workspaceFolder().uri.toString();
    const [folderEntry] = await internals.tree.entries(folderKey);
    assert.ok(folderEntry, 'the fixture folder has runs');
    const a = internals.tree.runNode({ storeKey: folderKey, id: folderEntry.id });
    const b = internals.tree.runNode({ storeKey: KEY, id: id(3) });
    assert.strictEqual(await vscode.commands.executeCommand('a3sFlow.history.compareRuns', b, [a, b]), true);
    const input = await waitFor('the diff editor', () => {
      const tabInput = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
      return tabInput instanceof vscode.TabInputTextDiff ? tabInput : undefined;
    });
    const stores = [input.original, input.modified].map((u) => new URLSearchParams(u.query).get('store'));
    assert.deepStrictEqual([...stores].sort(), [folderKey, KEY].sort());
    const right = await vscode.workspace.openTextDocument(stores[0] === KEY ? input.original : input.modified);
    assert.match(right.getText(), new RegExp(id(3)));
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');

    const raw = internals.stores.get(KEY)!.rawJsonUri(id(3));
    assert.notStrictEqual(raw.scheme, 'file');
    const doc = await vscode.workspace.openTextDocument(raw);
    assert.strictEqual(doc.getText(), runText(id(3), '{"a":1,"b":2}', '["a"]', '["b"]'));
  });

  it('live: a run inserted, replaced or deleted by psql appears, moves or goes within 1 s, with no queries while idle', async () => {
    const pg = await privateServer();
    const db = new URL(url).pathname.slice(1);
    const store = internals.stores.get(KEY)!.store as PostgresExecutionStore;
    const runIds = async () => (await groupChildren()).filter((n): n is RunNode => n.kind === 'run').map((n) => n.id);
    await runIds();
    // Idle: nothing is asked of the server while nothing changes.
    const queries = stub(store as unknown as { query: (...args: unknown[]) => unknown }, 'query', (store as unknown as { query: (...args: unknown[]) => unknown }).query.bind(store));
    try {
      await new Promise((resolve) => setTimeout(resolve, 1500));
      assert.strictEqual(queries.calls.length, 0, `queries while idle: ${JSON.stringify(queries.calls.map((c) => String(c[0]).slice(0, 60)))}`);
    } finally {
      queries.restore();
    }
    let started = Date.now();
    pg.psql(`INSERT INTO flow_executions (execution_id, result) VALUES ('${id(999)}', '${runText(id(999))}')`, db);
    await waitFor('the inserted run at the top', async () => (await runIds())[0] === id(999), 1000);
    const inserted = Date.now() - started;
    started = Date.now();
    pg.psql(`UPDATE flow_executions SET saved_at = now() + interval '1 minute' WHERE execution_id = '${id(1)}'`, db);
    await waitFor('the replaced run moved to the top', async () => (await runIds())[0] === id(1), 1000);
    started = Date.now();
    pg.psql(`DELETE FROM flow_executions WHERE execution_id = '${id(999)}'`, db);
    await waitFor('the deleted run gone', async () => !(await runIds()).includes(id(999)), 1000);
    console.log(`    live: insert to row ${inserted} ms, delete to gone ${Date.now() - started} ms`);
  });

  it('deletes a selection of database runs in one transaction, after one confirmation, with one tree refresh', async () => {
    const handle = internals.stores.get(KEY)!;
    const store = handle.store as PostgresExecutionStore;
    const picked = [id(10), id(11), id(12)].map((runId) => internals.tree.runNode({ storeKey: KEY, id: runId }));
    const many = stub(store, 'deleteMany', PostgresExecutionStore.prototype.deleteMany.bind(store));
    const one = stub(store, 'delete', PostgresExecutionStore.prototype.delete.bind(store));
    const confirm = stub(vscode.window, 'showWarningMessage', (async () => 'Delete Permanently') as unknown as typeof vscode.window.showWarningMessage);
    // The live test before this one may still have a refresh on its way (psql's NOTIFYs,
    // debounced): count from a quiet tree, so only this delete's refreshes are counted.
    const refreshes = await quietRefreshCount(internals);
    try {
      assert.strictEqual(await vscode.commands.executeCommand('a3sFlow.history.deleteRuns', picked[1], picked), 3);
      await waitFor('the refresh', () => internals.tree.refreshCount > refreshes);
      // The NOTIFY echoes of our own deletes (within ~0.3 s here) must not refresh again.
      await new Promise((resolve) => setTimeout(resolve, 600));
      assert.strictEqual(internals.tree.refreshCount - refreshes, 1, 'one tree refresh');
    } finally {
      many.restore();
      one.restore();
      confirm.restore();
    }
    assert.strictEqual(confirm.calls.length, 1, 'one confirmation');
    assert.match(String(confirm.calls[0][0]), /^Permanently delete 3 runs\?$/);
    assert.match(String((confirm.calls[0][1] as { detail: string }).detail), /This cannot be undone\./);
    assert.strictEqual(many.calls.length, 1, 'one deleteMany');
    assert.deepStrictEqual([...(many.calls[0][0] as string[])].sort(), [id(10), id(11), id(12)]);
    assert.strictEqual(one.calls.length, 0, 'no single deletes');
    assert.deepStrictEqual(await store.existing([id(10), id(11), id(12), id(13)]), [id(13)]);
    await waitFor('the rows gone', async () => !(await groupChildren()).some((n) => n.kind === 'run' && [id(10), id(11), id(12)].includes(n.id)));
  });
});

/** The tree's refresh count once no refresh has happened for 400 ms. */
async function quietRefreshCount(internals: Internals): Promise<number> {
  let count = internals.tree.refreshCount;
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 400));
    if (internals.tree.refreshCount === count) return count;
    count = internals.tree.refreshCount;
  }
}

describe('a read-only database role', function () {
  this.timeout(60_000);
  const RO_KEY = 'database:readonly';
  let internals: Internals;
  let db: string;

  before(async () => {
    internals = (await extensionExports()).internals;
    const pg = await privateServer();
    db = pg.createDatabase();
    const owner = new PostgresExecutionStore({ url: pg.url(db) });
    try {
      await owner.applySchema();
      await owner.saveTexts([1, 2].map((n) => ({ id: id(8000 + n), text: runText(id(8000 + n)) })));
    } finally {
      await owner.close();
    }
    pg.psql('CREATE ROLE reader LOGIN');
    pg.psql('GRANT SELECT ON flow_executions TO reader', db);
    await vscode.workspace.getConfiguration('a3sFlow.history').update('databases', [{ name: 'readonly', url: pg.url(db, 'reader') }], vscode.ConfigurationTarget.Global);
    await waitFor('the read-only database listed', async () => (await internals.tree.entries(RO_KEY)).length === 2, 15_000);
  });

  after(async () => {
    await vscode.workspace.getConfiguration('a3sFlow.history').update('databases', undefined, vscode.ConfigurationTarget.Global);
    await waitFor('the group gone', () => !internals.stores.get(RO_KEY));
  });

  it('is refused delete and retention up front, from the palette or by API, with nothing asked or done', async () => {
    const handle = internals.stores.get(RO_KEY)!;
    assert.strictEqual(handle.capabilities.writable, false);
    const errors: string[] = [];
    const error = stub(vscode.window, 'showErrorMessage', (async (message: string) => {
      errors.push(message);
      return undefined;
    }) as unknown as typeof vscode.window.showErrorMessage);
    // Cancels any confirmation: if one were asked, nothing would be deleted anyway.
    const confirm = stub(vscode.window, 'showWarningMessage', (async () => undefined) as unknown as typeof vscode.window.showWarningMessage);
    try {
      const run = internals.tree.runNode({ storeKey: RO_KEY, id: id(8001) });
      assert.strictEqual(await vscode.commands.executeCommand('a3sFlow.history.deleteRuns', run), undefined);
      assert.strictEqual(await vscode.commands.executeCommand('a3sFlow.history.keepNewest', 0), undefined);
      assert.strictEqual(confirm.calls.length, 0, 'no confirmation asked');
    } finally {
      error.restore();
      confirm.restore();
    }
    assert.strictEqual(errors.length, 2, errors.join('\n'));
    for (const message of errors) {
      assert.strictEqual(message, 'Flow History: The role "reader" cannot delete runs in "readonly" (public.flow_executions: it lacks the DELETE right); nothing was changed.');
    }
    assert.deepStrictEqual((await handle.store.list()).sort(), [id(8001), id(8002)]);
    await assert.rejects(handle.requireRight!('insert'), /The role "reader" cannot save or import runs in "readonly" .*INSERT and UPDATE/);
  });
});

describe('a database that goes down mid-session', function () {
  this.timeout(90_000);
  const FLAKY_KEY = 'database:flaky';
  let internals: Internals;
  let flaky: PostgresServer;

  before(async () => {
    internals = (await extensionExports()).internals;
    flaky = await startPostgres();
    const owner = new PostgresExecutionStore({ url: flaky.url() });
    try {
      await owner.applySchema();
      await owner.saveTexts([1, 2].map((n) => ({ id: id(9000 + n), text: runText(id(9000 + n)) })));
    } finally {
      await owner.close();
    }
    await vscode.workspace.getConfiguration('a3sFlow.history').update('databases', [{ name: 'flaky', url: flaky.url() }], vscode.ConfigurationTarget.Global);
    await waitFor('the database listed', async () => (await internals.tree.entries(FLAKY_KEY)).length === 2, 15_000);
  });

  after(async () => {
    await vscode.workspace.getConfiguration('a3sFlow.history').update('databases', undefined, vscode.ConfigurationTarget.Global);
    flaky?.stop();
  });

  async function children(): Promise<HistoryNode[]> {
    const roots = await internals.tree.getChildren();
    const group = roots.find((n): n is StoreNode => n.kind === 'store' && n.storeKey === FLAKY_KEY);
    assert.ok(group, 'the group is shown');
    return internals.tree.getChildren(group);
  }

  it('shows the reason and Retry while the server is down (folder stores do not wait), and lists again once it is back', async () => {
    flaky.kill();
    internals.tree.refreshAll();
    const started = Date.now();
    const folderRuns = await internals.tree.getChildren();
    assert.ok(folderRuns.length > 0 && Date.now() - started < 5000, 'the root is answered without waiting for the database');
    const down = await waitFor('the reason and Retry', async () => {
      const rows = await children();
      return rows.length === 2 && rows[0].kind === 'message' && rows[1].kind === 'retry' ? rows : undefined;
    });
    const reason = await internals.tree.getTreeItem(down[0]);
    assert.strictEqual(reason.label, 'Could not list runs');
    // The first query may fail on a pooled connection the crash cut, later ones cannot connect.
    assert.match(String(reason.description), /^(Cannot reach|Lost the connection to) the database postgres:\/\/flow@127\.0\.0\.1:\d+\/postgres /);
    const retry = await internals.tree.getTreeItem(down[1]);
    assert.strictEqual(retry.label, 'Retry');
    assert.match(String(retry.description), /^tries again by itself in \d+ s$/);
    assert.strictEqual(retry.command?.command, 'a3sFlow.history.retryStore');
    assert.match(String(retry.accessibilityInformation?.label), /^Retry listing flaky/);

    // Still down: Retry fails again, and says so again.
    await vscode.commands.executeCommand(retry.command!.command, ...(retry.command!.arguments ?? []));
    await waitFor('still the reason', async () => (await children())[0]?.kind === 'message');

    flaky.start();
    await vscode.commands.executeCommand(retry.command!.command, ...(retry.command!.arguments ?? []));
    const back = await waitFor('the runs again', async () => {
      const rows = (await children()).filter((n): n is RunNode => n.kind === 'run');
      return rows.length === 2 ? rows : undefined;
    }, 15_000);
    assert.deepStrictEqual(back.map((r) => r.id).sort(), [id(9001), id(9002)]);
  });
});

describe('a database table without the NOTIFY trigger', () => {
  it('is watched by a cheap poll instead, said once in the log', async () => {
    const pg = await privateServer();
    const store = new PostgresExecutionStore({ url: pg.url(), schema: 'notrigger' });
    const other = new PostgresExecutionStore({ url: pg.url(), schema: 'notrigger' });
    try {
      await store.applySchema();
      pg.psql('DROP TRIGGER flow_executions_notify ON notrigger.flow_executions');
      const said: string[] = [];
      const changes: unknown[] = [];
      store.onDidChange((change) => changes.push(change));
      const watch = await store.watch({ pollMs: 100, log: (message) => said.push(message) });
      try {
        assert.strictEqual(watch.mode, 'poll');
        assert.strictEqual(said.length, 1);
        assert.match(said[0], /has no NOTIFY trigger .* every 0\.1 s instead/);
        await new Promise((resolve) => setTimeout(resolve, 300));
        assert.deepStrictEqual(changes, [], 'nothing changed yet');
        await other.saveTexts([{ id: id(5000), text: runText(id(5000)) }]);
        await waitFor('a change from the poll', () => changes.length > 0, 2000);
        assert.deepStrictEqual(changes[0], { saved: [], deleted: [], all: true });
        assert.strictEqual(said.length, 1, 'said once');
      } finally {
        watch.dispose();
      }
    } finally {
      await store.close();
      await other.close();
    }
  });
});

describe('the databases setting', () => {
  it('takes workspace values only in a trusted workspace, and refuses passwords and other URLs', async () => {
    const { databasesFrom } = await import('../../src/host/config');
    const user = [{ name: 'team', url: 'postgres://ci@db.example:5432/flow?sslmode=require' }];
    const workspace = [{ name: 'evil', url: 'postgres://x@attacker.example/db' }];
    assert.deepStrictEqual(databasesFrom({ globalValue: user, workspaceValue: workspace }, false).databases, user);
    assert.deepStrictEqual(databasesFrom({ workspaceFolderValue: workspace }, false).databases, []);
    assert.deepStrictEqual(databasesFrom({ globalValue: user, workspaceValue: workspace }, true).databases, [...user, ...workspace]);
    const refused = databasesFrom({ globalValue: [{ name: 'p', url: 'postgres://u:secret@h/db' }, { name: 'h', url: 'http://h/db' }, { url: 'postgres://h/db' }, 'x'] }, true);
    assert.deepStrictEqual(refused.databases, []);
    assert.strictEqual(refused.problems.length, 4);
    assert.ok(!refused.problems.join('\n').includes('secret'), 'the password is never repeated');
    const pkg = vscode.extensions.getExtension('a3s.flow-history')!.packageJSON as { contributes: { configuration: { properties: Record<string, { scope?: string }> } } };
    assert.strictEqual(pkg.contributes.configuration.properties['a3sFlow.history.databases'].scope, 'machine-overridable');
  });
});

describe('Connect to Database…', function () {
  this.timeout(60_000);
  const PASSWORD = "pw-'s3cr3t\\%_";
  const NAME = 'secured';
  const SECURED_KEY = 'database:secured';
  let internals: Internals;
  let url: string;

  before(async () => {
    internals = (await extensionExports()).internals;
    const pg = await privateServer();
    const db = pg.createDatabase();
    const owner = new PostgresExecutionStore({ url: pg.url(db) });
    try {
      await owner.applySchema();
      await owner.saveTexts([1, 2, 3].map((n) => ({ id: id(7000 + n), text: runText(id(7000 + n)) })));
    } finally {
      await owner.close();
    }
    pg.requirePassword('alice', PASSWORD);
    pg.psql('GRANT SELECT, INSERT, UPDATE, DELETE ON flow_executions TO alice', db);
    url = pg.url(db, 'alice');
  });

  after(async () => {
    await vscode.workspace.getConfiguration('a3sFlow.history').update('databases', undefined, vscode.ConfigurationTarget.Global);
  });

  /** Runs the command with these answers to its three input boxes; returns the boxes' options and the errors shown. */
  async function connect(answers: (string | undefined)[]): Promise<{ result: unknown; boxes: vscode.InputBoxOptions[]; errors: string[] }> {
    const boxes: vscode.InputBoxOptions[] = [];
    const errors: string[] = [];
    const input = stub(vscode.window, 'showInputBox', (async (options?: vscode.InputBoxOptions) => {
      boxes.push(options ?? {});
      return answers.shift();
    }) as typeof vscode.window.showInputBox);
    const error = stub(vscode.window, 'showErrorMessage', (async (message: string) => {
      errors.push(message);
      return undefined;
    }) as unknown as typeof vscode.window.showErrorMessage);
    try {
      const result = await vscode.commands.executeCommand('a3sFlow.history.connectDatabase');
      return { result, boxes, errors };
    } finally {
      input.restore();
      error.restore();
    }
  }

  const setting = () => vscode.workspace.getConfiguration('a3sFlow.history').inspect<unknown>('databases');

  it('refuses a password inside the URL, and saves nothing when the connection fails (without echoing the password)', async () => {
    const withPassword = url.replace('alice@', `alice:${encodeURIComponent(PASSWORD)}@`);
    let run = await connect([NAME, withPassword]);
    assert.strictEqual(run.result, undefined);
    assert.match(String(run.boxes[1].validateInput!(withPassword)), /Leave the password out of the URL/);
    assert.strictEqual(run.boxes[1].validateInput!(url), undefined);
    assert.match(run.errors.join('\n'), /Leave the password out of the URL.*Nothing was saved/);

    run = await connect([NAME, url, 'wrong-password']);
    assert.strictEqual(run.result, undefined);
    assert.strictEqual(run.boxes[2].password, true);
    assert.match(run.errors.join('\n'), /Could not connect to the database "secured": The database refused the login .*password authentication failed.* Nothing was saved\./);
    assert.ok(!run.errors.join('\n').includes('wrong-password'));
    assert.strictEqual(setting()?.globalValue, undefined, 'no setting written');
    assert.strictEqual(await internals.secrets.get(databaseSecretKey(NAME, url)), undefined, 'no secret stored');
  });

  it('keeps the password in SecretStorage, the name and URL in the user settings, and lists the runs with it', async () => {
    const run = await connect([NAME, url, PASSWORD]);
    assert.deepStrictEqual(run.errors, []);
    assert.strictEqual(run.result, NAME);
    assert.deepStrictEqual(setting()?.globalValue, [{ name: NAME, url }]);
    assert.ok(!JSON.stringify(setting()).includes('s3cr3t'));
    assert.strictEqual(await internals.secrets.get(databaseSecretKey(NAME, url)), PASSWORD);
    await waitFor('the secured database listed with its password', async () => (await internals.tree.entries(SECURED_KEY)).length === 3, 15_000);
    const roots = await internals.tree.getChildren();
    const group = roots.find((n) => n.kind === 'store' && n.storeKey === SECURED_KEY)!;
    await waitFor('writable from the privileges', () => internals.stores.get(SECURED_KEY)?.capabilities.writable);
    assert.strictEqual((await internals.tree.getTreeItem(group)).contextValue, 'store writable live persistent connection');
  });

  it('Forget Database Password and Remove Database clear the secret and the setting entry', async () => {
    const group = { kind: 'store', storeKey: SECURED_KEY };
    assert.strictEqual(await vscode.commands.executeCommand('a3sFlow.history.forgetDatabasePassword', group), true);
    assert.strictEqual(await internals.secrets.get(databaseSecretKey(NAME, url)), undefined);
    await internals.secrets.store(databaseSecretKey(NAME, url), PASSWORD);
    const confirm = stub(vscode.window, 'showWarningMessage', (async () => 'Remove') as unknown as typeof vscode.window.showWarningMessage);
    try {
      assert.strictEqual(await vscode.commands.executeCommand('a3sFlow.history.removeDatabase', group), true);
      assert.match(String(confirm.calls[0][0]), /Remove the database "secured"/);
    } finally {
      confirm.restore();
    }
    assert.strictEqual(setting()?.globalValue, undefined);
    assert.strictEqual(await internals.secrets.get(databaseSecretKey(NAME, url)), undefined);
    await waitFor('the group gone', () => !internals.stores.get(SECURED_KEY));
  });
});

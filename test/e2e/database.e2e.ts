// A team database, end to end in the real browser: "Flow History: Connect to Database…" from
// the command palette with a password-protected role (SCRAM) of a private PostgreSQL; the
// runs show as a group; the password is on no file of the code-server user data, home or
// settings; a run inserted by psql appears; one run is deleted through the row's context menu.
// Also takes the README's picture of a database group (media/screenshots/database.png).
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { PostgresExecutionStore } from '../../src/postgres/postgresStore';
import { PostgresServer, startPostgres } from '../support/postgresServer';
import { screenshots, sideBarClip, widenSideBar } from './screens';
import { useWorkbench, Workbench } from './support';

const PASSWORD = 'e2e-Pa55-word-never-on-disk';
const RUNS = ['d1a00000-0000-4000-8000-000000000001', 'd2b00000-0000-4000-8000-000000000002', 'd3c00000-0000-4000-8000-000000000003'];
const INSERTED = 'e4d00000-0000-4000-8000-000000000004';

function runText(id: string, skipped = false): string {
  const nodes = skipped ? '"completed_nodes":["fetch"],"skipped_nodes":["notify"]' : '"completed_nodes":["fetch","notify"],"skipped_nodes":[]';
  return `{"execution_id":"${id}","outputs":{"fetch":{"status":200}},${nodes},"context":{"team":"ci"}}`;
}

async function until(what: string, check: () => boolean | Promise<boolean>, timeout = 20_000): Promise<void> {
  const deadline = Date.now() + timeout;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeout} ms waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Every file under `root` whose bytes contain `text`. */
function filesContaining(root: string, text: string): string[] {
  const needle = Buffer.from(text, 'utf8');
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(file);
      else if (entry.isFile() && fs.readFileSync(file).includes(needle)) found.push(file);
    }
  };
  walk(root);
  return found;
}

/** Types an answer into the open input box whose title contains `title`, then Enter. */
async function answer(wb: Workbench, title: string, text: string): Promise<void> {
  await wb.page.locator('.quick-input-widget .quick-input-title', { hasText: title }).waitFor({ state: 'visible' });
  const input = wb.quickInput().locator('input').first();
  await input.fill(text);
  await input.press('Enter');
}

describe('a team database: connect with a password, browse live, delete (e2e)', function () {
  this.timeout(240_000);
  let pg: PostgresServer;
  let db: string;
  let url: string;
  const workbench = useWorkbench();

  before(async () => {
    pg = await startPostgres();
    db = pg.createDatabase();
    // The schema (as `flow-history init` applies it) and three runs, written by the superuser.
    const owner = new PostgresExecutionStore({ url: pg.url(db) });
    try {
      await owner.applySchema();
      await owner.saveTexts(RUNS.map((id, i) => ({ id, text: runText(id, i === 1), savedAt: Date.now() - (RUNS.length - i) * 3_600_000 })));
    } finally {
      await owner.close();
    }
    pg.requirePassword('alice', PASSWORD);
    pg.psql('GRANT SELECT, INSERT, UPDATE, DELETE ON flow_executions TO alice', db);
    url = pg.url(db, 'alice');
    await workbench().openView('Flow History');
  });

  after(() => pg?.stop());

  it('connects through the palette: name, URL, password; the runs show in a group', async () => {
    const wb = workbench();
    await wb.runCommand('Flow History: Connect to Database…');
    await answer(wb, '(1/3)', 'team');
    await answer(wb, '(2/3)', url);
    await wb.page.locator('.quick-input-widget .quick-input-title', { hasText: '(3/3)' }).waitFor({ state: 'visible' });
    assert.strictEqual(await wb.quickInput().locator('input').first().getAttribute('type'), 'password');
    await answer(wb, '(3/3)', PASSWORD);
    await until('the group "team"', async () => (await wb.treeRows()).some((row) => row.startsWith('team ')), 60_000);
    for (const id of RUNS) await wb.waitForTreeRow(id.slice(0, 8), 30_000);
  });

  it('keeps the password on no file: not in settings.json, the user data or the home folder', () => {
    const runDir = workbench().server.runDir;
    // The name and URL went to the user settings (wherever this code-server keeps them).
    const holding = filesContaining(runDir, 'a3sFlow.history.databases');
    assert.ok(
      holding.some((file) => file.endsWith('settings.json') && fs.readFileSync(file, 'utf8').includes(url)),
      `the URL in a settings.json; files naming the setting: ${JSON.stringify(holding)}`,
    );
    assert.deepStrictEqual(filesContaining(runDir, PASSWORD), [], 'files holding the password');
  });

  it('shows a run inserted by psql, and takes the README picture', async () => {
    const wb = workbench();
    pg.psql(`INSERT INTO flow_executions (execution_id, result) VALUES ('${INSERTED}', '${runText(INSERTED)}')`, db);
    await wb.waitForTreeRow(INSERTED.slice(0, 8), 10_000);
    await until('the group counts it', async () => (await wb.treeRows()).includes(`team ${RUNS.length + 1} runs`), 10_000);
    await widenSideBar(wb.page, 560);
    await screenshots(wb, 'database', await sideBarClip(wb));
  });

  it('deletes a run through its context menu, permanently, after one question', async () => {
    const wb = workbench();
    const victim = RUNS[0];
    await wb.clickContextMenuItem(victim.slice(0, 8), 'Delete Runs…');
    assert.strictEqual(await wb.dialogMessage(), `Permanently delete run ${victim}?`);
    await wb.clickDialogButton('Delete Permanently');
    await until('the row is gone', async () => !(await wb.treeRows()).some((row) => row.startsWith(victim.slice(0, 8))));
    assert.strictEqual(pg.psql(`SELECT count(*) FROM flow_executions WHERE execution_id = '${victim}'`, db).trim(), '0');
    assert.strictEqual(pg.psql('SELECT count(*) FROM flow_executions', db).trim(), String(RUNS.length));
  });
});

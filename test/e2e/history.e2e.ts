// Issue 4 end to end: the packaged extension in a real VS Code (code-server + Chromium),
// driven only through the UI: the Runs view, expanding a run, the detail panel and its
// filter, deleting from the context menu (both confirmations), exporting through the
// command palette and the save dialog, and a run written by another process appearing
// by itself. Leaves tree.png, panel.png, panel-filter.png and delete-confirm.png in
// test-artifacts/e2e/ (and cropped copies for the README in test-artifacts/e2e/docs/).
import * as assert from 'assert';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import type { Locator } from 'playwright-core';
import { exportFlowResult, parseFlowResult } from '../../src/core/flowResult';
import { screenshots, sideBarClip, widenSideBar } from './screens';
import { BIG, BROKEN, CLI, EXAMPLE, FIXTURE_IDS, seedStore } from './seedStore';
import { useWorkbench, Workbench } from './support';



async function runRows(wb: Workbench): Promise<{ label: string; description: string }[]> {
  return wb.treeRowLocator().evaluateAll((rows) =>
    rows
      .map((row) => ({
        label: (row.querySelector('.label-name')?.textContent ?? '').trim(),
        description: (row.querySelector('.label-description')?.textContent ?? '').replace(/\s+/g, ' ').trim(),
        level: Number(row.getAttribute('aria-level')),
      }))
      .filter((row) => row.level === 1)
      .map(({ label, description }) => ({ label, description })),
  );
}

/** The child rows shown under an expanded run: "label description". */
async function childRows(wb: Workbench, runLabel: string): Promise<string[]> {
  return wb.treeRowLocator().evaluateAll((rows, label) => {
    const out: string[] = [];
    let inside = false;
    for (const row of rows) {
      const level = Number(row.getAttribute('aria-level'));
      const name = (row.querySelector('.label-name')?.textContent ?? '').trim();
      if (level === 1) {
        inside = name === label;
        continue;
      }
      if (inside) out.push(`${name} ${(row.querySelector('.label-description')?.textContent ?? '').trim()}`.replace(/\s+/g, ' '));
    }
    return out;
  }, runLabel);
}

async function waitUntil(what: string, check: () => Promise<boolean> | boolean, timeout = 30_000): Promise<void> {
  const deadline = Date.now() + timeout;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeout} ms waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * Clicks a dialog button that is followed by another dialog (the support helper waits for
 * the dialog to close, which a second confirmation never lets happen); returns the next
 * dialog's message.
 */
async function clickDialogButtonExpectingAnother(wb: Workbench, label: string, previousMessage: string): Promise<string> {
  await wb.dialog().getByRole('button', { name: label, exact: true }).click();
  let message = previousMessage;
  await waitUntil('the next dialog shows', async () => {
    message = await wb.dialogMessage().catch(() => previousMessage);
    return message !== previousMessage;
  });
  return message;
}

/** The selected tree rows' accessible labels ("Run <id>, <description>"). */
async function selectedRows(wb: Workbench): Promise<string[]> {
  return wb.page.locator('.part.sidebar [role="treeitem"][aria-selected="true"]').evaluateAll((rows) => rows.map((r) => r.getAttribute('aria-label') ?? ''));
}

function twistie(row: Locator): Locator {
  return row.locator('.monaco-tl-twistie');
}

describe('Flow History: history view, panel, delete, export, live updates (e2e)', function () {
  this.timeout(180_000);
  const workbench = useWorkbench({ viewport: { width: 1400, height: 900 } });
  let store: string;
  let newestFirst: string[];

  before(async function () {
    this.timeout(60_000);
    ({ store, newestFirst } = seedStore(workbench().workspaceRoot));
  });

  it('lists the runs newest first, with their figures; the unreadable one with its reason', async () => {
    const wb = workbench();
    await wb.openView('Flow History');
    await widenSideBar(wb.page, 420);
    await wb.waitForTreeRow(BROKEN.slice(0, 8));
    await waitUntil('every run is listed', async () => (await runRows(wb)).length === newestFirst.length);
    const rows = await runRows(wb);
    assert.deepStrictEqual(
      rows.map((r) => r.label),
      newestFirst.map((id) => id.slice(0, 8)),
      'rows are the short ids, newest first',
    );
    const description = (id: string) => rows.find((r) => r.label === id.slice(0, 8))?.description ?? '';
    assert.match(description(EXAMPLE), /^\d+ min ago · 2 nodes · 1 skipped$/);
    assert.match(description(BIG), /^\d+ min ago · 3 nodes$/);
    assert.strictEqual(description(BROKEN), '2 h ago · unreadable: Invalid JSON: EOF while parsing a value at line 1 column 74');
    assert.ok(
      rows.filter((r) => !FIXTURE_IDS.some((id) => id.startsWith(r.label))).every((r) => /^(\d+ min|\d+ h) ago · 6 nodes( · \d skipped)?$/.test(r.description)),
      `sample rows: ${JSON.stringify(rows)}`,
    );
    // The unreadable run has a warning icon and nothing to expand.
    const broken = await wb.waitForTreeRow(BROKEN.slice(0, 8));
    assert.strictEqual(await broken.locator('.codicon-warning').count(), 1, 'warning icon on the unreadable row');
    assert.strictEqual(await broken.getAttribute('aria-expanded'), null, 'an unreadable run cannot be expanded');
    // The view's badge counts the runs.
    const badge = wb.page.locator('.activitybar li', { has: wb.page.locator('a.action-label[aria-label^="Flow History"]') }).locator('.badge-content');
    assert.strictEqual((await badge.innerText()).trim(), String(newestFirst.length));
  });

  it('expands runs (twistie, Right key) into node rows with previews and the context row', async () => {
    const wb = workbench();
    const big = await wb.waitForTreeRow(BIG.slice(0, 8));
    await twistie(big).click();
    await wb.waitForTreeRow(/^load/);
    assert.deepStrictEqual(await childRows(wb, BIG.slice(0, 8)), [
      'load {2} {"rows":3,"checksum":18446744073709551615}',
      'publish null',
      'transform {2} {"trace_id":9007199254740993,"ok":true}',
      'context {2} {"tenant":"globex","started_ns":1732620000123456789}',
    ]);
    assert.strictEqual(await big.getAttribute('aria-expanded'), 'true');
    assert.deepStrictEqual(await wb.editorTabs(), [], 'the twistie expands without opening the run');

    // Keyboard: EXAMPLE is the row just above BIG; the twistie click left the focus on BIG.
    await wb.page.keyboard.press('ArrowUp');
    await wb.page.keyboard.press('ArrowRight');
    await wb.waitForTreeRow(/^notify/);
    assert.deepStrictEqual(await childRows(wb, EXAMPLE.slice(0, 8)), ['fetch {2} {"status":200,"items":[1,2]}', 'notify skipped', 'context {1} {"tenant":"acme"}']);
    await wb.page.keyboard.press('ArrowLeft');
    await waitUntil('EXAMPLE collapses', async () => (await childRows(wb, EXAMPLE.slice(0, 8))).length === 0);
    // Focus elsewhere (the empty editor area) so the picture has no keyboard focus ring.
    await wb.page.locator('.part.editor').click({ position: { x: 300, y: 300 } });
    await screenshots(wb, 'tree', await sideBarClip(wb));
  });

  it('opens a run in the panel and shows its outputs exactly, big integers included', async () => {
    const wb = workbench();
    // A node row opens its run at that node.
    await (await wb.waitForTreeRow(/^load/)).locator('.label-name').click();
    const web = wb.webview();
    await web.locator('[data-testid="run-id"]', { hasText: BIG }).waitFor();
    await waitUntil('the panel tab shows', async () => (await wb.editorTabs()).some((t) => t.includes(`Run ${BIG.slice(0, 8)}`)));
    const sections = web.locator('[data-testid="node-section"]');
    assert.deepStrictEqual(await sections.evaluateAll((e) => e.map((s) => s.getAttribute('data-node-id'))), ['load', 'publish', 'transform']);
    assert.deepStrictEqual(await sections.locator('[data-testid="node-status"]').evaluateAll((e) => e.map((s) => s.getAttribute('data-status'))), ['executed', 'executed', 'executed']);
    const load = web.locator('[data-testid="node-section"][data-node-id="load"]');
    await load.locator('[data-testid="json-row"]').first().waitFor();
    assert.deepStrictEqual(await load.locator('[data-testid="json-row"]').allInnerTexts(), ['rows: 3', 'checksum: 18446744073709551615']);
    const transform = web.locator('[data-testid="node-section"][data-node-id="transform"]');
    assert.ok((await transform.locator('[data-testid="json-row"]').allInnerTexts()).includes('trace_id: 9007199254740993'));
    const context = web.locator('[data-testid="context-section"]');
    assert.ok((await context.locator('[data-testid="json-row"]').allInnerTexts()).includes('started_ns: 1732620000123456789'));
    assert.strictEqual(await web.locator('[data-testid="filter-count"]').innerText(), '3 nodes');
    // Click the panel's empty space: the focus ring of the node opened from the tree goes.
    const panelBox = await wb.page.locator('iframe.webview.ready').last().boundingBox();
    if (panelBox) await wb.page.mouse.click(panelBox.x + panelBox.width / 2, panelBox.y + panelBox.height - 40);
    await screenshots(wb, 'panel');
  });

  it('narrows the node list with the filter box and clears it', async () => {
    const wb = workbench();
    const web = wb.webview();
    const filter = web.locator('[data-testid="filter"]');
    const count = web.locator('[data-testid="filter-count"]');
    const visibleNodes = () => web.locator('[data-testid="node-section"]:visible').evaluateAll((e) => e.map((s) => s.getAttribute('data-node-id')));
    await filter.click();
    await filter.pressSequentially('trace', { delay: 40 });
    await waitUntil('the filter applies', async () => (await count.innerText()) === '1 of 3 nodes');
    assert.deepStrictEqual(await visibleNodes(), ['transform']);
    assert.ok((await web.locator('[data-testid="node-section"][data-node-id="transform"] [data-testid="json-row"]').allInnerTexts()).includes('trace_id: 9007199254740993'));
    await screenshots(wb, 'panel-filter');

    await filter.fill('no such value');
    await waitUntil('nothing matches', async () => (await count.innerText()) === '0 of 3 nodes');
    assert.ok(await web.locator('[data-testid="no-match"]').isVisible(), 'the no-match note shows');

    await filter.press('Escape');
    await waitUntil('the filter clears', async () => (await count.innerText()) === '3 nodes');
    assert.strictEqual(await filter.inputValue(), '');
    assert.deepStrictEqual(await visibleNodes(), ['load', 'publish', 'transform']);
  });

  it('deletes a run from its context menu after both confirmations; Cancel keeps it', async () => {
    const wb = workbench();
    const victim = newestFirst.filter((id) => !FIXTURE_IDS.includes(id))[3];
    const label = victim.slice(0, 8);
    const file = path.join(store, `${victim}.json`);

    await wb.clickContextMenuItem(label, 'Delete Runs…');
    assert.strictEqual(await wb.dialogMessage(), `Move run ${victim} to the trash?`);
    await screenshots(wb, 'delete-confirm');
    await wb.clickDialogButton('Cancel');
    await wb.page.waitForTimeout(500);
    assert.ok(fs.existsSync(file), 'Cancel keeps the file');
    await wb.waitForTreeRow(label);

    await wb.clickContextMenuItem(label, 'Delete Runs…');
    const first = await wb.dialogMessage();
    assert.strictEqual(first, `Move run ${victim} to the trash?`);
    // code-server has no trash: a second modal says the delete is permanent.
    const second = await clickDialogButtonExpectingAnother(wb, 'Move to Trash', first);
    assert.strictEqual(second, `The trash is not available here. Permanently delete run ${victim}?`);
    assert.ok(fs.existsSync(file), 'nothing is deleted before the second answer');
    await wb.clickDialogButton('Delete Permanently');
    await waitUntil('the file is gone', () => !fs.existsSync(file));
    await waitUntil('the row is gone', async () => !(await runRows(wb)).some((r) => r.label === label));
    assert.strictEqual((await runRows(wb)).length, newestFirst.length - 1);
  });

  it('exports a run picked in the palette through the save dialog, in the export format', async () => {
    const wb = workbench();
    const target = path.join(path.dirname(wb.workspaceRoot), `exported-${BIG.slice(0, 8)}.json`);
    // With a row selected the command acts on it; with none it asks which run.
    await wb.page.locator('.part.sidebar .monaco-list').first().focus();
    await wb.page.keyboard.press('Escape');
    await waitUntil('no row is selected', async () => (await selectedRows(wb)).length === 0);

    await wb.runCommand('Flow History: Export Run…');
    const quickInput = wb.quickInput();
    const input = quickInput.locator('input');
    await quickInput.locator('.quick-input-title', { hasText: /^Export Run$/ }).waitFor();
    await input.fill(BIG.slice(0, 8));
    const picks = wb.page.locator('.quick-input-list .monaco-list-row');
    await waitUntil('the pick narrows to one run', async () => (await picks.count()) === 1);
    assert.match(await picks.first().innerText(), new RegExp(`^${BIG}`));
    await input.press('Enter');

    // The save dialog (code-server's simple file dialog): a path box in a quick input.
    await quickInput.locator('.quick-input-title', { hasText: `Export Run ${BIG}` }).waitFor();
    await waitUntil('the save dialog proposes a path', async () => (await input.inputValue()).endsWith('.json'));
    assert.strictEqual(await input.inputValue(), path.join(wb.workspaceRoot, `${BIG}.json`), 'proposes <execution id>.json in the workspace folder');
    await input.press('Control+a');
    await input.fill(target);
    // The dialog lists the typed folder before it accepts a file name in it; an Enter
    // pressed earlier is ignored.
    await picks.filter({ hasText: /^workspace$/ }).first().waitFor();
    await waitUntil('the save dialog takes the path', async () => {
      if (!(await quickInput.isVisible())) return true;
      await input.press('Enter');
      await quickInput.waitFor({ state: 'hidden', timeout: 2_000 }).catch(() => undefined);
      return !(await quickInput.isVisible());
    });
    await waitUntil('the export file is written', () => fs.existsSync(target) && fs.statSync(target).size > 0);
    await wb.waitForNotification(`Exported run ${BIG.slice(0, 8)} to exported-${BIG.slice(0, 8)}.json.`);

    const exported = fs.readFileSync(target, 'utf8');
    const stored = fs.readFileSync(path.join(store, `${BIG}.json`), 'utf8');
    assert.strictEqual(exported, exportFlowResult(parseFlowResult(stored)));
    assert.ok(exported.includes('"checksum": 18446744073709551615'), 'numbers exact');
    const viaCli = path.join(path.dirname(wb.workspaceRoot), 'cli-export.json');
    execFileSync(process.execPath, [CLI, '--dir', store, 'export', BIG.slice(0, 8), '--out', viaCli], { stdio: 'pipe' });
    assert.strictEqual(exported, fs.readFileSync(viaCli, 'utf8'), 'same bytes as `flow-history export`');
  });

  it('shows a run written by another process (temp file + rename) without a refresh', async () => {
    const wb = workbench();
    const id = '1b4e28ba-2fa1-4d2e-883f-0016d3cca427';
    const run = {
      execution_id: id,
      outputs: { fetch: { status: 201, order: 'A-1001' }, notify: null },
      completed_nodes: ['fetch', 'notify'],
      skipped_nodes: [],
      context: { tenant: 'hooli' },
    };
    const temp = path.join(path.dirname(wb.workspaceRoot), `.${id}.json.tmp`);
    fs.writeFileSync(temp, JSON.stringify(run));
    const written = Date.now();
    fs.renameSync(temp, path.join(store, `${id}.json`));
    await wb.waitForTreeRow(id.slice(0, 8), 15_000);
    const appearedAfter = Date.now() - written;
    const rows = await runRows(wb);
    assert.deepStrictEqual(rows[0], { label: id.slice(0, 8), description: 'just now · 2 nodes' }, 'the new run is the newest row');
    assert.strictEqual(rows.length, newestFirst.length, 'one deleted, one added');
    console.log(`      (row appeared ${appearedAfter} ms after the rename)`);
  });

  it('shows an output too big for the first message, sent as bytes when its section opens, exactly', async () => {
    const wb = workbench();
    await wb.openView('Flow History');
    const id = '3f2504e0-4f89-41d3-9a0c-0305e82c3301';
    // Over 512 KB (scanned in the worker, read back from the file by byte range) and 256 KB
    // (deferred), after characters of 2, 3 and 4 UTF-8 bytes, with an integer past 2^64.
    const padding = 'x'.repeat(600_000);
    const text = `{"execution_id":"${id}","outputs":{"before":"é€😀","big":{"note":"é€😀","n":18446744073709551616,"padding":"${padding}"}},"completed_nodes":["before","big"],"skipped_nodes":[],"context":{}}`;
    const temp = path.join(path.dirname(wb.workspaceRoot), `.${id}.json.tmp`);
    fs.writeFileSync(temp, text);
    fs.renameSync(temp, path.join(store, `${id}.json`));
    await (await wb.waitForTreeRow(id.slice(0, 8), 15_000)).locator('.label-name').click();
    const web = wb.webview();
    await web.locator('[data-testid="run-id"]', { hasText: id }).waitFor();
    const big = web.locator('[data-testid="node-section"][data-node-id="big"]');
    // A big output starts folded; opening it asks the host for it.
    await big.locator('.section-toggle').click();
    await big.locator('[data-testid="json-row"]').first().waitFor();
    const rows = await big.locator('[data-testid="json-row"]').allInnerTexts();
    assert.ok(rows.includes('n: 18446744073709551616'), JSON.stringify(rows));
    assert.ok(rows.some((row) => row.includes('é€😀')), JSON.stringify(rows));
    await wb.runCommand('View: Close All Editors');
  });
});

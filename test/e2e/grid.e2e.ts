// Issue 13 (Run Grid) end to end: the packaged extension in a real VS Code (code-server +
// Chromium), one window for the file. Opens the grid on the sample runs from the palette,
// checks cells against the run files, moves with the arrow keys, opens a node's output with
// Enter, keeps the DOM bounded, and leaves grid-light.png, grid-dark.png and
// grid-high-contrast.png in test-artifacts/e2e/ (cropped copies in test-artifacts/e2e/docs/).
// Last, a row's node opens its Node History (checked against the files, Open Output by keyboard),
// and a number in a run's panel is plotted across runs (table checked against the files).
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import type { FrameLocator } from 'playwright-core';
import { MAX_WINDOW_CELLS } from '../../src/core/gridModel';
import { parseFlowResult } from '../../src/core/flowResult';
import { isJsonObject, JsonValue } from '../../src/core/json';
import { parkMouse, screenshots } from './screens';
import { BIG, BROKEN, EXAMPLE, seedStore } from './seedStore';
import { e2eArtifactsDir, useWorkbench, Workbench } from './support';

async function waitUntil(what: string, check: () => Promise<boolean> | boolean, timeout = 30_000): Promise<void> {
  const deadline = Date.now() + timeout;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeout} ms waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

interface Cell {
  run: string;
  node: string;
  status: string;
  label: string;
}

async function cells(web: FrameLocator): Promise<Cell[]> {
  return web.locator('[role="gridcell"]').evaluateAll((elements) =>
    elements.map((e) => ({ run: e.getAttribute('data-run') ?? '', node: e.getAttribute('data-node') ?? '', status: e.getAttribute('data-status') ?? '', label: e.getAttribute('aria-label') ?? '' })),
  );
}

async function focused(web: FrameLocator): Promise<{ row: string; column: string; run: string | null; node: string | null; role: string | null }> {
  // Runs in the page: `body.ownerDocument.activeElement` (the tests compile without the DOM library).
  return web.locator('body').evaluate((body: { ownerDocument: { activeElement: { getAttribute(name: string): string | null } | null } }) => {
    const e = body.ownerDocument.activeElement;
    const get = (name: string) => e?.getAttribute(name) ?? null;
    return { row: get('data-row') ?? '', column: get('data-column') ?? '', run: get('data-run'), node: get('data-node'), role: get('role') };
  });
}

async function setTheme(wb: Workbench, theme: string): Promise<void> {
  await wb.runCommand('Preferences: Color Theme');
  const input = wb.quickInput().locator('input');
  await input.fill(theme);
  const row = wb.page.locator('.quick-input-list .monaco-list-row', { has: wb.page.locator('.label-name', { hasText: new RegExp(`^${theme}$`) }) }).first();
  await row.waitFor({ state: 'visible' });
  await row.click();
  await wb.quickInput().waitFor({ state: 'hidden' });
}

describe('Flow History: the Run Grid (e2e)', function () {
  this.timeout(300_000);
  const workbench = useWorkbench({ viewport: { width: 1400, height: 900 } });
  let store: string;
  let newestFirst: string[];
  /** What each run file says: node → status, or unreadable. */
  const expected = new Map<string, Map<string, string> | 'unreadable'>();

  before(async function () {
    this.timeout(120_000);
    ({ store, newestFirst } = seedStore(workbench().workspaceRoot));
    for (const id of newestFirst) {
      try {
        const run = parseFlowResult(fs.readFileSync(path.join(store, `${id}.json`), 'utf8'));
        const statuses = new Map<string, string>();
        for (const node of run.completedNodes) statuses.set(node, 'executed');
        for (const node of run.skippedNodes) statuses.set(node, 'skipped');
        expected.set(id, statuses);
      } catch {
        expected.set(id, 'unreadable');
      }
    }
    assert.strictEqual(expected.get(BROKEN), 'unreadable');
    const wb = workbench();
    await wb.openView('Flow History');
    await wb.waitForTreeRow(EXAMPLE.slice(0, 8), 60_000);
    await wb.runCommand('Flow History: Show Run Grid');
  });

  it('shows one column per run, newest first, and cells that say what the files say', async () => {
    const web = workbench().webview();
    const grid = web.locator('[data-testid="run-grid"]');
    await grid.waitFor({ timeout: 60_000 });
    await waitUntil('every run has a column header', async () => (await web.locator('[role="columnheader"][data-run]').count()) === newestFirst.length);
    assert.strictEqual(await grid.getAttribute('aria-colcount'), String(newestFirst.length + 1));
    const headers = await web.locator('[role="columnheader"][data-run]').evaluateAll((e) => e.map((h) => h.getAttribute('data-run')));
    assert.deepStrictEqual(headers, newestFirst);
    const shown = await cells(web);
    assert.ok(shown.length > 20, `${shown.length} cells`);
    assert.ok(shown.length <= MAX_WINDOW_CELLS);
    for (const cell of shown) {
      const file = expected.get(cell.run);
      const want = file === 'unreadable' ? 'unreadable' : (file?.get(cell.node) ?? 'absent');
      assert.strictEqual(cell.status, want, `${cell.node} in ${cell.run}`);
    }
    // Every status the files hold is on screen, each with its accessible name.
    const statuses = new Set(shown.map((c) => c.status));
    for (const status of ['executed', 'skipped', 'absent', 'unreadable']) assert.ok(statuses.has(status), `a ${status} cell is shown`);
    const notify = shown.find((c) => c.run === EXAMPLE && c.node === 'notify');
    assert.match(notify?.label ?? '', /^notify in run 67e55044, \d+ min ago: skipped$/);
    // The time strip: one bar per hour with runs, labelled with its counts.
    const bars = await web.locator('[data-testid="grid-strip"] button.bar').evaluateAll((e) => e.map((b) => b.getAttribute('aria-label') ?? ''));
    const total = bars.reduce((sum, label) => sum + Number(/: (\d+) runs?/.exec(label)?.[1] ?? 0), 0);
    assert.strictEqual(total, newestFirst.length, JSON.stringify(bars));
  });

  it('moves with the arrow keys and opens the output of the focused cell with Enter', async () => {
    const wb = workbench();
    const web = wb.webview();
    await web.locator('[role="gridcell"][tabindex="0"]').focus();
    await web.locator('*:focus').press('Control+Home');
    await waitUntil('the corner has the focus', async () => (await focused(web)).row === '-1' && (await focused(web)).column === '-1');
    await web.locator('*:focus').press('ArrowDown');
    await web.locator('*:focus').press('ArrowRight');
    const first = await focused(web);
    assert.deepStrictEqual([first.row, first.column, first.role, first.run], ['0', '0', 'gridcell', newestFirst[0]]);
    // Rows in first-seen order: the newest run's first node is the first row.
    const newest = parseFlowResult(fs.readFileSync(path.join(store, `${newestFirst[0]}.json`), 'utf8'));
    assert.strictEqual(first.node, newest.completedNodes[0] ?? newest.skippedNodes[0]);
    await web.locator('*:focus').press('ArrowRight');
    await web.locator('*:focus').press('ArrowDown');
    const moved = await focused(web);
    assert.deepStrictEqual([moved.row, moved.column, moved.run], ['1', '1', newestFirst[1]]);
    await web.locator('*:focus').press('ArrowUp');
    assert.strictEqual((await focused(web)).row, '0');

    // To EXAMPLE's fetch cell, then Enter: its output opens as a JSON document.
    const column = newestFirst.indexOf(EXAMPLE);
    await web.locator('*:focus').press('Home');
    for (let i = 0; i <= column; i++) await web.locator('*:focus').press('ArrowRight');
    for (let i = 0; i < 30 && (await focused(web)).node !== 'fetch'; i++) await web.locator('*:focus').press('ArrowDown');
    const target = await focused(web);
    assert.deepStrictEqual([target.run, target.node], [EXAMPLE, 'fetch']);
    assert.match((await web.locator('[data-testid="grid-status"]').innerText()), /^fetch in run 67e55044/);
    await web.locator('*:focus').press('Enter');
    const editor = wb.page.locator('.part.editor .editor-group-container.active .editor-instance .monaco-editor .view-lines').first();
    let seen = '';
    await waitUntil('the output document shows', async () => {
      seen = `tabs ${JSON.stringify((await wb.editorTabs()).map((t) => t.replace(/\s+/g, "")))}, editor ${await editor.innerText({ timeout: 1000 }).catch((e: Error) => e.message.slice(0, 200))}`;
      return /67e55044-node\.json/.test(seen) && /"status"/.test(seen);
    }).catch((error: Error) => {
      throw new Error(`${error.message}; saw ${seen}`);
    });
    const text = (await editor.innerText()).replace(/\s+/g, '');
    assert.match(text, /"status":200/);
    assert.match(text, /"items":\[1,2\]/);
    // Back to the grid for the pictures.
    await wb.page.locator('.tabs-container .tab', { hasText: 'Run Grid' }).click();
    await web.locator('[data-testid="run-grid"]').waitFor();
  });

  it('filters nodes, keeps only those that differ, and jumps to a bucket of the time strip', async () => {
    const web = workbench().webview();
    await web.locator('[role="columnheader"][data-run]').first().waitFor();
    const rowNames = () => web.locator('[role="rowheader"]').evaluateAll((e) => e.map((r) => r.textContent ?? ''));
    const all = await rowNames();
    // Expected from the files: a node differs when its status is not the same in every readable run.
    const readable = [...expected.values()].filter((v): v is Map<string, string> => v !== 'unreadable');
    const differing = all.filter((node) => new Set(readable.map((m) => m.get(node) ?? 'absent')).size > 1);
    // (In these runs every node differs: BIG and EXAMPLE have other nodes. The unit tests
    // hold a node that does not; here the page must agree with the files.)
    assert.ok(differing.length > 0, JSON.stringify({ all, differing }));
    await web.locator('[data-testid="grid-differing"]').check();
    await waitUntil('only differing rows', async () => JSON.stringify(await rowNames()) === JSON.stringify(differing));
    await web.locator('[data-testid="grid-differing"]').uncheck();
    await web.locator('[data-testid="grid-filter"]').fill('FET');
    await waitUntil('the filtered row', async () => JSON.stringify(await rowNames()) === JSON.stringify(['fetch']));
    await web.locator('[data-testid="grid-filter"]').fill('');
    await waitUntil('every row back', async () => (await rowNames()).length === all.length);

    // The oldest bar: its click focuses the newest run of that hour.
    const hourOf = (id: string) => Math.floor(fs.statSync(path.join(store, `${id}.json`)).mtimeMs / 3_600_000);
    const oldestHour = hourOf(newestFirst[newestFirst.length - 1]);
    const column = newestFirst.findIndex((id) => hourOf(id) === oldestHour);
    await web.locator('[data-testid="grid-strip"] button.bar').first().click();
    await waitUntil('the bucket\'s first run has the focus', async () => (await focused(web)).column === String(column));

    // A click on a cell opens that node's output too.
    const wb = workbench();
    await web.locator(`[role="gridcell"][data-run="${BIG}"][data-node="load"]`).click();
    const editor = wb.page.locator('.part.editor .editor-group-container.active .editor-instance .monaco-editor .view-lines').first();
    await waitUntil('the clicked output shows', async () => (await wb.editorTabs()).some((t) => t.replace(/\s+/g, '') === '0f8fad5b-node.json') && /checksum/.test(await editor.innerText({ timeout: 1000 }).catch(() => '')));
    assert.match((await editor.innerText()).replace(/\s+/g, ''), /"checksum":18446744073709551615/);
    await wb.page.locator('.tabs-container .tab', { hasText: 'Run Grid' }).click();
    await web.locator('[data-testid="run-grid"]').waitFor();
  });

  it('keeps the DOM bounded and looks right in light, dark and high-contrast themes', async () => {
    const wb = workbench();
    const web = wb.webview();
    const count = await web.locator('[role="gridcell"]').count();
    assert.ok(count > 0 && count <= MAX_WINDOW_CELLS, `${count} cells`);
    const editor = await wb.page.locator('.part.editor').boundingBox();
    const docs = path.join(e2eArtifactsDir, 'docs');
    fs.mkdirSync(docs, { recursive: true });
    for (const [theme, name] of [
      ['Light Modern', 'grid-light'],
      ['Dark High Contrast', 'grid-high-contrast'],
      // Last: the pictures of the tests after this one are in the default dark theme.
      ['Dark Modern', 'grid-dark'],
    ] as const) {
      await setTheme(wb, theme);
      // The page restyles from the theme's variables: wait for its background to change.
      await waitUntil(`the grid restyles for ${theme}`, async () => (await web.locator('body').getAttribute('class'))?.includes(theme.includes('High') ? 'vscode-high-contrast' : theme.includes('Light') ? 'vscode-light' : 'vscode-dark') ?? false);
      await parkMouse(wb.page);
      await wb.screenshot(name);
      if (editor) await wb.page.screenshot({ path: path.join(docs, `${name}.png`), clip: editor });
    }
  });

  it('opens a node\'s history from its grid row (Enter): entries as the files say, Open Output by keyboard', async () => {
    const wb = workbench();
    const grid = wb.webview();
    await grid.locator('[role="rowheader"]', { hasText: /^fetch$/ }).focus();
    await grid.locator('*:focus').press('Enter');
    // The history's own webview is now the newest one.
    const web = wb.webview();
    const entries = web.locator('[data-testid="history-entry"]');
    await waitUntil('the history lists every run', async () => (await entries.count()) === newestFirst.length, 60_000);
    const shown = await entries.evaluateAll((e) => e.map((li) => ({ run: li.getAttribute('data-run') ?? '', status: li.getAttribute('data-status') ?? '', label: li.getAttribute('aria-label') ?? '', change: li.querySelector('[data-testid="history-change"]')?.textContent ?? '' })));
    assert.deepStrictEqual(
      shown.map((e) => e.run),
      newestFirst,
    );
    // fetch in each file: its status, or not in the run, or the run unreadable.
    const want = newestFirst.map((id) => {
      const file = expected.get(id);
      if (file === 'unreadable') return 'unreadable';
      const run = parseFlowResult(fs.readFileSync(path.join(store, `${id}.json`), 'utf8'));
      return file?.get('fetch') ?? (Object.prototype.hasOwnProperty.call(run.outputs, 'fetch') ? 'output-only' : 'absent');
    });
    assert.deepStrictEqual(
      shown.map((e) => e.status),
      want,
    );
    // Each status change since the next older readable run is said in words.
    shown.forEach((entry, i) => {
      const older = want.slice(i + 1).find((s) => s !== 'unreadable');
      if (entry.status !== 'unreadable' && older !== undefined && older !== entry.status) assert.ok(entry.change.includes(`tatus ${older} → ${entry.status}`), `${entry.run}: ${entry.change}`);
    });
    assert.match(shown[0].label, /^fetch in run [0-9a-f]{8}, \d+ min ago: /);
    // The README's picture: the editor area.
    await screenshots(wb, 'node-history', (await wb.page.locator('.part.editor').boundingBox()) ?? undefined);
    // Keyboard to EXAMPLE's Open Output: its output opens as a document.
    await web.locator(`[data-run="${EXAMPLE}"] [data-action="openOutput"]`).focus();
    await web.locator('*:focus').press('Enter');
    const editor = wb.page.locator('.part.editor .editor-group-container.active .editor-instance .monaco-editor .view-lines').first();
    await waitUntil('the output opens', async () => (await wb.page.locator('.tabs-container .tab.active').innerText()).replace(/\s+/g, '') === '67e55044-node.json' && /"status"/.test(await editor.innerText({ timeout: 1000 }).catch(() => '')));
    assert.match((await editor.innerText()).replace(/\s+/g, ''), /"items":\[1,2\]/);
    // Open Run opens the run's panel; there, Tab from the node's header reaches its history button.
    const activeTab = async () => (await wb.page.locator('.tabs-container .tab.active').innerText()).trim();
    await wb.page.locator('.tabs-container .tab', { hasText: 'History: fetch' }).click();
    await wb.webview().locator(`[data-run="${EXAMPLE}"] [data-action="openRun"]`).click();
    await waitUntil('the run panel is in front', async () => /67e55044/.test(await activeTab()));
    const toggle = wb.webview().locator('[data-testid="node-section"][data-node-id="fetch"] .section-toggle');
    await toggle.waitFor({ timeout: 30_000 });
    await toggle.focus();
    await wb.webview().locator('*:focus').press('Tab');
    assert.strictEqual(await wb.webview().locator('*:focus').getAttribute('data-testid'), 'node-history');
    await wb.webview().locator('*:focus').press('Enter');
    await waitUntil('the same history is in front again', async () => (await activeTab()) === 'History: fetch');
  });

  it('plots a number from the panel across runs (by keyboard): the table matches the files; a point (by mouse, its tooltip exact) and a row (by keyboard) open their runs', async () => {
    const wb = workbench();
    // What each file has at $.outputs["fetch"].etag (a u64 in the samples), read with the run reader.
    const etag = (id: string): string => {
      let outputs;
      try {
        outputs = parseFlowResult(fs.readFileSync(path.join(store, `${id}.json`), 'utf8')).outputs;
      } catch {
        return 'unreadable';
      }
      const fetch: JsonValue | undefined = outputs.fetch;
      const value = isJsonObject(fetch) ? fetch.etag : undefined;
      return value === undefined ? 'no value at this path' : String(value);
    };
    const oldestFirst = [...newestFirst].reverse().filter((id) => fs.existsSync(path.join(store, `${id}.json`)));
    const withEtag = oldestFirst.filter((id) => /^\d+$/.test(etag(id)));
    assert.ok(withEtag.length >= 2, `${withEtag.length} runs with an etag`);
    const source = withEtag[withEtag.length - 1];
    await wb.openView('Flow History');
    await (await wb.waitForTreeRow(source.slice(0, 8))).locator('.label-name').click();
    const row = wb.webview().locator('[data-testid="node-section"][data-node-id="fetch"] [data-testid="json-row"]', { hasText: /^etag: \d+/ });
    await row.waitFor({ timeout: 30_000 });
    // Keyboard: the row, then Tab through its actions (copy value, copy path) to Plot across runs.
    await row.focus();
    for (let i = 0; i < 3; i++) await wb.webview().locator('*:focus').press('Tab');
    assert.strictEqual(await wb.webview().locator('*:focus').getAttribute('data-testid'), 'json-plot');
    await wb.webview().locator('*:focus').press('Enter');
    const activeTab = async () => (await wb.page.locator('.tabs-container .tab.active').innerText()).trim();
    await waitUntil('the plot is in front', async () => (await activeTab()).startsWith('Plot: $.outputs["fetch"].etag'));
    const plot = wb.webview();
    await waitUntil('every run is in the table', async () => (await plot.locator('[data-testid="plot-row"]').count()) === oldestFirst.length);
    const table = await plot.locator('[data-testid="plot-row"]').evaluateAll((rows) =>
      rows.map((r) => ({ run: r.getAttribute('data-run') ?? '', value: (r.querySelector('[data-testid="plot-value"]')?.firstChild?.textContent ?? '').replace(/^run unreadable:.*/, 'unreadable') })),
    );
    assert.deepStrictEqual(
      table,
      oldestFirst.map((id) => ({ run: id, value: etag(id) })),
    );
    // Beyond 2^53: exact in the table, noted, plotted approximately; the chart drew a canvas.
    assert.strictEqual(await plot.locator('[data-testid="plot-note"]').innerText(), `${withEtag.length} values exceed 2^53: shown exactly in the table, plotted approximately.`);
    assert.strictEqual(await plot.locator('[data-testid="plot-chart"] canvas').count(), 1);
    assert.match(await plot.locator('table caption').innerText(), new RegExp(`${withEtag.length} values over ${oldestFirst.length} runs`));
    // The README's picture: the editor area.
    await screenshots(wb, 'plot', (await wb.page.locator('.part.editor').boundingBox()) ?? undefined);
    // A point, by mouse: sweep across the chart until the tooltip names a run (the cursor
    // snaps to the nearest point), check its value against the file, click: that run opens.
    const over = plot.locator('[data-testid="plot-chart"] .u-over');
    const box = await over.boundingBox();
    assert.ok(box, 'the chart has a plotting area');
    const tooltip = plot.locator('[data-testid="plot-tooltip"]');
    const pointed = withEtag[withEtag.length - 1];
    let hovered = '';
    for (let x = box.x + box.width - 2; x > box.x && !hovered.includes(`run ${pointed.slice(0, 8)}`); x -= 4) {
      await wb.page.mouse.move(x, box.y + box.height / 2);
      hovered = (await tooltip.isVisible()) ? await tooltip.innerText() : '';
    }
    assert.ok(hovered.includes(`run ${pointed.slice(0, 8)}`), `the tooltip names run ${pointed.slice(0, 8)}: ${JSON.stringify(hovered)}`);
    assert.ok(hovered.startsWith(etag(pointed)), `the tooltip shows the exact value ${etag(pointed)}: ${JSON.stringify(hovered)}`);
    await wb.page.mouse.down();
    await wb.page.mouse.up();
    await waitUntil('the pointed run opens', async () => (await activeTab()).includes(pointed.slice(0, 8)));
    // Back to the plot (its page is drawn again, from the host).
    await wb.page.locator('.tabs-container .tab', { hasText: 'Plot: $.outputs["fetch"].etag' }).click();
    await waitUntil('the plot is back with every run', async () => (await activeTab()).startsWith('Plot: ') && (await plot.locator('[data-testid="plot-row"]').count()) === oldestFirst.length);
    // A table row's button, by keyboard, opens that run.
    const target = withEtag[0];
    await plot.locator(`[data-run="${target}"] [data-testid="plot-open-run"]`).focus();
    await plot.locator('*:focus').press('Enter');
    await waitUntil('the run opens', async () => (await activeTab()).includes(target.slice(0, 8)));
  });
});

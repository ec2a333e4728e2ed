// Issue 5 end to end, through the UI of the packaged extension: compare two selected runs
// in the diff editor, open a node's output as a JSON document (inline action and context
// menu), search the history from the palette (the view narrows and says so), and Go to
// Run by an id prefix. Leaves compare.png, node-output.png and search.png in
// test-artifacts/e2e/ (and copies for the README in test-artifacts/e2e/docs/).
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { parseFlowResult } from '../../src/core/flowResult';
import { stringifyJson } from '../../src/core/json';
import { screenshots, sideBarClip, widenSideBar } from './screens';
import { BIG, seedStore } from './seedStore';
import { useWorkbench, Workbench } from './support';

const SEARCH = 'globex';


async function runLabels(wb: Workbench): Promise<string[]> {
  return wb.treeRowLocator().evaluateAll((rows) =>
    rows.filter((row) => row.getAttribute('aria-level') === '1').map((row) => (row.querySelector('.label-name')?.textContent ?? '').trim()),
  );
}

async function selectedRows(wb: Workbench): Promise<string[]> {
  return wb.page.locator('.part.sidebar [role="treeitem"][aria-selected="true"]').evaluateAll((rows) => rows.map((r) => r.getAttribute('aria-label') ?? ''));
}

async function waitUntil(what: string, check: () => Promise<boolean> | boolean, timeout = 30_000): Promise<void> {
  const deadline = Date.now() + timeout;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeout} ms waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Text of the active code editor (Monaco renders spaces as no-break spaces). */
async function activeEditorText(wb: Workbench): Promise<string> {
  const lines = wb.page.locator('.part.editor .editor-group-container.active .editor-instance .monaco-editor .view-lines').first();
  await lines.waitFor();
  return (await lines.innerText()).replace(/\u00a0/g, ' ');
}

/** Tab titles with whitespace collapsed (a tab title's name and extension are separate spans). */
async function tabTitles(wb: Workbench): Promise<string[]> {
  return (await wb.editorTabs()).map((t) => t.replace(/\s+/g, ''));
}

describe('Flow History: compare, node output, search, go to run (e2e)', function () {
  this.timeout(180_000);
  const workbench = useWorkbench({ viewport: { width: 1400, height: 900 } });
  let store: string;
  let samples: string[];
  let newestFirst: string[];

  before(async function () {
    this.timeout(60_000);
    ({ store, samples, newestFirst } = seedStore(workbench().workspaceRoot));
    const wb = workbench();
    await wb.openView('Flow History');
    await widenSideBar(wb.page, 420);
    await waitUntil('every run is listed', async () => (await runLabels(wb)).length === newestFirst.length);
  });

  const read = (id: string) => parseFlowResult(fs.readFileSync(path.join(store, `${id}.json`), 'utf8'));

  it('compares two runs selected with click + Ctrl-click in the diff editor, older on the left', async () => {
    const wb = workbench();
    const [newer, older] = [samples[1], samples[2]];
    await (await wb.waitForTreeRow(newer.slice(0, 8))).locator('.label-name').click();
    await (await wb.waitForTreeRow(older.slice(0, 8))).locator('.label-name').click({ modifiers: ['Control'] });
    await waitUntil('two rows are selected', async () => (await selectedRows(wb)).length === 2);
    const selected = await selectedRows(wb);
    assert.ok(selected.some((s) => s.startsWith(`Run ${newer}`)) && selected.some((s) => s.startsWith(`Run ${older}`)), JSON.stringify(selected));

    await wb.clickContextMenuItem(older.slice(0, 8), 'Compare Runs');
    const title = `Run${older.slice(0, 8)}↔${newer.slice(0, 8)}`;
    await waitUntil('the diff editor opens', async () => (await tabTitles(wb)).includes(title));
    const diff = wb.page.locator('.part.editor .monaco-diff-editor');
    await diff.waitFor();
    const side = async (which: 'original' | 'modified') => (await diff.locator(`.editor.${which} .view-lines`).innerText()).replace(/\u00a0/g, ' ');
    await waitUntil('both sides are rendered', async () => (await side('original')).includes('"execution_id"') && (await side('modified')).includes('"execution_id"'));
    assert.ok((await side('original')).includes(`"execution_id": "${older}"`), 'the older run on the left');
    assert.ok((await side('modified')).includes(`"execution_id": "${newer}"`), 'the newer run on the right');
    // The diff shows changes (the runs differ) in its overview of inserted/removed lines.
    assert.ok((await diff.locator('.line-insert, .char-insert, .line-delete, .char-delete').count()) > 0, 'changes are highlighted');
    await screenshots(wb, 'compare');
  });

  it('opens a node output as a JSON document from the inline action and the context menu', async () => {
    const wb = workbench();
    const big = await wb.waitForTreeRow(BIG.slice(0, 8));
    await big.locator('.monaco-tl-twistie').click();
    const load = await wb.waitForTreeRow(/^load/);
    await load.hover();
    await load.locator('.action-label[aria-label="Open Output as Document"]').click();
    await waitUntil('the output document opens', async () => (await tabTitles(wb)).includes(`${BIG.slice(0, 8)}-node.json`));
    await waitUntil('the output shows', async () => (await activeEditorText(wb)).includes('checksum'));
    assert.strictEqual(await activeEditorText(wb), '{\n  "rows": 3,\n  "checksum": 18446744073709551615\n}');
    assert.ok(await wb.page.locator('.part.statusbar', { hasText: 'JSON' }).first().isVisible(), 'the document is JSON');
    await big.locator('.monaco-tl-twistie').click();

    // A sample run's `fetch` node, from the row's context menu: nested items and exact numbers.
    // (A sample whose texts are Latin or Cyrillic: test machines lack CJK and Arabic fonts,
    // and the picture would show boxes.)
    const summaryText = (id: string) => JSON.stringify(read(id).outputs.summarize ?? '');
    const sample = samples.find((id) => /^[\u0020-\u024f\u0400-\u04ff]*$/.test(summaryText(id))) ?? samples[0];
    const sampleRow = await wb.waitForTreeRow(sample.slice(0, 8));
    await sampleRow.locator('.monaco-tl-twistie').click();
    await wb.clickContextMenuItem(/^fetch/, 'Open Output as Document');
    const expected = stringifyJson(read(sample).outputs.fetch, 2);
    await waitUntil('the fetch output shows', async () => (await tabTitles(wb)).includes(`${sample.slice(0, 8)}-node.json`) && (await activeEditorText(wb)).includes('"url"'));
    assert.strictEqual(await activeEditorText(wb), expected);
    // Focus the editor, not the tree, for the picture.
    await wb.page.locator('.part.editor .editor-group-container.active .monaco-editor .view-lines').first().click({ position: { x: 600, y: 5 } });
    await screenshots(wb, 'node-output');
    await sampleRow.locator('.monaco-tl-twistie').click();
  });

  it('searches the history from the palette: the view narrows and shows the filter; Clear Search restores it', async () => {
    const wb = workbench();
    // What the search must find: runs whose id or stored text contains the query.
    const expected = newestFirst.filter((id) => id.includes(SEARCH) || fs.readFileSync(path.join(store, `${id}.json`), 'utf8').toLowerCase().includes(SEARCH));
    assert.ok(expected.length >= 2 && expected.length < newestFirst.length, `a query that narrows: ${expected.length} of ${newestFirst.length}`);

    await wb.runCommand('Flow History: Search History…');
    const quickInput = wb.quickInput();
    await quickInput.locator('.quick-input-title', { hasText: 'Search Flow History' }).waitFor();
    await quickInput.locator('input').fill(SEARCH);
    await quickInput.locator('input').press('Enter');
    const shortIds = expected.map((id) => id.slice(0, 8));
    await waitUntil('the view narrows', async () => JSON.stringify(await runLabels(wb)) === JSON.stringify(shortIds), 30_000).catch(async (error: Error) => {
      throw new Error(`${error.message}; rows ${JSON.stringify(await runLabels(wb))}, expected ${JSON.stringify(shortIds)}`);
    });
    // The view's description (in its header, hidden while it is its container's only view)
    // and the message at the top of the tree, which is always visible.
    assert.strictEqual((await wb.page.locator('.part.sidebar .pane-header .description').first().textContent())?.trim(), `filter: ${SEARCH}`);
    const message = wb.page.locator('.part.sidebar .tree-explorer-viewlet-tree-view > .message');
    await message.waitFor();
    assert.strictEqual((await message.innerText()).trim(), `Showing only runs matching "${SEARCH}". Clear Search shows all runs.`);
    await wb.page.locator('.part.statusbar', { hasText: `Flow History: ${expected.length} runs match "${SEARCH}"` }).first().waitFor();
    // The view's title bar offers Clear Search now.
    assert.ok(await wb.page.locator('.part.sidebar .title-actions .action-label[aria-label="Clear Search"]').isVisible(), 'Clear Search button');
    // Focus the editor so the picture has no keyboard focus ring in the tree.
    await wb.page.locator('.part.editor').click({ position: { x: 600, y: 400 } });
    await screenshots(wb, 'search', await sideBarClip(wb));

    await wb.runCommand('Flow History: Clear Search');
    await waitUntil('every run is back', async () => (await runLabels(wb)).length === newestFirst.length);
    await message.waitFor({ state: 'hidden' });
    assert.strictEqual((await wb.page.locator('.part.sidebar .pane-header .description').first().textContent())?.trim() ?? '', '');
  });

  it('goes to a run typed by its id prefix: its panel opens and its row is selected', async () => {
    const wb = workbench();
    const target = samples[5];
    await wb.runCommand('Flow History: Go to Run…');
    const quickInput = wb.quickInput();
    await quickInput.locator('.quick-input-title', { hasText: 'Go to Run' }).waitFor();
    await quickInput.locator('input').fill(target.slice(0, 6));
    const picks = wb.page.locator('.quick-input-list .monaco-list-row');
    await waitUntil('the pick narrows to the run', async () => (await picks.count()) === 1);
    assert.match(await picks.first().innerText(), new RegExp(`^${target}`));
    // One folder store: the picks do not repeat the store's name.
    assert.doesNotMatch(await picks.first().innerText(), /· workspace$/);
    await quickInput.locator('input').press('Enter');
    await wb.webview().locator('[data-testid="run-id"]', { hasText: target }).waitFor();
    await waitUntil('its tab shows', async () => (await tabTitles(wb)).includes(`Run${target.slice(0, 8)}`));
    await waitUntil('its row is selected', async () => (await selectedRows(wb)).some((s) => s.startsWith(`Run ${target}`)));
    assert.strictEqual(await wb.webview().locator('[data-testid="filter-count"]').innerText(), `${read(target).completedNodes.length} nodes`);
  });
});

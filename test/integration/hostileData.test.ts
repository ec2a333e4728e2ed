/**
 * Script injection in VS Code, host side: runs full of hostile payloads (blns plus our own)
 * in every slot we render, shown in the tree as plain strings only (never a MarkdownString,
 * so no `command:` link can run), one line, no hidden characters, and the tree never throws;
 * the detail panel gets the data only by postMessage, under a strict CSP with a fresh
 * crypto nonce, and refuses every message that is not exactly one of its own about its run.
 * The page side (what the browser shows, canaries) is test/e2e/hostileData.e2e.ts.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { newExecutionId } from '../../src/core/executionId';
import { parseFlowResult } from '../../src/core/flowResult';
import { oneLine } from '../../src/core/format';
import { createNonce } from '../../src/panel/webviewShell';
import { allPayloads, chunks, DANGEROUS, payloadRunText } from '../support/hostilePayloads';
import { extensionExports, storeDir, stub, waitFor, workspaceFolder, writeRunAtomically } from './support';
import { decodeNodes } from '../../src/shared/protocol';

type Internals = Awaited<ReturnType<typeof extensionExports>>['internals'];

const EXAMPLE = '67e55044-10b1-426f-9247-bb680e5fe0c8';
const BIG = '0f8fad5b-d9cb-469f-a165-70867728950e';
const PAYLOADS_PER_RUN = 45;
const OUR_COMMANDS = new Set(['a3sFlow.history.openRun', 'a3sFlow.history.openRawJson']);

/** Files whose reason quotes the payload: a wrong-typed `outputs`, and a bad `execution_id`. */
function unreadableTexts(id: string, payload: string): string[] {
  return [
    JSON.stringify({ execution_id: id, outputs: payload, completed_nodes: [], skipped_nodes: [] }),
    JSON.stringify({ execution_id: payload, outputs: {}, completed_nodes: [], skipped_nodes: [] }),
  ];
}

describe('hostile data in the tree and the panel host', function () {
  this.timeout(120_000);
  let internals: Internals;
  const key = () => workspaceFolder().uri.toString();
  const payloads = allPayloads('http://127.0.0.1:9');
  const runs: { id: string; chunk: string[] }[] = chunks(payloads, PAYLOADS_PER_RUN).map((chunk) => ({ id: newExecutionId(), chunk }));
  const unreadable: { id: string; payload: string }[] = [];
  const written: string[] = [];

  before(async () => {
    internals = (await extensionExports()).internals;
    for (const run of runs) written.push(writeRunAtomically(storeDir(), run.id, payloadRunText(run.id, run.chunk)));
    for (const payload of payloads) {
      for (const variant of [0, 1]) {
        const id = newExecutionId();
        unreadable.push({ id, payload });
        written.push(writeRunAtomically(storeDir(), id, unreadableTexts(id, payload)[variant]));
      }
    }
    internals.tree.refreshAll();
    await waitFor('payload runs listed', async () => {
      await internals.tree.getChildren(undefined);
      return runs.every((r) => internals.tree.entry({ storeKey: key(), id: r.id })) && unreadable.every((u) => internals.tree.entry({ storeKey: key(), id: u.id }));
    }, 20_000);
  });

  after(() => {
    for (const file of written) fs.rmSync(file, { force: true });
    internals.panels.dispose();
    internals.tree.refreshAll();
  });

  /** Every check a tree item must pass whatever data it shows. */
  function assertSafeItem(item: vscode.TreeItem, what: string): void {
    assert.strictEqual(typeof item.label, 'string', `${what}: label is a plain string`);
    assert.ok(item.description === undefined || typeof item.description === 'string', `${what}: description is a plain string`);
    assert.ok(item.tooltip === undefined || typeof item.tooltip === 'string', `${what}: tooltip is a plain string, never a MarkdownString`);
    assert.ok(!((item.tooltip as unknown) instanceof vscode.MarkdownString), `${what}: not Markdown`);
    assert.doesNotMatch(String(item.label), DANGEROUS, `${what}: label`);
    assert.doesNotMatch(String(item.description ?? ''), DANGEROUS, `${what}: description`);
    for (const line of String(item.tooltip ?? '').split('\n')) assert.doesNotMatch(line, DANGEROUS, `${what}: tooltip line`);
    assert.doesNotMatch(item.accessibilityInformation?.label ?? '', DANGEROUS, `${what}: accessible name`);
    if (item.command) {
      assert.ok(OUR_COMMANDS.has(item.command.command), `${what}: runs only our own commands (${item.command.command})`);
      const ref = item.command.arguments?.[0] as { storeKey?: unknown; id?: unknown };
      assert.strictEqual(ref.storeKey, key(), `${what}: the command acts on this store`);
      assert.match(String(ref.id), /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, `${what}: and on a run id`);
    }
    assert.strictEqual(item.resourceUri, undefined, `${what}: no resource URI made from data`);
  }

  it('shows every payload as a node id, output preview and context preview: plain, one line, nothing hidden', async () => {
    let items = 0;
    let exact = 0;
    for (const run of runs) {
      const node = internals.tree.runNode({ storeKey: key(), id: run.id });
      const runItem = await internals.tree.getTreeItem(node);
      assertSafeItem(runItem, `run ${run.id}`);
      assert.strictEqual(runItem.contextValue, 'run readable files trash writable live persistent', `run ${run.id} is readable`);
      const children = await internals.tree.getChildren(node);
      assert.strictEqual(children.length, run.chunk.length + 1, 'every node and the context');
      for (const child of children) {
        const item = await internals.tree.getTreeItem(child);
        items++;
        const what = child.kind === 'node' ? `node ${JSON.stringify(child.nodeId)}` : 'context';
        assertSafeItem(item, what);
        if (child.kind === 'node') {
          assert.ok(run.chunk.includes(child.nodeId), 'node ids reach the tree unchanged');
          assert.strictEqual(item.label, oneLine(child.nodeId, 80), what);
          if (item.label === child.nodeId) exact++;
          // The row's preview is the output in one line: the payload key and value, escaped only where needed.
          assert.ok(String(item.description).startsWith('{1} {'), what);
        }
      }
    }
    console.log(`      ${runs.length} runs, ${items} node/context rows; ${exact} of ${payloads.length} node ids shown exactly as stored (the rest escape invisible characters or are cut at 80)`);
    assert.ok(exact > payloads.length * 0.8);
  });

  it('shows every payload quoted in an unreadable-file reason: plain, one line, nothing hidden', async () => {
    // Rows are asked for in batches, as VS Code does for a page of the tree.
    const items = new Map<string, vscode.TreeItem>();
    for (let i = 0; i < unreadable.length; i += 100) {
      const batch = unreadable.slice(i, i + 100);
      const got = await Promise.all(batch.map(({ id }) => internals.tree.getTreeItem(internals.tree.runNode({ storeKey: key(), id }))));
      batch.forEach(({ id }, j) => items.set(id, got[j]));
    }
    for (const { id, payload } of unreadable) {
      const item = items.get(id)!;
      const what = `unreadable ${JSON.stringify(payload.slice(0, 30))}`;
      assertSafeItem(item, what);
      assert.strictEqual(item.contextValue, 'run unreadable files trash writable live persistent', what);
      const outcome = internals.tree.summaries.peek(key(), internals.tree.entry({ storeKey: key(), id })!);
      assert.strictEqual(outcome?.kind, 'unreadable');
      if (outcome?.kind !== 'unreadable') continue;
      assert.match(outcome.reason, /^(outputs: invalid type: string "|execution_id: ")/);
      assert.ok(String(item.description).endsWith(`unreadable: ${oneLine(outcome.reason, 80)}`), what);
      assert.ok(String(item.tooltip).includes(`Unreadable: ${oneLine(outcome.reason, 300)}`), what);
    }
    console.log(`      ${unreadable.length} unreadable files with a payload in their reason`);
  });

  it('sends a payload run to its panel only by postMessage, every value exact', async () => {
    const run = runs[0];
    const ref = { storeKey: key(), id: run.id };
    internals.panels.show(ref);
    const panel = await waitFor('panel', () => internals.panels.get(ref));
    await panel.whenLoaded();
    const message = await waitFor('run message', () => panel.posted.find((m) => m.type === 'run'));
    assert.ok(message.type === 'run');
    const stored = parseFlowResult(fs.readFileSync(path.join(storeDir(), `${run.id}.json`), 'utf8'));
    assert.deepStrictEqual(decodeNodes(message.run.nodes).map((n) => n.id).sort(), [...run.chunk].sort());
    for (const node of decodeNodes(message.run.nodes)) assert.deepStrictEqual(JSON.parse(String(node.output)), { [node.id]: node.id });
    assert.deepStrictEqual(Object.keys(JSON.parse(message.run.context) as object).sort(), Object.keys(stored.context).sort());
    const html = panel.panel.webview.html;
    for (const p of run.chunk.filter((p) => p.length > 3)) assert.ok(!html.includes(p), `no payload in the HTML: ${JSON.stringify(p)}`);
  });

  describe('panel HTML and webview options', () => {
    afterEach(() => internals.panels.dispose());

    it('CSP: default-src none, scripts only by nonce, styles and fonts only from the webview source', async () => {
      const ref = { storeKey: key(), id: EXAMPLE };
      internals.panels.show(ref);
      const panel = await waitFor('panel', () => internals.panels.get(ref));
      const html = panel.panel.webview.html;
      const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)?.[1];
      assert.ok(csp, 'a CSP meta tag');
      const directives = new Map(
        csp
          .split(';')
          .map((d) => d.trim())
          .filter(Boolean)
          .map((d) => [d.split(/\s+/)[0], d.split(/\s+/).slice(1)] as const),
      );
      const source = panel.panel.webview.cspSource;
      assert.deepStrictEqual(directives.get('default-src'), ["'none'"]);
      assert.deepStrictEqual([...directives.keys()].sort(), ['default-src', 'font-src', 'img-src', 'script-src', 'style-src']);
      assert.match(directives.get('script-src')!.join(' '), /^'nonce-[A-Za-z0-9_-]{22,}'$/);
      const sources = source.split(/\s+/).sort();
      for (const name of ['style-src', 'font-src', 'img-src']) assert.deepStrictEqual([...directives.get(name)!].sort(), sources, name);
      // Beyond VS Code's own webview source: no wildcard, scheme or unsafe keyword.
      const rest = [...directives.values()].flat().filter((token) => !sources.includes(token));
      for (const token of rest) assert.doesNotMatch(token, /unsafe-|\*|data:|blob:|http:|https:|'self'/, token);
      const nonce = /'nonce-([^']+)'/.exec(csp)![1];
      const scripts = [...html.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]);
      assert.deepStrictEqual(scripts, [scripts[0]]);
      assert.ok(scripts[0].includes(`nonce="${nonce}"`), 'the one script carries the nonce');
      assert.doesNotMatch(html, /\son[a-z]+=|style=|javascript:/i, 'no inline handlers or styles');
      const options = panel.panel.webview.options;
      assert.strictEqual(options.enableCommandUris, false);
      assert.strictEqual(options.enableForms, false);
      assert.deepStrictEqual(
        options.localResourceRoots?.map((u) => path.relative(vscode.extensions.getExtension('a3s.flow-history')!.extensionPath, u.fsPath)).sort(),
        ['dist', 'media'],
      );
    });

    it('the nonce is fresh for every page and draws at least 128 bits from crypto.randomBytes', async () => {
      // The module object itself (an `import * as` namespace would be a copy): the extension
      // bundle and createNonce both look randomBytes up on it at call time.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const crypto = require('crypto') as typeof import('crypto');
      const drawn: number[] = [];
      const original = crypto.randomBytes;
      const spy = stub(crypto, 'randomBytes', ((size: number) => {
        drawn.push(size);
        return original(size);
      }) as unknown as typeof crypto.randomBytes);
      const nonces = new Set<string>();
      try {
        for (let i = 0; i < 1000; i++) nonces.add(createNonce());
        const ref = { storeKey: key(), id: BIG };
        internals.panels.show(ref);
        await waitFor('panel', () => internals.panels.get(ref));
      } finally {
        spy.restore();
      }
      assert.ok(drawn.length >= 1001, 'createNonce and the extension bundle both draw from crypto.randomBytes');
      assert.ok(drawn.every((size) => size >= 16), `at least 16 bytes (128 bits) each: ${[...new Set(drawn)].join(', ')}`);
      assert.strictEqual(nonces.size, 1000, 'never repeated');
      for (const nonce of nonces) assert.match(nonce, /^[A-Za-z0-9_-]{22,}$/, 'at least 22 base64url characters (> 128 bits)');
      const minimum = Math.min(...[...nonces].map((n) => n.length));
      console.log(`      1000 nonces, all distinct, shortest ${minimum} characters, each from ${Math.min(...drawn)} random bytes (${Math.min(...drawn) * 8} bits)`);
    });
  });

  describe('messages from the webview', () => {
    afterEach(() => internals.panels.dispose());

    it('refuses unknown types, wrong shapes and ids that are not the run of the panel', async () => {
      const ref = { storeKey: key(), id: EXAMPLE };
      internals.panels.show(ref);
      const panel = await waitFor('panel', () => internals.panels.get(ref));
      await panel.whenLoaded();
      const receive = (data: unknown) => (panel as unknown as { onMessage(data: unknown): void }).onMessage(data);

      const sentinel = `sentinel-${Date.now()}`;
      await vscode.env.clipboard.writeText(sentinel);
      const editorBefore = vscode.window.activeTextEditor?.document.uri.toString();
      const before = fs.readdirSync(storeDir()).sort();
      const executed: string[] = [];
      const execute = vscode.commands.executeCommand;
      const commands = stub(vscode.commands, 'executeCommand', ((command: string, ...args: unknown[]) => {
        executed.push(command);
        return execute.call(vscode.commands, command, ...args);
      }) as typeof vscode.commands.executeCommand);
      const warn = stub(vscode.window, 'showWarningMessage', (async () => undefined) as typeof vscode.window.showWarningMessage);
      const save = stub(vscode.window, 'showSaveDialog', (async () => undefined) as typeof vscode.window.showSaveDialog);

      const otherIds = [BIG, EXAMPLE.toUpperCase(), `{${EXAMPLE}}`, EXAMPLE.replace(/-/g, ''), `urn:uuid:${EXAMPLE}`, '../../x', `${EXAMPLE}/../${BIG}`, '', 'memory'];
      const inherited = Object.create({ type: 'action', action: 'delete', id: EXAMPLE }) as object;
      const polluted = JSON.parse(`{"type":"action","action":"delete","id":"${EXAMPLE}","__proto__":{"x":1}}`) as unknown;
      const bad: unknown[] = [
        // Unknown types.
        { type: 'executeCommand', command: 'workbench.action.terminal.new' },
        { type: 'command', command: 'a3sFlow.history.deleteRuns', args: [ref] },
        { type: 'openExternal', url: 'https://example.invalid' },
        { type: 'delete', id: EXAMPLE },
        { type: 'READY' },
        { type: 'ready ' },
        { type: ['ready'] },
        { type: null },
        {},
        // Wrong shapes.
        null,
        undefined,
        'ready',
        42,
        true,
        [],
        [{ type: 'ready' }],
        { type: 'ready', extra: 1 },
        { type: 'action', action: 'delete' },
        { type: 'action', id: EXAMPLE },
        { type: 'action', action: 'delete', id: 42 },
        { type: 'action', action: 'delete', id: [EXAMPLE] },
        { type: 'action', action: 'delete', id: { toString: () => EXAMPLE } },
        { type: 'action', action: 'delete', id: EXAMPLE, extra: true },
        { type: 'action', action: 'delete ', id: EXAMPLE },
        { type: 'action', action: 'Delete', id: EXAMPLE },
        { type: 'action', action: 'rm', id: EXAMPLE },
        { type: 'action', action: 'constructor', id: EXAMPLE },
        { type: 'action', action: '__proto__', id: EXAMPLE },
        { type: 'action', action: 'toString', id: EXAMPLE },
        inherited,
        polluted,
        { type: 'copy', what: 'file', text: 'x' },
        { type: 'copy', what: 'value', text: 5 },
        { type: 'copy', what: 'value' },
        { type: 'copy', text: 'x' },
        { type: 'copy', what: 'value', text: 'x', id: EXAMPLE },
        { type: 'loadOutput' },
        { type: 'loadOutput', nodeId: 1 },
        { type: 'loadOutput', nodeId: 'fetch', id: EXAMPLE },
        { type: 'loadOutput', nodeId: 'fetch' },
        { type: 'loadOutput', requestId: -1, nodeId: 'fetch' },
        { type: 'loadOutput', requestId: '1', nodeId: 'fetch' },
        // Outputs the page may ask for are the big ones of its own run; these are not.
        { type: 'loadOutput', requestId: 1, nodeId: 'fetch' },
        { type: 'loadOutput', requestId: 1, nodeId: '../x' },
        { type: 'loadOutput', requestId: 1, nodeId: '__proto__' },
        { type: 'loadOutput', requestId: 1, nodeId: 'constructor' },
        { type: 'rendered', id: EXAMPLE, rows: -1 },
        { type: 'rendered', id: EXAMPLE, rows: 1.5 },
        { type: 'rendered', id: EXAMPLE },
        // Valid shapes, but not about the run this panel shows.
        ...(['export', 'delete', 'openRaw', 'copyId'] as const).flatMap((action) => otherIds.map((id) => ({ type: 'action', action, id }))),
      ];
      const postedBefore = panel.posted.length;
      try {
        for (const data of bad) receive(data);
        await new Promise((resolve) => setTimeout(resolve, 500));
        assert.deepStrictEqual(executed.filter((c) => c.startsWith('a3sFlow.')), [], 'no command ran');
        assert.strictEqual(warn.calls.length, 0, 'no delete confirmation');
        assert.strictEqual(save.calls.length, 0, 'no export dialog');
        assert.strictEqual(await vscode.env.clipboard.readText(), sentinel, 'nothing copied');
        assert.strictEqual(vscode.window.activeTextEditor?.document.uri.toString(), editorBefore, 'nothing opened');
        assert.deepStrictEqual(fs.readdirSync(storeDir()).sort(), before, 'no file touched');
        assert.strictEqual(panel.posted.length, postedBefore, 'nothing sent back to the page');
        // The instruments work: the panel's own message about its own run does act.
        receive({ type: 'action', action: 'copyId', id: EXAMPLE });
        await waitFor('copied', async () => (await vscode.env.clipboard.readText()) === EXAMPLE);
        // The button runs the command's function itself, not the command by its id.
        assert.deepStrictEqual(executed.filter((c) => c.startsWith('a3sFlow.')), []);
      } finally {
        commands.restore();
        warn.restore();
        save.restore();
      }
      console.log(`      ${bad.length} malformed or foreign messages refused`);
    });
  });
});


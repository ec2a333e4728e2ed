/**
 * The panel protocol's validators accept every shape the message types allow and refuse
 * malformed ones, both ways (page → host: exact shapes; host → page: what the page renders).
 */
import * as assert from 'assert';
import { decodeNodes, encodeNodes, HostMessage, NodeTable, NodeView, parseHostMessage, parsePanelState, parseWebviewMessage, RunView, WebviewMessage } from '../../src/shared/protocol';
import { check, object, optional, string } from '../../src/shared/validate';

const ID = '0f8fad5b-d9cb-469f-a165-70867728950e';

const node: NodeView = { id: 'fetch', status: 'executed', outputType: 'object', outputBytes: 11, output: '{"ok":true}' };
const deferredNode: NodeView = { id: 'big', status: 'output-only', outputType: 'array', outputBytes: 9_000_000, deferred: true };
const run: RunView = {
  id: ID,
  storeKey: 'file:///work/orders',
  storeLabel: 'orders',
  savedAt: 1_764_000_000_000,
  savedAtText: '2025-11-24 16:00:00 UTC',
  location: '/work/orders/.a3s/flow/executions/x.json',
  size: 1234,
  nodeCount: 2,
  executedCount: 1,
  skippedCount: 0,
  outputBytes: 9_000_011,
  nodes: encodeNodes([node, deferredNode]),
  context: '{}',
  extraFields: '{}',
};

/** Every member of WebviewMessage, and every optional field present and absent. */
const webviewMessages: WebviewMessage[] = [
  { type: 'ready' },
  { type: 'copy', what: 'value', text: '{"a":1}' },
  { type: 'copy', what: 'path', text: '$.a' },
  { type: 'copy', what: 'value', text: '' },
  ...(['export', 'delete', 'openRaw', 'copyId'] as const).map((action): WebviewMessage => ({ type: 'action', action, id: ID })),
  { type: 'loadOutput', requestId: 0, nodeId: 'big' },
  { type: 'loadOutput', requestId: 12, nodeId: '' },
  { type: 'rendered', id: ID, rows: 0 },
  { type: 'rendered', id: ID, rows: 4000 },
];

const hostMessages: HostMessage[] = [
  { type: 'run', run },
  { type: 'run', run, focusNode: '$context' },
  { type: 'run', run: { ...run, location: undefined, nodes: encodeNodes([]) } },
  { type: 'run', run: { ...run, nodes: encodeNodes([node]), pendingNodes: 1 } },
  { type: 'nodes', id: ID, nodes: encodeNodes([deferredNode]) },
  { type: 'unreadable', id: ID, reason: 'is 0 bytes' },
  { type: 'unreadable', id: ID, reason: 'is 0 bytes', location: '/x.json' },
  { type: 'deleted', id: ID },
  { type: 'loading', id: ID },
  { type: 'focusNode', nodeId: 'fetch' },
  { type: 'output', requestId: 3, nodeId: 'big', output: new TextEncoder().encode('[1,2,3]') },
];

/** The message without `key` (own fields only). */
function without<T extends object>(value: T, key: string): Record<string, unknown> {
  const copy = { ...value } as Record<string, unknown>;
  delete copy[key];
  return copy;
}

/** A JSON round trip: what postMessage delivers (undefined fields dropped). */
const wire = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

/** What VS Code's webview postMessage delivers: JSON, except that typed arrays pass as they are. */
function hostWire<T>(value: T): T {
  const views: ArrayBufferView[] = [];
  const text = JSON.stringify(value, (_key, v: unknown) => (ArrayBuffer.isView(v) ? { $view: views.push(v) - 1 } : v));
  return JSON.parse(text, (_key, v: unknown) => {
    if (typeof v !== 'object' || v === null || !('$view' in v)) return v;
    const view = views[(v as { $view: number }).$view] as Uint8Array;
    return new (view.constructor as Uint8ArrayConstructor)(view.slice().buffer);
  }) as T;
}

describe('panel protocol', () => {
  describe('page → host (parseWebviewMessage)', () => {
    it('accepts every message shape the type allows, unchanged', () => {
      for (const message of webviewMessages) assert.deepStrictEqual(parseWebviewMessage(wire(message)), message, JSON.stringify(message));
    });

    it('refuses a message missing any field', () => {
      for (const message of webviewMessages) {
        for (const key of Object.keys(message)) assert.strictEqual(parseWebviewMessage(without(message, key)), undefined, `${message.type} without ${key}`);
      }
    });

    it('refuses extra fields, wrong types, unknown types and inherited fields', () => {
      const bad: unknown[] = [
        { type: 'ready', extra: 1 },
        { type: 'copy', what: 'file', text: 'x' },
        { type: 'copy', what: 'value', text: 5 },
        { type: 'action', action: 'rm', id: ID },
        { type: 'action', action: 'constructor', id: ID },
        { type: 'action', action: '__proto__', id: ID },
        { type: 'action', action: 'delete', id: [ID] },
        { type: 'loadOutput', nodeId: 'big' },
        { type: 'loadOutput', requestId: -1, nodeId: 'big' },
        { type: 'loadOutput', requestId: 1.5, nodeId: 'big' },
        { type: 'loadOutput', requestId: '1', nodeId: 'big' },
        { type: 'loadOutput', requestId: 1, nodeId: 'x'.repeat(64 * 1024 + 1) },
        { type: 'rendered', id: ID, rows: -1 },
        { type: 'rendered', id: ID, rows: Number.NaN },
        { type: 'command', command: 'workbench.action.terminal.new' },
        { type: 'toString' },
        { type: '__proto__' },
        Object.create({ type: 'ready' }) as unknown,
        JSON.parse(`{"type":"action","action":"delete","id":"${ID}","__proto__":{"x":1}}`) as unknown,
        null,
        'ready',
        [{ type: 'ready' }],
      ];
      for (const data of bad) assert.strictEqual(parseWebviewMessage(data), undefined, JSON.stringify(data));
    });

    it('returns a fresh object, never the page\'s own', () => {
      const sent = { type: 'action', action: 'delete', id: ID };
      const parsed = parseWebviewMessage(sent);
      assert.deepStrictEqual(parsed, sent);
      assert.notStrictEqual(parsed, sent);
    });
  });

  describe('host → page (parseHostMessage)', () => {
    it('accepts every message shape the type allows', () => {
      for (const message of hostMessages) assert.deepStrictEqual(parseHostMessage(hostWire(message)), hostWire(message), JSON.stringify(message).slice(0, 80));
    });

    it('refuses a run without its storeKey (the page saves it to restore the panel)', () => {
      assert.strictEqual(parseHostMessage({ type: 'run', run: without(run, 'storeKey') }), undefined);
      assert.strictEqual(parseHostMessage({ type: 'run', run: { ...run, storeKey: 7 } }), undefined);
    });

    it('refuses a run missing any field, and malformed nodes', () => {
      for (const key of Object.keys(run).filter((k) => k !== 'location')) {
        assert.strictEqual(parseHostMessage({ type: 'run', run: without(run, key) }), undefined, `run without ${key}`);
      }
      const table = run.nodes;
      const nodes: unknown[] = [
        { ...table, statuses: 'ex' },
        { ...table, statuses: 'e' },
        { ...table, types: 'om' },
        { ...table, idEnds: Uint32Array.of(5, 4) },
        { ...table, idEnds: Uint32Array.of(5, 9) },
        { ...table, idEnds: [5, 8] },
        { ...table, ids: 'fetchbig' },
        { ...table, ids: new Uint8Array([...table.ids, 0x78]) },
        { ...table, outputEnds: Int32Array.of(11, 12) },
        { ...table, outputEnds: Int32Array.of(-2, -1) },
        { ...table, outputEnds: Int32Array.of(12, -1) },
        { ...table, outputEnds: [11, -1] },
        { ...table, outputEnds: Float64Array.of(11, -1) },
        { ...table, outputs: new Uint8Array([...table.outputs, 0x78]) },
        { ...table, outputs: new TextDecoder().decode(table.outputs) },
        { ...table, outputBytes: [11, 9_000_000] },
        { ...table, outputBytes: Float64Array.of(11.5, 9_000_000) },
        { ...table, outputBytes: Float64Array.of(-1, 9_000_000) },
        { ...table, outputBytes: Float64Array.of(11) },
        without(table, 'types'),
        [node, deferredNode],
      ];
      for (const bad of nodes) assert.strictEqual(parseHostMessage({ type: 'run', run: { ...run, nodes: bad } }), undefined, JSON.stringify(bad));
    });

    it('refuses an output reply without the request it answers', () => {
      assert.strictEqual(parseHostMessage({ type: 'output', nodeId: 'big', output: '[]' }), undefined);
      assert.strictEqual(parseHostMessage({ type: 'output', requestId: 'a', nodeId: 'big', output: '[]' }), undefined);
      // The output comes as bytes, never as text.
      assert.strictEqual(parseHostMessage({ type: 'output', requestId: 1, nodeId: 'big', output: '[]' }), undefined);
    });

    it('refuses messages missing a field or of an unknown type', () => {
      for (const message of hostMessages) {
        for (const key of Object.keys(message).filter((k) => k !== 'focusNode' && k !== 'location')) {
          assert.strictEqual(parseHostMessage(without(message, key)), undefined, `${message.type} without ${key}`);
        }
      }
      assert.strictEqual(parseHostMessage({ type: 'eval', code: '1' }), undefined);
    });
  });

  describe('panel state (parsePanelState)', () => {
    it('accepts what the page saves and cuts a long filter', () => {
      assert.deepStrictEqual(parsePanelState({ storeKey: 'memory', id: ID }), { storeKey: 'memory', id: ID, filter: undefined });
      assert.strictEqual(parsePanelState({ storeKey: 'memory', id: ID, filter: 'x'.repeat(5000) })?.filter?.length, 1000);
    });

    it('refuses state without its store or id', () => {
      for (const bad of [{ id: ID }, { storeKey: 'memory' }, { storeKey: 1, id: ID }, { storeKey: 'memory', id: ID, filter: 3 }, null, 'x']) {
        assert.strictEqual(parsePanelState(bad), undefined, JSON.stringify(bad));
      }
    });
  });

  describe('validators (self-check)', () => {
    it('tell an absent optional field from an invalid one', () => {
      const v = object<{ a: string; b?: string }>({ a: string(), b: optional(string()) });
      assert.deepStrictEqual(check(v, { a: 'x' }), { a: 'x' });
      assert.deepStrictEqual(check(v, { a: 'x', b: 'y' }), { a: 'x', b: 'y' });
      assert.strictEqual(check(v, { a: 'x', b: 1 }), undefined);
      assert.strictEqual(check(v, { b: 'y' }), undefined);
    });
  });
});

describe('Node table (the nodes of the run message)', () => {
  it('decodes to the nodes encoded, outputs exact, deferred ones marked', () => {
    const nodes: NodeView[] = [
      node,
      deferredNode,
      { id: '', status: 'skipped', outputType: 'none', outputBytes: 0, output: 'null' },
      { id: 'ünï\u2028"\\', status: 'output-only', outputType: 'string', outputBytes: 4, output: '"\\u0000"' },
      { id: 'x', status: 'executed', outputType: 'number', outputBytes: 21, output: '123456789012345678901' },
    ];
    const table: NodeTable = encodeNodes(nodes);
    assert.deepStrictEqual(decodeNodes(table), nodes);
    const message = { type: 'run', run: { ...run, nodes: table } };
    const parsed = parseHostMessage(hostWire(message));
    assert.ok(parsed?.type === 'run');
    assert.deepStrictEqual(decodeNodes(parsed.run.nodes), nodes);
  });

  it('stays lean: a wide run costs its ids and outputs plus a few bytes a node, and little JSON', () => {
    const nodes: NodeView[] = Array.from({ length: 20_000 }, (_, i) => ({ id: `item-${i}`, status: 'executed', outputType: 'object', outputBytes: 12, output: `{"n":"${i}"}` }));
    const ids = nodes.reduce((sum, n) => sum + n.id.length, 0);
    const outputs = nodes.reduce((sum, n) => sum + n.output!.length, 0);
    const table = encodeNodes(nodes);
    // Texts go as bytes and numbers as typed arrays (VS Code passes them through), never as JSON.
    assert.strictEqual(table.outputs.byteLength, outputs);
    assert.strictEqual(table.ids.byteLength, ids);
    const binary = [table.idEnds, table.outputBytes, table.outputEnds].reduce((sum, array) => sum + array.byteLength, 0);
    // Per node: two 4-byte offsets and an 8-byte size.
    assert.strictEqual(binary, 16 * nodes.length);
    // The JSON left is the two code letters a node.
    const json = JSON.stringify(table, (_key, v: unknown) => (ArrayBuffer.isView(v) ? 0 : v)).length;
    assert.ok(json < 3 * nodes.length, `${json} bytes of JSON for ${nodes.length} nodes`);
    // The objects it replaces cost about 80 bytes a node beyond the ids, and escaped every quote.
    assert.ok(JSON.stringify(nodes).length - ids - outputs > 80 * nodes.length);
  });
});

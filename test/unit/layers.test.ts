/**
 * The layers of src/: no module imports from a layer above its own, nor from a sibling
 * feature of its layer; the pure layers never import `vscode`. Reads every import of
 * src/** and media/** (static, dynamic and require).
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '../../..');

/**
 * Lowest first. A module may import from its own folder and from any folder of a lower
 * layer; folders of the same layer are independent of each other. `postgres` is pure Node
 * (the database store); the CLI may use it, and so may the extension's stores.
 */
const LAYERS: readonly (readonly string[])[] = [
  ['wasm'],
  ['core'],
  ['shared'],
  ['node'],
  ['postgres'],
  ['cli', 'host'],
  ['stores'],
  ['tree', 'panel', 'documents'],
  ['commands'],
  ['api.ts'],
  ['extension.ts'],
];
/** The webview page: a browser bundle over the pure model and the protocol. */
const MEDIA_MAY_IMPORT = new Set(['core', 'shared']);
/** Layers that run outside VS Code (CLI, worker threads, the webview): no `vscode`. */
const NO_VSCODE = new Set(['wasm', 'core', 'shared', 'node', 'postgres', 'cli', 'media']);

/** What the issue's "done when" greps for: a store kind decided outside the store module. */
export function decidesByKind(text: string): string[] {
  return [...text.matchAll(/MEMORY_STORE_KEY|'memory'|"memory"|storeUri|\.kind === '(?:folder|memory)'/g)].map((m) => m[0]);
}

interface Import {
  readonly from: string;
  readonly spec: string;
}

/** `src/tree/x.ts` → `tree`; `src/extension.ts` → `extension.ts`; `media/...` → `media`. */
export function unitOf(file: string): string {
  const parts = file.split('/');
  return parts[0] === 'media' ? 'media' : parts[1];
}

function rank(unit: string): number {
  return LAYERS.findIndex((layer) => layer.includes(unit));
}

/** What is wrong with one import (undefined when it is allowed). */
export function violation({ from, spec }: Import): string | undefined {
  const unit = unitOf(from);
  if (spec === 'vscode') return NO_VSCODE.has(unit) ? `${from}: the ${unit} layer must not import vscode` : undefined;
  if (!spec.startsWith('.')) return undefined;
  const target = path.posix.normalize(path.posix.join(path.posix.dirname(from), spec));
  if (!target.startsWith('src/')) return target.startsWith('media/') && unit === 'media' ? undefined : `${from}: imports ${spec}, outside src/`;
  const to = unitOf(target.split('/').length === 2 ? `${target}.ts` : target);
  if (to === unit) return undefined;
  if (unit === 'media') return MEDIA_MAY_IMPORT.has(to) ? undefined : `${from}: the page may import only ${[...MEDIA_MAY_IMPORT].join(', ')}, not ${to}`;
  const mine = rank(unit);
  const theirs = rank(to);
  if (mine < 0) return `${from}: ${unit} is in no layer (add it to LAYERS)`;
  if (theirs < 0) return `${from}: ${to} is in no layer (add it to LAYERS)`;
  if (theirs > mine) return `${from}: imports ${to} (a higher layer) from ${unit}`;
  if (theirs === mine) return `${from}: imports ${to}, a sibling of ${unit} in the same layer`;
  return undefined;
}

const IMPORT = /(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|^\s*import\s+)'([^']+)'/gm;

export function importsOf(file: string, text: string): Import[] {
  return [...text.matchAll(IMPORT)].map((m) => ({ from: file, spec: m[1] }));
}

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
    const rel = `${dir}/${entry.name}`;
    if (entry.isDirectory()) out.push(...sources(rel));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) out.push(rel);
  }
  return out;
}

describe('layers', () => {
  const files = [...sources('src'), ...sources('media')];
  const imports = files.flatMap((file) => importsOf(file, fs.readFileSync(path.join(ROOT, file), 'utf8')));

  it('reads the imports of every module', () => {
    assert.ok(files.length > 40, `${files.length} modules`);
    assert.ok(imports.length > 200, `${imports.length} imports`);
    assert.ok(imports.some((i) => i.from === 'src/extension.ts' && i.spec === './stores/historyStores'));
  });

  it('every folder of src is in a layer', () => {
    const units = new Set(files.filter((f) => f.startsWith('src/')).map(unitOf));
    for (const unit of units) assert.ok(rank(unit) >= 0, `${unit} is in no layer`);
  });

  it('no module imports from a layer above its own or from a sibling feature', () => {
    const found = imports.map(violation).filter((v): v is string => v !== undefined);
    assert.deepStrictEqual(found, []);
  });

  it('only src/stores knows the kinds of store: nothing else tests a kind, the memory key or a store folder', () => {
    const offenders = files
      .filter((file) => !file.startsWith('src/stores/'))
      .flatMap((file) => decidesByKind(fs.readFileSync(path.join(ROOT, file), 'utf8')).map((hit) => `${file}: ${hit}`));
    assert.deepStrictEqual(offenders, []);
  });

  it('finds code that decides by store kind (self-check)', () => {
    assert.deepStrictEqual(decidesByKind("if (ref.storeKey !== MEMORY_STORE_KEY) x();"), ['MEMORY_STORE_KEY']);
    assert.deepStrictEqual(decidesByKind("stores.get('memory')!"), ["'memory'"]);
    assert.deepStrictEqual(decidesByKind('const uri = handle.storeUri;'), ['storeUri']);
    assert.deepStrictEqual(decidesByKind("if (handle.kind === 'folder') x();"), [".kind === 'folder'"]);
    assert.deepStrictEqual(decidesByKind("if (handle.capabilities.files) x();"), []);
  });

  it('finds the imports that break the rule (self-check)', () => {
    assert.match(violation({ from: 'src/tree/x.ts', spec: '../panel/runScanner' }) ?? '', /sibling/);
    assert.match(violation({ from: 'src/core/x.ts', spec: '../stores/runRef' }) ?? '', /higher layer/);
    assert.match(violation({ from: 'src/node/x.ts', spec: 'vscode' }) ?? '', /must not import vscode/);
    assert.match(violation({ from: 'src/cli/main.ts', spec: '../host/log' }) ?? '', /sibling/);
    assert.match(violation({ from: 'media/detail/page.ts', spec: '../../src/stores/runRef' }) ?? '', /page may import only/);
    assert.strictEqual(violation({ from: 'src/cli/main.ts', spec: '../postgres/store' }), undefined);
    assert.strictEqual(violation({ from: 'src/stores/x.ts', spec: '../postgres/store' }), undefined);
    assert.strictEqual(violation({ from: 'src/commands/x.ts', spec: '../tree/treeNodes' }), undefined);
    assert.deepStrictEqual(
      importsOf('src/a.ts', "import * as a from './b';\nimport type { C } from '../c';\nconst d = await import('./d');\nimport './e';\n").map((i) => i.spec),
      ['./b', '../c', './d', './e'],
    );
  });
});

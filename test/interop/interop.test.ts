/**
 * Interop with Rust serde: the a3s_flow `FlowResult` struct, built from Debian's
 * librust-serde-json-dev / librust-uuid-dev / librust-serde-derive-dev (offline, see
 * test/interop/rust/.cargo/config.toml), against this extension's CLI and parser.
 *
 *  (a) files written by Rust serde are listed, shown and exported with every value exact;
 *  (b) files written by our import (save) are read back by serde into an equal FlowResult;
 *  (c) our sample runs survive a serde round trip;
 *  (d) our parser accepts exactly what serde accepts, on a corpus of edge cases;
 *  (e) the store lists as "ok" exactly the files serde accepts.
 *
 * Needs `cargo` (Rust) and `npm run build` (dist/cli.js); fails, never skips, without them.
 */
import * as assert from 'assert';
import { spawnSync, SpawnSyncReturns } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { ListRow } from '../../src/cli/main';
import { exportStoredRun } from '../../src/core/exportText';
import { FlowResultError, parseFlowResult, parseFlowResultBytes } from '../../src/core/flowResult';

const ROOT = path.resolve(__dirname, '../../..');
const CLI = path.join(ROOT, 'dist', 'cli.js');
const RUST_DIR = path.join(ROOT, 'test', 'interop', 'rust');
const RUST_BIN = path.join(RUST_DIR, 'target', 'release', process.platform === 'win32' ? 'flow-interop.exe' : 'flow-interop');
const DEBIAN_REGISTRY = '/usr/share/cargo/registry';
const BUILD_TIMEOUT_MS = 5 * 60_000;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function run(command: string, args: readonly string[], options: { input?: string | Buffer; cwd?: string; timeout?: number } = {}): Run {
  const r: SpawnSyncReturns<string> = spawnSync(command, args, {
    cwd: options.cwd ?? ROOT,
    input: options.input ?? '',
    encoding: 'utf8',
    timeout: options.timeout ?? 60_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.error) throw new Error(`${command} ${args.join(' ')} could not run: ${r.error.message}`);
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

function describeRun(what: string, r: Run): string {
  return `${what} exited ${r.code}\n--- stdout ---\n${r.stdout.slice(0, 4000)}\n--- stderr ---\n${r.stderr.slice(0, 4000)}`;
}

function cli(...args: string[]): Run {
  return run(process.execPath, [CLI, ...args]);
}

function rust(args: readonly string[], input?: string | Buffer): Run {
  return run(RUST_BIN, args, { input });
}

/** Rust `check`: both files deserialize into equal FlowResults (and equal unknown fields). */
function assertSerdeEqual(actual: string, expected: string, what: string, compareUnknownFields = true): void {
  const args = ['check', actual, expected, ...(compareUnknownFields ? ['--extra'] : [])];
  const r = rust(args);
  assert.strictEqual(r.code, 0, describeRun(`${what}: flow-interop ${args.join(' ')}`, r));
}

/** `cargo` on PATH, else the usual rustup location (CI shells may not source ~/.cargo/env). */
function findCargo(): string | undefined {
  const candidates = [process.env.CARGO, 'cargo', path.join(process.env.CARGO_HOME ?? path.join(os.homedir(), '.cargo'), 'bin', 'cargo')];
  for (const candidate of candidates) {
    if (!candidate) continue;
    const r = spawnSync(candidate, ['--version'], { encoding: 'utf8' });
    if (!r.error && r.status === 0) return candidate;
  }
  return undefined;
}

/**
 * Every JSON number token of a document, as text, outside strings. A number kept exactly
 * keeps its token: `1.0` stays `1.0`, `18446744073709551615` stays as it is.
 */
export function numberTokens(text: string): string[] {
  const tokens: string[] = [];
  const number = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === '"') {
      i++;
      while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
      i++;
    } else if (c === '-' || (c >= '0' && c <= '9')) {
      number.lastIndex = i;
      const m = number.exec(text);
      if (!m) throw new Error(`not a number token at ${i}: ${text.slice(i, i + 20)}`);
      tokens.push(m[0]);
      i += m[0].length;
    } else {
      i++;
    }
  }
  return tokens;
}

/** Every number token of `original` appears in `copy` at least as often. */
function assertNumberTokensKept(original: string, copy: string, what: string): void {
  const available = new Map<string, number>();
  for (const token of numberTokens(copy)) available.set(token, (available.get(token) ?? 0) + 1);
  const missing: string[] = [];
  for (const token of numberTokens(original)) {
    const left = available.get(token) ?? 0;
    if (left === 0) missing.push(token);
    else available.set(token, left - 1);
  }
  assert.deepStrictEqual(missing, [], `${what}: number tokens of the Rust file missing from ours (changed or lost)`);
}

interface Case {
  file: string;
  id: string;
  name: string;
  handwritten: boolean;
  nodes: number;
  executed: number;
  skipped: number;
}


function listJson(dir: string): ListRow[] {
  const r = cli('list', '--json', '--dir', dir);
  assert.strictEqual(r.code, 0, describeRun('flow-history list --json', r));
  return JSON.parse(r.stdout) as ListRow[];
}

describe('interop with Rust serde (a3s_flow FlowResult)', function () {
  this.timeout(BUILD_TIMEOUT_MS + 60_000);
  let work = '';

  before(function () {
    this.timeout(BUILD_TIMEOUT_MS + 30_000);
    assert.ok(fs.existsSync(CLI), `${CLI} is missing: run \`npm run build\` before the interop test`);
    const cargo = findCargo();
    if (!cargo) {
      assert.fail(
        'cargo (Rust) was not found on PATH, in $CARGO or in ~/.cargo/bin: the interop test builds test/interop/rust ' +
          `offline from Debian's librust-serde-json-dev, librust-uuid-dev and librust-serde-derive-dev (in ${DEBIAN_REGISTRY}). ` +
          'Install Rust (cargo) and those packages.',
      );
    }
    assert.ok(
      fs.existsSync(DEBIAN_REGISTRY) && fs.readdirSync(DEBIAN_REGISTRY).some((d) => d.startsWith('serde_json-')),
      `${DEBIAN_REGISTRY} has no serde_json: apt-get install librust-serde-json-dev librust-uuid-dev librust-serde-derive-dev`,
    );
    const started = Date.now();
    const build = run(cargo, ['build', '--release', '--offline'], { cwd: RUST_DIR, timeout: BUILD_TIMEOUT_MS });
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    assert.strictEqual(build.code, 0, describeRun(`cargo build --release --offline (after ${seconds}s)`, build));
    console.log(`      flow-interop built by cargo in ${seconds}s`);
    assert.ok(fs.existsSync(RUST_BIN), `${RUST_BIN} missing after the build`);
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'flow-interop-'));
  });

  after(() => {
    if (!work) return;
    if (process.env.FLOW_INTEROP_KEEP) console.log(`      kept ${work}`);
    else fs.rmSync(work, { recursive: true, force: true });
  });

  describe('files written by Rust serde', () => {
    let runs = '';
    let cases: Case[] = [];
    before(() => {
      runs = path.join(work, 'rust-cases', 'runs');
      const r = rust(['write-cases', runs]);
      assert.strictEqual(r.code, 0, describeRun('flow-interop write-cases', r));
      cases = JSON.parse(fs.readFileSync(path.join(work, 'rust-cases', 'cases.json'), 'utf8')) as Case[];
      assert.ok(cases.length >= 20, `only ${cases.length} cases written`);
    });

    it('(self-check) serde `check` catches what JSON.parse would lose', () => {
      const numbers = cases.find((c) => c.name === 'numbers')!;
      const extra = cases.find((c) => c.name === 'extra-fields')!;
      const original = fs.readFileSync(path.join(runs, numbers.file), 'utf8');
      const damaged: [string, string][] = [
        ['u64 rounded by JSON.parse', original.replace('"scalar_u64":18446744073709551615', '"scalar_u64":18446744073709552000')],
        ['1.0 written as 1', original.replace('"scalar_float":1.0', '"scalar_float":1')],
        ['-0.0 written as 0.0', original.replace(/"neg_zero":-0\.0/g, '"neg_zero":0.0')],
        ['a skipped node lost', original.replace('"skipped_nodes":[]', '"skipped_nodes":["ints"]')],
      ];
      for (const [what, text] of damaged) {
        assert.notStrictEqual(text, original, `self-check "${what}" did not change the file`);
        const file = path.join(work, 'damaged.json');
        fs.writeFileSync(file, text);
        const r = rust(['check', file, path.join(runs, numbers.file)]);
        assert.strictEqual(r.code, 1, describeRun(`check must see "${what}"`, r));
      }
      const extraText = fs.readFileSync(path.join(runs, extra.file), 'utf8');
      const withoutExtra = extraText.replace('"engine_version":"0.3.1",', '');
      assert.notStrictEqual(withoutExtra, extraText, 'self-check: engine_version not found');
      const file = path.join(work, 'damaged.json');
      fs.writeFileSync(file, withoutExtra);
      assert.strictEqual(rust(['check', file, path.join(runs, extra.file)]).code, 0, 'unknown fields are not part of FlowResult');
      assert.strictEqual(rust(['check', file, path.join(runs, extra.file), '--extra']).code, 1, 'check --extra must see a dropped unknown field');
    });

    it('are all listed as ok, with their ids and node counts', () => {
      const rows = listJson(runs);
      const byId = new Map(rows.map((row) => [row.id, row]));
      const problems: string[] = [];
      for (const c of cases) {
        const row = byId.get(c.id);
        if (!row) problems.push(`${c.name} (${c.id}): not listed`);
        else if (row.status !== 'ok') problems.push(`${c.name} (${c.id}): ${row.status}: ${row.error}`);
        else if (row.nodes !== c.nodes || row.executed !== c.executed || row.skipped !== c.skipped) {
          problems.push(`${c.name}: nodes/executed/skipped ${row.nodes}/${row.executed}/${row.skipped}, serde says ${c.nodes}/${c.executed}/${c.skipped}`);
        }
      }
      assert.deepStrictEqual(problems, []);
      assert.deepStrictEqual(rows.map((row) => row.id).sort(), cases.map((c) => c.id).sort(), 'listed ids');
    });

    it('are shown as exactly the stored record', () => {
      const shownDir = path.join(work, 'shown');
      fs.mkdirSync(shownDir, { recursive: true });
      for (const c of cases) {
        const r = cli('show', c.id, '--dir', runs);
        assert.strictEqual(r.code, 0, describeRun(`show ${c.name}`, r));
        const shown = path.join(shownDir, c.file);
        fs.writeFileSync(shown, r.stdout);
        assertSerdeEqual(shown, path.join(runs, c.file), `show ${c.name}`);
        assertNumberTokensKept(fs.readFileSync(path.join(runs, c.file), 'utf8'), r.stdout, `show ${c.name}`);
      }
    });

    it('are exported with every value exact (serde reads the export back equal)', () => {
      const exported = path.join(work, 'exported');
      fs.mkdirSync(exported, { recursive: true });
      for (const c of cases) {
        const out = path.join(exported, c.file);
        const r = cli('export', c.id, '--out', out, '--dir', runs);
        assert.strictEqual(r.code, 0, describeRun(`export ${c.name}`, r));
        assertSerdeEqual(out, path.join(runs, c.file), `export ${c.name}`);
        assertNumberTokensKept(fs.readFileSync(path.join(runs, c.file), 'utf8'), fs.readFileSync(out, 'utf8'), `export ${c.name}`);
      }
      // Spot checks of the number texts serde wrote.
      const numbers = fs.readFileSync(path.join(exported, cases.find((c) => c.name === 'numbers')!.file), 'utf8');
      for (const token of ['18446744073709551615', '9007199254740993', '-9223372036854775808', '1.0', '0.1', '1e-7', '2.5e300', '-0.0', '5e-324']) {
        assert.ok(numberTokens(numbers).includes(token), `export lost the number ${token}`);
      }
    });

    it('imported from our exports are saved as serde reads them back equal', () => {
      const exported = path.join(work, 'exported');
      const store = path.join(work, 'imported-exports');
      const files = cases.map((c) => path.join(exported, c.file));
      assert.ok(files.every((f) => fs.existsSync(f)), 'the export test must run first');
      const r = cli('import', ...files, '--dir', store);
      assert.strictEqual(r.code, 0, describeRun('import (exports)', r));
      for (const c of cases) {
        const saved = path.join(store, c.file);
        assert.ok(fs.existsSync(saved), `${c.name}: import did not write ${saved}`);
        assertSerdeEqual(saved, path.join(runs, c.file), `import of export ${c.name}`);
        assertNumberTokensKept(fs.readFileSync(path.join(runs, c.file), 'utf8'), fs.readFileSync(saved, 'utf8'), `import of export ${c.name}`);
      }
      assert.deepStrictEqual(fs.readdirSync(store).sort(), cases.map((c) => c.file).sort(), 'files in the store after import');
    });

    it('imported directly (every accepted form) are saved under the lowercase id, serde-equal', () => {
      const store = path.join(work, 'imported-originals');
      const r = cli('import', ...cases.map((c) => path.join(runs, c.file)), '--dir', store);
      assert.strictEqual(r.code, 0, describeRun('import (Rust files)', r));
      for (const c of cases) {
        const saved = path.join(store, c.file);
        assertSerdeEqual(saved, path.join(runs, c.file), `import of ${c.name}`);
        assertNumberTokensKept(fs.readFileSync(path.join(runs, c.file), 'utf8'), fs.readFileSync(saved, 'utf8'), `import of ${c.name}`);
        // The saved file is what serde itself would write for the struct (modulo key order).
        const roundtrip = path.join(work, `roundtrip-${c.file}`);
        const rt = rust(['roundtrip', saved, roundtrip]);
        assert.strictEqual(rt.code, 0, describeRun(`roundtrip ${c.name}`, rt));
        assertSerdeEqual(roundtrip, saved, `serde round trip of saved ${c.name}`, false);
      }
    });
  });

  describe('files written by our CLI', () => {
    it('sample runs survive a serde round trip unchanged', () => {
      const store = path.join(work, 'samples');
      const r = cli('sample', '--count', '5', '--dir', store);
      assert.strictEqual(r.code, 0, describeRun('sample', r));
      const files = fs.readdirSync(store).filter((f) => f.endsWith('.json'));
      assert.strictEqual(files.length, 5, `sample wrote ${files.join(', ')}`);
      const back = path.join(work, 'samples-roundtrip');
      fs.mkdirSync(back, { recursive: true });
      for (const file of files) {
        const out = path.join(back, file);
        const rt = rust(['roundtrip', path.join(store, file), out]);
        assert.strictEqual(rt.code, 0, describeRun(`roundtrip ${file}`, rt));
        assertSerdeEqual(out, path.join(store, file), `sample ${file}`, false);
        const id = JSON.parse(fs.readFileSync(out, 'utf8')).execution_id as string;
        assert.strictEqual(`${id}.json`, file, 'sample file named by its lowercase hyphenated id');
      }
      // And the serde-written copies read back through the CLI.
      const rows = listJson(back);
      assert.deepStrictEqual(
        rows.map((row) => `${row.id}:${row.status}`).sort(),
        files.map((f) => `${f.slice(0, -5)}:ok`).sort(),
      );
      for (const file of files) {
        const out = path.join(work, `sample-export-${file}`);
        const e = cli('export', file.slice(0, -5), '--out', out, '--dir', back);
        assert.strictEqual(e.code, 0, describeRun(`export ${file}`, e));
        assertSerdeEqual(out, path.join(store, file), `export of serde copy of ${file}`);
      }
    });
  });

  describe('accept/reject decisions agree with serde', () => {
    const corpus = buildCorpus();

    it(`on ${corpus.length} edge-case documents (parser and exporter)`, () => {
      const text = corpus.filter((c) => c.text !== undefined);
      const bytes = corpus.filter((c) => c.text === undefined);
      const rustText = serdeVerdicts(text.map((c) => c.text!(FIXED_ID)), false);
      const rustBytes = serdeVerdicts(
        bytes.map((c) => c.bytes!(FIXED_ID)),
        true,
      );
      const rows: VerdictRow[] = [];
      text.forEach((c, i) => {
        const doc = c.text!(FIXED_ID);
        rows.push({ name: c.name, via: 'text', serde: rustText[i], ours: ourVerdict(() => parseFlowResult(doc)) });
        rows.push({
          name: c.name,
          via: 'bytes',
          serde: rustText[i],
          ours: ourVerdict(() => parseFlowResultBytes(Buffer.from(doc, 'utf8'))),
        });
      });
      bytes.forEach((c, i) => {
        const doc = c.bytes!(FIXED_ID);
        rows.push({ name: c.name, via: 'bytes', serde: rustBytes[i], ours: ourVerdict(() => parseFlowResultBytes(doc)) });
      });
      // The exporter validates on its own (WebAssembly kernel, then TypeScript): same answers.
      const exportRows = (name: string, doc: Uint8Array, serde: Verdict) => {
        rows.push({ name, via: 'export', serde, ours: ourVerdict(() => exportStoredRun(doc)) });
        rows.push({ name, via: 'export (ts)', serde, ours: ourVerdict(() => exportStoredRun(doc, { kernel: false })) });
      };
      text.forEach((c, i) => exportRows(c.name, Buffer.from(c.text!(FIXED_ID), 'utf8'), rustText[i]));
      bytes.forEach((c, i) => exportRows(c.name, c.bytes!(FIXED_ID), rustBytes[i]));
      for (const row of rows) {
        const expected = corpus.find((c) => c.name === row.name)!.expect;
        if (expected && row.serde.ok !== (expected === 'ok')) {
          assert.fail(`corpus case ${row.name} was expected to be ${expected} by serde, but serde says ${row.serde.message}`);
        }
      }
      const crashes = rows.filter((row) => row.ours.message.startsWith('CRASH'));
      if (crashes.length > 0) assert.fail(`${crashes.length} documents made us throw something else than FlowResultError:\n${formatTable(crashes)}`);
      const disagreements = rows.filter((row) => row.serde.ok !== row.ours.ok);
      if (disagreements.length > 0) {
        assert.fail(
          `our parser and serde disagree on ${disagreements.length} of ${rows.length} documents:\n` +
            formatTable(disagreements) +
            `\n\nfull table:\n${formatTable(rows)}`,
        );
      }
    });

    it('and the store lists as ok exactly the files serde accepts', () => {
      const store = path.join(work, 'corpus-store');
      fs.mkdirSync(store, { recursive: true });
      const placed: { name: string; id: string; doc: Buffer }[] = [];
      corpus.forEach((c, i) => {
        if (c.noFile) return;
        const id = c.fileId ?? `c0${i.toString(16).padStart(6, '0')}-1111-4222-8333-444455556666`;
        const doc = c.text ? Buffer.from(c.text(id), 'utf8') : c.bytes!(id);
        if (doc.length === 0) return; // an empty file is "still being written", not a parse result
        fs.writeFileSync(path.join(store, `${id}.json`), doc);
        placed.push({ name: c.name, id, doc });
      });
      const serde = serdeVerdicts(
        placed.map((p) => p.doc),
        true,
      );
      const rows = new Map(listJson(store).map((row) => [row.id, row]));
      const table: VerdictRow[] = placed.map((p, i) => {
        const row = rows.get(p.id);
        const ours: Verdict = !row
          ? { ok: false, message: 'not listed' }
          : row.status === 'ok'
            ? { ok: true, message: 'ok' }
            : { ok: false, message: `unreadable: ${row.error}` };
        return { name: p.name, via: 'list', serde: serde[i], ours };
      });
      const disagreements = table.filter((row) => row.serde.ok !== row.ours.ok);
      if (disagreements.length > 0) {
        assert.fail(`flow-history list and serde disagree on ${disagreements.length} of ${table.length} files:\n${formatTable(disagreements)}`);
      }
    });
  });
});

// ---------------------------------------------------------------------------------------
// The accept/reject corpus

const FIXED_ID = '67e55044-10b1-426f-9247-bb680e5fe0c8';

interface CorpusCase {
  name: string;
  /** The document, given the (lowercase hyphenated) id to use; one line of text. */
  text?: (id: string) => string;
  /** Or raw bytes (invalid UTF-8, BOM, multi-line), sent to Rust base64-encoded. */
  bytes?: (id: string) => Buffer;
  /** What serde is known to say (guards the corpus against typos); optional. */
  expect?: 'ok' | 'err';
  /** The id the file must be named by in the store test (when the text ignores `id`). */
  fileId?: string;
  /** Not placed as a file in the store test. */
  noFile?: boolean;
}

interface Verdict {
  ok: boolean;
  message: string;
}

interface VerdictRow {
  name: string;
  via: string;
  serde: Verdict;
  ours: Verdict;
}

function serdeVerdicts(docs: (string | Buffer)[], base64: boolean): Verdict[] {
  for (const doc of docs) {
    if (!base64 && typeof doc === 'string' && doc.includes('\n')) throw new Error(`a text corpus line holds a newline: ${doc.slice(0, 60)}`);
  }
  const input = docs.map((d) => (base64 ? Buffer.from(d).toString('base64') : d)).join('\n') + '\n';
  const r = rust(base64 ? ['accepts', '--base64'] : ['accepts'], input);
  assert.strictEqual(r.code, 0, describeRun('flow-interop accepts', r));
  const lines = r.stdout.split('\n');
  assert.strictEqual(lines.pop(), '', 'accepts output ends with a newline');
  assert.strictEqual(lines.length, docs.length, `accepts answered ${lines.length} lines for ${docs.length} documents`);
  return lines.map((line) => (line === 'ok' ? { ok: true, message: 'ok' } : { ok: false, message: line }));
}

function ourVerdict(parse: () => unknown): Verdict {
  try {
    parse();
    return { ok: true, message: 'ok' };
  } catch (error) {
    if (error instanceof FlowResultError) return { ok: false, message: `err: ${error.message}` };
    return { ok: false, message: `CRASH (not a FlowResultError): ${String(error)}` };
  }
}

function formatTable(rows: readonly VerdictRow[]): string {
  const cut = (s: string) => (s.length > 110 ? `${s.slice(0, 110)}…` : s);
  return rows
    .map((row) => {
      const mark = row.serde.ok === row.ours.ok ? '  ' : '✗ ';
      return `${mark}${row.name} [${row.via}]\n      serde: ${cut(row.serde.message)}\n      ours:  ${cut(row.ours.message)}`;
    })
    .join('\n');
}

/** A minimal valid record around the given pieces. */
function rec(id: string, fields: { outputs?: string; completed?: string; skipped?: string; context?: string; extra?: string } = {}): string {
  const parts = [
    `"execution_id":"${id}"`,
    `"outputs":${fields.outputs ?? '{}'}`,
    `"completed_nodes":${fields.completed ?? '[]'}`,
    `"skipped_nodes":${fields.skipped ?? '[]'}`,
  ];
  if (fields.context !== undefined) parts.push(`"context":${fields.context}`);
  if (fields.extra !== undefined) parts.push(fields.extra);
  return `{${parts.join(',')}}`;
}

const nest = (n: number, inner = '1') => `${'['.repeat(n)}${inner}${']'.repeat(n)}`;
const nestObj = (n: number) => `${'{"k":'.repeat(n)}1${'}'.repeat(n)}`;
const simple = (id: string) => id.replace(/-/g, '');

function buildCorpus(): CorpusCase[] {
  const c: CorpusCase[] = [];
  const add = (name: string, text: (id: string) => string, expect?: 'ok' | 'err', more: Partial<CorpusCase> = {}) =>
    c.push({ name, text, expect, ...more });
  const addBytes = (name: string, bytes: (id: string) => Buffer, expect?: 'ok' | 'err', more: Partial<CorpusCase> = {}) =>
    c.push({ name, bytes, expect, ...more });

  // --- execution_id forms
  add('id hyphenated', (id) => rec(id), 'ok');
  add('id UPPERCASE hyphenated', (id) => rec(id.toUpperCase()), 'ok');
  add('id mixed case', (id) => rec(id.replace(/[a-f]/g, (ch, i: number) => (i % 2 ? ch.toUpperCase() : ch))), 'ok');
  add('id simple', (id) => rec(simple(id)), 'ok');
  add('id simple UPPERCASE', (id) => rec(simple(id).toUpperCase()), 'ok');
  add('id braced', (id) => rec(`{${id}}`), 'ok');
  add('id braced UPPERCASE', (id) => rec(`{${id.toUpperCase()}}`), 'ok');
  add('id urn:uuid:', (id) => rec(`urn:uuid:${id}`), 'ok');
  add('id urn:uuid: with UPPERCASE hex', (id) => rec(`urn:uuid:${id.toUpperCase()}`), 'ok');
  add('id URN:UUID: uppercase prefix', (id) => rec(`URN:UUID:${id}`), 'err');
  add('id Urn:Uuid: mixed-case prefix', (id) => rec(`Urn:Uuid:${id}`), 'err');
  add('id braced simple form', (id) => rec(`{${simple(id)}}`), 'err');
  add('id urn:uuid: simple form', (id) => rec(`urn:uuid:${simple(id)}`), 'err');
  add('id braced urn', (id) => rec(`{urn:uuid:${id}}`), 'err');
  add('id hyphen misplaced', (id) => rec(`${id.slice(0, 7)}-${id.slice(7, 8)}${id.slice(9)}`), 'err');
  add('id 35 chars', (id) => rec(id.slice(1)), 'err');
  add('id 37 chars', (id) => rec(`${id}0`), 'err');
  add('id non-hex digit', (id) => rec(`g${id.slice(1)}`), 'err');
  add('id leading space', (id) => rec(` ${id}`), 'err');
  add('id unbalanced brace', (id) => rec(`{${id}]`), 'err');
  add('id empty string', () => rec(''), 'err');
  add('id nil uuid', () => rec('00000000-0000-0000-0000-000000000000'), 'ok', { fileId: '00000000-0000-0000-0000-000000000000' });
  add('id max uuid', () => rec('FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF'), 'ok', { fileId: 'ffffffff-ffff-ffff-ffff-ffffffffffff' });
  add('id via \\u escapes', (id) => rec(`\\u00${id.charCodeAt(0).toString(16)}${id.slice(1)}`), 'ok');
  add('id fullwidth digit', (id) => rec(`\uFF16${id.slice(1)}`), 'err');
  add('id number', () => `{"execution_id":1,"outputs":{},"completed_nodes":[],"skipped_nodes":[]}`, 'err');
  add('id null', () => `{"execution_id":null,"outputs":{},"completed_nodes":[],"skipped_nodes":[]}`, 'err');
  add(
    'id as 16-byte array',
    () => `{"execution_id":[103,229,80,68,16,177,66,111,146,71,187,104,14,95,224,200],"outputs":{},"completed_nodes":[],"skipped_nodes":[]}`,
    'err',
  );
  add('id as object', () => `{"execution_id":{},"outputs":{},"completed_nodes":[],"skipped_nodes":[]}`, 'err');

  // --- required and optional fields
  add('no context', (id) => rec(id), 'ok');
  add('context {}', (id) => rec(id, { context: '{}' }), 'ok');
  add('context null', (id) => rec(id, { context: 'null' }), 'err');
  add('context array', (id) => rec(id, { context: '[]' }), 'err');
  add('context string', (id) => rec(id, { context: '"x"' }), 'err');
  add('missing execution_id', () => `{"outputs":{},"completed_nodes":[],"skipped_nodes":[]}`, 'err');
  add('missing outputs', (id) => `{"execution_id":"${id}","completed_nodes":[],"skipped_nodes":[]}`, 'err');
  add('missing completed_nodes', (id) => `{"execution_id":"${id}","outputs":{},"skipped_nodes":[]}`, 'err');
  add('missing skipped_nodes', (id) => `{"execution_id":"${id}","outputs":{},"completed_nodes":[]}`, 'err');
  add('empty object', () => '{}', 'err');
  add('outputs null', (id) => rec(id, { outputs: 'null' }), 'err');
  add('outputs array', (id) => rec(id, { outputs: '[]' }), 'err');
  add('completed_nodes null', (id) => rec(id, { completed: 'null' }), 'err');
  add('completed_nodes object', (id) => rec(id, { completed: '{}' }), 'err');
  add('completed_nodes string', (id) => rec(id, { completed: '"a"' }), 'err');
  add('completed_nodes with a number', (id) => rec(id, { completed: '["a",1]' }), 'err');
  add('completed_nodes with null', (id) => rec(id, { completed: '[null]' }), 'err');
  add('skipped_nodes nested array', (id) => rec(id, { skipped: '[["a"]]' }), 'err');
  add('duplicates in completed_nodes', (id) => rec(id, { completed: '["a","a","b"]', skipped: '["b","b"]' }), 'ok');
  add('skipped not in completed', (id) => rec(id, { completed: '[]', skipped: '["x"]' }), 'ok');
  add('output for a node never completed', (id) => rec(id, { outputs: '{"ghost":1}' }), 'ok');
  add('field names case differ', (id) => `{"Execution_Id":"${id}","outputs":{},"completed_nodes":[],"skipped_nodes":[]}`, 'err');
  add('field name via \\u escape', (id) => `{"execution\\u005fid":"${id}","outputs":{},"completed_nodes":[],"skipped_nodes":[]}`, 'ok');
  add('fields in reverse order', (id) => `{"context":{},"skipped_nodes":[],"completed_nodes":[],"outputs":{},"execution_id":"${id}"}`, 'ok');

  // --- duplicates and unknown fields
  add('duplicate execution_id', (id) => `{"execution_id":"${id}","execution_id":"${id}","outputs":{},"completed_nodes":[],"skipped_nodes":[]}`, 'err');
  add('duplicate outputs', (id) => rec(id, { extra: '"outputs":{}' }), 'err');
  add('duplicate completed_nodes', (id) => rec(id, { extra: '"completed_nodes":[]' }), 'err');
  add('duplicate skipped_nodes', (id) => rec(id, { extra: '"skipped_nodes":[]' }), 'err');
  add('duplicate context', (id) => rec(id, { context: '{}', extra: '"context":{}' }), 'err');
  add('duplicate field via escape', (id) => rec(id, { extra: '"outp\\u0075ts":{}' }), 'err');
  add('unknown field', (id) => rec(id, { extra: '"engine":"0.3"' }), 'ok');
  add('unknown field repeated', (id) => rec(id, { extra: '"x":1,"x":2' }), 'ok');
  add('unknown field __proto__', (id) => rec(id, { extra: '"__proto__":{"polluted":true}' }), 'ok');
  add('__proto__ output key', (id) => rec(id, { outputs: '{"__proto__":1,"constructor":2}' }), 'ok');
  add('duplicate key inside outputs', (id) => rec(id, { outputs: '{"a":1,"a":2}' }), 'ok');
  add('duplicate key inside context', (id) => rec(id, { context: '{"a":1,"a":{}}' }), 'ok');
  add('duplicate key in a nested value', (id) => rec(id, { outputs: '{"a":{"b":1,"b":2}}' }), 'ok');

  // --- the array (sequence) form of the struct
  add('array form, 5 elements', (id) => `["${id}",{"a":1},["a"],[],{"c":1}]`, 'ok');
  add('array form, 4 elements (no context)', (id) => `["${id}",{},[],[]]`, 'ok');
  add('array form, 3 elements', (id) => `["${id}",{},[]]`, 'err');
  add('array form, 6 elements', (id) => `["${id}",{},[],[],{},1]`, 'err');
  add('array form, 0 elements', () => '[]', 'err');
  add('array form, null context', (id) => `["${id}",{},[],[],null]`, 'err');
  add('array form, wrong order', (id) => `[{},"${id}",[],[]]`, 'err');
  add('top-level null', () => 'null', 'err');
  add('top-level string', () => '"x"', 'err');
  add('top-level number', () => '1', 'err');
  add('top-level true', () => 'true', 'err');

  // --- strings and escapes
  add('valid surrogate pair escape', (id) => rec(id, { outputs: '{"a":"\\ud83d\\ude80"}' }), 'ok');
  add('surrogate pair, uppercase hex', (id) => rec(id, { outputs: '{"a":"\\uD83D\\uDE80"}' }), 'ok');
  add('lone leading surrogate', (id) => rec(id, { outputs: '{"a":"\\ud800"}' }), 'err');
  add('lone trailing surrogate', (id) => rec(id, { outputs: '{"a":"\\udc00"}' }), 'err');
  add('reversed surrogate pair', (id) => rec(id, { outputs: '{"a":"\\udc00\\ud800"}' }), 'err');
  add('leading surrogate then letter', (id) => rec(id, { outputs: '{"a":"\\ud800x"}' }), 'err');
  add('leading surrogate then BMP escape', (id) => rec(id, { outputs: '{"a":"\\ud800\\u0041"}' }), 'err');
  add('two leading surrogates', (id) => rec(id, { outputs: '{"a":"\\ud800\\ud800"}' }), 'err');
  add('lone surrogate in an output key', (id) => rec(id, { outputs: '{"\\ud800":1}' }), 'err');
  add('lone surrogate in a node id', (id) => rec(id, { completed: '["\\udfff"]' }), 'err');
  add('lone surrogate in context', (id) => rec(id, { context: '{"a":["\\ud800"]}' }), 'err');
  add('lone surrogate in an unknown field', (id) => rec(id, { extra: '"x":"\\ud800"' }));
  add('lone surrogate in an unknown field name', (id) => rec(id, { extra: '"\\ud800":1' }), 'err');
  add('lone surrogate nested in an unknown field', (id) => rec(id, { extra: '"x":{"y":["\\udc00"]}' }));
  add('\\u0000 escape', (id) => rec(id, { outputs: '{"a":"\\u0000"}' }), 'ok');
  add('all simple escapes', (id) => rec(id, { outputs: '{"a":"\\" \\\\ \\/ \\b \\f \\n \\r \\t"}' }), 'ok');
  add('invalid escape \\x', (id) => rec(id, { outputs: '{"a":"\\x41"}' }), 'err');
  add("invalid escape \\'", (id) => rec(id, { outputs: `{"a":"\\'"}` }), 'err');
  add('short \\u escape', (id) => rec(id, { outputs: '{"a":"\\u12"}' }), 'err');
  add('invalid escape in an unknown field', (id) => rec(id, { extra: '"x":"\\x"' }), 'err');
  add('raw tab in a string', (id) => rec(id, { outputs: '{"a":"\t"}' }), 'err');
  add('raw NUL in a string', (id) => rec(id, { outputs: '{"a":"\u0000"}' }), 'err');
  add('raw control char in an unknown field', (id) => rec(id, { extra: '"x":"\u0001"' }), 'err');
  add('raw DEL in a string', (id) => rec(id, { outputs: '{"a":"\u007f"}' }), 'ok');
  add('raw U+2028 in a string', (id) => rec(id, { outputs: '{"a":"\u2028\u2029"}' }), 'ok');
  add('emoji, RTL, CJK raw', (id) => rec(id, { outputs: '{"🚀":"مرحبا 你好 👩‍👩‍👧"}', completed: '["🚀"]' }), 'ok');
  add('unterminated string', (id) => `{"execution_id":"${id}`, 'err');

  // --- nesting depth (serde_json's recursion limit 128)
  for (const n of [124, 125, 126, 127]) {
    add(`output value nested ${n} arrays deep`, (id) => rec(id, { outputs: `{"d":${nest(n)}}` }), n <= 125 ? 'ok' : 'err');
  }
  for (const n of [125, 126]) {
    add(`output value nested ${n} objects deep`, (id) => rec(id, { outputs: `{"d":${nestObj(n)}}` }), n <= 125 ? 'ok' : 'err');
    add(`context value nested ${n} deep`, (id) => rec(id, { context: `{"d":${nest(n)}}` }), n <= 125 ? 'ok' : 'err');
    add(`array form, output nested ${n} deep`, (id) => `["${id}",{"d":${nest(n)}},[],[]]`, n <= 125 ? 'ok' : 'err');
  }
  add('output value nested 126 deep, empty innermost', (id) => rec(id, { outputs: `{"d":${nest(125, '[]')}}` }), 'err');
  add('output value nested 1000 deep', (id) => rec(id, { outputs: `{"d":${nest(1000)}}` }), 'err');
  for (const n of [126, 127, 200, 2000]) {
    add(`unknown field nested ${n} deep`, (id) => rec(id, { extra: `"x":${nest(n)}` }));
  }

  // --- numbers
  add('u64::MAX', (id) => rec(id, { outputs: '{"a":18446744073709551615}' }), 'ok');
  add('u64::MAX + 1 (a float to serde)', (id) => rec(id, { outputs: '{"a":18446744073709551616}' }), 'ok');
  add('i64::MIN', (id) => rec(id, { outputs: '{"a":-9223372036854775808}' }), 'ok');
  add('i64::MIN - 1', (id) => rec(id, { outputs: '{"a":-9223372036854775809}' }), 'ok');
  add('floats serde writes', (id) => rec(id, { outputs: '{"a":[1.0,0.1,1e-7,2.5e300,-0.0,5e-324,1.7976931348623157e308]}' }), 'ok');
  add('-0 integer', (id) => rec(id, { outputs: '{"a":-0}' }), 'ok');
  add('exponent spellings', (id) => rec(id, { outputs: '{"a":[1E5,1e+5,1e-5,0e0,0.0E-0]}' }), 'ok');
  add('1e400', (id) => rec(id, { outputs: '{"a":1e400}' }), 'err');
  add('-1e400', (id) => rec(id, { outputs: '{"a":-1e400}' }), 'err');
  add('1e309', (id) => rec(id, { outputs: '{"a":1e309}' }), 'err');
  add('1e308', (id) => rec(id, { outputs: '{"a":1e308}' }), 'ok');
  add('1.7976931348623158e308 (rounds to MAX)', (id) => rec(id, { outputs: '{"a":1.7976931348623158e308}' }));
  add('1.7976931348623159e308 (rounds to inf)', (id) => rec(id, { outputs: '{"a":1.7976931348623159e308}' }));
  add('17976931348623157e292', (id) => rec(id, { outputs: '{"a":17976931348623157e292}' }));
  add('0.17976931348623157e309', (id) => rec(id, { outputs: '{"a":0.17976931348623157e309}' }));
  // serde_json (without float_roundtrip) multiplies by an inexact power of ten: some
  // spellings of values that round to f64::MAX overflow to infinity there.
  add('1.797693134862315700e308 (f64::MAX, trailing zeros)', (id) => rec(id, { outputs: '{"a":1.797693134862315700e308}' }));
  add('f64::MAX as a 309-digit integer', (id) => rec(id, { outputs: `{"a":17976931348623157${'0'.repeat(292)}}` }));
  add('2e308 as a 309-digit integer', (id) => rec(id, { outputs: `{"a":2${'0'.repeat(308)}}` }), 'err');
  add('1e400 in context', (id) => rec(id, { context: '{"a":1e400}' }), 'err');
  add('1e400 in an unknown field', (id) => rec(id, { extra: '"x":1e400' }));
  add('1e-400 (underflows to 0)', (id) => rec(id, { outputs: '{"a":1e-400}' }), 'ok');
  add('0e400', (id) => rec(id, { outputs: '{"a":0e400}' }), 'ok');
  add('0.0e99999999999', (id) => rec(id, { outputs: '{"a":0.0e99999999999}' }), 'ok');
  add('1e99999999999', (id) => rec(id, { outputs: '{"a":1e99999999999}' }), 'err');
  add('1e-99999999999', (id) => rec(id, { outputs: '{"a":1e-99999999999}' }), 'ok');
  add('integer of 30 digits', (id) => rec(id, { outputs: '{"a":123456789012345678901234567890}' }), 'ok');
  add('integer of 309 digits (1e308)', (id) => rec(id, { outputs: `{"a":1${'0'.repeat(308)}}` }), 'ok');
  add('integer of 310 digits (1e309)', (id) => rec(id, { outputs: `{"a":1${'0'.repeat(309)}}` }));
  add('integer of 400 digits', (id) => rec(id, { outputs: `{"a":1${'0'.repeat(399)}}` }));
  add('negative integer of 400 digits', (id) => rec(id, { outputs: `{"a":-1${'0'.repeat(399)}}` }));
  add('400-digit integer then .0', (id) => rec(id, { outputs: `{"a":1${'0'.repeat(399)}.0}` }));
  add('400-digit integer then e-100', (id) => rec(id, { outputs: `{"a":1${'0'.repeat(399)}e-100}` }));
  add('fraction of 400 digits', (id) => rec(id, { outputs: `{"a":0.${'1'.repeat(400)}}` }), 'ok');
  add('1 followed by 400 zeros e-400', (id) => rec(id, { outputs: `{"a":1${'0'.repeat(400)}e-400}` }));
  add('leading zero', (id) => rec(id, { outputs: '{"a":01}' }), 'err');
  add('negative leading zero', (id) => rec(id, { outputs: '{"a":-01}' }), 'err');
  add('trailing dot', (id) => rec(id, { outputs: '{"a":1.}' }), 'err');
  add('leading dot', (id) => rec(id, { outputs: '{"a":.5}' }), 'err');
  add('plus sign', (id) => rec(id, { outputs: '{"a":+1}' }), 'err');
  add('lone minus', (id) => rec(id, { outputs: '{"a":-}' }), 'err');
  add('exponent without digits', (id) => rec(id, { outputs: '{"a":1e}' }), 'err');
  add('exponent sign without digits', (id) => rec(id, { outputs: '{"a":1e+}' }), 'err');
  add('NaN', (id) => rec(id, { outputs: '{"a":NaN}' }), 'err');
  add('Infinity', (id) => rec(id, { outputs: '{"a":Infinity}' }), 'err');
  add('-Infinity', (id) => rec(id, { outputs: '{"a":-Infinity}' }), 'err');
  add('hex number', (id) => rec(id, { outputs: '{"a":0x10}' }), 'err');
  add('bad number in an unknown field', (id) => rec(id, { extra: '"x":01' }), 'err');

  // --- syntax
  add('trailing comma in the record', (id) => `${rec(id).slice(0, -1)},}`, 'err');
  add('trailing comma in outputs', (id) => rec(id, { outputs: '{"a":1,}' }), 'err');
  add('trailing comma in completed_nodes', (id) => rec(id, { completed: '["a",]' }), 'err');
  add('trailing comma in the array form', (id) => `["${id}",{},[],[],]`, 'err');
  add('trailing comma in an unknown field', (id) => rec(id, { extra: '"x":[1,]' }), 'err');
  add('leading comma', (id) => rec(id, { completed: '[,"a"]' }), 'err');
  add('missing comma', (id) => rec(id, { completed: '["a" "b"]' }), 'err');
  add('BOM (U+FEFF) before the record', (id) => `\uFEFF${rec(id)}`, 'err');
  add('BOM after the record', (id) => `${rec(id)}\uFEFF`, 'err');
  add('leading and trailing whitespace', (id) => ` \t\r ${rec(id)} \t\r `, 'ok');
  add('form feed as whitespace', (id) => `\f${rec(id)}`, 'err');
  add('NBSP as whitespace', (id) => `\u00a0${rec(id)}`, 'err');
  add('two records', (id) => `${rec(id)}${rec(id)}`, 'err');
  add('trailing garbage', (id) => `${rec(id)}x`, 'err');
  add('trailing null', (id) => `${rec(id)} null`, 'err');
  add('line comment', (id) => `${rec(id)} // saved`, 'err');
  add('block comment', (id) => `/* run */${rec(id)}`, 'err');
  add('single quotes', (id) => rec(id).replace(/"/g, "'"), 'err');
  add('unquoted key', (id) => `{execution_id:"${id}","outputs":{},"completed_nodes":[],"skipped_nodes":[]}`, 'err');
  add('non-string key in outputs', (id) => rec(id, { outputs: '{1:2}' }), 'err');
  add('True literal', (id) => rec(id, { outputs: '{"a":True}' }), 'err');
  add('truncated literal', (id) => rec(id, { outputs: '{"a":nul}' }), 'err');
  add('truncated document', (id) => rec(id).slice(0, -1), 'err');
  add('empty document', () => '', 'err', { noFile: true });
  add('whitespace only', () => '   ', 'err');

  // --- bytes: encodings and multi-line documents
  const utf8 = (s: string) => Buffer.from(s, 'utf8');
  const withBytes = (id: string, where: 'output' | 'unknown' | 'key', bad: number[]) => {
    const marker = 'MARKER';
    const text =
      where === 'output'
        ? rec(id, { outputs: `{"a":"${marker}"}` })
        : where === 'unknown'
          ? rec(id, { extra: `"x":"${marker}"` })
          : rec(id, { outputs: `{"${marker}":1}` });
    const [before, after] = text.split(marker);
    return Buffer.concat([utf8(before), Buffer.from(bad), utf8(after)]);
  };
  addBytes('UTF-8 BOM bytes', (id) => Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), utf8(rec(id))]), 'err');
  addBytes('invalid UTF-8 (0xff) in an output string', (id) => withBytes(id, 'output', [0xff]), 'err');
  addBytes('invalid UTF-8 (0xff) in an output key', (id) => withBytes(id, 'key', [0xff]), 'err');
  addBytes('overlong NUL (C0 80) in an output string', (id) => withBytes(id, 'output', [0xc0, 0x80]), 'err');
  addBytes('CESU-8 surrogate (ED A0 80) in an output string', (id) => withBytes(id, 'output', [0xed, 0xa0, 0x80]), 'err');
  addBytes('truncated UTF-8 sequence in an output string', (id) => withBytes(id, 'output', [0xe4, 0xbd]), 'err');
  addBytes('invalid UTF-8 (0xff) in an unknown field string', (id) => withBytes(id, 'unknown', [0xff]));
  addBytes('CESU-8 surrogate in an unknown field string', (id) => withBytes(id, 'unknown', [0xed, 0xa0, 0x80]));
  addBytes('invalid UTF-8 outside strings', (id) => Buffer.concat([utf8(rec(id)), Buffer.from([0xff])]), 'err');
  addBytes('UTF-16LE encoded record', (id) => Buffer.from(rec(id), 'utf16le'), 'err');
  addBytes('pretty, CRLF line ends', (id) => utf8(rec(id, { outputs: '{\r\n  "a": [\r\n    1.0\r\n  ]\r\n}' }).replace(/,/g, ',\r\n')), 'ok');
  addBytes('raw newline inside a string', (id) => utf8(rec(id, { outputs: '{"a":"line\nbreak"}' })), 'err');
  addBytes('valid 4-byte UTF-8 in a node id', (id) => utf8(rec(id, { completed: '["𝄞"]', outputs: '{"𝄞":null}', skipped: '["𝄞"]' })), 'ok');
  return c;
}

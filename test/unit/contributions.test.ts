/**
 * package.json and the code agree: every command id constant (src/host/commands.ts) is
 * contributed and every contributed command has a constant, is registered, and every menu,
 * keybinding and welcome-view link names a command that exists. No command id is written
 * out as a string anywhere else in src/.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '../../..');
const read = (file: string) => fs.readFileSync(path.join(ROOT, file), 'utf8');

interface Manifest {
  contributes: {
    commands: { command: string; title: string; category?: string }[];
    menus: Record<string, { command: string; when?: string }[]>;
    keybindings: { command: string }[];
    viewsWelcome: { contents: string }[];
  };
}

const manifest = JSON.parse(read('package.json')) as Manifest;
const contributed = manifest.contributes.commands.map((c) => c.command);

/** `export const X_COMMAND = 'id';` from the host's command module. */
export function commandConstants(text: string): Map<string, string> {
  return new Map([...text.matchAll(/^export const (\w+_COMMAND) = '([^']+)';$/gm)].map((m) => [m[1], m[2]]));
}

/** Every id in `a` missing from `b`. */
function missing(a: Iterable<string>, b: Iterable<string>): string[] {
  const other = new Set(b);
  return [...a].filter((x) => !other.has(x));
}

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
    const rel = `${dir}/${entry.name}`;
    if (entry.isDirectory()) out.push(...sources(rel));
    else if (entry.name.endsWith('.ts')) out.push(rel);
  }
  return out;
}

describe('contributions', () => {
  const constants = commandConstants(read('src/host/commands.ts'));
  const ids = [...constants.values()];

  it('reads the command constants (self-check)', () => {
    assert.ok(constants.size >= 20, `${constants.size} constants`);
    assert.strictEqual(constants.get('DELETE_RUNS_COMMAND'), 'a3sFlow.history.deleteRuns');
    assert.deepStrictEqual([...commandConstants("export const A_COMMAND = 'x.a';\nexport const B = 'x.b';\n")], [['A_COMMAND', 'x.a']]);
    assert.deepStrictEqual(missing(['a', 'b'], ['b']), ['a']);
  });

  it('every command constant is contributed, and every contributed command has a constant', () => {
    assert.deepStrictEqual(missing(ids, contributed), [], 'in code, not in contributes.commands');
    assert.deepStrictEqual(missing(contributed, ids), [], 'in contributes.commands, not in code');
    assert.strictEqual(new Set(ids).size, ids.length, 'no id twice');
  });

  it('every command constant is registered', () => {
    const register = read('src/commands/register.ts');
    const registered = [...register.matchAll(/\[ids\.(\w+_COMMAND)\]:/g)].map((m) => m[1]);
    assert.deepStrictEqual(missing(constants.keys(), registered), [], 'constants never registered');
    assert.deepStrictEqual(missing(registered, constants.keys()), [], 'registered, but no constant');
  });

  it('every command has a category and a title', () => {
    for (const c of manifest.contributes.commands) {
      assert.strictEqual(c.category, 'Flow History', c.command);
      assert.ok(c.title.length > 0, c.command);
    }
  });

  it('menus, keybindings and welcome links name commands that exist', () => {
    const known = new Set(contributed);
    const builtIn = /^workbench\./;
    const named = [
      ...Object.values(manifest.contributes.menus).flatMap((items) => items.map((i) => i.command)),
      ...manifest.contributes.keybindings.map((k) => k.command),
      ...manifest.contributes.viewsWelcome.flatMap((w) => [...w.contents.matchAll(/\(command:([\w.]+)/g)].map((m) => m[1])),
    ];
    assert.ok(named.length > 30, `${named.length} references`);
    assert.deepStrictEqual(named.filter((id) => !known.has(id) && !builtIn.test(id)), []);
  });

  it('no command id is written out as a string outside src/host/commands.ts', () => {
    const quoted = new RegExp(`['"\`](${ids.map((id) => id.replace(/\./g, '\\.')).join('|')})['"\`]`);
    const offenders = sources('src')
      .filter((file) => file !== 'src/host/commands.ts')
      .filter((file) => quoted.test(read(file)));
    assert.deepStrictEqual(offenders, []);
  });

  it('run rows are matched by capability tokens, never by store kind', () => {
    const whens = Object.values(manifest.contributes.menus).flatMap((items) => items.map((i) => i.when ?? ''));
    assert.ok(whens.some((w) => /viewItem =~ \/\^run\\b\//.test(w)));
    assert.deepStrictEqual(whens.filter((w) => /memory|execution/.test(w)), []);
  });
});

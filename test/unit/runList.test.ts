/** The columnar run list: ids as bytes, times and sizes in typed arrays, exactly as given. */
import * as assert from 'assert';
import { newExecutionId } from '../../src/core/executionId';
import { ExecutionEntry } from '../../src/core/executionStore';
import { RunList } from '../../src/core/runList';

describe('RunList', () => {
  const entries: ExecutionEntry[] = Array.from({ length: 500 }, (_, i) => ({ id: newExecutionId(), savedAt: 1_764_000_000_000 - i * 60_000, size: 100 + i }));
  entries[7] = { ...entries[7], problem: 'is empty (0 bytes): possibly still being written' };
  // Not a canonical id (no store lists one; kept as it is all the same).
  entries[9] = { ...entries[9], id: 'not-an-id' };
  entries[11] = { ...entries[11], id: 'é'.repeat(36) };

  it('gives back every entry, id, time, size and problem, in order', () => {
    const list = new RunList(entries);
    assert.strictEqual(list.length, entries.length);
    assert.deepStrictEqual(list.toArray(), entries);
    entries.forEach((e, i) => assert.strictEqual(list.idAt(i), e.id));
  });

  it('finds entries by id, the odd ones too; unknown ids are not found', () => {
    const list = new RunList(entries);
    for (const i of [0, 7, 9, 11, 250, 499]) {
      assert.strictEqual(list.indexOf(entries[i].id), i);
      assert.deepStrictEqual(list.find(entries[i].id), entries[i]);
    }
    assert.strictEqual(list.indexOf(newExecutionId()), -1);
    assert.strictEqual(list.indexOf(''), -1);
    assert.strictEqual(list.find('x'.repeat(36)), undefined);
    assert.strictEqual(new RunList([]).indexOf(entries[0].id), -1);
  });

  it('built from columns (from a listing worker), holds the same as from entries', () => {
    const canonical = entries.filter((e) => e.id.length === 36 && [...e.id].every((c) => c.charCodeAt(0) < 0x80));
    const ids = new Uint8Array(canonical.length * 36);
    canonical.forEach((e, i) => ids.set(Buffer.from(e.id, 'latin1'), i * 36));
    const problems = new Map<number, string>();
    canonical.forEach((e, i) => e.problem && problems.set(i, e.problem));
    const list = new RunList({ ids, times: Float64Array.from(canonical, (e) => e.savedAt), sizes: Float64Array.from(canonical, (e) => e.size) }, problems);
    assert.deepStrictEqual(list.toArray(), canonical);
    assert.deepStrictEqual(list.find(canonical[7].id), canonical[7]);
    assert.throws(() => new RunList({ ids, times: new Float64Array(1), sizes: new Float64Array(1) }), /different lengths/);
  });

  it('tells which of some ids are present, in one pass, the odd ones too', () => {
    const list = new RunList(entries);
    const unknown = [newExecutionId(), 'x', '', entries[3].id.toUpperCase()];
    const asked = [entries[0].id, entries[9].id, entries[11].id, entries[499].id, ...unknown];
    assert.deepStrictEqual([...list.presentOf(asked)].sort(), [entries[0].id, entries[9].id, entries[11].id, entries[499].id].sort());
    // Ids sharing their first 8 characters with a listed one are told apart by the rest.
    const sameHead = entries[5].id.slice(0, 8) + newExecutionId().slice(8);
    assert.deepStrictEqual([...list.presentOf([sameHead, entries[5].id])], [entries[5].id]);
    assert.deepStrictEqual([...new RunList([]).presentOf(asked)], []);
  });
});

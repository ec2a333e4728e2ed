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
});

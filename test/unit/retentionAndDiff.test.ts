import * as assert from 'assert';
import { diffRuns, formatRunDiff } from '../../src/core/diff';
import { ExecutionEntry } from '../../src/core/executionStore';
import { parseFlowResult } from '../../src/core/flowResult';
import { selectForRetention, validateRule } from '../../src/core/retention';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 10, 26);
const entry = (n: number, ageDays: number, problem?: string): ExecutionEntry => ({
  id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
  savedAt: NOW - ageDays * DAY,
  size: 100,
  ...(problem ? { problem } : {}),
});

describe('retention', () => {
  const entries = [entry(1, 0.5), entry(2, 3), entry(3, 10), entry(4, 40), entry(5, 41, 'is a symbolic link')];

  it('selects runs older than N days, newest first', () => {
    assert.deepStrictEqual(selectForRetention(entries, { olderThanDays: 7 }, NOW).map((e) => e.id.slice(-1)), ['3', '4']);
  });

  it('keeps only the newest N', () => {
    assert.deepStrictEqual(selectForRetention(entries, { keepNewest: 2 }, NOW).map((e) => e.id.slice(-1)), ['3', '4']);
    assert.deepStrictEqual(selectForRetention(entries, { keepNewest: 0 }, NOW).length, 4);
  });

  it('never selects unreadable runs; they keep their place in the order', () => {
    const unreadable = new Set([entries[0].id, entries[2].id]);
    assert.deepStrictEqual(selectForRetention(entries, { keepNewest: 1 }, NOW, unreadable).map((e) => e.id.slice(-1)), ['2', '4']);
    assert.ok(!selectForRetention(entries, { olderThanDays: 0 }, NOW).some((e) => e.problem));
  });

  it('validates the rule', () => {
    assert.match(validateRule({}) ?? '', /Give a number/);
    assert.match(validateRule({ keepNewest: 1.5 }) ?? '', /whole number/);
    assert.match(validateRule({ olderThanDays: -1 }) ?? '', /0 or more/);
    assert.throws(() => selectForRetention(entries, {}, NOW), RangeError);
  });
});

describe('run diff', () => {
  const a = parseFlowResult('{"execution_id":"11111111-1111-4111-8111-111111111111","outputs":{"x":1,"y":{"n":18446744073709551615},"s":null},"completed_nodes":["x","y","s"],"skipped_nodes":["s"],"context":{"k":1}}');
  const b = parseFlowResult('{"execution_id":"22222222-2222-4222-8222-222222222222","outputs":{"y":{"n":18446744073709551614},"s":3,"z":true},"completed_nodes":["y","s","z"],"skipped_nodes":[],"context":{"k":1,"j":2}}');

  it('reports nodes only in one run, status changes, changed outputs and context', () => {
    const d = diffRuns(a, b);
    assert.deepStrictEqual(d.onlyInA, ['x']);
    assert.deepStrictEqual(d.onlyInB, ['z']);
    assert.deepStrictEqual(d.statusChanged, [{ node: 's', a: 'skipped', b: 'executed' }]);
    assert.deepStrictEqual(d.outputChanged, ['s', 'y']);
    assert.deepStrictEqual(d.contextChanged, ['j']);
    assert.strictEqual(d.same, false);
    const text = formatRunDiff(a, b, d).join('\n');
    assert.match(text, /~ node "s": skipped -> executed/);
    assert.match(text, /- \{1\} \{"n":18446744073709551615\}\n\s+\+ \{1\} \{"n":18446744073709551614\}/);
    assert.match(text, /~ context "j": \(absent\) -> 2/);
  });

  it('says when two runs are the same', () => {
    assert.ok(diffRuns(a, a).same);
    assert.match(formatRunDiff(a, a).join('\n'), /No differences/);
  });
});

/** The test harness's file selection (FLOW_HISTORY_TEST_GLOB, the suites' patterns). */
import * as assert from 'assert';
import { globToRegExp } from '../harness/glob';

describe('test file globs', () => {
  const matches = (pattern: string, file: string) => globToRegExp(pattern).test(file);

  it('matches * within a folder, ** across folders and ? as one character', () => {
    assert.ok(matches('*.test.js', 'grid.test.js'));
    assert.ok(!matches('*.test.js', 'multiRoot/grid.test.js'));
    assert.ok(matches('**/*.test.js', 'multiRoot/deep/grid.test.js'));
    assert.ok(matches('**/*.test.js', 'grid.test.js'));
    assert.ok(matches('gri?.test.js', 'grid.test.js'));
    assert.ok(!matches('gri?.test.js', 'gri/.test.js'));
  });

  it('takes {a,b} as either, and the other characters literally', () => {
    const pattern = '{history,plot,database}.test.js';
    for (const file of ['history.test.js', 'plot.test.js', 'database.test.js']) assert.ok(matches(pattern, file), file);
    for (const file of ['grid.test.js', 'historyXtest.js', '{history,plot,database}.test.js']) assert.ok(!matches(pattern, file), file);
    assert.ok(matches('a+b(c).js', 'a+b(c).js'));
    assert.ok(matches('{x', '{x'), 'an unclosed brace is a brace');
  });
});

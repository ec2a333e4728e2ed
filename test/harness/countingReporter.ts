// Mocha's spec reporter plus one closing line, `N passed, N failed`, that scripts/test.js
// (and CI) read to count the tests of a suite.
import Mocha from 'mocha';

class CountingReporter extends Mocha.reporters.Spec {
  constructor(runner: Mocha.Runner, options?: Mocha.MochaOptions) {
    super(runner, options);
    // Registered after the spec reporter's own summary, so this is the last line printed.
    runner.once(Mocha.Runner.constants.EVENT_RUN_END, () => {
      console.log(`${runner.stats?.passes ?? 0} passed, ${runner.stats?.failures ?? 0} failed`);
    });
  }
}

export = CountingReporter;

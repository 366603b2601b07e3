'use strict';
// The spec reporter plus one plain closing line ("N passed, N failed, N skipped") that CI reads,
// and, for bin/flake-hunt.sh, the title of every failed test.
const Mocha = require('mocha');

class SpecWithSummary extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    // bin/flake-hunt.sh counts failures by test across rounds: one full title per line.
    if (process.env.FAAS_TEST_FAILURES) {
      runner.on(Mocha.Runner.constants.EVENT_TEST_FAIL, (test) => {
        const title = test.fullTitle().replace(/\s+/g, ' ');
        require('node:fs').appendFileSync(process.env.FAAS_TEST_FAILURES, `${title}\n`);
      });
    }
    runner.once(Mocha.Runner.constants.EVENT_RUN_END, () => {
      const { passes, failures, pending } = this.stats;
      process.stdout.write(`\n${passes} passed, ${failures} failed, ${pending} skipped\n`);
      // bin/test.sh adds up several mocha runs into one closing line.
      if (process.env.FAAS_TEST_TALLY) {
        require('node:fs').appendFileSync(process.env.FAAS_TEST_TALLY, `${passes} ${failures} ${pending}\n`);
      }
    });
  }
}

module.exports = SpecWithSummary;

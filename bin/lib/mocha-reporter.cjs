'use strict';
// The spec reporter plus one plain closing line ("N passed, N failed, N skipped") that CI reads,
// and, for bin/flake-hunt.sh, the title of every failed test; for bin/test.sh, each failure's title
// and the head of its error, so the end of a CI log names what failed.
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
    if (process.env.FAAS_TEST_ERRORS) {
      runner.on(Mocha.Runner.constants.EVENT_TEST_FAIL, (test, err) => {
        const head = String((err && (err.stack || err.message)) || err).split('\n').slice(0, 6);
        const entry = [`- ${test.fullTitle().replace(/\s+/g, ' ')}`, ...head.map((l) => `    ${l.slice(0, 300)}`)];
        require('node:fs').appendFileSync(process.env.FAAS_TEST_ERRORS, `${entry.join('\n')}\n`);
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

'use strict';
const path = require('node:path');

// One NATS cluster per run for every workspace; specs are the compiled tests.
module.exports = {
  require: [path.join(__dirname, 'common/dist/src/testing/global-fixture.js')],
  spec: ['*/dist/test/**/*.test.js'],
  ignore: ['node_modules/**'],
  reporter: path.join(__dirname, 'bin/lib/mocha-reporter.cjs'),
  timeout: 30000,
  exit: true,
};

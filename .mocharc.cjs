'use strict';
const path = require('node:path');

// One NATS cluster per run for every workspace. Specs are given on the command line
// (npm run test:all runs every workspace's compiled tests).
module.exports = {
  require: [path.join(__dirname, 'testing/dist/src/global-fixture.js')],
  ignore: ['node_modules/**'],
  reporter: path.join(__dirname, 'bin/lib/mocha-reporter.cjs'),
  timeout: 30000,
  exit: true,
};

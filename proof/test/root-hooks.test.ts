import { expect } from 'chai';
import { summaryTable } from './support/ledger.js';
import { leftoverContainers } from './support/observers.js';
import { proofPlatform, stopProofPlatform } from './support/platform.js';
import { logDir } from './support/processes.js';

/** Root hooks of the proof suite: one platform for every scenario, the summary table at the end. */
const startedAt = Date.now();
let runId: string | undefined;

before(async function () {
  this.timeout(120_000);
  runId = (await proofPlatform()).runId;
});

after(async function () {
  this.timeout(120_000);
  await stopProofPlatform();
  // The figures are the point of this suite: printed after mocha's own results.
  process.stdout.write(`${summaryTable()}\nsuite time ${Math.round((Date.now() - startedAt) / 1000)} s; service logs in ${logDir}\n`);
  if (runId) expect(await leftoverContainers(runId), 'containers of this run left behind').to.have.length(0);
});

import { expect } from 'chai';
import { TEST_RUN_LABEL, containersOf, docker } from './helpers.js';

// Runs after the other spawner suites (files load in name order).
describe('spawner: leaves nothing behind', () => {
  it('no container started by a test spawner of this run remains', async () => {
    const leftovers = await containersOf(TEST_RUN_LABEL);
    // Sweep first, so a failure here does not leak into later runs, then report.
    await Promise.all(leftovers.map((c) => docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined)));
    expect(leftovers.map((c) => `${c.Id.slice(0, 12)} ${c.Labels['faas.execution'] ?? ''}`)).to.deep.equal([]);
  });
});

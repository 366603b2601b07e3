import { expect } from 'chai';
import { Registry } from 'prom-client';
import { createSpawnerMetrics, OTHER_FUNCTIONS } from '../src/infra/spawner-metrics.js';

/** Issue 28 item 5: one tenant cannot claim every function label of the spawner's metrics. */
describe('spawner metrics: function labels are capped per user', () => {
  it('gives one user at most the per-user share of the labels, and leaves the rest to others', () => {
    const metrics = createSpawnerMetrics(new Registry(), 2, 6, 2);
    expect(['a1', 'a2', 'a3', 'a4'].map((name) => metrics.functionLabel(name, 'alice'))).to.deep.equal(['a1', 'a2', OTHER_FUNCTIONS, OTHER_FUNCTIONS]);
    expect(metrics.functionLabel('a1', 'alice'), 'a name already labelled keeps its label').to.equal('a1');
    expect(['b1', 'b2', 'b3'].map((name) => metrics.functionLabel(name, 'bob'))).to.deep.equal(['b1', 'b2', OTHER_FUNCTIONS]);
    expect(['c1', 'c2', 'c3'].map((name) => metrics.functionLabel(name, 'carol'))).to.deep.equal(['c1', 'c2', OTHER_FUNCTIONS]);
    expect(metrics.functionLabel('d1', 'dave'), 'past the total cap').to.equal(OTHER_FUNCTIONS);
  });
});

import { expect } from 'chai';
import { MAX_DELIVER, retryDelayMs } from '../src/triggers/durable-consumer.js';

describe('publisher: the trigger consumers\' retry schedule', () => {
  it('retries a passing fault at once, and spreads the last deliveries over a leader election (not 8 s)', () => {
    expect(retryDelayMs(1), 'after the first failure').to.be.at.most(2_000);
    // Waits between the deliveries: after delivery 1 .. MAX_DELIVER - 1 failed.
    const waits = Array.from({ length: MAX_DELIVER - 1 }, (_, i) => retryDelayMs(i + 1));
    const span = waits.reduce((a, b) => a + b, 0);
    // A NATS election on a loaded 3-node cluster took over 10 s (docs/reliability.md): 90 s covers it.
    expect(span, `waits ${waits.join(', ')} ms`).to.be.at.least(90_000);
    for (let i = 1; i < waits.length; i++) expect(waits[i], 'never shorter than the wait before').to.be.at.least(waits[i - 1] as number);
    expect(retryDelayMs(MAX_DELIVER + 3), 'past the table: the longest').to.equal(Math.max(...waits));
  });
});

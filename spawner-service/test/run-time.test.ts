import { expect } from 'chai';
import { runMs } from '../src/infra/run-time.js';

describe('spawner: container run time', () => {
  it('takes the run time from the engine timestamps', () => {
    expect(runMs({ StartedAt: '2026-11-22T06:09:00.775688069Z', FinishedAt: '2026-11-22T06:09:00.780683038Z' }, 170)).to.equal(5);
  });

  it('counts a run that finished before the engine stamped its start as 0 ms, not the whole start-to-inspect time', () => {
    // Observed on docker 20.10: an echo exits before the engine records StartedAt.
    expect(runMs({ StartedAt: '2026-11-22T06:09:00.599780698Z', FinishedAt: '2026-11-22T06:09:00.598671841Z' }, 159)).to.equal(0);
  });

  it('falls back to the measured time when the engine gave no usable timestamps', () => {
    expect(runMs({ StartedAt: '0001-01-01T00:00:00Z', FinishedAt: '' }, 42)).to.equal(42);
    expect(runMs({ StartedAt: '2026-11-22T06:09:00.599780698Z', FinishedAt: '0001-01-01T00:00:00Z' }, 42)).to.equal(42);
  });
});

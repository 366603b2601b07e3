import { expect } from 'chai';
import { decideScale, type ScaleHistory, type ScaleInputs, type ScalePolicy } from '../src/domain/decide-scale.js';

const policy: ScalePolicy = { min: 2, max: 10, upThreshold: 0.8, downThreshold: 0.3, upCooldownMs: 30_000, downCooldownMs: 120_000 };
const idle: ScaleInputs = { replicas: 2, pending: 0, ackPending: 0, busy: 0, slotsPerSpawner: 5 };
const T = 1_000_000;

/** Runs a sequence of checks, 15 s apart, each with its own inputs; returns every decision. */
function run(steps: readonly Partial<ScaleInputs>[], start: ScaleHistory = {}, p: ScalePolicy = policy) {
  let history = start;
  let replicas = steps[0]?.replicas ?? idle.replicas;
  return steps.map((step, i) => {
    const outcome = decideScale(p, { ...idle, replicas, ...step }, history, T + i * 15_000);
    history = outcome.history;
    replicas = outcome.decision.to;
    return outcome.decision;
  });
}

describe('decideScale (pure)', () => {
  it('scales a burst up at once, sized so utilisation lands between the thresholds', () => {
    const [d] = run([{ replicas: 2, pending: 40, busy: 10, ackPending: 10 }]);
    // 50 executions, 5 slots each, aiming at 0.55 utilisation: ceil(50 / 2.75) = 19, capped at 10.
    expect(d).to.include({ action: 'up', from: 2, to: 10, reason: 'load-high', demand: 50, running: 10, utilisation: 5 });
    const [small] = run([{ replicas: 2, pending: 4, busy: 5, ackPending: 5 }]);
    expect(small).to.include({ action: 'up', to: 4, target: 4, utilisation: 0.9 });
  });

  it('adds at least one replica when the threshold is crossed', () => {
    const [d] = run([{ replicas: 2, pending: 0, busy: 8, ackPending: 8 }], {}, { ...policy, upThreshold: 0.8, downThreshold: 0.7 });
    expect(d).to.include({ action: 'up', from: 2, to: 3 });
  });

  it('holds inside the band between the thresholds', () => {
    const [d] = run([{ replicas: 4, pending: 2, busy: 8, ackPending: 8 }]);
    expect(d).to.include({ action: 'hold', reason: 'in-band', to: 4, utilisation: 0.5 });
  });

  it('waits out the up cooldown before scaling up again, then scales up', () => {
    // Checks 15 s apart, a 30 s up cooldown: the second check waits, the third scales up.
    const decisions = run([{ replicas: 2, pending: 12 }, { pending: 60 }, { pending: 60 }, { pending: 60 }]);
    expect(decisions.map((d) => [d.action, d.reason, d.to])).to.deep.equal([
      ['up', 'load-high', 5],
      ['hold', 'up-cooldown', 5],
      ['up', 'load-high', 10],
      ['hold', 'at-max', 10],
    ]);
  });

  it('scales down only after the load stayed low for the whole down cooldown, to the minimum when idle', () => {
    const steps = Array.from({ length: 10 }, () => ({}));
    const decisions = run([{ replicas: 8 }, ...steps]);
    const firstDown = decisions.findIndex((d) => d.action === 'down');
    // 120 s of low load at one check every 15 s: the ninth check (120 s after the first) scales down.
    expect(firstDown).to.equal(8);
    expect(decisions.slice(0, 8).every((d) => d.reason === 'down-cooldown')).to.equal(true);
    expect(decisions[8]).to.include({ from: 8, to: 2, reason: 'load-low' });
    expect(decisions[9]).to.include({ action: 'hold', reason: 'at-min' });
  });

  it('restarts the low-load clock when the load comes back in between (no flapping)', () => {
    const low = {};
    const busy = { busy: 20, ackPending: 20 };
    const decisions = run([{ replicas: 8 }, low, low, low, low, busy, ...Array.from({ length: 9 }, () => low)]);
    expect(decisions[5]).to.include({ action: 'hold', reason: 'in-band' });
    // Low from check 6 on: 120 s later is check 14, not check 8 (120 s after the first low one).
    const downs = decisions.map((d, i) => [d.action, i] as const).filter(([a]) => a === 'down');
    expect(downs).to.deep.equal([['down', 14]]);
  });

  it('does not scale down within the down cooldown of a scale-up', () => {
    const decisions = run([{ replicas: 2, pending: 30 }, { pending: 0 }, { pending: 0 }]);
    expect(decisions.map((d) => d.action)).to.deep.equal(['up', 'hold', 'hold']);
    expect(decisions[1]?.reason).to.equal('down-cooldown');
  });

  it('never scales below what the running executions occupy', () => {
    // Thresholds above 1 let a backlog wait for slots: sized by load alone, 6 running executions
    // would fit on 1 replica (target 1), but they occupy 6 slots of 5 each: 2 replicas stay.
    const overcommit = { ...policy, min: 1, upThreshold: 2, downThreshold: 1.5 };
    const [d] = run([{ replicas: 10, busy: 6, ackPending: 6 }], { lowSince: T - 200_000 }, overcommit);
    expect(d).to.include({ action: 'down', to: 2, target: 1, floor: 2 });
    // Above AUTOSCALE_MAX (someone scaled by hand) with every slot busy: stays.
    const [over] = run([{ replicas: 12, busy: 60, ackPending: 60 }]);
    expect(over).to.include({ action: 'hold', reason: 'running-floor', to: 12, floor: 12 });
  });

  it('counts as running the larger of busy slots and ack-pending (a spawner that did not answer)', () => {
    const [d] = run([{ replicas: 4, busy: 3, ackPending: 12 }]);
    expect(d).to.include({ running: 12, demand: 12, utilisation: 0.6 });
  });

  it('brings a service below the minimum or above the maximum back within bounds, without cooldown', () => {
    const history = { lastUpAt: T, lastChangeAt: T };
    expect(run([{ replicas: 0 }], history)[0]).to.include({ action: 'up', to: 2, reason: 'below-min' });
    expect(run([{ replicas: 15 }], history)[0]).to.include({ action: 'down', to: 10, reason: 'above-max' });
  });

  it('holds at the maximum and at the minimum', () => {
    expect(run([{ replicas: 10, pending: 500 }])[0]).to.include({ action: 'hold', reason: 'at-max' });
    expect(run([{ replicas: 2 }])[0]).to.include({ action: 'hold', reason: 'at-min' });
  });
});

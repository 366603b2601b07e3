import { expect } from 'chai';
import { pickVictim, type KeyDue } from '../src/infra/warm/pool-victim.js';

describe('spawner: which idle container the warm pool removes for room', () => {
  const idle = new Map([
    ['container-b', { key: 'b' }],
    ['container-a', { key: 'a' }],
  ]);
  const victimOf = (due: Record<string, KeyDue>): string | undefined => pickVictim(idle, 1, (key) => due[key] ?? { next: Number.POSITIVE_INFINITY })?.[1];

  it('removes the key expected last', () => {
    expect(victimOf({ a: { next: 1_040, last: 1_000, gap: 50 }, b: { next: 1_100, last: 200, gap: 1_000 } })).to.equal('b');
    expect(victimOf({ a: { next: 5_000 }, b: { next: 1_000 } })).to.equal('a');
  });

  it('in two keys asked for in turn, keeps the one asked for longer ago, whichever way the gaps\' noise tips the prediction', () => {
    // a just ran (cold, 500 ms); b ran the 30 ms before it. Both gaps average about 530 ms.
    const now = 10_000;
    const bLast = now - 530;
    const aLast = now - 500;
    for (const [gapA, gapB] of [[530, 530], [450, 610], [610, 450]] as const) {
      const due = { a: { next: Math.max(now, aLast + gapA), last: aLast, gap: gapA }, b: { next: Math.max(now, bLast + gapB), last: bLast, gap: gapB } };
      expect(victimOf(due), `gaps a ${gapA}, b ${gapB}`).to.equal('a');
    }
  });

  it('takes a key that was never measured before a measured one', () => {
    expect(victimOf({ a: { next: 1_000, last: 900, gap: 100 } })).to.equal('b');
  });
});

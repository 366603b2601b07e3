import { expect } from 'chai';
import { connectNats, createLogger } from '../src/index.js';
import { captured, eventually, testNatsUrls } from '@faas/testing';

describe('NATS connection status logs', () => {
  it('keeps the periodic pingTimer events out of info-level logs', async () => {
    const { stream, lines } = captured();
    const nc = await connectNats({ servers: testNatsUrls(), name: 'status-log-test', logger: createLogger('test', 'info', stream), pingIntervalMs: 100 });
    try {
      // Our own view of the same status events: wait until several pings have gone by.
      let pings = 0;
      void (async () => {
        for await (const status of nc.status()) if (status.type === 'pingTimer') pings += 1;
      })();
      await eventually(() => (pings >= 3 ? true : undefined), 10_000, 20);
      expect(lines.filter((l) => l.nats === 'pingTimer')).to.deep.equal([]);
      expect(lines.some((l) => l.msg === 'nats connected'), 'the connection itself is still logged').to.equal(true);
    } finally {
      await nc.close();
    }
  });

  it('still logs the pingTimer events at trace level, for whoever asks for them', async () => {
    const { stream, lines } = captured();
    const nc = await connectNats({ servers: testNatsUrls(), name: 'status-log-test', logger: createLogger('test', 'trace', stream), pingIntervalMs: 100 });
    try {
      const line = await eventually(() => lines.find((l) => l.nats === 'pingTimer'), 10_000, 20);
      expect(line.level).to.equal(10);
    } finally {
      await nc.close();
    }
  });
});

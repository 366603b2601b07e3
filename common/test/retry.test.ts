import { expect } from 'chai';
import { connectNats, createLogger, isPassingFault, retryPassing, UnavailableError, ValidationError } from '../src/index.js';
import { testNatsUrls, uniqueName } from '@faas/testing';

describe('retryPassing: passing NATS faults retried within a budget', () => {
  it('retries "no responders" until a responder appears, then answers', async () => {
    const nc = await connectNats({ servers: testNatsUrls(), name: 'retry-test', logger: createLogger('test', 'silent') });
    const subject = uniqueName('retry.svc');
    try {
      let faults = 0;
      const answer = retryPassing(() => nc.request(subject, 'ping', { timeout: 1_000 }), {
        budgetMs: 10_000,
        onRetry: (err) => {
          faults += 1;
          expect(isPassingFault(err), String(err)).to.equal(true);
          // The service comes up after the first refusals, like a stream leader after an election.
          if (faults === 2) nc.subscribe(subject, { callback: (_e, msg) => msg.respond('pong') });
        },
      });
      expect((await answer).string()).to.equal('pong');
      expect(faults).to.be.at.least(2);
    } finally {
      await nc.drain();
    }
  });

  it('gives up past its budget with the last passing fault, and never retries anything else', async () => {
    const nc = await connectNats({ servers: testNatsUrls(), name: 'retry-test', logger: createLogger('test', 'silent') });
    try {
      let tries = 0;
      const err = await retryPassing(() => {
        tries += 1;
        return nc.request(uniqueName('retry.none'), 'x', { timeout: 500 });
      }, { budgetMs: 400 }).then(() => undefined, (e: unknown) => e);
      expect(isPassingFault(err), String(err)).to.equal(true);
      expect(tries).to.be.at.least(2);

      let refused = 0;
      const bad = await retryPassing(async () => {
        refused += 1;
        throw new ValidationError('bad input');
      }).then(() => undefined, (e: unknown) => e);
      expect(bad).to.be.instanceOf(ValidationError);
      expect(refused).to.equal(1);
      expect(isPassingFault(new UnavailableError('down'))).to.equal(true);
    } finally {
      await nc.drain();
    }
  });
});

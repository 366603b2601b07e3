import { STREAMS, SUBJECTS } from '@faas/common';
import { eventually, request } from '@faas/testing';
import { expect } from 'chai';
import { startSubmitPublisher, type SubmitPublisher } from './trigger-helpers.js';

const LIMIT = 3;
const WINDOW_SECONDS = 3_600;

/** A window that ends mid-test resets the count: start in a window with a minute left. */
async function awayFromWindowEnd(): Promise<void> {
  const windowMs = WINDOW_SECONDS * 1000;
  const left = windowMs - (Date.now() % windowMs);
  if (left < 60_000) await eventually(() => (windowMs - (Date.now() % windowMs) > 60_000 ? true : undefined), left + 5_000, 200);
}

/** Issue 24 item 4: the submit routes count the request beside the quota hold; a refused count leaves nothing behind. */
describe('publisher: the per-user limit on execution submits', function () {
  this.timeout(120_000);
  let publisher: SubmitPublisher;

  before(async () => {
    publisher = await startSubmitPublisher({ USER_RATE_LIMIT_COUNT: String(LIMIT), USER_RATE_LIMIT_WINDOW_SECONDS: String(WINDOW_SECONDS), SYNC_WAIT_MARGIN_MS: '0' });
  });
  after(() => publisher.close());

  const newUser = () => publisher.newUser();
  const submit = (path: 'executions' | 'publish', token: string, name: string) =>
    request<{ executionId?: string; error?: { code: string; message: string } }>(`${publisher.url}/${path}`, { token, body: { name, argument: 'x' } });
  const holdsOf = (userId: string) => publisher.holdsOf(userId);
  const queuedMessages = async (userId: string): Promise<number> => {
    const jsm = await publisher.nc.jetstreamManager();
    const info = await jsm.streams.info(STREAMS.executions, { subjects_filter: SUBJECTS.exec(userId) });
    return info.state.subjects?.[SUBJECTS.exec(userId)] ?? 0;
  };
  const expectRefused = (res: Awaited<ReturnType<typeof submit>>): void => {
    expect(res.status, JSON.stringify(res.body)).to.equal(429);
    expect(res.body.error?.code).to.equal('RATE_LIMITED');
    expect(Number(res.headers.get('retry-after'))).to.be.within(1, WINDOW_SECONDS);
  };

  it(`refuses the submit past ${LIMIT} (async and sync) with 429 and Retry-After, leaving no hold, record, index entry or message`, async () => {
    await awayFromWindowEnd();
    const { userId, name, token } = await newUser();
    const accepted: string[] = [];
    for (let i = 0; i < LIMIT; i++) {
      const res = await submit('executions', token, name);
      expect(res.status, JSON.stringify(res.body)).to.equal(202);
      accepted.push(res.body.executionId ?? '');
    }
    expectRefused(await submit('executions', token, name));
    expectRefused(await submit('publish', token, name));
    // A body that would be a 400 is still the count's 429, as when the count came first.
    expectRefused(await request(`${publisher.url}/executions`, { token, body: { name: '../bad' } }));
    expect(await holdsOf(userId), 'quota holds').to.deep.equal([...accepted].sort());
    expect((await publisher.deps.index.ids(userId)).sort(), 'index entries').to.deep.equal([...accepted].sort());
    expect(await queuedMessages(userId), 'queued messages').to.equal(LIMIT);
  });

  it(`accepts exactly ${LIMIT} of 12 concurrent submits and refuses the rest with 429, none 5xx; the holds are the accepted ones`, async () => {
    await awayFromWindowEnd();
    const { userId, name, token } = await newUser();
    const answers = await Promise.all(Array.from({ length: 12 }, (_, i) => submit(i % 2 === 0 ? 'executions' : 'publish', token, name)));
    const accepted = answers.filter((a) => a.status === 202).map((a) => a.body.executionId ?? '');
    expect(answers.map((a) => a.status).filter((s) => s !== 202 && s !== 429), 'other answers').to.deep.equal([]);
    expect(accepted, 'accepted').to.have.length(LIMIT);
    for (const refused of answers.filter((a) => a.status === 429)) expectRefused(refused);
    // Nothing runs them here: every accepted execution is still queued and holds its slot.
    expect(await holdsOf(userId), 'quota holds').to.deep.equal([...accepted].sort());
    expect((await publisher.deps.index.ids(userId)).sort(), 'index entries').to.deep.equal([...accepted].sort());
    expect(await queuedMessages(userId), 'queued messages').to.equal(LIMIT);
  });
});

import { request, uniqueName } from '@faas/testing';
import { expect } from 'chai';
import { startAuth, type AuthUnderTest } from './helpers.js';

describe('auth: concurrent registrations', () => {
  let auth: AuthUnderTest;
  before(async () => {
    auth = await startAuth();
  });
  after(() => auth.close());

  it('accepts exactly one of 10 concurrent registrations of one username in mixed case', async () => {
    const base = uniqueName('race');
    const variants = Array.from({ length: 10 }, (_, i) =>
      [...base].map((ch, j) => ((i >> j % 4) & 1 ? ch.toUpperCase() : ch.toLowerCase())).join(''),
    );
    const responses = await Promise.all(
      variants.map((username) => request(`${auth.url}/register`, { body: { username, password: 'correct-horse' } })),
    );
    const statuses = responses.map((r) => r.status).sort();
    expect(statuses).to.deep.equal([201, 409, 409, 409, 409, 409, 409, 409, 409, 409]);
    for (const r of responses.filter((x) => x.status === 409)) {
      expect(r.body).to.have.nested.property('error.code', 'CONFLICT');
    }
  });
});

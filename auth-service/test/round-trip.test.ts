import { request, uniqueName } from '@faas/testing';
import { createTokenVerifier } from '@faas/common';
import { expect } from 'chai';
import { startAuth, type AuthUnderTest } from './helpers.js';

describe('auth: register, login, validate', () => {
  let auth: AuthUnderTest;
  before(async () => {
    auth = await startAuth();
  });
  after(() => auth.close());

  it('registers a user, logs in and validates the token as that user', async () => {
    const username = uniqueName('Alice');
    const reg = await request(`${auth.url}/register`, { body: { username, password: 'correct-horse' } });
    expect(reg.status).to.equal(201);
    expect(reg.body).to.include({ username, role: 'user' });
    expect(reg.body).to.not.have.property('passwordHash');

    const login = await request<{ token: string; expiresIn: number }>(`${auth.url}/login`, {
      body: { username, password: 'correct-horse' },
    });
    expect(login.status).to.equal(200);
    expect(login.body.expiresIn).to.equal(3600);

    const claims = await createTokenVerifier(auth.config.token)(login.body.token);
    expect(claims).to.deep.equal({ id: reg.body.id, username, role: 'user', generation: 0 });
    const payload = JSON.parse(Buffer.from(login.body.token.split('.')[1] ?? '', 'base64url').toString()) as Record<string, unknown>;
    expect(payload).to.include({ key: 'faas-users', iss: 'faas-auth', aud: 'faas', sub: reg.body.id });

    const me = await request(`${auth.url}/validate`, { token: login.body.token });
    expect(me.status).to.equal(200);
    expect(me.body).to.deep.equal(reg.body);
  });

  it('logs in with the username in another letter case', async () => {
    const username = uniqueName('Bob');
    await request(`${auth.url}/register`, { body: { username, password: 'correct-horse' } });
    const login = await request(`${auth.url}/login`, { body: { username: username.toUpperCase(), password: 'correct-horse' } });
    expect(login.status).to.equal(200);
  });

  it('answers an unknown user and a wrong password with the same 401 body', async () => {
    const username = uniqueName('carol');
    await request(`${auth.url}/register`, { body: { username, password: 'correct-horse' } });
    const wrong = await request<{ error: { code: string; message: string } }>(`${auth.url}/login`, {
      body: { username, password: 'wrong-horse' },
    });
    const unknown = await request<{ error: { code: string; message: string } }>(`${auth.url}/login`, {
      body: { username: uniqueName('nobody'), password: 'correct-horse' },
    });
    expect(wrong.status).to.equal(401);
    expect(unknown.status).to.equal(401);
    expect({ ...wrong.body.error }).to.include({ code: 'UNAUTHENTICATED' });
    expect(wrong.body.error.message).to.equal(unknown.body.error.message);
  });

  it('echoes a caller-supplied x-request-id and makes one when absent', async () => {
    const given = await request(`${auth.url}/health`, { headers: { 'x-request-id': 'trace-123' } });
    expect(given.headers.get('x-request-id')).to.equal('trace-123');
    const made = await request(`${auth.url}/health`);
    expect(made.headers.get('x-request-id')).to.match(/^[0-9a-f-]{36}$/);
  });
});
